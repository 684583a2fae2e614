"""How fast the command line starts: `skills-match --help` beside importing Flask.

    .venv/bin/python -m bench.cli_start [--runs 15]

Each run is a fresh process (the console script, as a user types it); the peer is a bare
`python -c "import flask"`, the least a Flask-based command could cost. Median and best
wall time go to the ``## cli-start`` section of bench/RESULTS.md (target: under 0.5 s).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .results import machine, publish, today

SCRIPT = Path(sys.executable).with_name("skills-match")


def _wall(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    """Time both commands and write the results section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    rows = [
        ("`skills-match --help`", _wall([str(SCRIPT), "--help"], runs)),
        ("`skills-match gap-report --help`", _wall([str(SCRIPT), "gap-report", "--help"], runs)),
        ("peer: `python -c 'import flask'`", _wall([sys.executable, "-c", "import flask"], runs)),
        ("floor: `python -c 'pass'`", _wall([sys.executable, "-c", "pass"], runs)),
    ]
    lines = [
        f"Command: `.venv/bin/python -m bench.cli_start --runs {runs}`",
        f"Measured {today()} on {machine()}; {runs} fresh processes each.",
        "",
        "| command | median s | best s | target |",
        "|---|---:|---:|---|",
        *(
            f"| {name} | {statistics.median(t):.3f} | {min(t):.3f} | "
            f"{'< 0.5 s' if 'skills-match' in name else ''} |"
            for name, t in rows
        ),
        "",
        "`--help` imports neither the store, the importer, numpy nor the model "
        "(tests/test_cli.py::test_help_imports_nothing_heavy): commands import what they use.",
    ]
    publish("cli-start", lines)


if __name__ == "__main__":
    main()
