"""Backup and restore round trip, with writes in flight during the backup."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from click.testing import CliRunner

from skills_match.backup import backup, restore
from skills_match.cli import main
from skills_match.errors import InvalidInput
from skills_match.schemas import DemandSchema
from skills_match.store import Store

from .factories import demand


def _table_rows(path):
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("providers", "courses", "course_skills", "demand", "api_keys")
        }


def test_backup_while_writing_then_restore_round_trips(db_path, tmp_path):
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        schema = DemandSchema()
        with Store(db_path) as store:
            n = 0
            while not stop.is_set() and n < 2000:
                n += 1
                try:
                    with store.write():
                        store.upsert_demand(schema.load(demand(f"W-{n}")), [])
                    written.append(n)
                except BaseException as exc:  # pragma: no cover - the failure under test
                    errors.append(exc)
                    return

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:  # make sure writes are really in flight
            stop.wait(0.01)
        info = backup(db_path, tmp_path / "backup.db")
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert info["integrity"] == "ok"
    snapshot = _table_rows(tmp_path / "backup.db")
    refs = [r for r in snapshot["demand"] if r[1] == "test"]
    # A consistent snapshot: some prefix of the writes, none half-done.
    assert 20 <= len(refs) <= len(written)
    assert sorted(int(r[2].split("-")[1]) for r in refs) == list(range(1, len(refs) + 1))

    # Restore over a live database that has moved on since.
    assert len(written) >= len(refs)
    restored = restore(tmp_path / "backup.db", db_path)
    assert restored["integrity"] == "ok"
    assert _table_rows(db_path) == snapshot


def test_restore_refuses_a_file_that_is_not_a_database(db_path, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    before = _table_rows(db_path)
    with pytest.raises(InvalidInput, match="not a skills-match database"):
        restore(junk, db_path)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(InvalidInput, match="no migrations recorded"):
        restore(empty, db_path)
    assert _table_rows(db_path) == before


def test_backup_and_restore_commands(db_path, tmp_path):
    runner = CliRunner()
    target = tmp_path / "nightly.db"
    result = runner.invoke(main, ["--database", str(db_path), "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    fresh = tmp_path / "fresh.db"
    result = runner.invoke(main, ["--database", str(fresh), "restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert _table_rows(fresh) == _table_rows(db_path)
    refused = runner.invoke(main, ["--database", str(fresh), "restore", str(target)], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
