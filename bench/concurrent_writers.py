"""Concurrent writers: 8 processes x 200 read-then-write course changes through the store.

    .venv/bin/python -m bench.concurrent_writers [--processes 8] [--changes 200]

Each change reads a course's places and writes places + 1 through the catalogue service
(`skills_match.catalogue.update_course`) inside one `Store.write()` transaction
(``BEGIN IMMEDIATE``). Afterwards every increment must be there (zero lost updates) and
no change may have failed with "database is locked". For contrast the same load runs with
a plain deferred ``BEGIN``, which is what `Database.atomic()` does.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from skills_match import catalogue
from skills_match.bootstrap import initialise
from skills_match.config import Settings
from skills_match.store import Store

from .results import machine, today, write_section

COURSES = 10


def worker(args: tuple[str, str, int, int, list[int], int]) -> tuple[int, int, int]:
    """Make ``changes`` increments; return (done, locked errors, other errors)."""
    path, mode, seed, changes, course_ids, provider_id = args
    rng = random.Random(seed)
    done = locked = other = 0
    with Store(path) as store:
        for _ in range(changes):
            course_id = rng.choice(course_ids)
            transaction = store.write() if mode == "immediate" else store.db.atomic()
            try:
                with transaction:
                    places = store.course(course_id)["places"]
                    catalogue.update_course(store, provider_id, course_id, {"places": places + 1})
                done += 1
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc):
                    locked += 1
                else:
                    other += 1
    return done, locked, other


def run(base: Path, work: Path, mode: str, processes: int, changes: int) -> dict:
    """Run one mode on a fresh copy of the database; return its figures."""
    path = work / f"{mode}.db"
    shutil.copy(base, path)
    with Store(path) as store:
        rows = store.db.execute(
            "SELECT id, provider_id, places FROM courses WHERE status = 'active' "
            "AND provider_id = (SELECT min(provider_id) FROM courses) ORDER BY id LIMIT ?",
            [COURSES],
        ).fetchall()
    course_ids = [r[0] for r in rows]
    provider_id = rows[0][1]
    before = sum(r[2] for r in rows)
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(
            worker,
            [(str(path), mode, n, changes, course_ids, provider_id) for n in range(processes)],
        )
    elapsed = time.perf_counter() - started
    done = sum(r[0] for r in results)
    with Store(path) as store:
        marks = ",".join("?" * len(course_ids))
        after = store.db.execute(
            f"SELECT sum(places) FROM courses WHERE id IN ({marks})", course_ids
        ).fetchone()[0]
        integrity = store.integrity_check()
    return {
        "attempted": processes * changes,
        "done": done,
        "locked": sum(r[1] for r in results),
        "other": sum(r[2] for r in results),
        "lost": done - (after - before),
        "seconds": elapsed,
        "integrity": integrity,
    }


def main() -> None:
    """Run both modes and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--changes", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="writers-"))
    try:
        base = work / "base.db"
        initialise(Settings.from_env(database=str(base)), seed=True)
        results = {
            mode: run(base, work, mode, args.processes, args.changes)
            for mode in ("immediate", "deferred")
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = "\n".join(
        f"| {label} | {r['attempted']:,} | {r['done']:,} | {r['locked']:,} | {r['other']} "
        f"| {r['lost']} | {r['seconds']:.1f} | {r['integrity']} |"
        for label, r in (
            ("`Store.write()` (BEGIN IMMEDIATE): the product", results["immediate"]),
            ("plain BEGIN (deferred), for contrast", results["deferred"]),
        )
    )
    immediate = results["immediate"]
    ok = immediate["locked"] == 0 and immediate["other"] == 0 and immediate["lost"] == 0
    markdown = f"""
Command: `.venv/bin/python -m bench.concurrent_writers --processes {args.processes} --changes {args.changes}`
({today()}, {machine()}). {args.processes} processes, each making {args.changes} read-then-write
changes (read a course's places, write places + 1 via `catalogue.update_course`) to
{COURSES} courses of the seed catalogue, all at once.

| transaction | attempted | committed | "database is locked" | other errors | lost updates | seconds | integrity |
|---|---|---|---|---|---|---|---|
{rows}

Verdict: {"pass" if ok else "FAIL"} (the product's path must show zero locked errors and zero lost updates).
"""
    write_section("concurrent-writers", markdown)
    print(markdown)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
