"""kill -9 in the middle of a large course import: nothing half-written, a re-run completes.

    .venv/bin/python -m bench.crash_import [--rows 50000]

Builds a reference database, writes a file of ``--rows`` valid courses, imports it once
without interruption (the control), then starts the same import on a copy, kills it with
SIGKILL half-way through the control's running time, checks the database, re-runs the
import and compares every course and course-skill row with the control.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from skills_match.bootstrap import initialise
from skills_match.config import Settings
from skills_match.store import Store

from .results import machine, today, write_section

UKPRN = "10012345"
# Timestamps differ between two runs by design; everything else must be identical.
VOLATILE = {"created_at", "updated_at"}


def make_rows(store: Store, n: int, seed: int = 7) -> list[dict]:
    """``n`` valid, distinct course rows with 3-8 real digital skills each."""
    rng = random.Random(seed)
    skills = [
        r[0] for r in store.db.execute("SELECT id FROM skills WHERE is_digital = 1 ORDER BY id")
    ]
    areas = [
        r[0]
        for r in store.db.execute(
            "SELECT gss_code FROM local_authorities WHERE region = 'North West' ORDER BY gss_code"
        )
    ]
    rows = []
    for i in range(n):
        rows.append(
            {
                "provider_ukprn": UKPRN,
                "provider_ref": f"BULK-{i:06d}",
                "title": f"Digital skills course {i}",
                "course_type": "other",
                "programme_type": rng.choice(["aeb_digital", "community", "other"]),
                "qualification_level": rng.choice(["E3", "L1", "L2", "L3"]),
                "description": "A course generated for the crash benchmark.",
                "delivery_mode": "classroom",
                "study_mode": "part_time",
                "local_authority": rng.choice(areas),
                "start_dates": [f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"],
                "duration_value": rng.randint(4, 20),
                "duration_unit": "weeks",
                "funding": "fully_funded",
                "places": rng.randint(8, 30),
                "skills": [{"skill_id": s} for s in rng.sample(skills, rng.randint(3, 8))],
            }
        )
    return rows


def table(path: Path, name: str) -> list[tuple]:
    """A table's rows without volatile columns, in primary key order."""
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})") if r[1] not in VOLATILE]
        return conn.execute(f"SELECT {', '.join(columns)} FROM {name} ORDER BY 1, 2").fetchall()


def run_import(db: Path, file: Path) -> subprocess.Popen:
    """Start `skills-match import-courses` as its own process."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skills_match.cli",
            "--database",
            str(db),
            "import-courses",
            str(file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def main() -> None:
    """Run the benchmark and record its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="crash-import-"))
    try:
        base = work / "base.db"
        initialise(Settings.from_env(database=str(base)), seed=False)
        with Store(base) as store, store.write():
            store.upsert_provider(
                {"ukprn": UKPRN, "name": "Bench College", "provider_type": "fe_college"}
            )
        with Store(base) as store:
            rows = make_rows(store, args.rows)
        file = work / "courses.jsonl"
        file.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")

        control, crashed = work / "control.db", work / "crashed.db"
        shutil.copy(base, control)
        shutil.copy(base, crashed)

        started = time.perf_counter()
        proc = run_import(control, file)
        out, _ = proc.communicate()
        control_seconds = time.perf_counter() - started
        assert proc.returncode == 0, out

        # Kill mid-transaction: once the write-ahead log has grown by a few MB the import
        # is inside its one write transaction (validation alone writes nothing).
        wal = crashed.with_name(crashed.name + "-wal")
        victim_started = time.perf_counter()
        victim = run_import(crashed, file)
        while victim.poll() is None and (wal.stat().st_size if wal.exists() else 0) < 4 << 20:
            time.sleep(0.02)
        wal_bytes = wal.stat().st_size if wal.exists() else 0
        kill_after = time.perf_counter() - victim_started
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        assert victim.returncode == -signal.SIGKILL, "the import finished before it was killed"

        with Store(crashed) as store:
            integrity = store.integrity_check()
            after_crash = store.counts()["courses"]
            orphans = store.db.execute(
                "SELECT count(*) FROM course_skills WHERE course_id NOT IN (SELECT id FROM courses)"
            ).fetchone()[0]

        started = time.perf_counter()
        rerun = run_import(crashed, file)
        rerun.communicate()
        rerun_seconds = time.perf_counter() - started
        identical = all(
            table(control, name) == table(crashed, name) for name in ("courses", "course_skills")
        )
        with Store(crashed) as store:
            final_integrity = store.integrity_check()
            final = store.counts()["courses"]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ok = (
        integrity == "ok" and after_crash == 0 and orphans == 0 and identical and final == args.rows
    )
    markdown = f"""
Command: `.venv/bin/python -m bench.crash_import --rows {args.rows}` ({today()}, {machine()})

| step | result |
|---|---|
| uninterrupted import of {args.rows:,} courses (control) | {control_seconds:.1f} s |
| `kill -9` of a second import, mid-transaction | after {kill_after:.1f} s, {wal_bytes / 2**20:.1f} MB of WAL written |
| `PRAGMA integrity_check` after the kill | {integrity} |
| courses from the file present after the kill (one transaction: all or none) | {after_crash:,} |
| course_skills rows without their course | {orphans} |
| re-run of the same import | {rerun_seconds:.1f} s, exit {rerun.returncode}, {final:,} courses, integrity {final_integrity} |
| courses and course_skills identical to the control (timestamps aside) | {"yes" if identical else "NO"} |

Verdict: {"pass" if ok else "FAIL"}.
"""
    write_section("crash-import", markdown)
    print(markdown)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
