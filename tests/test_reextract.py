"""`skills-match reextract`: stale extracted links replaced, given links kept, in resumable
batches, with the demand summaries (and so the gap report) still exact. Real engine."""

from __future__ import annotations

import pytest

from skills_match.extract import EXTRACTOR_VERSION
from skills_match.importer import import_courses, import_demand
from skills_match.reextract import records_to_reextract, reextract
from skills_match.report import GapReportFilters, GapReportOptions, build_gap_report
from skills_match.store import Store
from tests.conftest import copy_database
from tests.test_demand_summaries import consistent
from tests.test_skillspace import engine, skills_db  # noqa: F401 (session fixtures)

from .factories import PYTHON, SPREADSHEETS, add_provider, course, demand, skill_id

COURSE_TEXTS = [
    ("Excel for work", "Build pivot tables and charts in Microsoft Excel."),
    ("Python for beginners", "Write Python programs and use pandas for data analysis."),
    ("Web design", "Create websites with HTML and CSS, and manage content."),
    ("Office skills", "Use Word and Outlook; keep spreadsheets up to date."),
]
DEMAND_TEXTS = [
    ("Data analyst", "Essential: SQL and Python. Build dashboards in Power BI."),
    ("Office administrator", "Keep records in Excel spreadsheets and answer email."),
    ("IT support technician", "Provide IT support: install software, fix network faults."),
]


def _links(store: Store, table: str) -> list[tuple]:
    return store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


def _records_of(rows: list[tuple], ids: set[int]) -> list[tuple]:
    return [r for r in rows if r[0] in ids]


@pytest.fixture
def catalogue(reference_db, tmp_path, engine):  # noqa: F811
    """A store with extracted and provided courses and demand records."""
    store = Store(copy_database(reference_db, tmp_path / "reextract.db"))
    add_provider(store)
    rows = [
        dict(course(f"C-{i}", title=t, description=d), provider_ukprn="10000001")
        for i, (t, d) in enumerate(COURSE_TEXTS)
    ]
    given = [{"skill_id": skill_id(store, PYTHON), "level": "general"}]
    rows.append(dict(course("C-given", skills=given), provider_ukprn="10000001"))
    courses = import_courses(store, rows, source_name="t", actor="t", linker=engine.extractor)
    rows = [demand(f"D-{i}", job_title=t, description=d) for i, (t, d) in enumerate(DEMAND_TEXTS)]
    given = [{"skill_id": skill_id(store, SPREADSHEETS), "importance": "optional"}]
    rows.append(demand("D-given", skills=given))
    demands = import_demand(store, rows, source_name="t", actor="t", linker=engine.extractor)
    yield store, courses.ids, demands.ids
    store.close()


def _make_stale(store: Store, table: str, key: str, ids: list[int]) -> None:
    # As an older extractor left them: another version, and a link it got wrong.
    wrong = skill_id(store, "use CAD software")
    with store.write():
        store.db.execute(
            f"UPDATE {table} SET extractor = '0', score = 0.5 WHERE {key} IN "
            f"({','.join('?' * len(ids))})",
            ids,
        )
        extra = {"importance": "essential"} if table == "demand_skills" else {}
        for record_id in ids:
            store.db[table].insert(
                {
                    key: record_id,
                    "skill_id": wrong,
                    "method": "semantic",
                    "score": 0.3,
                    "evidence": "x",
                    "extractor": "0",
                    **extra,
                },
                replace=True,
            )


def test_reextract_touches_exactly_the_stale_records(catalogue, engine):  # noqa: F811
    store, course_ids, demand_ids = catalogue
    extracted_courses, given_course = course_ids[:-1], course_ids[-1]
    assert all(
        r[-1] == EXTRACTOR_VERSION for r in _links(store, "course_skills") if r[3] != "provided"
    )
    assert {r[-1] for r in _links(store, "course_skills") if r[0] == given_course} == {None}
    fresh_courses = set(_records_of(_links(store, "course_skills"), set(extracted_courses[:2])))
    fresh_demand = set(_records_of(_links(store, "demand_skills"), {demand_ids[0]}))
    stale_courses, stale_demand = extracted_courses[:2], demand_ids[:1]
    # The real extractor found skills in each (else there would be nothing to compare).
    assert {r[0] for r in fresh_courses} == set(stale_courses) and fresh_demand
    _make_stale(store, "course_skills", "course_id", stale_courses)
    _make_stale(store, "demand_skills", "demand_id", stale_demand)
    assert records_to_reextract(store, EXTRACTOR_VERSION) == {
        "courses": stale_courses,
        "demand": stale_demand,
    }
    untouched_c = set(course_ids) - set(stale_courses)
    untouched_d = set(demand_ids) - set(stale_demand)
    before_c = _records_of(_links(store, "course_skills"), untouched_c)
    before_d = _records_of(_links(store, "demand_skills"), untouched_d)
    updated = dict(store.db.execute("SELECT id, updated_at FROM courses").fetchall())
    lines: list[str] = []
    report = reextract(store, engine.extractor, batch=1, echo=lines.append)
    assert report.records == {"courses": 2, "demand": 1}
    assert report.changed == {"courses": 2, "demand": 1}
    assert report.batches == 3 and len(lines) == 3 and lines[-1].startswith("demand: 1/1")
    # Exactly what a fresh extraction stored, and nothing else moved.
    assert set(_records_of(_links(store, "course_skills"), set(stale_courses))) == fresh_courses
    assert set(_records_of(_links(store, "demand_skills"), set(stale_demand))) == fresh_demand
    assert _records_of(_links(store, "course_skills"), untouched_c) == before_c
    assert _records_of(_links(store, "demand_skills"), untouched_d) == before_d
    now = dict(store.db.execute("SELECT id, updated_at FROM courses").fetchall())
    assert {i for i in now if now[i] != updated[i]} <= set(stale_courses)
    assert consistent(store)
    # Idempotent: nothing is stale any more.
    again = reextract(store, engine.extractor)
    assert again.total == 0 and again.batches == 0


