"""Background import jobs: an upload is queued, imported by a worker thread, then polled."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from ..errors import NotFound
from .db import immediate, utcnow


class JobMixin:
    """import_jobs persistence (the status a poll reads, whichever process wrote it)."""

    db: sqlite_utils.Database

    def create_import_job(self, job_id: str, kind: str, source_name: str, actor: str) -> None:
        """Record a queued job."""
        now = utcnow()
        with immediate(self.db):
            self.db["import_jobs"].insert(
                {
                    "id": job_id,
                    "kind": kind,
                    "source_name": source_name,
                    "actor": actor,
                    "status": "queued",
                    "stage": "queued",
                    "created_at": now,
                    "updated_at": now,
                }
            )

    def update_import_job(self, job_id: str, **changes: Any) -> None:
        """Change a job's status, stage or progress; ``report`` is stored as JSON."""
        if "report" in changes:
            changes["report"] = json.dumps(changes["report"], ensure_ascii=False, default=str)
        changes["updated_at"] = utcnow()
        # sqlite-utils' update() reads the row first: take the write lock before that read
        # (a deferred transaction could not wait for it; see reliability.md).
        with immediate(self.db):
            self.db["import_jobs"].update(job_id, changes)

    def import_job(self, job_id: str) -> dict[str, Any]:
        """One job's status; NotFound if there is none."""
        rows = list(self.db.query("SELECT * FROM import_jobs WHERE id = ?", [job_id]))
        if not rows:
            raise NotFound(f"No import job {job_id}.")
        job = rows[0]
        job["report"] = json.loads(job["report"]) if job["report"] else None
        return job
