"""POST /api/v1/match and /api/v1/pathway: roles, field-level errors, the response shape,
and that nothing about the person is stored or logged."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from skills_match.apikeys import create_key
from skills_match.config import Settings
from skills_match.store import Store
from tests.conftest import auth, copy_database
from tests.factories import PYTHON, SPREADSHEETS, skill_id

SENTINEL = "Qvorblex9Sentinel"
ROUTES = ("/api/v1/match", "/api/v1/pathway")


@pytest.fixture(scope="module")
def api(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory, encoder):
    """One app over a private seeded copy, with a key per role, for the whole module."""
    from api import create_app

    path = copy_database(seeded_db, tmp_path_factory.mktemp("api-match") / "api.db")
    settings = Settings.from_env(database=str(path))
    with Store(path) as store:
        provider_id = store.providers()[0]["id"]
        keys = {
            role: create_key(
                store,
                settings.api_key_pepper,
                f"test {role}",
                role,
                provider_id if role == "provider" else None,
            )[1]
            for role in ("admin", "provider", "adviser", "partnership")
        }
        skills = {"spreadsheets": skill_id(store, SPREADSHEETS), "python": skill_id(store, PYTHON)}
    app = create_app({"database": str(path), "TESTING": True, "RATELIMIT_ENABLED": False})
    return {"client": app.test_client(), "keys": keys, "skills": skills, "path": path}


def body(api: dict, **extra) -> dict:
    return {
        "current_skills": ["MS Excel"],
        "target": {"skill_ids": [api["skills"]["spreadsheets"], api["skills"]["python"]]},
        "local_authority": "Liverpool",
        "constraints": {"start_from": "2026-01-05"},
        **extra,
    }


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("adviser", 200), ("admin", 200), ("provider", 403), ("partnership", 403), (None, 401)],
)
def test_roles(api: dict, route: str, role: str | None, status: int) -> None:
    headers = auth(api["keys"][role]) if role else {}
    response = api["client"].post(route, json=body(api), headers=headers)
    assert response.status_code == status, response.get_json()
    if status != 200:
        assert set(response.get_json()) >= {"code", "status", "message"}


def test_match_response(api: dict) -> None:
    response = api["client"].post(
        "/api/v1/match", json=body(api), headers=auth(api["keys"]["adviser"])
    )
    data = response.get_json()
    assert data["area"] == {"gss_code": "E08000012", "name": "Liverpool"}
    assert [t["label"] for t in data["held"]] == [SPREADSHEETS]
    assert [t["label"] for t in data["gap"]] == [PYTHON]
    assert data["person"]["recognised"][0]["text"] == "MS Excel"
    assert data["results"], data["notes"]
    first = data["results"][0]
    assert first["rank"] == 1 and first["covers"][0]["gap_label"] == PYTHON
    assert PYTHON in first["explanation"] and "Practical:" in first["explanation"]
    assert set(first["course"]) >= {"title", "provider_name", "start_dates", "places", "cost"}
    assert data["considered"]["active_courses"] > 0


def test_match_by_postcode_gives_distances_within_reach(api: dict) -> None:
    response = api["client"].post(
        "/api/v1/match",
        json=body(api, local_authority="L1 8JQ", limit=50),
        headers=auth(api["keys"]["adviser"]),
    )
    data = response.get_json()
    assert response.status_code == 200, data
    results = data["results"]
    away = [r for r in results if r["distance_km"] is not None]
    assert away and all(
        0 <= r["distance_km"] <= 20 or r["course"]["local_authority"] == "E08000012" for r in away
    )
    assert {r["course"]["local_authority"] for r in away} - {"E08000012"}, "over the boundary"
    online = [r for r in results if r["course"]["delivery_mode"] == "online"]
    assert all(r["distance_km"] is None for r in online)
    refused = api["client"].post(
        "/api/v1/match",
        json=body(api, constraints={"only_my_authority": True, "max_travel_km": 5}),
        headers=auth(api["keys"]["adviser"]),
    )
    assert refused.status_code == 422
    assert "max_travel_km" in str(refused.get_json()["errors"])


def test_a_target_given_as_skill_phrases_is_read_and_unread_phrases_reported(api: dict) -> None:
    target = {"skill_phrases": ["Python", "spreadsheets", "Power BI", "Qvorblex zint"]}
    response = api["client"].post(
        "/api/v1/match",
        json={**body(api), "current_skills": [], "target": target},
        headers=auth(api["keys"]["adviser"]),
    )
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    read = {r["text"]: r["label"] for r in data["target"]["read_as"]}
    assert read["Python"] == PYTHON, read
    assert "Power BI" in read and "Qvorblex zint" not in read
    assert data["target"]["unlinked"] == ["Qvorblex zint"]
    assert any("'Qvorblex zint'" in n and "not in the gap" in n for n in data["notes"])
    assert PYTHON in {t["label"] for t in data["gap"]}
    assert data["results"] and data["results"][0]["covers"]


def test_the_adviser_corrects_what_was_understood(api: dict) -> None:
    first = (
        api["client"]
        .post("/api/v1/match", json=body(api), headers=auth(api["keys"]["adviser"]))
        .get_json()
    )
    spreadsheets = api["skills"]["spreadsheets"]
    assert [t["skill_id"] for t in first["held"]] == [spreadsheets]
    read = {r["skill_id"] for r in first["person"]["recognised"]}
    response = api["client"].post(
        "/api/v1/match",
        json={**body(api), "not_held_skill_ids": [spreadsheets, *read]},
        headers=auth(api["keys"]["adviser"]),
    )
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["held"] == []
    assert {t["skill_id"] for t in data["gap"]} == {spreadsheets, api["skills"]["python"]}
    assert data["person"]["recognised"] == [] and data["person"]["evident_level"] is None
    both = api["client"].post(
        "/api/v1/match",
        json={
            **body(api),
            "current_skill_ids": [spreadsheets],
            "not_held_skill_ids": [spreadsheets],
        },
        headers=auth(api["keys"]["adviser"]),
    )
    assert both.status_code == 422 and "not_held_skill_ids" in both.get_json()["errors"]


def test_pathway_response(api: dict) -> None:
    response = api["client"].post(
        "/api/v1/pathway",
        json=body(api, eds={"communicating": "none"}),
        headers=auth(api["keys"]["adviser"]),
    )
    data = response.get_json()
    assert response.status_code == 200
    assert 1 <= len(data["steps"]) <= 3
    assert data["steps"][0]["adds"]
    assert data["explanation"].startswith("Step 1:")
    assert 0 < data["covered_share"] <= 1


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "change",
    [
        {},
        {"eds": {"communicating": "none"}},
        {
            "current_skills": [],
            "current_skills_text": "I use email, some Excel and Facebook",
            "target": {"occupation": "data analyst"},
            "local_authority": "E07000117",
        },
        {"target": {"occupation": "software developer"}, "constraints": {}},
    ],
)
def test_served_answer_is_exactly_the_schema_dump(api: dict, route, change, monkeypatch) -> None:
    """The fast serialiser changes nothing: each answer equals marshmallow's own dump."""
    from marshmallow import Schema

    from api.dumping import FastDumpSchema

    request = {**body(api), **change}
    headers = auth(api["keys"]["adviser"])
    fast = api["client"].post(route, json=request, headers=headers)
    with monkeypatch.context() as m:
        m.setattr(FastDumpSchema, "dump", Schema.dump)
        reference = api["client"].post(route, json=request, headers=headers)
    assert fast.status_code == reference.status_code == 200, fast.get_json()
    assert fast.get_json() == reference.get_json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"target": {}}, "target"),
        ({"target": {"occupation": "office clerk", "demand_id": 1}}, "target"),
        ({"target": {"skill_phrases": []}}, "skill_phrases"),
        ({"target": {"skill_phrases": ["Excel"], "occupation": "office clerk"}}, "target"),
        ({"limit": 500}, "limit"),
        ({"eds": {"swimming": "level1"}}, "eds"),
        ({"constraints": {"max_cost": -1}}, "constraints"),
        ({"constraints": {"start_before": "soon"}}, "constraints"),
        ({"current_skills": ["x" * 201]}, "current_skills"),
    ],
)
def test_invalid_bodies_get_field_level_422(api: dict, change: dict, field: str) -> None:
    response = api["client"].post(
        "/api/v1/match", json={**body(api), **change}, headers=auth(api["keys"]["adviser"])
    )
    assert response.status_code == 422
    data = response.get_json()
    assert data["code"] == 422 and field in str(data["errors"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"local_authority": "Atlantis"}, "local_authority"),
        ({"target": {"occupation": "moon clerk of the realm"}}, "target"),
        ({"current_skill_ids": ["no-such-skill"]}, "current_skill_ids"),
        ({"target": {"skill_phrases": ["Qvorblex zint", "wibble"]}}, "target"),
    ],
)
def test_unknown_names_are_field_level_422(api: dict, change: dict, field: str) -> None:
    response = api["client"].post(
        "/api/v1/pathway", json={**body(api), **change}, headers=auth(api["keys"]["adviser"])
    )
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_the_person_is_neither_stored_nor_logged(api: dict, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    request = body(
        api,
        current_skills=[f"{SENTINEL} spreadsheets", "MS Excel"],
        current_skills_text=f"I am {SENTINEL} and I keep {SENTINEL} budgets in Excel.",
    )
    for route in ROUTES:
        response = api["client"].post(route, json=request, headers=auth(api["keys"]["adviser"]))
        assert response.status_code == 200
    bad = {**request, "limit": "many"}
    assert (
        api["client"].post(ROUTES[0], json=bad, headers=auth(api["keys"]["adviser"])).status_code
        == 422
    )
    assert not [r for r in caplog.records if SENTINEL in r.getMessage()]
    with sqlite3.connect(api["path"]) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for column in [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]:
                hit = conn.execute(
                    f'SELECT 1 FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ? LIMIT 1',
                    [f"%{SENTINEL}%"],
                ).fetchone()
                assert hit is None, f"{table}.{column}"


def test_routes_are_in_the_openapi_document(api: dict) -> None:
    spec = api["client"].get("/api/v1/openapi.json").get_json()
    for route in ROUTES:
        operation = spec["paths"][route]["post"]
        assert operation["security"]
        assert "requestBody" in operation
