"""All SQL lives behind :class:`Store`. Another backend (PostgreSQL) would be another Store."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from .audit import AuditMixin
from .catalogue import CatalogueMixin
from .courses import CourseMixin
from .db import connect, immediate, utcnow
from .demand import DemandMixin
from .embeddings import EmbeddingMixin
from .jobs import JobMixin
from .keys import KeyMixin
from .matching import MatchingMixin
from .migrations import migrations
from .pages import PagesMixin
from .reference import ReferenceMixin
from .reports import ReportMixin
from .skills import SkillMixin

__all__ = ["Store", "connect", "immediate", "utcnow"]


class Store(
    ReferenceMixin,
    CourseMixin,
    DemandMixin,
    EmbeddingMixin,
    KeyMixin,
    JobMixin,
    AuditMixin,
    CatalogueMixin,
    SkillMixin,
    ReportMixin,
    MatchingMixin,
    PagesMixin,
):
    """One connection to the skills-match database and every query the product makes.

    >>> store = Store("var/skills-match.db")
    >>> store.migrate()
    >>> store.counts()["courses"]
    0
    """

    def __init__(self, path: str | Path, busy_timeout_ms: int = 5000) -> None:
        self.path = str(path)
        self.db: sqlite_utils.Database = connect(path, busy_timeout_ms)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> list[str]:
        """Apply pending migrations; return the names applied (empty when up to date)."""
        pending = [m.name for m in migrations.pending(self.db)]
        if pending:
            # Migrations read then write: hold the write lock so two processes never race.
            with immediate(self.db):
                migrations.apply(self.db)
        return pending

    def pending_migrations(self) -> list[str]:
        """Names of migrations not yet applied."""
        return [m.name for m in migrations.pending(self.db)]

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """A write transaction that holds SQLite's write lock from its first statement."""
        with immediate(self.db) as db:
            yield db

    def counts(self) -> dict[str, int]:
        """Row counts the health check and `init` report."""
        one = self.db.execute
        return {
            "providers": one("SELECT count(*) FROM providers").fetchone()[0],
            "courses": one("SELECT count(*) FROM courses WHERE status = 'active'").fetchone()[0],
            "demand_records": one("SELECT count(*) FROM demand").fetchone()[0],
            "skills": one("SELECT count(*) FROM skills").fetchone()[0],
            "digital_skills": one("SELECT count(*) FROM skills WHERE is_digital = 1").fetchone()[0],
            "local_authorities": one("SELECT count(*) FROM local_authorities").fetchone()[0],
            "occupations": one("SELECT count(*) FROM occupations").fetchone()[0],
        }

    def integrity_check(self) -> str:
        """SQLite's own verdict on the file: 'ok' or the first problem found."""
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]
