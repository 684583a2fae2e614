"""Bulk import: every row validated, all or nothing, idempotent upserts."""

from __future__ import annotations

import csv
import io
import json

import pytest

from skills_match.errors import ImportRejected, InvalidInput
from skills_match.importer import import_courses, import_demand, read_rows

from .factories import PYTHON, SPREADSHEETS, add_provider, course, demand, skill_id


def dump(store):
    """Every row of the tables an import may touch, for before/after comparison."""
    return {
        table: store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for table in ("courses", "course_skills", "demand", "demand_skills", "providers")
    }


def to_csv(rows):
    columns = sorted({k for r in rows for k in r})
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "|".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()


def test_good_file_imports_then_second_run_changes_nothing(reference_store):
    store = reference_store
    add_provider(store)
    rows = [dict(course(f"C-{i}"), provider_ukprn="10000001") for i in range(5)]
    first = import_courses(store, rows, source_name="f.json", actor="test")
    assert (first.inserted, first.updated, first.unchanged) == (5, 0, 0)
    before = dump(store)
    second = import_courses(store, rows, source_name="f.json", actor="test")
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 5)
    assert dump(store) == before
    runs = store.import_runs()
    assert [r["status"] for r in runs] == ["committed", "committed"]


def test_one_bad_row_rejects_the_file_with_row_field_and_reason(reference_store):
    store = reference_store
    add_provider(store)
    rows = [dict(course(f"C-{i}"), provider_ukprn="10000001") for i in range(10)]
    rows[6]["places"] = -3
    before = dump(store)
    with pytest.raises(ImportRejected) as caught:
        import_courses(store, rows, source_name="bad.json", actor="test")
    report = caught.value.errors
    assert [(e.row, e.field) for e in report.errors] == [(7, "places")]
    assert "greater than or equal to 0" in report.errors[0].message
    assert "row 7: places" in caught.value.message
    assert dump(store) == before
    assert store.import_runs()[0]["status"] == "rejected"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"local_authority": "E99999999"}, "local_authority", "Unknown GSS code"),
        ({"qualification_level": "L9"}, "qualification_level", "Must be one of"),
        ({"surprise": "x"}, "surprise", "Unknown field"),
        ({"start_dates": [], "flexible_start": False}, "start_dates", "at least one start date"),
        ({"skills": [{"skill_id": "not-a-skill"}]}, "skills.0.skill_id", "Unknown skill"),
        ({"provider_ukprn": "10009999"}, "provider_ukprn", "No provider with UKPRN"),
        ({"start_dates": ["2026-02-30"]}, "start_dates.0", "Not a valid date"),
        ({"title": ""}, "title", "Length must be between 1"),
        ({"delivery_mode": "classroom", "local_authority": None}, "local_authority", "Required"),
    ],
)
def test_row_errors_name_the_field(reference_store, change, field, reason):
    add_provider(reference_store)
    row = dict(course(), provider_ukprn="10000001")
    row.update(change)
    with pytest.raises(ImportRejected) as caught:
        import_courses(reference_store, [row], source_name="x", actor="t")
    errors = caught.value.errors.errors
    assert any(e.field == field and reason in e.message for e in errors), errors


def test_duplicate_refs_in_one_file_are_rejected(reference_store):
    add_provider(reference_store)
    rows = [dict(course("SAME"), provider_ukprn="10000001")] * 2
    with pytest.raises(ImportRejected) as caught:
        import_courses(reference_store, rows, source_name="x", actor="t")
    [error] = caught.value.errors.errors
    assert (error.row, error.field) == (2, "provider_ref")
    assert "Duplicate of row 1" in error.message


def test_api_path_rows_may_not_name_a_provider(reference_store):
    provider_id = add_provider(reference_store)
    row = dict(course(), provider_ukprn="10000001")
    with pytest.raises(ImportRejected) as caught:
        import_courses(reference_store, [row], source_name="x", actor="t", provider_id=provider_id)
    assert caught.value.errors.errors[0].field == "provider_ukprn"


