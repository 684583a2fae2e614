"""Employer demand records and the skills each requires."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from ..errors import NotFound
from .courses import SkillLink, record_digest
from .db import utcnow
from .migrations import DEMAND_FEED_COLUMNS, DEMAND_SOC_COLUMNS

# An advert is in exactly one of these: counted, kept aside unplaced, or noted as a repost.
ADVERT_TABLES = ("demand", "demand_unplaced", "demand_duplicates")

# What a demand row holds in the columns a record may leave out (m009's feed fields, m010's
# SOC group).
_CLEARED = {**dict.fromkeys(DEMAND_FEED_COLUMNS), **dict.fromkeys(DEMAND_SOC_COLUMNS), "remote": 0}


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
        self._forget_elsewhere(record["source"], record["source_ref"], keep="demand")
        now = utcnow()
        row["content_hash"] = digest
        row["updated_at"] = now
        if existing:
            demand_id, outcome = existing[0], "updated"
            # A feed field the new version leaves out is cleared, not kept from the old one.
            self.db["demand"].update(demand_id, {**_CLEARED, **row})
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

    def upsert_unplaced(
        self, record: dict[str, Any], reason: str, illustrative: bool = False
    ) -> None:
        """Keep (or replace) an advert whose location could not be resolved, with the reason.

        It leaves the figures: a record of the same identity placed earlier is removed from
        demand (its place is no longer evidenced). The importer calls this only for records
        that changed (their digest). Call inside ``write()``.
        """
        self._forget_elsewhere(record["source"], record["source_ref"], keep=None)
        row = demand_row(record)
        now = utcnow()
        self.db["demand_unplaced"].insert(
            {
                "source": row["source"],
                "source_ref": row["source_ref"],
                "job_title": row["job_title"],
                "employer": row.get("employer") or "",
                "posted_date": row["posted_date"],
                "vacancies": row.get("vacancies") or 1,
                "postcode": row.get("postcode"),
                "town": row.get("town"),
                "latitude": row.get("latitude"),
                "longitude": row.get("longitude"),
                "reason": reason,
                "record": json.dumps(row, ensure_ascii=False, sort_keys=True, default=str),
                "illustrative": int(illustrative),
                "content_hash": record_digest(record, illustrative),
                "created_at": now,
                "updated_at": now,
            }
        )

    def record_duplicate(
        self, record: dict[str, Any], duplicate_of: int, illustrative: bool = False
    ) -> None:
        """Note (or re-note) an advert as a repost of demand record ``duplicate_of``.

        As :meth:`upsert_unplaced`, called only for changed records, inside ``write()``.
        """
        self._forget_elsewhere(record["source"], record["source_ref"], keep=None)
        self.db["demand_duplicates"].insert(
            {
                "source": record["source"],
                "source_ref": record["source_ref"],
                "duplicate_of": duplicate_of,
                "posted_date": record["posted_date"].isoformat(),
                "local_authority": record["local_authority"],
                "vacancies": record.get("vacancies") or 1,
                "content_hash": record_digest(record, illustrative),
                "created_at": utcnow(),
            }
        )

    def _forget_elsewhere(self, source: str, source_ref: str, keep: str | None) -> None:
        """An advert lives in one of ADVERT_TABLES: drop it from all but ``keep``."""
        for table in ADVERT_TABLES:
            if table != keep:
                self.db.execute(
                    f"DELETE FROM {table} WHERE source = ? AND source_ref = ?",
                    [source, source_ref],
                )

    def find_repost(
        self, local_authority: str, posted_date: str, window_days: int, exclude: tuple[str, str]
    ) -> list[dict[str, Any]]:
        """Demand records in an authority posted within ``window_days`` of a date."""
        return list(
            self.db.query(
                """SELECT id, source, source_ref, employer, job_title, posted_date
                   FROM demand WHERE local_authority = ?
                   AND posted_date BETWEEN date(?, ?) AND date(?, ?)
                   AND NOT (source = ? AND source_ref = ?)
                   ORDER BY posted_date, id""",
                [
                    local_authority,
                    posted_date,
                    f"-{window_days} days",
                    posted_date,
                    f"+{window_days} days",
                    *exclude,
                ],
            )
        )

    def list_unplaced(self, limit: int = 20, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Adverts kept aside for want of a place, newest first, and how many there are."""
        total = self.db.execute("SELECT count(*) FROM demand_unplaced").fetchone()[0]
        rows = list(
            self.db.query(
                """SELECT source, source_ref, job_title, employer, posted_date, vacancies,
                          postcode, town, latitude, longitude, reason, illustrative
                   FROM demand_unplaced ORDER BY posted_date DESC, id DESC LIMIT ? OFFSET ?""",
                [limit, offset],
            )
        )
        for row in rows:
            row["illustrative"] = bool(row["illustrative"])
        return rows, total

    def demand_digests(self, source_refs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Stored digests of adverts by (source, source_ref): placed, unplaced or duplicate."""
        found: dict[tuple[str, str], str] = {}
        by_source: dict[str, list[str]] = {}
        for source, ref in set(source_refs):
            by_source.setdefault(source, []).append(ref)
        for table in ADVERT_TABLES:
            for source, refs in sorted(by_source.items()):
                refs.sort()
                for start in range(0, len(refs), 500):
                    chunk = refs[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for ref, digest in self.db.execute(
                        f"SELECT source_ref, content_hash FROM {table} WHERE source = ? "
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
        if "remote" in record:
            record["remote"] = bool(record["remote"])
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
