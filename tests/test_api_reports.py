"""GET /api/v1/gap-report and /gap-report/drilldown: roles, formats, escaping and bad input."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from skills_match.apikeys import create_key
from skills_match.config import Settings
from skills_match.store import Store
from tests.conftest import auth, copy_database
from tests.test_report_support import LIVERPOOL, add_demand, demand_row, load_small_dataset

PERIOD = {"from": "2026-01", "to": "2026-03"}


@pytest.fixture
def world(reference_db, tmp_path):
    """An app over the small hand-computable catalogue, and a key per role."""
    path = copy_database(reference_db, tmp_path / "api.db")
    pepper = Settings.from_env(database=str(path)).api_key_pepper
    with Store(path) as store:
        ids = load_small_dataset(store)
        # An employer name and a job title a spreadsheet would run as formulas.
        add_demand(
            store,
            [
                demand_row(
                    "D-EVIL",
                    LIVERPOOL,
                    "2026-02-10",
                    1,
                    [(ids["S1"], "essential")],
                    employer='=HYPERLINK("http://evil.example","x")',
                    job_title="+cmd|' /C calc'!A0",
                )
            ],
        )
        with store.write():
            # A skill label of the taxonomy: the label lands in the top-skills rows.
            store.db.execute("UPDATE skills SET label = ? WHERE id = ?", ["@SUM(A1:A9)", ids["S1"]])
        keys = {
            role: create_key(store, pepper, f"test {role}", role, None)[1]
            for role in ("admin", "adviser", "partnership")
        }
    from api import create_app

    app = create_app({"database": str(path), "TESTING": True, "RATELIMIT_ENABLED": False})
    return app.test_client(), keys, ids


def test_json_report_for_the_partnership(world):
    client, keys, _ = world
    response = client.get(
        "/api/v1/gap-report", query_string=PERIOD, headers=auth(keys["partnership"])
    )
    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.get_json()
    general = next(r for r in body["summary"] if r["level"] == "general")
    # Hand computation (tests/test_report.py) plus D-EVIL's 1 vacancy in Liverpool:
    # demand 7 + 1 = 8, supply 4, Liverpool gap max(4 - 4, 0) = 0, Preston 4.
    assert (general["demand"], general["supply"], general["unmet"]) == (8, 4, 4)
    assert body["period"]["from"] == "2026-01" and body["rules"]["small_cell_threshold"] == 10
    assert {r["area_kind"] for r in body["areas"]} >= {"local_authority", "region", "total"}


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("partnership", 200), ("adviser", 403), (None, 401)]
)
def test_roles(world, who, status):
    client, keys, _ = world
    headers = auth(keys[who]) if who else {}
    assert client.get("/api/v1/gap-report", headers=headers).status_code == status
    drill = client.get(
        "/api/v1/gap-report/drilldown", query_string={"skill": world[2]["S1"]}, headers=headers
    )
    assert drill.status_code == status


@pytest.mark.parametrize(
    ("fmt", "content_type", "disposition"),
    [
        ("csv", "text/csv; charset=utf-8", "attachment"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"),
        ("html", "text/html; charset=utf-8", "inline"),
    ],
)
def test_file_formats(world, fmt, content_type, disposition):
    client, keys, _ = world
    response = client.get(
        "/api/v1/gap-report",
        query_string={**PERIOD, "format": fmt},
        headers=auth(keys["admin"]),
    )
    assert response.status_code == 200
    assert response.content_type == content_type
    assert response.headers["Content-Disposition"] == (
        f'{disposition}; filename="gap-report-2026-01-to-2026-03.{fmt}"'
    )
    if fmt == "html":
        policy = response.headers["Content-Security-Policy"]
        assert policy.startswith("default-src 'none'; style-src 'sha256-")
        assert b"<script" not in response.data and b"<svg" in response.data


def test_csv_escapes_formulas_and_keeps_numbers(world):
    client, keys, ids = world
    text = client.get(
        "/api/v1/gap-report",
        query_string={**PERIOD, "format": "csv"},
        headers=auth(keys["admin"]),
    ).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    top = [r for r in rows if r["section"] == "top_skills" and r["skill_id"] == ids["S1"]]
    assert top and {r["skill_label"] for r in top} == {"'@SUM(A1:A9)"}
    assert all(
        not value.startswith(("=", "+", "@", "\t", "\r")) for r in rows for value in r.values()
    )
    change = next(
        r
        for r in rows
        if r["section"] == "areas" and r["area_kind"] == "total" and r["level"] == "general"
    )
    assert change["unmet_change"] == "-1.0"  # a negative number stays a number
    about = {r["code"]: r["label"] for r in rows if r["section"] == "about"}
    assert about["period"] == "2026-01 to 2026-03 (3 months)"


def test_xlsx_escapes_formulas(world):
    client, keys, _ = world
    data = client.get(
        "/api/v1/gap-report",
        query_string={**PERIOD, "format": "xlsx"},
        headers=auth(keys["admin"]),
    ).data
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "About",
        "Areas by level",
        "Top unmet skills",
        "Trend by month",
        "Demand by sector",
        "Demand by occupation",
        "Demand by SOC major group",
    ]
    sheet = book["Top unmet skills"]
    header = [c.value for c in sheet[1]]
    labels = {
        row[header.index("skill_label")] for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert "'@SUM(A1:A9)" in labels
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    numbers = [row[header.index("demand")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(n, int | float) for n in numbers)


def test_drilldown_escapes_nothing_in_json_but_lists_the_rows(world):
    client, keys, ids = world
    body = client.get(
        "/api/v1/gap-report/drilldown",
        query_string={**PERIOD, "skill": ids["S1"], "area": "Liverpool"},
        headers=auth(keys["partnership"]),
    ).get_json()
    # JSON is data, not a spreadsheet: text comes back exactly as stored.
    assert [r["source_ref"] for r in body["records"]] == ["D1", "D-EVIL"]
    assert body["records"][1]["employer"].startswith("=HYPERLINK")
    assert body["cell"]["demand"] == 4 and body["cell"]["supply"] == 4
    assert [c["provider_ref"] for c in body["courses"]] == ["C1"]
    assert set(body["records"][0]) == {
        "id",
        "source",
        "source_ref",
        "employer",
        "job_title",
        "local_authority",
        "local_authority_name",
        "posted_date",
        "sector",
        "occupation_group",
        "vacancies",
        "importance",
        "weight",
        "level",
        "demand",
    }


def test_suppression_and_threshold_by_query(world):
    client, keys, _ = world
    body = client.get(
        "/api/v1/gap-report",
        query_string={**PERIOD, "suppress": "true", "threshold": 3},
        headers=auth(keys["admin"]),
    ).get_json()
    rows = {r["level"]: r for r in body["summary"]}
    # general rests on 3 records (D1, D3, D-EVIL): shown; essential on 1: withheld.
    assert rows["general"]["demand"] == 8 and not rows["general"]["suppressed"]
    assert rows["essential"]["suppressed"] and rows["essential"]["demand"] is None
    text = client.get(
        "/api/v1/gap-report",
        query_string={**PERIOD, "suppress": "true", "threshold": 3, "format": "csv"},
        headers=auth(keys["admin"]),
    ).get_data(as_text=True)
    essential = next(
        r
        for r in csv.DictReader(io.StringIO(text))
        if r["section"] == "areas" and r["area_kind"] == "total" and r["level"] == "essential"
    )
    assert essential["demand"] == "[c]" and essential["supply"] == "0.0"


@pytest.mark.parametrize(
    "query",
    [
        {"colour": "red"},  # unknown parameter
        {"level": "expert"},
        {"sector": "Z"},
        {"occupation": "ICT"},
        {"from": "March"},
        {"format": "pdf"},
        {"threshold": 0},
        {"suppress": "maybe"},
        {"area": "Atlantis"},  # well-formed but unknown: refused by the core
        {"from": "2026-04", "to": "2026-01"},
        {"from": "2026-02-30"},
    ],
)
def test_bad_arguments_get_422_with_field_errors(world, query):
    client, keys, _ = world
    response = client.get("/api/v1/gap-report", query_string=query, headers=auth(keys["admin"]))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and body["errors"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({}, 422),
        ({"skill": "no-such-skill"}, 404),
        ({"skill": "x", "limit": 0}, 422),
        ({"skill": "x", "format": "csv"}, 422),
    ],
)
def test_bad_drilldown_arguments(world, query, status):
    client, keys, _ = world
    response = client.get(
        "/api/v1/gap-report/drilldown", query_string=query, headers=auth(keys["admin"])
    )
    assert response.status_code == status


def test_routes_are_in_the_openapi_document(world):
    client, _, _ = world
    spec = client.get("/api/v1/openapi.json").get_json()
    report = spec["paths"]["/api/v1/gap-report"]["get"]
    assert set(report["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
        "text/html",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert report["security"] == [{"ApiKey": []}]
    names = {p["name"] for p in report["parameters"]}
    assert {
        "area",
        "level",
        "sector",
        "occupation",
        "from",
        "to",
        "format",
        "suppress",
        "threshold",
    } <= names
    assert "/api/v1/gap-report/drilldown" in spec["paths"]
