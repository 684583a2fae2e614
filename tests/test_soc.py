"""SOC major group from the job title, looked up in the ONS coding index; tested on titles
the index codes (held out of the lookup) and on real advert titles."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from skills_match.occupations import clean_title
from skills_match.report import build_gap_report
from skills_match.soc import MIN_CONFIDENCE, SocIndex, evaluate, index_for, read_soc_cases
from tests.test_feeds import import_all, locator  # noqa: F401
from tests.test_skillspace import engine, skills_db  # noqa: F401

DATA = Path(__file__).resolve().parent.parent / "data"
TITLES = Path(__file__).resolve().parent / "data" / "occupation_titles.csv"


@pytest.fixture(scope="module")
def index() -> SocIndex:
    return index_for(str(DATA))


def test_titles_as_adverts_write_them(index):
    nurse = index.guess("Band 6 Staff Nurse - Emergency Department")
    assert (nurse.major, nurse.soc2010_unit, nurse.confidence) == ("2", "2231", 1.0)
    # Two unit groups in one major group: the group is certain, the unit group is not given.
    carer = index.guess("Senior Care Assistant")
    assert carer.major == "6" and carer.soc2010_unit is None and carer.confidence == 1.0
    # A near spelling of an index title is weaker evidence.
    adviser = index.guess("Customer Service Advisor")
    assert adviser.major == "7" and MIN_CONFIDENCE <= adviser.confidence < 1.0
    assert "index title 'customer service adviser'" in adviser.evidence
    assert index.guess("Quantum Flux Harmoniser").major is None
    assert index.guess("").major is None


def test_a_title_split_across_major_groups_stays_unknown():
    index = SocIndex({"consultant": Counter({"2211": 1, "3534": 1, "7129": 1})})
    guess = index.guess("Consultant")
    assert guess.major is None and guess.confidence == pytest.approx(1 / 3, abs=0.001)
    assert "major groups disagree" in guess.evidence
    # A two-to-one split clears the bar and names the larger group.
    index = SocIndex({"accountant": Counter({"2421": 2, "4122": 1})})
    assert index.guess("Accountant").major == "2"


def test_unseen_index_titles_are_answered_right_or_left_unknown(index):
    cases = read_soc_cases(DATA / "eval" / "soc_titles.csv")
    assert len(cases) >= 3000
    unseen = index.without(clean_title(c.title) for c in cases)
    assert len(unseen) == len(index) - len(cases)
    result = evaluate(unseen, cases)
    # Only near titles can answer here (the exact ones were taken out); they must be right.
    assert result["tally"].get("exact_right", 0) == 0
    assert result["answered"] >= 100
    assert result["precision"] >= 0.9, result["misses"]


def test_most_real_advert_titles_get_a_group(index):
    with TITLES.open(newline="", encoding="utf-8") as handle:
        titles = [r["title"] for r in csv.DictReader(handle)]
    answered = [t for t in titles if index.guess(t).major is not None]
    assert len(answered) / len(titles) >= 0.75


def test_imported_adverts_carry_their_group_into_the_report(
    reference_store,
    locator,  # noqa: F811
    engine,  # noqa: F811
):
    store = reference_store
    import_all(store, locator, engine)
    rows = store.db.execute(
        "SELECT job_title, soc_code, soc_major, soc_method, soc_confidence FROM demand"
    ).fetchall()
    methods = Counter(r[3] for r in rows)
    assert methods["given"] >= 1 and methods["inferred"] >= 1
    for title, soc_code, major, method, confidence in rows:
        if soc_code:  # a SOC code the feed sent wins over the title
            assert (major, method, confidence) == (soc_code[0], "given", 1.0)
        elif method == "inferred":
            assert major and confidence >= MIN_CONFIDENCE, title
        else:
            assert method == "unknown" and major is None
    # The report's SOC breakdown counts the records that need a digital skill, by group.
    data = build_gap_report(store).to_dict(suppress=False)
    groups = {g["code"]: g["records"] for g in data["soc_groups"] if g["level"] == "all"}
    expected = dict(
        store.db.execute(
            "SELECT d.soc_major, count(DISTINCT d.id) FROM demand d "
            "JOIN demand_skills ds ON ds.demand_id = d.id "
            "JOIN skills s ON s.id = ds.skill_id WHERE s.is_digital = 1 GROUP BY 1"
        ).fetchall()
    )
    assert groups == expected
    labels = {g["code"]: g["label"] for g in data["soc_groups"]}
    assert all(labels[c].startswith(f"{c} ") for c in groups if c)
