"""Bulk uploads: all rows or none, a report naming every bad row, idempotent re-uploads."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.api_support import World, build_world, table_dump
from tests.factories import LIVERPOOL, course, demand


@pytest.fixture
def world(reference_db, tmp_path) -> World:
    return build_world(reference_db, tmp_path)


def _rows(w: World, n: int) -> list[dict]:
    return [
        course(
            f"BULK-{i:04d}",
            title=f"Spreadsheets for work, group {i}",
            places=10 + i % 7,
            skills=[{"skill_id": w.skills["spreadsheets"]}],
        )
        for i in range(1, n + 1)
    ]


def _as_csv(rows: list[dict]) -> str:
    columns = sorted({k for r in rows for k in r})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        cells = dict(row)
        cells["start_dates"] = "|".join(row["start_dates"])
        cells["skills"] = "|".join(s["skill_id"] for s in row["skills"])
        writer.writerow(cells)
    return out.getvalue()


def _upload(w: World, rows: list[dict], who: str = "owner", query: str = "") -> object:
    return w.client.post(f"/api/v1/courses/bulk{query}", json=rows, headers=w.headers(who))


def test_one_bad_row_among_1000_changes_nothing_and_is_reported(world: World) -> None:
    rows = _rows(world, 1000)
    rows[636]["places"] = -5  # row 637 of the file
    before = table_dump(world.db_path)
    response = _upload(world, rows)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and "nothing was imported" in body["message"]
    report = body["errors"]
    assert report["status"] == "rejected" and report["rows_total"] == 1000
    assert report["errors"] == [
        {
            "row": 637,
            "field": "places",
            "message": "Must be greater than or equal to 0 and less than or equal to 100000.",
            # The value received is quoted back, so the provider need not hunt for it.
            "value": -5,
            "expected": "a whole number from 0 to 100000",
            "example": "1",
        }
    ]
    assert table_dump(world.db_path) == before


def test_same_good_file_twice_leaves_identical_tables(world: World) -> None:
    rows = _rows(world, 1000)
    first = _upload(world, rows)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["inserted"] == 1000
    after_first = table_dump(world.db_path)
    second = _upload(world, rows)
    assert second.status_code == 200
    assert second.get_json() | {"source_name": None} == {
        "kind": "courses",
        "source_name": None,
        "status": "committed",
        "dry_run": False,
        "rows_total": 1000,
        "inserted": 0,
        "updated": 0,
        "unchanged": 1000,
        "errors": [],
    }
    assert table_dump(world.db_path) == after_first


def test_reupload_updates_changed_rows_only_and_keeps_the_ids(world: World) -> None:
    rows = _rows(world, 20)
    _upload(world, rows)
    with world.store() as s:
        before = s.course_by_ref(world.providers["owner"], "BULK-0005")
    rows[4]["places"] = 99
    report = _upload(world, rows).get_json()
    assert (report["inserted"], report["updated"], report["unchanged"]) == (0, 1, 19)
    with world.store() as s:
        after = s.course_by_ref(world.providers["owner"], "BULK-0005")
    assert after["id"] == before["id"] and after["places"] == 99
    assert after["updated_at"] >= before["updated_at"]


def test_dry_run_reports_and_writes_nothing(world: World) -> None:
    before = table_dump(world.db_path)
    response = _upload(world, _rows(world, 30), query="?dry_run=true")
    assert response.status_code == 200
    assert response.get_json()["status"] == "checked"
    assert response.get_json()["inserted"] == 30
    assert table_dump(world.db_path) == before


def test_csv_upload_as_body_and_as_form_file(world: World) -> None:
    rows = _rows(world, 5)
    text = _as_csv(rows)
    response = world.client.post(
        "/api/v1/courses/bulk",
        data=text.encode(),
        content_type="text/csv; charset=utf-8",
        headers=world.headers("owner"),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["inserted"] == 5
    # The same rows as a form upload: recognised as unchanged.
    response = world.client.post(
        "/api/v1/courses/bulk",
        data={"file": (io.BytesIO(text.encode()), "courses.csv")},
        content_type="multipart/form-data",
        headers=world.headers("owner"),
    )
    assert response.status_code == 200
    assert response.get_json()["unchanged"] == 5
    with world.store() as s:
        runs = s.import_runs(2)
    assert [r["source_name"] for r in runs] == ["api:courses.csv", "api:upload.csv"]


def test_json_lines_upload(world: World) -> None:
    lines = "\n".join(json.dumps(r) for r in _rows(world, 3))
    response = world.client.post(
        "/api/v1/courses/bulk",
        data=lines,
        content_type="application/x-ndjson",
        headers=world.headers("owner"),
    )
    assert response.status_code == 200 and response.get_json()["inserted"] == 3


def test_rows_may_not_name_a_provider(world: World) -> None:
    rows = _rows(world, 2)
    rows[1]["provider_ukprn"] = "10000002"
    response = _upload(world, rows)
    assert response.status_code == 422
    assert response.get_json()["errors"]["errors"] == [
        {
            "row": 2,
            "field": "provider_ukprn",
            "message": "Unknown field.",
            "value": "10000002",
            "expected": None,
            "example": None,
        }
    ]


def test_every_bad_row_is_listed(world: World) -> None:
    rows = _rows(world, 10)
    rows[1]["local_authority"] = "E99999999"
    rows[3]["skills"] = [{"skill_id": "no-such-skill"}]
    rows[7]["provider_ref"] = rows[0]["provider_ref"]
    errors = _upload(world, rows).get_json()["errors"]["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [
        (2, "local_authority"),
        (4, "skills.0.skill_id"),
        (8, "provider_ref"),
    ]


def test_other_content_types_get_415(world: World) -> None:
    response = world.client.post(
        "/api/v1/courses/bulk",
        data="<courses/>",
        content_type="application/xml",
        headers=world.headers("owner"),
    )
    assert response.status_code == 415
    assert response.get_json()["code"] == 415


def test_form_without_a_file_field(world: World) -> None:
    response = world.client.post(
        "/api/v1/courses/bulk",
        data={"other": "x"},
        content_type="multipart/form-data",
        headers=world.headers("owner"),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": ["Missing file."]}


def test_more_than_10000_rows_are_refused(world: World) -> None:
    header = "provider_ref,title\n"
    text = header + "".join(f"R{i},Course {i}\n" for i in range(10_001))
    response = world.client.post(
        "/api/v1/courses/bulk",
        data=text,
        content_type="text/csv",
        headers=world.headers("owner"),
    )
    assert response.status_code == 422
    assert "at most 10000" in response.get_json()["message"]


def test_a_body_over_the_size_limit_gets_413(reference_db, tmp_path) -> None:
    world = build_world(reference_db, tmp_path, max_content_length=2_000)
    before = table_dump(world.db_path)
    response = _upload(world, _rows(world, 20))
    assert response.status_code == 413
    assert response.get_json()["code"] == 413
    assert table_dump(world.db_path) == before


def test_demand_bulk_is_all_or_nothing_and_idempotent(world: World) -> None:
    rows = [demand(f"BULK-D-{i}", skills=[{"skill_id": world.skills["python"]}]) for i in range(50)]
    rows[10]["posted_date"] = "2026-02-30"
    before = table_dump(world.db_path)
    response = world.client.post(
        "/api/v1/demand/bulk", json=rows, headers=world.headers("partnership")
    )
    assert response.status_code == 422
    assert [(e["row"], e["field"]) for e in response.get_json()["errors"]["errors"]] == [
        (11, "posted_date")
    ]
    assert table_dump(world.db_path) == before
    rows[10]["posted_date"] = "2026-02-28"
    first = world.client.post("/api/v1/demand/bulk", json=rows, headers=world.headers("admin"))
    assert first.get_json()["inserted"] == 50
    after = table_dump(world.db_path)
    second = world.client.post("/api/v1/demand/bulk", json=rows, headers=world.headers("admin"))
    assert second.get_json()["unchanged"] == 50
    assert table_dump(world.db_path) == after


def test_bulk_rows_without_skills_are_linked_by_extraction(world: World, encoder) -> None:
    rows = [
        course(
            "LINK-1",
            title="Excel for beginners",
            description="Learn to use spreadsheets software for budgets.",
            local_authority=LIVERPOOL,
        )
    ]
    response = _upload(world, rows)
    assert response.status_code == 200, response.get_json()
    with world.store() as s:
        linked = s.course_by_ref(world.providers["owner"], "LINK-1")["skills"]
    assert world.skills["spreadsheets"] in {k["skill_id"] for k in linked}
    assert all(k["method"] != "provided" for k in linked)


def _poll(w: World, href: str, who: str = "partnership") -> dict:
    """Poll a background import until it finishes (bounded: 60 s)."""
    import time

    deadline = time.monotonic() + 60
    while True:
        job = w.client.get(href, headers=w.headers(who)).get_json()
        if job["status"] not in ("queued", "running"):
            return job
        if time.monotonic() > deadline:
            import sys
            import threading
            import traceback

            for th in threading.enumerate():
                if th.name.startswith("import-job"):
                    traceback.print_stack(sys._current_frames()[th.ident])
            return job
        time.sleep(0.05)


def test_a_feed_upload_returns_a_job_to_poll_and_imports_in_the_background(world: World) -> None:
    from pathlib import Path

    feed = (Path(__file__).parent / "data" / "feeds" / "find_a_job.jsonl").read_bytes()
    response = world.client.post(
        "/api/v1/demand/imports?source=faj",
        data={"file": (io.BytesIO(feed), "find_a_job.jsonl")},
        headers=world.headers("partnership"),
    )
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert response.headers["Location"] == job["href"]
    assert job["status"] in ("queued", "running", "committed")
    done = _poll(world, job["href"])
    assert done["status"] == "committed", done
    assert done["stage"] == "finished" and done["done"] == done["total"]
    report = done["report"]
    assert report["inserted"] == 5  # 7 adverts: one repost, one that cannot be placed
    assert [d["source_ref"] for d in report["duplicates"]] == ["FAJ-7718450"]
    assert [u["source_ref"] for u in report["unplaced"]] == ["FAJ-7716004"]
    unplaced = world.client.get("/api/v1/demand/unplaced", headers=world.headers("adviser"))
    assert [u["town"] for u in unplaced.get_json()["items"]] == ["Newport"]
    # Another role may not poll it; an unknown job is a 404.
    assert world.client.get(job["href"], headers=world.headers("adviser")).status_code == 403
    missing = world.client.get("/api/v1/demand/imports/nope", headers=world.headers("admin"))
    assert missing.status_code == 404


def test_a_rejected_background_import_reports_every_bad_row(world: World) -> None:
    rows = [demand("J-1", posted_date="7 Nov 2026"), demand("J-2", local_authority=None)]
    response = world.client.post(
        "/api/v1/demand/imports", json=rows, headers=world.headers("partnership")
    )
    assert response.status_code == 202
    done = _poll(world, response.get_json()["href"])
    assert done["status"] == "rejected"
    errors = done["report"]["errors"]
    assert errors[0]["field"] == "posted_date" and errors[0]["value"] == "7 Nov 2026"
    assert errors[0]["example"].startswith("2026-12-07")
    with world.store() as store:
        assert store.db.execute(
            "SELECT count(*) FROM demand WHERE source_ref LIKE 'J-%'"
        ).fetchone() == (0,)


def test_an_unreadable_feed_is_refused_before_any_job(world: World) -> None:
    response = world.client.post(
        "/api/v1/demand/imports",
        data=b"<html><p>no postings</p></html>",
        content_type="text/html",
        headers=world.headers("partnership"),
    )
    assert response.status_code == 422
    assert "JobPosting" in response.get_json()["message"]


def test_api_writes_place_records_by_postcode_like_the_cli(world: World) -> None:
    """A single write and a synchronous upload resolve the authority as a feed import does."""
    from pathlib import Path

    row = demand("P-1", local_authority=None, postcode="pr1 2hd")
    created = world.client.post("/api/v1/demand", json=row, headers=world.headers("partnership"))
    assert created.status_code == 201, created.get_json()
    record = world.client.get(
        created.headers["Location"], headers=world.headers("partnership")
    ).get_json()
    assert (record["local_authority"], record["location_method"]) == ("E07000123", "postcode")
    nowhere = demand("P-2", local_authority=None, postcode=None)
    refused = world.client.post(
        "/api/v1/demand", json=nowhere, headers=world.headers("partnership")
    )
    assert refused.status_code == 422
    assert "no postcode, coordinates or place name" in str(refused.get_json())

    feed = (Path(__file__).parent / "data" / "feeds" / "nhs_jobs.json").read_bytes()
    uploaded = world.client.post(
        "/api/v1/demand/bulk",
        data=feed,
        content_type="application/json",
        headers=world.headers("partnership"),
    )
    assert uploaded.status_code == 200, uploaded.get_json()
    assert uploaded.get_json()["inserted"] == 2 and not uploaded.get_json()["unplaced"]
