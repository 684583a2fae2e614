"""Online backup and restore through SQLite's backup API: safe while the service runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import InvalidInput
from .store import Store
from .store.migrations import migrations

# Pages copied per step; between steps other connections may read and write.
PAGES_PER_STEP = 1024


def backup(database: str | Path, target: str | Path, busy_timeout_ms: int = 5000) -> dict:
    """Copy a consistent snapshot of ``database`` into ``target`` (replaced if it exists).

    SQLite's backup API restarts the copy if another connection writes mid-way, so the
    result is always one committed state, never a mix; WAL writers are not blocked.
    """
    target = Path(target)
    if target.exists() and target.is_dir():
        raise InvalidInput(f"{target} is a folder; give a file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with Store(database, busy_timeout_ms) as source, sqlite3.connect(partial) as dest:
        source.db.conn.backup(dest, pages=PAGES_PER_STEP)
    _check(partial)
    # Rename last: a crash mid-backup never leaves a truncated file under the real name.
    partial.replace(target)
    return describe(target)


def restore(source: str | Path, database: str | Path, busy_timeout_ms: int = 5000) -> dict:
    """Replace the contents of ``database`` with the backup ``source``, after checking it.

    The copy goes through the backup API into the live file, under SQLite's locks, so a
    running service sees either the old database or the restored one.
    """
    source = Path(source)
    if not source.is_file():
        raise InvalidInput(f"No backup file at {source}.")
    _check(source)
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src,
        Store(database, busy_timeout_ms) as dest,
    ):
        src.backup(dest.db.conn, pages=PAGES_PER_STEP)
        # An older backup may predate later migrations: bring it up to this version.
        dest.migrate()
    return describe(database)


def describe(path: str | Path) -> dict:
    """Integrity verdict and record counts of a database file."""
    with Store(path) as store:
        return {"integrity": store.integrity_check(), **store.counts()}


def _check(path: Path) -> None:
    """Refuse a file that is not an intact skills-match database."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            has_table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                [migrations.migrations_table],
            ).fetchone()
            applied = (
                has_table
                and conn.execute(
                    f"SELECT count(*) FROM {migrations.migrations_table} WHERE migration_set = ?",
                    [migrations.name],
                ).fetchone()[0]
            )
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{path} is not a skills-match database: {exc}.") from exc
    if verdict != "ok":
        raise InvalidInput(f"{path} failed SQLite's integrity check: {verdict}.")
    if not applied:
        raise InvalidInput(f"{path} is not a skills-match database (no migrations recorded).")
