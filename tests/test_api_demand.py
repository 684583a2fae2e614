"""Employer demand records through the API: search, read, and the partnership's writes."""

from __future__ import annotations

import pytest

from skills_match import catalogue
from tests.api_support import World, build_world, table_dump
from tests.factories import PRESTON, demand


@pytest.fixture
def world(reference_db, tmp_path) -> World:
    return build_world(reference_db, tmp_path)


def _refs(w: World, query: str) -> list[str]:
    response = w.client.get(f"/api/v1/demand?{query}", headers=w.headers("partnership"))
    assert response.status_code == 200, response.get_json()
    return [d["source_ref"] for d in response.get_json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["D-2", "D-1"]),  # newest posting first
        ("sort=job_title", ["D-1", "D-2"]),
        ("q=developer", ["D-2"]),
        ("area=Preston", ["D-2"]),
        ("area=Lancashire", ["D-2"]),
        ("area=Liverpool City Region", ["D-1"]),
        ("sector=H", ["D-2", "D-1"]),
        ("sector=J", []),
        ("posted_from=2026-04-01", ["D-2"]),
        ("posted_to=2026-04-01", ["D-1"]),
        ("source=test", ["D-2", "D-1"]),
        ("page_size=1&page=2", ["D-1"]),
    ],
)
def test_filters(world: World, query: str, expected: list[str]) -> None:
    assert _refs(world, query) == expected


def test_search_text_takes_percent_and_underscore_literally(world: World) -> None:
    with world.store() as s:
        for ref, title in (("PERCENT", "Analyst, 100% remote"), ("NUMBER", "Analyst, 100 days")):
            catalogue.create_demand(s, demand(ref, job_title=title))
    assert _refs(world, "q=100%25") == ["PERCENT"]
    assert _refs(world, "q=analyst_") == []


def test_filter_by_skill_and_level(world: World) -> None:
    assert _refs(world, f"skill={world.skills['python']}") == ["D-2"]
    with world.store() as s:
        level = s.skill(world.skills["spreadsheets"])["level"]
    assert _refs(world, f"skill_level={level}") == ["D-1"]


def test_read_one_with_its_skills(world: World) -> None:
    response = world.client.get(
        f"/api/v1/demand/{world.demand['liverpool']}", headers=world.headers("adviser")
    )
    body = response.get_json()
    assert body["job_title"] == "Data analyst" and body["vacancies"] == 2
    assert [(s["skill_id"], s["importance"]) for s in body["skills"]] == [
        (world.skills["spreadsheets"], "essential")
    ]
    assert "content_hash" not in body


def test_create_replace_update_delete(world: World) -> None:
    record = demand(
        "NEW-1", skills=[{"skill_id": world.skills["python"], "importance": "optional"}]
    )
    created = world.client.post("/api/v1/demand", json=record, headers=world.headers("partnership"))
    assert created.status_code == 201
    path = created.headers["Location"]
    again = world.client.post("/api/v1/demand", json=record, headers=world.headers("partnership"))
    assert again.status_code == 409
    replaced = world.client.put(
        path, json={**record, "vacancies": 6}, headers=world.headers("partnership")
    )
    assert replaced.get_json()["vacancies"] == 6
    updated = world.client.patch(
        path, json={"closing_date": "2026-03-10"}, headers=world.headers("admin")
    )
    assert updated.status_code == 200
    assert (updated.get_json()["closing_date"], updated.get_json()["vacancies"]) == (
        "2026-03-10",
        6,
    )
    assert world.client.delete(path, headers=world.headers("partnership")).status_code == 204
    assert world.client.get(path, headers=world.headers("partnership")).status_code == 404
    assert world.client.delete(path, headers=world.headers("partnership")).status_code == 404


def test_identity_cannot_change(world: World) -> None:
    path = f"/api/v1/demand/{world.demand['liverpool']}"
    before = table_dump(world.db_path)
    for change in ({"source_ref": "D-9"}, {"source": "elsewhere"}):
        response = world.client.patch(path, json=change, headers=world.headers("partnership"))
        assert response.status_code == 422
        assert list(response.get_json()["errors"]) == list(change)
    assert table_dump(world.db_path) == before


def test_patch_is_revalidated_as_a_whole(world: World) -> None:
    path = f"/api/v1/demand/{world.demand['liverpool']}"
    response = world.client.patch(
        path, json={"posted_date": "2026-04-15"}, headers=world.headers("partnership")
    )
    # The record closes on 2026-03-30: it cannot now be posted after that.
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["closing_date"]


def test_unknown_area_and_occupation_are_field_errors(world: World) -> None:
    response = world.client.post(
        "/api/v1/demand",
        json=demand(
            "BAD-1",
            local_authority="E07999999",
            occupation_id="00000000-0000-0000-0000-000000000000",
        ),
        headers=world.headers("partnership"),
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"local_authority", "occupation_id"}


def test_providers_may_not_see_or_write_demand(world: World) -> None:
    headers = world.headers("owner")
    assert world.client.get("/api/v1/demand", headers=headers).status_code == 403
    assert (
        world.client.post(
            "/api/v1/demand", json=demand("P-1", local_authority=PRESTON), headers=headers
        ).status_code
        == 403
    )
