"""The committed seed data loads through the real schemas, covers what it claims, and is
exactly what scripts/generate_seed.py produces (so nobody hand-edits it)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from skills_match.schemas import (
    COURSE_TYPES,
    PROGRAMME_TYPES,
    CourseImportRow,
    DemandSchema,
    ProviderSchema,
    duration_in_weeks,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"
REFERENCE = ROOT / "data" / "reference"
GENERATOR = ROOT / "scripts" / "generate_seed.py"
SEED_FILES = ("providers.json", "courses.jsonl", "demand.jsonl", "README.md")

LCR = ("E06000006", "E08000011", "E08000012", "E08000013", "E08000014", "E08000015")
LANCASHIRE = (*(f"E07000{n}" for n in range(117, 129)), "E06000008", "E06000009")
AREAS = frozenset(LCR + LANCASHIRE)

COURSE_WINDOW = (date(2025, 9, 1), date(2027, 3, 31))
DEMAND_WINDOW = (date(2025, 9, 1), date(2026, 10, 31))
FALLBACK_SKILL_LABEL = "use spreadsheets software"  # the one skill not from an ESCO profile


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Objects of a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a reference CSV."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def providers() -> list[dict[str, Any]]:
    return json.loads((SEED / "providers.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def courses() -> list[dict[str, Any]]:
    return read_jsonl(SEED / "courses.jsonl")


@pytest.fixture(scope="module")
def demand() -> list[dict[str, Any]]:
    return read_jsonl(SEED / "demand.jsonl")


@pytest.fixture(scope="module")
def skills() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in read_csv(REFERENCE / "esco_skills.csv")}


@pytest.fixture(scope="module")
def eds_ids() -> set[str]:
    return {r["id"] for r in read_csv(REFERENCE / "eds_areas.csv")}


@pytest.fixture(scope="module")
def occupations() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in read_csv(REFERENCE / "esco_occupations.csv")}


# --- providers ------------------------------------------------------------------------


def test_providers_load_and_cover_every_type(providers):
    loaded = ProviderSchema(many=True).load(providers)
    assert len(loaded) >= 28
    assert len({p["ukprn"] for p in loaded}) == len(loaded)
    assert all(p["ukprn"].startswith("1999") for p in loaded)  # the fictional range
    assert {p["local_authority"] for p in loaded} <= AREAS
    types = Counter(p["provider_type"] for p in loaded)
    for kind in (
        "fe_college",
        "independent_training_provider",
        "bootcamp_supplier",
        "community_organisation",
        "university",
        "local_authority",
    ):
        assert types[kind] >= 1, kind


# --- courses --------------------------------------------------------------------------


def test_every_course_loads(courses):
    schema = CourseImportRow()
    errors = {}
    for row in courses:
        try:
            schema.load(row)
        except Exception as exc:  # collect them all: one bad row should show its neighbours
            errors[row.get("provider_ref")] = exc
    assert not errors, list(errors.items())[:5]


def test_course_coverage(courses, providers):
    assert len(courses) >= 300
    ukprns = {p["ukprn"] for p in providers}
    assert {c["provider_ukprn"] for c in courses} <= ukprns
    assert len({c["provider_ukprn"] for c in courses}) >= 25
    assert len({(c["provider_ukprn"], c["provider_ref"]) for c in courses}) == len(courses)
    assert {c["local_authority"] for c in courses if c["local_authority"]} == AREAS
    programmes = Counter(c["programme_type"] for c in courses)
    assert all(programmes[p] >= 5 for p in PROGRAMME_TYPES), programmes
    course_types = Counter(c["course_type"] for c in courses)
    assert all(course_types[t] >= 3 for t in COURSE_TYPES), course_types
    national = [c for c in courses if c["national_delivery"]]
    assert national and all(c["delivery_mode"] == "online" for c in national)


def test_course_dates_and_skills(courses, skills, eds_ids):
    for c in courses:
        for d in c["start_dates"]:
            assert COURSE_WINDOW[0] <= date.fromisoformat(d) <= COURSE_WINDOW[1], c["provider_ref"]
        assert c["flexible_start"] or c["start_dates"]
        ids = [s["skill_id"] for s in c["skills"]]
        assert 4 <= len(ids) <= 12, c["provider_ref"]
        assert all(set(s) == {"skill_id"} for s in c["skills"])  # no level: the taxonomy's job
        unknown = [i for i in ids if i not in skills and i not in eds_ids]
        assert not unknown, (c["provider_ref"], unknown)
        assert 60 <= len(c["description"].split()) <= 200, c["provider_ref"]


def test_programme_rules(courses):
    by = {p: [c for c in courses if c["programme_type"] == p] for p in PROGRAMME_TYPES}
    for c in by["skills_bootcamp"]:
        assert c["funding"] == "fully_funded" and c["cost"] == 0
        assert duration_in_weeks(c["duration_value"], c["duration_unit"]) <= 16
        assert c["guided_learning_hours"] >= 60 and c["age_min"] >= 19
        assert 12 <= c["places"] <= 30 and c["employment_statuses"]
    with_outcomes = [c for c in by["skills_bootcamp"] if c["completion_rate"] is not None]
    assert len(with_outcomes) >= len(by["skills_bootcamp"]) // 3
    for c in with_outcomes:
        assert 0.55 <= c["completion_rate"] <= 0.75
        assert 0.30 <= c["positive_outcome_rate"] <= 0.45
    routes = set()
    for c in by["t_level"]:
        routes.add(c["title"])
        assert c["qualification_level"] == "L3" and (c["age_min"], c["age_max"]) == (16, 19)
        assert (c["duration_value"], c["duration_unit"]) == (2, "years")
        assert all(d[5:7] == "09" for d in c["start_dates"])
        assert 20 <= c["places"] <= 60
    assert len(routes) == 3
    for c in by["apprenticeship"]:
        assert c["funding"] == "employer_funded" and c["delivery_mode"] == "work_based"
        assert c["duration_unit"] == "months" and 12 <= c["duration_value"] <= 24
    for c in by["community"]:
        assert c["cost"] == 0 and 6 <= c["places"] <= 15
    paid = [c for c in courses if c["funding"] in ("self_funded", "co_funded")]
    assert paid and all(c["cost"] > 0 and c["cost_description"] for c in paid)


# --- demand ---------------------------------------------------------------------------


def test_every_demand_record_loads(demand):
    schema = DemandSchema()
    errors = {}
    for row in demand:
        try:
            schema.load(row)
        except Exception as exc:
            errors[row.get("source_ref")] = exc
    assert not errors, list(errors.items())[:5]


def test_demand_coverage(demand):
    assert len(demand) >= 5000
    assert len({d["source_ref"] for d in demand}) == len(demand)
    assert {d["source"] for d in demand} == {"illustrative-seed"}
    assert {d["local_authority"] for d in demand} == AREAS
    months = {d["posted_date"][:7] for d in demand}
    assert len(months) >= 12
    for d in demand:
        posted = date.fromisoformat(d["posted_date"])
        assert DEMAND_WINDOW[0] <= posted <= DEMAND_WINDOW[1]
        assert 14 <= (date.fromisoformat(d["closing_date"]) - posted).days <= 42
    assert len({d["sector"] for d in demand}) >= 8
    vacancies = Counter(d["vacancies"] for d in demand)
    assert vacancies[1] > len(demand) / 2


def test_demand_occupations_and_skills_are_real(demand, skills, occupations):
    fallback = {
        i for i, s in skills.items() if s["preferred_label"].casefold() == FALLBACK_SKILL_LABEL
    }
    for d in demand:
        occ = occupations.get(d["occupation_id"])
        assert occ is not None, d["source_ref"]
        assert occ["isco_code"] == d["isco_code"]
        essential = set(occ["essential_skills"].split(" | "))
        optional = set(occ["optional_skills"].split(" | "))
        assert 1 <= len(d["skills"]) <= 40
        for s in d["skills"]:
            assert s["skill_id"] in skills, (d["source_ref"], s)
            if s["skill_id"] in essential:
                assert s["importance"] == "essential"
            elif s["skill_id"] in optional:
                assert s["importance"] == "optional"
            else:  # the documented exception for profiles without a digital skill
                assert s["skill_id"] in fallback and s["importance"] == "optional"


def test_most_demand_needs_digital_skills(demand, skills):
    digital = sum(
        any(skills[s["skill_id"]]["is_digital"] == "1" for s in d["skills"]) for d in demand
    )
    assert digital == len(demand)  # the fallback skill is digital too


# --- provenance -----------------------------------------------------------------------


def test_readme_marks_data_illustrative():
    text = (SEED / "README.md").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE DATA" in text
    assert "not real courses, providers or vacancies" in text


def test_generator_reproduces_committed_files(tmp_path):
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    for name in SEED_FILES:
        assert (tmp_path / name).read_bytes() == (SEED / name).read_bytes(), name
