"""Skills listed in words ("Docker", "MS Teams") on course and demand imports. Real engine."""

from __future__ import annotations

import pytest

from skills_match import catalogue as records
from skills_match.engine import EngineLinker
from skills_match.errors import ImportRejected
from skills_match.importer import import_courses, import_demand, read_rows
from skills_match.store import Store
from tests.conftest import copy_database
from tests.test_skillspace import engine, skills_db  # noqa: F401 (session fixtures)

from .factories import SPREADSHEETS, add_provider, course, demand, skill_id


@pytest.fixture
def store(reference_db, tmp_path):
    store = Store(copy_database(reference_db, tmp_path / "phrases.db"))
    add_provider(store)
    yield store
    store.close()


@pytest.fixture
def linker(engine):  # noqa: F811
    return EngineLinker(engine.settings, engine)


def _labels(store: Store, course_id: int) -> dict[str, str]:
    """{skill label: the provider's words it was read from} of a course."""
    return {s["label"]: s["evidence"] for s in store.course(course_id)["skills"]}


def test_phrases_are_read_as_skills_and_unread_ones_reported(store, linker):
    skills = ["MS Excel", "Docker", "Linux", "Xero", {"phrase": "free parking", "level": "general"}]
    row = course("C-1", provider_ukprn="10000001", skills=skills)
    report = import_courses(store, [row], source_name="c.json", actor="t", linker=linker)
    labels = _labels(store, report.ids[0])
    assert labels[SPREADSHEETS] == "MS Excel"
    assert "Docker" in labels.values() and "Linux" in labels.values()
    # A course's skills are not only digital ones: a tool read as a non-digital skill counts.
    assert labels["use accounting systems"] == "Xero"
    assert "free parking" not in labels.values()
    assert report.unlinked_skills == [{"row": 1, "phrase": "free parking"}]
    assert report.as_dict()["unlinked_skills"] == [{"row": 1, "phrase": "free parking"}]
    # The course's skills are the ones the provider listed: nothing extracted from its text.
    assert all(s["method"] == "provided" for s in store.course(report.ids[0])["skills"])


def test_a_dry_run_reports_unread_phrases_and_writes_nothing(store, linker):
    row = course("C-1", provider_ukprn="10000001", skills=["SQL", "good vibes"])
    before = store.db.execute("SELECT count(*) FROM courses").fetchone()[0]
    report = import_courses(
        store, [row], source_name="c.json", actor="t", linker=linker, dry_run=True
    )
    assert report.unlinked_skills == [{"row": 1, "phrase": "good vibes"}]
    assert store.db.execute("SELECT count(*) FROM courses").fetchone()[0] == before


def test_a_csv_cell_mixes_ids_and_phrases(store, linker):
    spreadsheets = skill_id(store, SPREADSHEETS)
    text = (
        "provider_ref,provider_ukprn,title,course_type,programme_type,qualification_level,"
        "delivery_mode,study_mode,local_authority,start_dates,duration_value,duration_unit,"
        "funding,places,skills\n"
        "C-9,10000001,Office skills,other,aeb_digital,L1,classroom,part_time,E08000012,"
        f"2027-02-01,6,weeks,fully_funded,12,{spreadsheets}|Microsoft Teams\n"
    )
    rows = read_rows(text.encode(), "csv")
    report = import_courses(store, rows, source_name="c.csv", actor="t", linker=linker)
    labels = _labels(store, report.ids[0])
    assert labels[SPREADSHEETS] == ""  # named by id: no words to keep
    assert "Microsoft Teams" in labels.values()
    assert report.unlinked_skills == []


def test_when_no_phrase_is_read_the_skills_come_from_the_text(store, linker):
    row = course(
        "C-1",
        provider_ukprn="10000001",
        title="Spreadsheets for work",
        description="Learn to use spreadsheets software to record and analyse data.",
        skills=["free parking", "lunch provided"],
    )
    report = import_courses(store, [row], source_name="c.json", actor="t", linker=linker)
    assert SPREADSHEETS in _labels(store, report.ids[0])
    assert {u["phrase"] for u in report.unlinked_skills} == {"free parking", "lunch provided"}


def test_two_phrases_for_one_skill_link_it_once_and_a_repeated_phrase_is_refused(store, linker):
    row = course("C-1", provider_ukprn="10000001", skills=["MS Excel", "spreadsheets"])
    report = import_courses(store, [row], source_name="c.json", actor="t", linker=linker)
    assert list(_labels(store, report.ids[0])) == [SPREADSHEETS]
    twice = course("C-2", provider_ukprn="10000001", skills=["Docker", "docker "])
    with pytest.raises(ImportRejected) as caught:
        import_courses(store, [twice], source_name="c.json", actor="t", linker=linker)
    assert caught.value.errors.errors[0].field == "skills"


def test_a_skill_item_names_an_id_or_a_phrase_not_both(store, linker):
    both = {"skill_id": skill_id(store, SPREADSHEETS), "phrase": "Excel"}
    for item in (both, {"level": "general"}, {"phrase": ""}, {"phrase": "x" * 201}):
        row = course("C-1", provider_ukprn="10000001", skills=[item])
        with pytest.raises(ImportRejected) as caught:
            import_courses(store, [row], source_name="c.json", actor="t", linker=linker)
        assert caught.value.errors.errors[0].field.startswith("skills.0"), item
    assert store.db.execute("SELECT count(*) FROM courses").fetchone()[0] == 0


def test_a_change_to_a_course_reads_its_phrases_again(store, linker):
    provider_id = store.provider_by_ukprn("10000001")["id"]
    course_id = records.create_course(store, provider_id, course("C-1", skills=["Docker"]), linker)
    records.update_course(store, provider_id, course_id, {"title": "Containers at work"}, linker)
    assert "Docker" in _labels(store, course_id).values()  # kept in the provider's words


def test_demand_skills_may_be_phrases_too(store, linker):
    row = demand("D-1", skills=["Power BI", {"phrase": "SQL", "importance": "optional"}])
    report = import_demand(store, [row], source_name="d.json", actor="t", linker=linker)
    links = store.db.execute(
        "SELECT evidence, importance FROM demand_skills WHERE demand_id = ?", [report.ids[0]]
    ).fetchall()
    assert sorted(links) == [("Power BI", "essential"), ("SQL", "optional")]
