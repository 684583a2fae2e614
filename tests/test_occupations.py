"""Occupation from job titles: a hand-labelled set of UK advert titles, and the import path."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from skills_match.occupations import OccupationIndex, clean_title

DATA = Path(__file__).resolve().parent.parent / "data"
TITLES = Path(__file__).resolve().parent / "data" / "occupation_titles.csv"


@pytest.fixture(scope="module")
def index() -> OccupationIndex:
    with (DATA / "reference" / "esco_occupations.csv").open(encoding="utf-8") as fh:
        return OccupationIndex(
            {
                "id": r["id"],
                "label": r["label"],
                "alt_labels": r["alt_labels"],
                "isco_code": r["isco_code"],
            }
            for r in csv.DictReader(fh)
        )


def evaluate(index: OccupationIndex) -> dict:
    """Answered, right, and every wrong answer over the hand-labelled titles.

    The first 107 titles were labelled while the UK title table was written (they measure
    the rules); the 145 after them were labelled with the outputs in view, before any tuning
    but one ("night" is no longer dropped as a shift word, for "Night Porter").

    ``expected`` lists the acceptable ESCO preferred labels (``|``); an empty item means
    "unknown" is right too (no one ESCO occupation fits the title).
    """
    rows = list(csv.DictReader(TITLES.open(encoding="utf-8")))
    answered = right = unknown_right = 0
    wrong = []
    for row in rows:
        accepted = set(row["expected"].split("|"))
        guess = index.guess(row["title"])
        if guess.label is None:
            unknown_right += "" in accepted
            continue
        answered += 1
        if guess.label in accepted:
            right += 1
        else:
            wrong.append(f"{row['title']!r} -> {guess.label!r} ({guess.evidence})")
    return {
        "titles": len(rows),
        "answered": answered,
        "right": right,
        "wrong": wrong,
        "unknown_right": unknown_right,
    }


def test_titles_get_their_occupation_or_unknown(index: OccupationIndex) -> None:
    result = evaluate(index)
    precision = result["right"] / result["answered"]
    coverage = result["answered"] / result["titles"]
    print(f"\n{result}")
    assert result["titles"] >= 200
    # Measured 2026-12-07: 252 titles, 175 answered, 166 right (94.9%), 64 rightly unknown.
    assert precision >= 0.9, result["wrong"]
    assert coverage >= 0.65


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        ("Band 5 Staff Nurse - Acute Medical Unit", "staff nurse"),
        ("Salaried GP", "gp"),
        ("Warehouse Operative (nights)", "warehouse operative"),
        ("Customer Service Advisor x3 (Immediate Start)", "customer service advisor"),
        ("HGV Class 1 Driver", "hgv driver"),
    ],
)
def test_titles_lose_the_words_that_name_no_occupation(title: str, cleaned: str) -> None:
    assert clean_title(title) == cleaned


def test_an_unknown_title_says_what_came_closest(index: OccupationIndex) -> None:
    guess = index.guess("Cloud Support Engineer")
    assert guess.occupation_id is None and "no occupation label is close" in guess.evidence


def test_import_infers_occupations_and_a_correction_sticks(reference_store) -> None:
    from skills_match import catalogue
    from skills_match.importer import import_demand
    from tests.factories import demand

    store = reference_store
    python = store.db.execute("SELECT id FROM skills WHERE label = 'Python (computer programming)'")
    skills = [{"skill_id": python.fetchone()[0]}]
    rows = [
        demand("O-1", job_title="Band 5 Staff Nurse - Ward 3", skills=skills),
        demand("O-2", job_title="Cloud Support Engineer", skills=skills),
    ]
    import_demand(store, rows, source_name="t", actor="t")
    got = {
        ref: (label, method, isco)
        for ref, label, method, isco in store.db.execute(
            """SELECT d.source_ref, o.label, d.occupation_method, d.isco_code FROM demand d
               LEFT JOIN occupations o ON o.id = d.occupation_id"""
        )
    }
    assert got["O-1"] == ("nurse responsible for general care", "inferred", "2221")
    assert got["O-2"] == (None, "unknown", None)
    # The partnership corrects the unknown one: it is then given, and stays so.
    engineer = store.db.execute(
        "SELECT id FROM occupations WHERE label = 'cloud engineer'"
    ).fetchone()[0]
    demand_id = store.demand_id_by_ref("test", "O-2")
    catalogue.update_demand(store, demand_id, {"occupation_id": engineer})
    row = store.db.execute(
        "SELECT occupation_id, occupation_method FROM demand WHERE id = ?", [demand_id]
    ).fetchone()
    assert row == (engineer, "given")
    # An unrelated change to an inferred record infers again rather than freezing it.
    nurse_id = store.demand_id_by_ref("test", "O-1")
    catalogue.update_demand(store, nurse_id, {"vacancies": 4})
    assert store.db.execute(
        "SELECT occupation_method FROM demand WHERE id = ?", [nurse_id]
    ).fetchone() == ("inferred",)
