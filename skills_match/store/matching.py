"""Reads the matcher needs: the active catalogue as flat rows, targets, and area demand.

Nothing here writes: matching is stateless, so the person's request never reaches SQL
except as bound parameters of these reads (ids, codes, dates), never their free text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlite_utils

from ..text import normalise
from .db import like_escape

# Columns of an active course the matcher's hard filters and scores read, in this order.
MATCH_COURSE_COLUMNS = (
    "id",
    "local_authority",
    "county_gss",
    "combined_authority_gss",
    "national_delivery",
    "delivery_mode",
    "study_mode",
    "attendance_pattern",
    "duration_weeks",
    "flexible_start",
    "start_dates",
    "places",
    "cost_pence",
    "funding",
    "age_min",
    "age_max",
    "employment_statuses",
    "qualification_level",
    "completion_rate",
    "positive_outcome_rate",
    "venue",
    "la_latitude",
    "la_longitude",
)


class MatchingMixin:
    """Catalogue snapshots, target lookups and area demand for the matcher (read only)."""

    db: sqlite_utils.Database

    # -- the catalogue, as the matcher fits it ---------------------------------------

    def catalogue_version(self) -> tuple[Any, ...]:
        """A cheap fingerprint that changes whenever a course or a level override changes.

        Courses are never deleted (withdrawal is an update), and a course's skills are only
        replaced when the course row is updated, so count + max(id) + max(updated_at) moves
        on every catalogue change; ``idx_courses_updated_at`` makes max() a lookup.
        """
        courses = self.db.execute(
            "SELECT count(*), max(id), max(updated_at) FROM courses"
        ).fetchone()
        overrides = self.db.execute(
            "SELECT count(*), max(changed_at) FROM level_overrides"
        ).fetchone()
        return (*courses, *overrides)

    def iter_match_courses(self, batch: int = 20_000) -> Iterator[tuple[Any, ...]]:
        """Every active course as a tuple of ``MATCH_COURSE_COLUMNS``, by id."""
        cursor = self.db.execute(
            """SELECT c.id, c.local_authority, la.county_gss, la.combined_authority_gss,
                      c.national_delivery, c.delivery_mode, c.study_mode, c.attendance_pattern,
                      c.duration_weeks, c.flexible_start, c.start_dates, c.places, c.cost_pence,
                      c.funding, c.age_min, c.age_max, c.employment_statuses,
                      c.qualification_level, c.completion_rate, c.positive_outcome_rate,
                      c.venue, la.lat, la.long
               FROM courses c LEFT JOIN local_authorities la ON la.gss_code = c.local_authority
               WHERE c.status = 'active' ORDER BY c.id"""
        )
        while rows := cursor.fetchmany(batch):
            yield from rows

    def iter_match_course_skills(self, batch: int = 50_000) -> Iterator[tuple[Any, ...]]:
        """(course_id, skill_id, level, is_digital, link score) of every active course, by id."""
        cursor = self.db.execute(
            """SELECT cs.course_id, cs.skill_id, COALESCE(cs.level, s.level), s.is_digital,
                      cs.score
               FROM course_skills cs
               JOIN courses c ON c.id = cs.course_id AND c.status = 'active'
               JOIN skills s ON s.id = cs.skill_id
               ORDER BY cs.course_id, cs.skill_id"""
        )
        while rows := cursor.fetchmany(batch):
            yield from rows

    def match_course_details(self, course_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """What a match result shows about each course (no skills), by id."""
        found: dict[int, dict[str, Any]] = {}
        ids = sorted({int(i) for i in course_ids})
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.db.query(
                f"""SELECT c.id, c.title, c.course_type, c.programme_type,
                           c.qualification_level, c.awarding_body, c.delivery_mode,
                           c.study_mode, c.attendance_pattern, c.venue, c.national_delivery,
                           c.local_authority, la.name AS local_authority_name,
                           c.flexible_start, c.start_dates, c.duration_value, c.duration_unit,
                           c.duration_weeks, c.cost_pence, c.cost_description, c.funding,
                           c.places, c.age_min, c.age_max, c.employment_statuses,
                           c.completion_rate, c.positive_outcome_rate, c.outcomes_year,
                           c.url, c.illustrative, p.id AS provider_id,
                           p.name AS provider_name, p.ukprn AS provider_ukprn
                    FROM courses c JOIN providers p ON p.id = c.provider_id
                    LEFT JOIN local_authorities la ON la.gss_code = c.local_authority
                    WHERE c.id IN ({",".join("?" * len(chunk))})""",
                chunk,
            )
            for row in rows:
                row["start_dates"] = json.loads(row["start_dates"])
                row["employment_statuses"] = json.loads(row["employment_statuses"])
                row["national_delivery"] = bool(row["national_delivery"])
                row["flexible_start"] = bool(row["flexible_start"])
                row["illustrative"] = bool(row["illustrative"])
                row["cost"] = row.pop("cost_pence") / 100
                found[row["id"]] = row
        return found

    # -- skills and targets -----------------------------------------------------------

    def skill_facts(self, skill_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """id, label, level and is_digital of each named skill that exists."""
        ids = sorted(set(skill_ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for row in self.db.query(
                f"""SELECT id, label, level, is_digital FROM skills
                    WHERE id IN ({",".join("?" * len(chunk))})""",
                chunk,
            ):
                row["is_digital"] = bool(row["is_digital"])
                found[row["id"]] = row
        return found

    def find_occupation(self, name_or_id: str) -> str | None:
        """The id of an ESCO occupation named by id, URI, preferred or alternative label."""
        value = name_or_id.strip()
        row = self.db.execute(
            "SELECT id FROM occupations WHERE id = ? OR uri = ?", [value, value]
        ).fetchone()
        if row:
            return row[0]
        key = normalise(value)
        row = self.db.execute(
            "SELECT id FROM occupations WHERE lower(label) = ? ORDER BY id LIMIT 1", [key]
        ).fetchone()
        if row:
            return row[0]
        row = self.db.execute(
            "SELECT occupation_id FROM occupation_labels WHERE label = ? "
            "ORDER BY occupation_id LIMIT 1",
            [key],
        ).fetchone()
        return row[0] if row else None

    def occupation_suggestions(self, text: str, limit: int = 5) -> list[str]:
        """Labels of occupations whose label contains every word of ``text`` (for errors)."""
        words = [w for w in normalise(text).split() if len(w) > 2][:5]
        if not words:
            return []
        clause = " AND ".join("lower(label) LIKE ? ESCAPE '\\'" for _ in words)
        return [
            r[0]
            for r in self.db.execute(
                f"SELECT label FROM occupations WHERE {clause} ORDER BY length(label), label "
                "LIMIT ?",
                [*(f"%{like_escape(w)}%" for w in words), limit],
            )
        ]

    def occupation_target(self, occupation_id: str) -> dict[str, Any] | None:
        """An occupation's id, label and skills (id, importance) for a match target."""
        row = self.db.execute(
            "SELECT id, label FROM occupations WHERE id = ?", [occupation_id]
        ).fetchone()
        if row is None:
            return None
        skills = self.db.execute(
            "SELECT skill_id, importance FROM occupation_skills WHERE occupation_id = ? "
            "ORDER BY skill_id",
            [occupation_id],
        ).fetchall()
        return {"id": row[0], "label": row[1], "skills": [tuple(s) for s in skills]}

    def demand_target(self, demand_id: int) -> dict[str, Any] | None:
        """A demand record's id, title, area and skills (id, importance, level) for a target."""
        row = self.db.execute(
            "SELECT id, job_title, employer, local_authority FROM demand WHERE id = ?",
            [demand_id],
        ).fetchone()
        if row is None:
            return None
        skills = self.db.execute(
            "SELECT skill_id, importance, level FROM demand_skills WHERE demand_id = ? "
            "ORDER BY skill_id",
            [demand_id],
        ).fetchall()
        return {
            "id": row[0],
            "label": row[1],
            "employer": row[2],
            "local_authority": row[3],
            "skills": [tuple(s) for s in skills],
        }

    # -- area demand (used when the gap report module is not available) --------------

    def area_digital_demand(
        self, gss_code: str, posted_from: str, posted_to: str
    ) -> list[dict[str, Any]]:
        """Digital skills employers in an area asked for in a period, with vacancy counts.

        ``vacancies`` sums the vacancies of every advert naming the skill; ``essential``
        counts those where it was essential. Dates are ISO strings, inclusive.
        """
        return list(
            self.db.query(
                """SELECT ds.skill_id, s.label, COALESCE(ds.level, s.level) AS level,
                          count(DISTINCT d.id) AS records, sum(d.vacancies) AS vacancies,
                          sum(CASE WHEN ds.importance = 'essential' THEN d.vacancies ELSE 0 END)
                              AS essential_vacancies
                   FROM demand d JOIN demand_skills ds ON ds.demand_id = d.id
                   JOIN skills s ON s.id = ds.skill_id
                   WHERE d.local_authority = ? AND d.posted_date BETWEEN ? AND ?
                     AND s.is_digital = 1
                   GROUP BY ds.skill_id ORDER BY vacancies DESC, ds.skill_id""",
                [gss_code, posted_from, posted_to],
            )
        )

    def area_course_places(
        self, gss_code: str, skill_ids: Sequence[str], starts_from: str, starts_to: str
    ) -> dict[str, int]:
        """Places on active courses serving an area (local or national) that teach each skill
        and start in the period (or start flexibly)."""
        ids = sorted(set(skill_ids))
        if not ids:
            return {}
        rows = self.db.execute(
            f"""SELECT cs.skill_id, sum(c.places)
                FROM course_skills cs JOIN courses c ON c.id = cs.course_id
                WHERE c.status = 'active' AND cs.skill_id IN ({",".join("?" * len(ids))})
                  AND (c.local_authority = ? OR c.national_delivery = 1)
                  AND (c.flexible_start = 1 OR EXISTS (
                        SELECT 1 FROM json_each(c.start_dates) d
                        WHERE d.value BETWEEN ? AND ?))
                GROUP BY cs.skill_id""",
            [*ids, gss_code, starts_from, starts_to],
        ).fetchall()
        return {skill_id: int(places or 0) for skill_id, places in rows}

    # -- lookups by natural key (evaluation sets name records this way) --------------

    def course_ids_by_keys(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Course ids by (provider UKPRN, provider_ref), for the pairs that exist."""
        found: dict[tuple[str, str], int] = {}
        for ukprn, ref, course_id in self.db.execute(
            "SELECT p.ukprn, c.provider_ref, c.id FROM courses c "
            "JOIN providers p ON p.id = c.provider_id"
        ):
            found[(ukprn, ref)] = course_id
        wanted = set(keys)
        return {k: v for k, v in found.items() if k in wanted}

    def course_texts(self, status: str = "active") -> list[tuple[int, str, str]]:
        """(id, title, description) of every course with this status, by id."""
        return [
            tuple(r)
            for r in self.db.execute(
                "SELECT id, title, description FROM courses WHERE status = ? ORDER BY id",
                [status],
            )
        ]
