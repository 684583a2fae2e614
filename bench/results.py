"""Write one benchmark's section of ``bench/RESULTS.md``, replacing it in place on re-run.

>>> write_section("taxonomy-levels", "Command: ...\\n\\n| level | skills |\\n...")
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\n"
    "Each section is written by `python -m bench.<name>` and replaced in place when it is "
    "re-run.\n"
)


def machine() -> str:
    """One line describing where the figures were measured."""
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"


def today() -> str:
    """The date stamped on a section (UTC)."""
    return datetime.now(UTC).date().isoformat()


def publish(name: str, lines: list[str]) -> None:
    """Write ``lines`` as the ``## name`` section of RESULTS.md and print them."""
    text = "\n".join(lines)
    write_section(name, text)
    print(text)


def write_section(name: str, markdown: str, path: Path = RESULTS) -> Path:
    """Replace (or append) the ``## name`` section of RESULTS.md with ``markdown``.

    Use ``###`` or deeper headings inside ``markdown``: a ``## `` line starts a new section.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.\-]*", name):
        raise ValueError(f"Section name {name!r} must be letters, digits, space, _ . -")
    body = f"## {name}\n\n{markdown.strip()}\n"
    # Two benchmarks finishing together must not lose each other's section: lock the
    # read-modify-write, and write-then-rename so a reader never sees a torn file.
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"skills-match-results-{digest}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text = path.read_text(encoding="utf-8") if path.exists() else HEADER
        # A section runs from its heading to the next level-2 heading (or the end of file).
        pattern = re.compile(rf"^## {re.escape(name)}[ \t]*\n.*?(?=^## |\Z)", re.M | re.S)
        if pattern.search(text):
            text = pattern.sub(lambda _: body + "\n", text, count=1)
        else:
            text = text.rstrip("\n") + "\n\n" + body
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
        ) as handle:
            handle.write(text.rstrip("\n") + "\n")
        os.chmod(handle.name, 0o644)  # mkstemp makes 0600; RESULTS.md is a shared file
        os.replace(handle.name, path)
    return path