def test_dry_run_reports_but_writes_nothing(reference_store):
    add_provider(reference_store)
    rows = [dict(course(f"C-{i}"), provider_ukprn="10000001") for i in range(3)]
    before = dump(reference_store)
    report = import_courses(reference_store, rows, source_name="x", actor="t", dry_run=True)
    assert (report.status, report.inserted) == ("checked", 3)
    assert dump(reference_store) == before


def test_csv_file_with_lists_and_skills(reference_store):
    store = reference_store
    add_provider(store)
    spreadsheets, python = skill_id(store, SPREADSHEETS), skill_id(store, PYTHON)
    rows = [
        dict(course("C-1"), provider_ukprn="10000001", skills=[spreadsheets, python]),
        dict(
            course("C-2"),
            provider_ukprn="10000001",
            national_delivery="true",
            delivery_mode="online",
            local_authority="",
        ),
    ]
    parsed = read_rows(to_csv(rows).encode(), "csv")
    # Plain cells: each item is an id when shaped like one, else a phrase (the schema decides).
    assert parsed[0]["skills"] == [spreadsheets, python]
    assert parsed[0]["start_dates"] == ["2026-01-12", "2026-04-13"]
    assert "local_authority" not in parsed[1]
    report = import_courses(store, parsed, source_name="c.csv", actor="t")
    assert report.inserted == 2
    saved = store.course(report.ids[0])
    assert sorted(s["skill_id"] for s in saved["skills"]) == sorted([spreadsheets, python])


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"\xff\xfe\x00bad", "csv", "not UTF-8"),
        (b'[{"a": 1}', "json", "Malformed JSON at line 1"),
        (b'{"a": 1}\nnot json\n', "jsonl", "Malformed JSON on line 2"),
        (b"", "csv", "no rows"),
        (b"[1, 2]", "json", "must be an object or a list of objects"),
        (b"a,b\n1,2,3\n", "csv", "more cells than the header"),
        (b"x", "xml", "Unknown file format"),
    ],
)
def test_unreadable_files_get_clear_errors(data, fmt, message):
    with pytest.raises(InvalidInput, match=message):
        read_rows(data, fmt)


def test_row_cap_applies_to_untrusted_uploads():
    rows = json.dumps([{"x": i} for i in range(11)]).encode()
    with pytest.raises(InvalidInput, match="at most 10 are accepted"):
        read_rows(rows, "json", max_rows=10)
    assert len(read_rows(rows, "json", max_rows=None)) == 11


def test_demand_import_is_idempotent_and_validated(reference_store):
    store = reference_store
    python = skill_id(store, PYTHON)
    rows = [
        demand(f"D-{i}", skills=[{"skill_id": python, "importance": "essential"}]) for i in range(4)
    ]
    first = import_demand(store, rows, source_name="d.json", actor="t")
    assert first.inserted == 4
    before = dump(store)
    assert import_demand(store, rows, source_name="d.json", actor="t").unchanged == 4
    assert dump(store) == before
    rows[2]["closing_date"] = "2026-01-01"
    with pytest.raises(ImportRejected) as caught:
        import_demand(store, rows, source_name="d.json", actor="t")
    assert [(e.row, e.field) for e in caught.value.errors.errors] == [(3, "closing_date")]
    assert dump(store) == before


def test_every_row_error_says_what_is_accepted(reference_store):
    """However a row is wrong, each problem names the value, what is accepted and (mostly) how."""
    bad_course = dict(
        course("X-1"),
        provider_ukprn="10000001",
        delivery_mode="telepathy",
        places=-3,
        start_dates=["next week"],
        national_delivery="sometimes",
        url="ftp://x",
        title="",
        employment_statuses=["retired"],
    )
    bad_demand = dict(
        demand("X-2"),
        vacancies="lots",
        posted_date="07/12/2026",
        salary_unit="fortnight",
        local_authority="Liverpool",
        skills=[{"skill_id": "not-a-skill", "importance": "vital"}],
        remote="maybe",
    )
    for importer, row in ((import_courses, bad_course), (import_demand, bad_demand)):
        with pytest.raises(ImportRejected) as caught:
            importer(reference_store, [row], source_name="t", actor="t")
        errors = caught.value.errors.errors
        assert len(errors) >= 6
        for error in errors:
            assert error.expected, error
            assert "expected" in str(error)
