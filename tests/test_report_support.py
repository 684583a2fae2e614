"""Builders shared by the gap report tests: a small, fully hand-computable catalogue.

Not a test module of its own: it holds the dataset that tests/test_report*.py check figure
by figure, so every number those tests expect can be derived from the rows below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from skills_match.importer import import_courses, import_demand
from skills_match.store import Store
from tests.factories import add_provider, skill_id

LIVERPOOL = "E08000012"  # population 500,474 (data/reference/local_authorities.csv)
PRESTON = "E07000123"  # population 144,147
# England's district-level population (counties and combined authorities excluded, since
# their people are already counted in their members): 56,550,138. Population shares in
# parts per million, as the report rounds them: 500474e6 / 56550138 = 8850.1 -> 8850 and
# 144147e6 / 56550138 = 2549.0 -> 2549.
LIVERPOOL_PPM = 8850
PRESTON_PPM = 2549
UNIT = 12_000_000  # units per vacancy or place (skills_match.store.reports.UNITS_PER_PLACE)

SPREADSHEETS = "use spreadsheets software"  # digital; set to 'general' below
PYTHON = "Python (computer programming)"  # digital; 'specialist'
COLLABORATE = "use online tools to collaborate"  # digital; 'essential'
TEAMWORK = "work in teams"  # not digital: only in reports with digital_only=False


def skill_ids(store: Store) -> dict[str, str]:
    """Ids of the four skills the small dataset uses, by short name."""
    return {
        "S1": skill_id(store, SPREADSHEETS),
        "S2": skill_id(store, PYTHON),
        "S3": skill_id(store, COLLABORATE),
        "S4": skill_id(store, TEAMWORK),
    }


def set_levels(store: Store, levels: Mapping[str, str | None]) -> None:
    """Give skills fixed levels (as the taxonomy would) so the tests do not depend on it."""
    with store.write():
        store.set_skill_levels(
            (level, "override" if level else None, "test" if level else None, sid)
            for sid, level in levels.items()
        )


def add_demand(store: Store, rows: Iterable[dict[str, Any]]) -> None:
    """Import demand rows through the real importer (explicit skills, no extraction)."""
    rows = list(rows)
    if rows:
        import_demand(store, rows, source_name="test", actor="test")


def add_courses(store: Store, provider_id: int, rows: Iterable[dict[str, Any]]) -> None:
    """Import course rows for one provider through the real importer."""
    rows = list(rows)
    if rows:
        import_courses(store, rows, source_name="test", actor="test", provider_id=provider_id)


def demand_row(ref: str, area: str, posted: str, vacancies: int, skills, **extra) -> dict:
    """A demand row: ``skills`` is a list of (skill id, importance)."""
    return {
        "source": "test",
        "source_ref": ref,
        "employer": extra.pop("employer", "Employer " + ref),
        "job_title": extra.pop("job_title", "Job " + ref),
        "local_authority": area,
        "vacancies": vacancies,
        "posted_date": posted,
        "skills": [{"skill_id": s, "importance": i} for s, i in skills],
        **extra,
    }


def course_row(ref: str, places: int, skills, area: str | None = None, **extra) -> dict:
    """A course row: local (classroom in ``area``) or, without an area, national online."""
    row: dict[str, Any] = {
        "provider_ref": ref,
        "title": extra.pop("title", "Course " + ref),
        "course_type": "other",
        "programme_type": "other",
        "qualification_level": "L2",
        "delivery_mode": "classroom" if area else "online",
        "study_mode": "part_time",
        "national_delivery": area is None,
        "local_authority": area,
        "duration_value": 10,
        "duration_unit": "weeks",
        "funding": "fully_funded",
        "places": places,
        "skills": [{"skill_id": s} for s in skills],
    }
    if extra.get("flexible_start"):
        # Running since before every period these tests report on (supply counts from then).
        row["available_from"] = "2024-01-01"
    row.update(extra)
    return row


def load_small_dataset(store: Store) -> dict[str, str]:
    """The hand-computable catalogue; returns the skill ids by short name.

    Report period 2026-01..2026-03 (previous period 2025-10..2025-12):

    - D1 Liverpool 2026-01-10, 3 vacancies, sector J, ISCO 2512: S1 essential, S2 optional
    - D2 Liverpool 2026-02-05, 2 vacancies, sector J, ISCO 2511: S2 essential
    - D3 Preston 2026-03-20, 4 vacancies, sector C, ISCO 4110: S1 essential, S3 optional,
      S4 essential (S4 is not digital)
    - D4 Preston 2025-11-15, 5 vacancies, sector C, ISCO 4110: S1 essential (previous period)
    - C1 Liverpool classroom, 2 places, starts 2025-12-01, 2026-01-12, 2026-03-02: S1
    - C2 national online, flexible start, 120 places a year: S2
    - C3 Preston classroom, withdrawn, 50 places, starts 2026-02-02: S3 (ignored: withdrawn)
    - C4 Preston classroom, 50 places, starts 2026-05-04: S3 (ignored: after the period)
    """
    ids = skill_ids(store)
    s1, s2, s3, s4 = ids["S1"], ids["S2"], ids["S3"], ids["S4"]
    set_levels(store, {s1: "general", s2: "specialist", s3: "essential", s4: None})
    provider = add_provider(store)
    add_demand(
        store,
        [
            demand_row(
                "D1",
                LIVERPOOL,
                "2026-01-10",
                3,
                [(s1, "essential"), (s2, "optional")],
                sector="J",
                isco_code="2512",
            ),
            demand_row(
                "D2", LIVERPOOL, "2026-02-05", 2, [(s2, "essential")], sector="J", isco_code="2511"
            ),
            demand_row(
                "D3",
                PRESTON,
                "2026-03-20",
                4,
                [(s1, "essential"), (s3, "optional"), (s4, "essential")],
                sector="C",
                isco_code="4110",
            ),
            demand_row(
                "D4", PRESTON, "2025-11-15", 5, [(s1, "essential")], sector="C", isco_code="4110"
            ),
        ],
    )
    add_courses(
        store,
        provider,
        [
            course_row(
                "C1", 2, [s1], LIVERPOOL, start_dates=["2025-12-01", "2026-01-12", "2026-03-02"]
            ),
            course_row("C2", 120, [s2], None, flexible_start=True),
            course_row("C3", 50, [s3], PRESTON, start_dates=["2026-02-02"], status="withdrawn"),
            course_row("C4", 50, [s3], PRESTON, start_dates=["2026-05-04"]),
        ],
    )
    return ids
