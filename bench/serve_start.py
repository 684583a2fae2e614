"""A worker's first match, and memory per worker, under `skills-match serve` on 127.0.0.1.

    .venv/bin/python -m bench.serve_start [--fresh-workers 3] [--database FILE]

Builds a seeded database in a temporary folder (or copies ``--database``), then serves it
two ways, each with gunicorn ``--preload``:

- **warm** (what `serve` runs): ``api.wsgi:app``, whose engine is built in the master;
- **peer**: the bare app factory ``api:create_app()``, which builds it on a worker's first
  match.

For each, with one worker: the time from start to a healthy service, the first match of
the worker, then ``--fresh-workers`` times: ``kill -9`` the worker, wait for gunicorn to fork
a fresh one from the master, time its first match. Then with two workers and 40 matches
served: proportional set size (PSS: shared pages split between the processes sharing them)
and resident set of the master and each worker, from /proc/PID/smaps_rollup.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from skills_match.apikeys import create_key
from skills_match.bootstrap import initialise
from skills_match.cli import SERVE_APP
from skills_match.config import Settings
from skills_match.store import Store

from .load import ADVICE, HOST, PEPPER, Server, wait_until_up
from .results import machine, publish, today

APPS = {"warm": SERVE_APP, "peer": "api:create_app()"}


def children(pid: int) -> list[int]:
    """Process ids of the direct children of ``pid``."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def memory_mib(pid: int) -> dict[str, float]:
    """PSS and RSS of one process, MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Pss", "Rss"):
            fields[name.lower()] = int(rest.split()[0]) / 1024
    return fields


def match_ms(port: int, key: str, n: int) -> float:
    """Milliseconds for one match request (a new connection, like a first visitor)."""
    text, occupation, area = ADVICE[n % len(ADVICE)]
    body = {"current_skills_text": text, "target": {"occupation": occupation}}
    body["local_authority"] = area
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    started = time.perf_counter()
    conn.request(
        "POST",
        "/api/v1/match",
        body=json.dumps(body),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"match answered HTTP {response.status}")
    return elapsed


def fresh_worker(server: Server, old: int) -> None:
    """Kill the worker ``old`` and wait until the master has forked its replacement."""
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = children(server.process.pid)
        if now and old not in now:
            wait_until_up(server.port, deadline)
            return
        time.sleep(0.05)
    raise RuntimeError("gunicorn did not replace the worker")


def first_matches(app: str, database: Path, key: str, fresh: int) -> dict:
    """Start-to-healthy and the first match of the first and of each fresh worker."""
    server = Server(database, workers=1, app=app)
    try:
        firsts = [match_ms(server.port, key, 0)]
        later = [match_ms(server.port, key, n) for n in range(1, 31)]
        for n in range(fresh):
            fresh_worker(server, children(server.process.pid)[0])
            firsts.append(match_ms(server.port, key, n + 1))
        return {"start": server.start_seconds, "firsts": firsts, "later": later}
    finally:
        server.stop()


def memory(app: str, database: Path, key: str) -> dict:
    """PSS and RSS of the master and of each of two workers after 40 matches (4 clients)."""
    server = Server(database, workers=2, app=app)
    try:
        # Four clients at once, so both workers answer matches (one at a time could all
        # land on the same worker).
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda n: match_ms(server.port, key, n), range(40)))
        return {
            "master": memory_mib(server.process.pid),
            "workers": [memory_mib(pid) for pid in children(server.process.pid)],
        }
    finally:
        server.stop()


def main() -> None:
    """Measure both apps and write the ``serve-start`` section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh-workers", type=int, default=3)
    parser.add_argument("--database", type=Path, help="a built database to copy")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="serve-start-"))
    database = work / "serve.db"
    if args.database:
        shutil.copy(args.database, database)
        with Store(database) as store:
            store.migrate()
    else:
        initialise(Settings.from_env(database=str(database)), seed=True)
    with Store(database) as store:
        _, key = create_key(store, PEPPER, "serve-start bench", "adviser")

    figures = {}
    for name, app in APPS.items():
        figures[name] = first_matches(app, database, key, args.fresh_workers)
        figures[name]["memory"] = memory(app, database, key)
    shutil.rmtree(work, ignore_errors=True)

    def firsts(f: dict) -> str:
        return ", ".join(f"{ms:,.0f}" for ms in f["firsts"])

    def workers(f: dict, kind: str) -> str:
        return " / ".join(f"{w[kind]:.0f}" for w in f["memory"]["workers"])

    warm, peer = figures["warm"], figures["peer"]
    lines = [
        f"Command: `.venv/bin/python -m bench.serve_start --fresh-workers "
        f"{args.fresh_workers}` ({today()}, {machine()}; seed catalogue; gunicorn --preload "
        "on 127.0.0.1; one worker for the first-match rows, two for memory, after 40 matches from 4 clients at once)",
        "",
        f"| measure | `serve` (`{APPS['warm']}`: engine built in the master) "
        f"| peer (`{APPS['peer']}`: engine built by each worker) | target |",
        "|---|---:|---:|---:|",
        f"| start to healthy (s) | {warm['start']:.1f} | {peer['start']:.1f} | |",
        f"| first match of a worker: the first, then {args.fresh_workers} fresh after "
        f"`kill -9` (ms) | {firsts(warm)} | {firsts(peer)} | <= 300 each |",
        f"| later matches, p50 of 30 (ms) | {statistics.median(warm['later']):.1f} "
        f"| {statistics.median(peer['later']):.1f} | |",
        f"| PSS per worker, two workers (MiB) | {workers(warm, 'pss')} "
        f"| {workers(peer, 'pss')} | < 250 |",
        f"| RSS per worker (MiB) | {workers(warm, 'rss')} | {workers(peer, 'rss')} | |",
        f"| master PSS / RSS (MiB) | {warm['memory']['master']['pss']:.0f} / "
        f"{warm['memory']['master']['rss']:.0f} | {peer['memory']['master']['pss']:.0f} / "
        f"{peer['memory']['master']['rss']:.0f} | |",
        "",
        "PSS splits each shared page between the processes mapping it, so master plus "
        "workers is the service's whole footprint; RSS counts shared pages in full in "
        "every process.",
    ]
    publish("serve-start", lines)
    worst = max(warm["firsts"])
    if worst > 300:
        print(f"first match of a fresh worker took {worst:.0f} ms (target 300)")


if __name__ == "__main__":
    main()
