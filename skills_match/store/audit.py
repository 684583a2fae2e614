"""Import runs and the audit log: who did what, never what a person's skills were."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from .db import immediate, utcnow


class AuditMixin:
    """Append-only records of imports and calls."""

    db: sqlite_utils.Database

    def record_import_run(self, run: dict[str, Any]) -> int:
        """Store one finished import run (committed, rejected or checked); return its id."""
        row = dict(run)
        row["errors"] = json.dumps(row.get("errors", []), ensure_ascii=False)
        row.setdefault("finished_at", utcnow())
        with immediate(self.db):
            return self.db["import_runs"].insert(row).last_pk

    def import_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent import runs, newest first."""
        rows = list(self.db.query("SELECT * FROM import_runs ORDER BY id DESC LIMIT ?", [limit]))
        for row in rows:
            row["errors"] = json.loads(row["errors"])
        return rows

    def audit(
        self,
        actor: str,
        action: str,
        outcome: str,
        role: str | None = None,
        target: str | None = None,
    ) -> None:
        """Append one audit entry."""
        # One INSERT is atomic on its own (and joins a transaction already open): no
        # BEGIN IMMEDIATE, and no table introspection on a path every API call takes.
        self.db.execute(
            "INSERT INTO audit_log (at, actor, role, action, target, outcome) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [utcnow(), actor, role, action, target, outcome],
        )
