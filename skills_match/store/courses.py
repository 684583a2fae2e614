"""Providers and courses, and the skills each course teaches."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlite_utils

from ..errors import NotFound
from ..schemas import duration_in_weeks
from ..text import content_hash
from .db import like_escape, utcnow

# Columns a course list filter may sort by; anything else is refused, never interpolated.
COURSE_SORTS = {"title": "c.title", "updated_at": "c.updated_at", "id": "c.id"}


@dataclass(frozen=True)
class SkillLink:
    """A skill attached to a course or demand record, with how it was found."""

    skill_id: str
    level: str | None = None
    method: str = "provided"
    score: float = 1.0
    evidence: str = ""
    importance: str = "essential"
    # The extractor version that found it; None for a link its provider or employer gave.
    extractor: str | None = None


@dataclass
class CourseFilters:
    """Filters for listing courses; None means 'any'."""

    text: str | None = None
    qualification_levels: Sequence[str] | None = None
    skill_level: str | None = None
    programme_type: str | None = None
    areas: Sequence[str] | None = None
    include_national: bool = True
    delivery_mode: str | None = None
    starts_from: str | None = None
    starts_to: str | None = None
    provider_id: int | None = None
    skill_id: str | None = None
    status: str | None = "active"


def course_row(record: dict[str, Any]) -> dict[str, Any]:
    """Turn a validated course record into its table row (without ids and timestamps)."""
    row = {k: v for k, v in record.items() if k not in ("skills", "provider_ukprn", "cost")}
    starts = sorted(
        d.isoformat() if hasattr(d, "isoformat") else str(d) for d in record.get("start_dates", [])
    )
    row["start_dates"] = json.dumps(starts)
    row["first_start_date"] = starts[0] if starts else None
    row["last_start_date"] = starts[-1] if starts else None
    row["employment_statuses"] = json.dumps(sorted(record.get("employment_statuses") or []))
    # Money as whole pence: floats would drift, and SQLite has no decimal type.
    row["cost_pence"] = int((Decimal(str(record.get("cost") or 0)) * 100).to_integral_value())
    row["duration_weeks"] = duration_in_weeks(record["duration_value"], record["duration_unit"])
    row["national_delivery"] = int(bool(record.get("national_delivery")))
    row["flexible_start"] = int(bool(record.get("flexible_start")))
    available = record.get("available_from")
    row["available_from"] = available.isoformat() if hasattr(available, "isoformat") else available
    return row


def record_digest(record: dict[str, Any], illustrative: bool = False) -> str:
    """Hash of a validated input record: equal digests mean a re-import changes nothing.

    Derived links (extracted skills) are left out on purpose, so an unchanged record is
    recognised before any extraction work is done.
    """
    return content_hash({"record": record, "illustrative": bool(illustrative)})


def decode_course(row: dict[str, Any]) -> dict[str, Any]:
    """Decode the JSON and money columns of a course row for callers."""
    row = dict(row)
    row["start_dates"] = json.loads(row["start_dates"])
    row["employment_statuses"] = json.loads(row["employment_statuses"])
    row["national_delivery"] = bool(row["national_delivery"])
    row["flexible_start"] = bool(row["flexible_start"])
    row["illustrative"] = bool(row["illustrative"])
    row["cost"] = row.pop("cost_pence") / 100
    return row


class CourseMixin:
    """Provider and course persistence."""

    db: sqlite_utils.Database

    # -- providers --------------------------------------------------------------------

    def upsert_provider(self, record: dict[str, Any]) -> int:
        """Create or update a provider by UKPRN; return its id."""
        now = utcnow()
        existing = self.provider_by_ukprn(record["ukprn"])
        if existing:
            # Touch the row only when something changed, so re-running init is a no-op.
            if any(existing.get(k) != v for k, v in record.items()):
                self.db["providers"].update(existing["id"], {**record, "updated_at": now})
            return existing["id"]
        return self.db["providers"].insert({**record, "created_at": now, "updated_at": now}).last_pk

    def provider_by_ukprn(self, ukprn: str) -> dict[str, Any] | None:
        """A provider by UKPRN, or None."""
        rows = list(self.db.query("SELECT * FROM providers WHERE ukprn = ?", [ukprn]))
        return rows[0] if rows else None

    def provider(self, provider_id: int) -> dict[str, Any]:
        """A provider by id; NotFound if there is none."""
        rows = list(self.db.query("SELECT * FROM providers WHERE id = ?", [provider_id]))
        if not rows:
            raise NotFound(f"No provider with id {provider_id}.")
        return rows[0]

    def providers(self) -> list[dict[str, Any]]:
        """Every provider, by name, with its count of active courses."""
        return list(
            self.db.query(
                """SELECT p.*, (SELECT count(*) FROM courses c
                                WHERE c.provider_id = p.id AND c.status = 'active') AS courses
                   FROM providers p ORDER BY p.name, p.id"""
            )
        )

    # -- courses ----------------------------------------------------------------------

    def upsert_course(
        self,
        provider_id: int,
        record: dict[str, Any],
        skills: Sequence[SkillLink],
        illustrative: bool = False,
    ) -> tuple[int, str]:
        """Insert or update a course on (provider, provider_ref); return (id, outcome).

        The outcome is 'inserted', 'updated' or 'unchanged'. Call inside ``write()``.
        """
        row = course_row(record)
        row["illustrative"] = int(illustrative)
        row["provider_id"] = provider_id
        digest = record_digest(record, illustrative)
        existing = self.db.execute(
            "SELECT id, content_hash FROM courses WHERE provider_id = ? AND provider_ref = ?",
            [provider_id, record["provider_ref"]],
        ).fetchone()
        now = utcnow()
        if existing and existing[1] == digest:
            return existing[0], "unchanged"
        row["content_hash"] = digest
        row["updated_at"] = now
        if existing:
            course_id, outcome = existing[0], "updated"
            self.db["courses"].update(course_id, row)
        else:
            row["created_at"] = now
            course_id, outcome = self.db["courses"].insert(row).last_pk, "inserted"
        self._replace_course_skills(course_id, skills)
        return course_id, outcome

    def _replace_course_skills(self, course_id: int, skills: Sequence[SkillLink]) -> None:
        self.db.execute("DELETE FROM course_skills WHERE course_id = ?", [course_id])
        self.db["course_skills"].insert_all(
            [
                {
                    "course_id": course_id,
                    "skill_id": s.skill_id,
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

    def course_digests(self, provider_id: int, refs: Sequence[str]) -> dict[str, str]:
        """Stored record digests of a provider's courses, by provider_ref."""
        found: dict[str, str] = {}
        refs = sorted(set(refs))
        for start in range(0, len(refs), 500):
            chunk = refs[start : start + 500]
            found.update(
                self.db.execute(
                    f"SELECT provider_ref, content_hash FROM courses WHERE provider_id = ? "
                    f"AND provider_ref IN ({_marks(chunk)})",
                    [provider_id, *chunk],
                )
            )
        return found

    def course(self, course_id: int) -> dict[str, Any]:
        """One course with provider and skills; NotFound if there is none."""
        rows = list(
            self.db.query(
                """SELECT c.*, p.name AS provider_name, p.ukprn AS provider_ukprn,
                          la.name AS local_authority_name
                   FROM courses c JOIN providers p ON p.id = c.provider_id
                   LEFT JOIN local_authorities la ON la.gss_code = c.local_authority
                   WHERE c.id = ?""",
                [course_id],
            )
        )
        if not rows:
            raise NotFound(f"No course with id {course_id}.")
        course = decode_course(rows[0])
        course["skills"] = list(
            self.db.query(
                """SELECT cs.skill_id, s.label, COALESCE(cs.level, s.level) AS level,
                          cs.method, cs.score, cs.evidence, cs.extractor
                   FROM course_skills cs JOIN skills s ON s.id = cs.skill_id
                   WHERE cs.course_id = ? ORDER BY s.label""",
                [course_id],
            )
        )
        return course

    def course_by_ref(self, provider_id: int, provider_ref: str) -> dict[str, Any] | None:
        """A provider's course by its own reference, or None."""
        row = self.db.execute(
            "SELECT id FROM courses WHERE provider_id = ? AND provider_ref = ?",
            [provider_id, provider_ref],
        ).fetchone()
        return self.course(row[0]) if row else None

    def set_course_status(self, course_id: int, status: str) -> None:
        """Withdraw or reinstate a course. Call inside ``write()``."""
        changed = self.db.execute(
            "UPDATE courses SET status = ?, updated_at = ? WHERE id = ?",
            [status, utcnow(), course_id],
        ).rowcount
        if not changed:
            raise NotFound(f"No course with id {course_id}.")

    def list_courses(
        self, filters: CourseFilters, limit: int = 20, offset: int = 0, sort: str = "title"
    ) -> tuple[list[dict[str, Any]], int]:
        """Courses matching the filters, one page of them, and the total that match."""
        where, params = ["1=1"], []
        f = filters
        if f.status:
            where.append("c.status = ?")
            params.append(f.status)
        if f.text:
            where.append("(c.title LIKE ? ESCAPE '\\' OR c.description LIKE ? ESCAPE '\\')")
            params += [f"%{like_escape(f.text)}%"] * 2
        if f.qualification_levels:
            where.append(f"c.qualification_level IN ({_marks(f.qualification_levels)})")
            params += list(f.qualification_levels)
        if f.programme_type:
            where.append("c.programme_type = ?")
            params.append(f.programme_type)
        if f.areas:
            area_clause = f"c.local_authority IN ({_marks(f.areas)})"
            if f.include_national:
                area_clause = f"({area_clause} OR c.national_delivery = 1)"
            where.append(area_clause)
            params += list(f.areas)
        if f.delivery_mode:
            where.append("c.delivery_mode = ?")
            params.append(f.delivery_mode)
        if f.starts_from or f.starts_to:
            # A course qualifies if any of its start dates falls in the range, or it is flexible.
            start_clause = "EXISTS (SELECT 1 FROM json_each(c.start_dates) d WHERE 1=1"
            if f.starts_from:
                start_clause += " AND d.value >= ?"
                params.append(f.starts_from)
            if f.starts_to:
                start_clause += " AND d.value <= ?"
                params.append(f.starts_to)
            where.append(f"({start_clause}) OR c.flexible_start = 1)")
        if f.provider_id is not None:
            where.append("c.provider_id = ?")
            params.append(f.provider_id)
        if f.skill_id:
            where.append(
                "EXISTS (SELECT 1 FROM course_skills cs WHERE cs.course_id = c.id "
                "AND cs.skill_id = ?)"
            )
            params.append(f.skill_id)
        if f.skill_level:
            where.append(
                "EXISTS (SELECT 1 FROM course_skills cs JOIN skills s ON s.id = cs.skill_id "
                "WHERE cs.course_id = c.id AND COALESCE(cs.level, s.level) = ?)"
            )
            params.append(f.skill_level)
        order = COURSE_SORTS.get(sort)
        if order is None:
            raise ValueError(f"Unknown sort {sort!r}; choose from {', '.join(COURSE_SORTS)}.")
        clause = " AND ".join(where)
        total = self.db.execute(
            f"SELECT count(*) FROM courses c WHERE {clause}", params
        ).fetchone()[0]
        rows = self.db.query(
            f"""SELECT c.*, p.name AS provider_name, p.ukprn AS provider_ukprn,
                       la.name AS local_authority_name
                FROM courses c JOIN providers p ON p.id = c.provider_id
                LEFT JOIN local_authorities la ON la.gss_code = c.local_authority
                WHERE {clause} ORDER BY {order}, c.id LIMIT ? OFFSET ?""",
            [*params, limit, offset],
        )
        return [decode_course(r) for r in rows], total


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))
