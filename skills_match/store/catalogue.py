"""Queries behind the write API: record ownership and identity, demand lists, providers, keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from ..errors import Conflict, NotFound
from .courses import SkillLink
from .db import like_escape, utcnow

# Columns a demand list may sort by; anything else is refused, never interpolated.
DEMAND_SORTS = {
    "posted_date": "d.posted_date DESC",
    "job_title": "d.job_title",
    "id": "d.id",
}


@dataclass
class DemandFilters:
    """Filters for listing demand records; None means 'any'."""

    text: str | None = None
    areas: Sequence[str] | None = None
    sector: str | None = None
    occupation_id: str | None = None
    soc_code: str | None = None
    source: str | None = None
    posted_from: str | None = None
    posted_to: str | None = None
    skill_id: str | None = None
    skill_level: str | None = None


class CatalogueMixin:
    """Lookups the API and pages need around course and demand writes."""

    db: sqlite_utils.Database

    # -- areas ------------------------------------------------------------------------

    def area_members(self, gss_code: str) -> list[str]:
        """An area's code and those of the districts inside it (a county, a combined authority).

        Records are placed in districts and unitary authorities, so a search for
        "Lancashire" or "Liverpool City Region" must look in each member district.
        """
        rows = self.db.execute(
            """SELECT gss_code FROM local_authorities
               WHERE gss_code = ? OR county_gss = ? OR combined_authority_gss = ?
               ORDER BY gss_code""",
            [gss_code, gss_code, gss_code],
        ).fetchall()
        return [r[0] for r in rows]

    # -- courses ----------------------------------------------------------------------

    def course_owner(self, course_id: int) -> int:
        """The provider id that owns a course; NotFound if there is no such course."""
        row = self.db.execute(
            "SELECT provider_id FROM courses WHERE id = ?", [course_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"No course with id {course_id}.")
        return row[0]

    def course_id_by_ref(self, provider_id: int, provider_ref: str) -> int | None:
        """The id of a provider's course with this reference, or None."""
        row = self.db.execute(
            "SELECT id FROM courses WHERE provider_id = ? AND provider_ref = ?",
            [provider_id, provider_ref],
        ).fetchone()
        return row[0] if row else None

    def course_record_state(self, course_id: int) -> dict[str, Any]:
        """A course's stored row (undecoded) and the skills its provider named explicitly."""
        rows = list(self.db.query("SELECT * FROM courses WHERE id = ?", [course_id]))
        if not rows:
            raise NotFound(f"No course with id {course_id}.")
        state = rows[0]
        # Only links the provider gave ('provided') are part of the record; extracted ones are
        # derived from its text and are recomputed when the text changes.
        state["provided_skills"] = list(
            self.db.query(
                "SELECT skill_id, level, evidence FROM course_skills WHERE course_id = ? "
                "AND method = 'provided' ORDER BY skill_id",
                [course_id],
            )
        )
        return state

    def course_derived_links(self, course_id: int) -> list[SkillLink]:
        """The skill links extraction found for a course (not those its provider named)."""
        return [
            SkillLink(**row)
            for row in self.db.query(
                "SELECT skill_id, level, method, score, evidence, extractor FROM course_skills "
                "WHERE course_id = ? AND method != 'provided' ORDER BY skill_id",
                [course_id],
            )
        ]

    # -- demand -----------------------------------------------------------------------

    def demand_id_by_ref(self, source: str, source_ref: str) -> int | None:
        """The id of the demand record with this (source, source_ref), or None."""
        row = self.db.execute(
            "SELECT id FROM demand WHERE source = ? AND source_ref = ?", [source, source_ref]
        ).fetchone()
        return row[0] if row else None

    def demand_record_state(self, demand_id: int) -> dict[str, Any]:
        """A demand record's stored row and the skills its source named explicitly."""
        rows = list(self.db.query("SELECT * FROM demand WHERE id = ?", [demand_id]))
        if not rows:
            raise NotFound(f"No demand record with id {demand_id}.")
        state = rows[0]
        state["provided_skills"] = list(
            self.db.query(
                "SELECT skill_id, level, importance, evidence FROM demand_skills "
                "WHERE demand_id = ? "
                "AND method = 'provided' ORDER BY skill_id",
                [demand_id],
            )
        )
        return state

    def demand_derived_links(self, demand_id: int) -> list[SkillLink]:
        """The skill links extraction found for a demand record."""
        return [
            SkillLink(**row)
            for row in self.db.query(
                "SELECT skill_id, level, method, score, evidence, importance, extractor "
                "FROM demand_skills "
                "WHERE demand_id = ? AND method != 'provided' ORDER BY skill_id",
                [demand_id],
            )
        ]

    def delete_demand(self, demand_id: int) -> None:
        """Delete a demand record and its skill links. Call inside ``write()``."""
        changed = self.db.execute("DELETE FROM demand WHERE id = ?", [demand_id]).rowcount
        if not changed:
            raise NotFound(f"No demand record with id {demand_id}.")

    def list_demand(
        self, filters: DemandFilters, limit: int = 20, offset: int = 0, sort: str = "posted_date"
    ) -> tuple[list[dict[str, Any]], int]:
        """Demand records matching the filters, one page of them, and the total that match."""
        where, params = ["1=1"], []
        f = filters
        if f.text:
            where.append(
                "(d.job_title LIKE ? ESCAPE '\\' OR d.description LIKE ? ESCAPE '\\' "
                "OR d.employer LIKE ? ESCAPE '\\')"
            )
            params += [f"%{like_escape(f.text)}%"] * 3
        if f.areas:
            where.append(f"d.local_authority IN ({_marks(f.areas)})")
            params += list(f.areas)
        for column, value in (
            ("sector", f.sector),
            ("occupation_id", f.occupation_id),
            ("soc_code", f.soc_code),
            ("source", f.source),
        ):
            if value:
                where.append(f"d.{column} = ?")
                params.append(value)
        if f.posted_from:
            where.append("d.posted_date >= ?")
            params.append(f.posted_from)
        if f.posted_to:
            where.append("d.posted_date <= ?")
            params.append(f.posted_to)
        if f.skill_id:
            where.append(
                "EXISTS (SELECT 1 FROM demand_skills ds WHERE ds.demand_id = d.id "
                "AND ds.skill_id = ?)"
            )
            params.append(f.skill_id)
        if f.skill_level:
            where.append(
                "EXISTS (SELECT 1 FROM demand_skills ds JOIN skills s ON s.id = ds.skill_id "
                "WHERE ds.demand_id = d.id AND COALESCE(ds.level, s.level) = ?)"
            )
            params.append(f.skill_level)
        order = DEMAND_SORTS.get(sort)
        if order is None:
            raise ValueError(f"Unknown sort {sort!r}; choose from {', '.join(DEMAND_SORTS)}.")
        clause = " AND ".join(where)
        total = self.db.execute(f"SELECT count(*) FROM demand d WHERE {clause}", params).fetchone()[
            0
        ]
        rows = list(
            self.db.query(
                f"""SELECT d.*, la.name AS local_authority_name
                    FROM demand d LEFT JOIN local_authorities la
                    ON la.gss_code = d.local_authority
                    WHERE {clause} ORDER BY {order}, d.id LIMIT ? OFFSET ?""",
                [*params, limit, offset],
            )
        )
        for row in rows:
            row["illustrative"] = bool(row["illustrative"])
        return rows, total

    # -- providers --------------------------------------------------------------------

    def insert_provider(self, record: dict[str, Any]) -> int:
        """Create a provider; Conflict if its UKPRN is taken. Call inside ``write()``."""
        existing = self.db.execute(
            "SELECT id FROM providers WHERE ukprn = ?", [record["ukprn"]]
        ).fetchone()
        if existing:
            raise Conflict(
                f"A provider with UKPRN {record['ukprn']} already exists (id {existing[0]})."
            )
        now = utcnow()
        return self.db["providers"].insert({**record, "created_at": now, "updated_at": now}).last_pk

    def provider_with_counts(self, provider_id: int) -> dict[str, Any]:
        """One provider with its count of active courses; NotFound if there is none."""
        rows = list(
            self.db.query(
                """SELECT p.*, (SELECT count(*) FROM courses c
                                WHERE c.provider_id = p.id AND c.status = 'active') AS courses
                   FROM providers p WHERE p.id = ?""",
                [provider_id],
            )
        )
        if not rows:
            raise NotFound(f"No provider with id {provider_id}.")
        return rows[0]

    # -- keys -------------------------------------------------------------------------

    def key(self, key_id: int) -> dict[str, Any]:
        """One key's metadata (never its digest); NotFound if there is none."""
        rows = list(
            self.db.query(
                """SELECT id, name, role, provider_id, key_prefix, created_at, last_used_at,
                          revoked_at FROM api_keys WHERE id = ?""",
                [key_id],
            )
        )
        if not rows:
            raise NotFound(f"No API key with id {key_id}.")
        return rows[0]


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))