def test_provided_links_are_kept_and_all_reaches_every_extracted_record(catalogue, engine):  # noqa: F811
    store, course_ids, demand_ids = catalogue
    given_course, given_demand = course_ids[-1], demand_ids[-1]
    provided_c = _records_of(_links(store, "course_skills"), {given_course})
    provided_d = _records_of(_links(store, "demand_skills"), {given_demand})
    # A record with a given link and a stale extracted one: only the extracted one goes.
    python = skill_id(store, PYTHON)
    with store.write():
        store.db.execute(
            "INSERT INTO demand_skills (demand_id, skill_id, importance, method, score, evidence, "
            "extractor) VALUES (?, ?, 'essential', 'semantic', 0.4, 'x', '0')",
            [given_demand, python],
        )
    report = reextract(store, engine.extractor, all_records=True, batch=100)
    assert report.records["courses"] == len(course_ids) - 1  # the given course is not extracted
    assert report.records["demand"] == len(demand_ids)
    assert report.batches == 2
    assert _records_of(_links(store, "course_skills"), {given_course}) == provided_c
    given_now = _records_of(_links(store, "demand_skills"), {given_demand})
    assert [r for r in given_now if r[4] == "provided"] == provided_d
    assert all(r[-1] == EXTRACTOR_VERSION for r in given_now if r[4] != "provided")
    assert consistent(store)


class _Failing:
    """The real extractor, which dies after ``calls`` batches (a crash mid-run)."""

    def __init__(self, extractor, calls: int) -> None:
        self.extractor, self.calls = extractor, calls

    def link(self, texts):
        if self.calls == 0:
            raise KeyboardInterrupt
        self.calls -= 1
        return self.extractor.link(texts)


def test_an_interrupted_run_resumes_and_the_gap_report_matches_a_recount(catalogue, engine):  # noqa: F811
    store, course_ids, demand_ids = catalogue
    filters = GapReportFilters(period_from="2026-01", period_to="2026-06")

    def figures() -> dict:
        # generated_at is the clock, not a figure: two builds a second apart differ there.
        report = build_gap_report(store, filters, GapReportOptions()).to_dict()
        report.pop("generated_at")
        return report

    expected = figures()
    _make_stale(store, "demand_skills", "demand_id", demand_ids[:-1])
    _make_stale(store, "course_skills", "course_id", course_ids[:-1])
    assert figures() != expected
    with pytest.raises(KeyboardInterrupt):
        reextract(store, _Failing(engine.extractor, calls=2), batch=2)
    left = records_to_reextract(store, EXTRACTOR_VERSION)
    assert left["courses"] == [] and left["demand"] == demand_ids[:-1]  # 2 course batches done
    assert consistent(store)
    report = reextract(store, engine.extractor, batch=2)
    assert report.records == {"courses": 0, "demand": len(demand_ids) - 1}
    assert consistent(store)
    assert figures() == expected


def test_bad_batch_sizes_are_refused(catalogue, engine):  # noqa: F811
    from skills_match.errors import InvalidInput

    store, _, _ = catalogue
    for batch in (0, -1, 10_001):
        with pytest.raises(InvalidInput):
            reextract(store, engine.extractor, batch=batch)


def test_cli_reextract_prints_progress_and_a_final_count(catalogue):
    from click.testing import CliRunner

    from skills_match.cli import main

    store, course_ids, demand_ids = catalogue
    _make_stale(store, "course_skills", "course_id", course_ids[:1])
    _make_stale(store, "demand_skills", "demand_id", demand_ids[:2])
    run = CliRunner().invoke(main, ["--database", store.path, "reextract", "--batch", "1"])
    assert run.exit_code == 0, run.output
    assert "courses: 1/1 re-extracted" in run.output and "demand: 2/2 re-extracted" in run.output
    assert f"Re-extracted with extractor {EXTRACTOR_VERSION}: 1 courses" in run.output
    assert "2 demand" in run.output
    again = CliRunner().invoke(main, ["--database", store.path, "reextract"])
    assert again.exit_code == 0 and "0 courses" in again.output and "0 demand" in again.output
    bad = CliRunner().invoke(main, ["--database", store.path, "reextract", "--batch", "0"])
    assert bad.exit_code == 2
