"""Small valid records for tests, built from the real reference data."""

from __future__ import annotations

from typing import Any

from skills_match.store import Store

LIVERPOOL = "E08000012"
PRESTON = "E07000123"
# Real ESCO v1.2.0 digital skills (preferred labels in data/reference/esco_skills.csv).
SPREADSHEETS = "use spreadsheets software"
PYTHON = "Python (computer programming)"


def skill_id(store: Store, label: str) -> str:
    """The id of a taxonomy skill by its exact preferred label."""
    row = store.db.execute("SELECT id FROM skills WHERE label = ?", [label]).fetchone()
    assert row, f"no skill labelled {label!r}"
    return row[0]


def add_provider(store: Store, ukprn: str = "10000001", name: str = "Test College") -> int:
    """Create (or fetch) a provider and return its id."""
    with store.write():
        return store.upsert_provider(
            {
                "ukprn": ukprn,
                "name": name,
                "provider_type": "fe_college",
                "local_authority": LIVERPOOL,
            }
        )


def course(ref: str = "C-1", **overrides: Any) -> dict[str, Any]:
    """A valid raw course row (as a provider would send it)."""
    row: dict[str, Any] = {
        "provider_ref": ref,
        "title": "Spreadsheets for work",
        "course_type": "free_courses_for_jobs",
        "programme_type": "aeb_digital",
        "qualification_level": "L1",
        "description": "Learn to use spreadsheets software to record and analyse data.",
        "delivery_mode": "classroom",
        "study_mode": "part_time",
        "attendance_pattern": "evening",
        "local_authority": LIVERPOOL,
        "start_dates": ["2026-01-12", "2026-04-13"],
        "duration_value": 10,
        "duration_unit": "weeks",
        "funding": "fully_funded",
        "places": 16,
    }
    row.update(overrides)
    return row


def demand(ref: str = "D-1", **overrides: Any) -> dict[str, Any]:
    """A valid raw demand row; each ref is a different employer's advert (no reposts)."""
    row: dict[str, Any] = {
        "source": "test",
        "source_ref": ref,
        "employer": f"Mersey Logistics {ref} Ltd",
        "job_title": "Data analyst",
        "description": "Analyse stock data with spreadsheets and Python.",
        "sector": "H",
        "local_authority": LIVERPOOL,
        "vacancies": 2,
        "posted_date": "2026-03-02",
        "closing_date": "2026-03-30",
    }
    row.update(overrides)
    return row
