"""Employer demand records and the skills each requires."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils

from ..errors import NotFound
from .courses import SkillLink, record_digest
from .db import utcnow


def demand_row(record: dict[str, Any]) -> dict[str, Any]:
    """Turn a validated demand record into its table row (without ids and timestamps)."""
    row = {k: v for k, v in record.items() if k != "skills"}
    for key in ("posted_date", "closing_date"):
        if row.get(key) is not None:
            row[key] = row[key].isoformat() if hasattr(row[key], "isoformat") else str(row[key])
    return row


class DemandMixin:
    """Demand persistence."""

    db: sqlite_utils.Database

    def upsert_demand(
        self, record: dict[str, Any], skills: Sequence[SkillLink], illustrative: bool = False
    ) -> tuple[int, str]:
        """Insert or update a demand record on (source, source_ref); return (id, outcome).

        The outcome is 'inserted', 'updated' or 'unchanged'. Call inside ``write()``.
        """
        row = demand_row(record)
        row["illustrative"] = int(illustrative)
        digest = record_digest(record, illustrative)
        existing = self.db.execute(
            "SELECT id, content_hash FROM demand WHERE source = ? AND source_ref = ?",
            [record["source"], record["source_ref"]],
        ).fetchone()
        if existing and existing[1] == digest:
            return existing[0], "unchanged"
        now = utcnow()
        row["content_hash"] = digest
        row["updated_at"] = now
        if existing:
            demand_id, outcome = existing[0], "updated"
            self.db["demand"].update(demand_id, row)
        else:
            row["created_at"] = now
            demand_id, outcome = self.db["demand"].insert(row).last_pk, "inserted"
        self.db.execute("DELETE FROM demand_skills WHERE demand_id = ?", [demand_id])
        self.db["demand_skills"].insert_all(
            [
                {
                    "demand_id": demand_id,
                    "skill_id": s.skill_id,
                    "importance": s.importance,
                    "level": s.level,
                    "method": s.method,
                    "score": round(float(s.score), 4),
                    "evidence": s.evidence,
                    # Left out when None (the column's default), so a given link is
                    # written the same way on a schema from before m008.
                    **({"extractor": s.extractor} if s.extractor is not None else {}),
                }
                for s in skills
            ]
        )
        return demand_id, outcome

    def demand_digests(self, source_refs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Stored record digests of demand records, by (source, source_ref)."""
        found: dict[tuple[str, str], str] = {}
        by_source: dict[str, list[str]] = {}
        for source, ref in set(source_refs):
            by_source.setdefault(source, []).append(ref)
        for source, refs in sorted(by_source.items()):
            refs.sort()
            for start in range(0, len(refs), 500):
                chunk = refs[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for ref, digest in self.db.execute(
                    f"SELECT source_ref, content_hash FROM demand WHERE source = ? "
                    f"AND source_ref IN ({marks})",
                    [source, *chunk],
                ):
                    found[(source, ref)] = digest
        return found

    def demand_record(self, demand_id: int) -> dict[str, Any]:
        """One demand record with its skills; NotFound if there is none."""
        rows = list(
            self.db.query(
                """SELECT d.*, la.name AS local_authority_name
                   FROM demand d LEFT JOIN local_authorities la
                   ON la.gss_code = d.local_authority WHERE d.id = ?""",
                [demand_id],
            )
        )
        if not rows:
            raise NotFound(f"No demand record with id {demand_id}.")
        record = rows[0]
        record["illustrative"] = bool(record["illustrative"])
        record["skills"] = list(
            self.db.query(
                """SELECT ds.skill_id, s.label, COALESCE(ds.level, s.level) AS level,
                          ds.importance, ds.method, ds.score, ds.evidence, ds.extractor
                   FROM demand_skills ds JOIN skills s ON s.id = ds.skill_id
                   WHERE ds.demand_id = ? ORDER BY ds.importance, s.label""",
                [demand_id],
            )
        )
        return record
