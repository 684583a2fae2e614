"""Courses through the API: search with filters and pages, read, and a provider's own writes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from skills_match import catalogue
from skills_match.extract import METHODS
from tests.api_support import World, build_world, table_dump
from tests.factories import LIVERPOOL, PRESTON, course

WIRRAL = "E08000015"


@pytest.fixture
def world(reference_db, tmp_path) -> World:
    return build_world(reference_db, tmp_path)


def _get(w: World, path: str, who: str = "adviser"):
    response = w.client.get(path, headers=w.headers(who))
    assert response.status_code == 200, response.get_json()
    return response


def _refs(w: World, query: str) -> list[str]:
    return [c["provider_ref"] for c in _get(w, f"/api/v1/courses?{query}").get_json()["items"]]


@pytest.fixture
def catalogue_world(world: World) -> World:
    """The world plus courses that differ in one filterable field each (refs say how)."""
    owner, other = world.providers["owner"], world.providers["other"]
    spreadsheets = [{"skill_id": world.skills["spreadsheets"]}]
    python = [{"skill_id": world.skills["python"], "level": "specialist"}]
    variants = [
        (owner, course("LVL-E3", qualification_level="E3", skills=spreadsheets)),
        (owner, course("PROG-BOOT", programme_type="skills_bootcamp", skills=python)),
        (
            owner,
            course(
                "ONLINE-NAT",
                delivery_mode="online",
                national_delivery=True,
                local_authority=None,
                skills=spreadsheets,
            ),
        ),
        (owner, course("WIRRAL", local_authority=WIRRAL, skills=spreadsheets)),
        (
            other,
            course(
                "LATE-START", start_dates=["2026-09-07"], local_authority=PRESTON, skills=python
            ),
        ),
        (
            other,
            course(
                "FLEX",
                flexible_start=True,
                start_dates=[],
                title="Cyber security essentials",
                local_authority=PRESTON,
                skills=python,
            ),
        ),
    ]
    with world.store() as s:
        for provider_id, record in variants:
            catalogue.create_course(s, provider_id, record)
    return world


def _page_of(url: str) -> int:
    return int(parse_qs(urlsplit(url).query)["page"][0])


def test_list_is_paged_with_links(world: World) -> None:
    rows = [
        course(f"P-{i:02d}", title=f"Course {i:02d}", skills=[{"skill_id": world.skills["python"]}])
        for i in range(23)
    ]
    world.client.post("/api/v1/courses/bulk", json=rows, headers=world.headers("owner"))
    first = _get(world, "/api/v1/courses?page_size=10&level=L1&sort=title")
    body = first.get_json()
    assert (body["total"], body["page"], body["page_size"], body["pages"]) == (24, 1, 10, 3)
    assert len(body["items"]) == 10 and body["prev"] is None
    assert first.headers["Link"] == f'<{body["next"]}>; rel="next"'
    # The next link keeps the filters and moves the page.
    query = parse_qs(urlsplit(body["next"]).query)
    assert query == {"page_size": ["10"], "level": ["L1"], "sort": ["title"], "page": ["2"]}
    seen = [c["id"] for c in body["items"]]
    page = body
    while page["next"]:
        page = _get(world, page["next"]).get_json()
        seen += [c["id"] for c in page["items"]]
    assert len(seen) == len(set(seen)) == 24
    assert page["page"] == 3 and len(page["items"]) == 4 and page["next"] is None
    assert _page_of(page["prev"]) == 2
    beyond = _get(world, "/api/v1/courses?page=9&page_size=10").get_json()
    assert beyond["items"] == [] and _page_of(beyond["prev"]) == 3


def test_page_size_is_capped(world: World) -> None:
    response = world.client.get("/api/v1/courses?page_size=101", headers=world.headers("adviser"))
    assert response.status_code == 422
    assert "page_size" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=cyber", ["FLEX"]),
        ("level=E3", ["LVL-E3"]),
        ("level=E3&level=L3", ["LVL-E3", "OTH-1"]),
        ("programme_type=skills_bootcamp", ["PROG-BOOT"]),
        ("delivery_mode=online", ["ONLINE-NAT"]),
        ("area=Wirral", ["ONLINE-NAT", "WIRRAL"]),
        ("area=Wirral&include_national=false", ["WIRRAL"]),
        ("area=E08000015&include_national=false", ["WIRRAL"]),
        # A combined authority or county covers its districts.
        (
            "area=Liverpool City Region&include_national=false",
            ["LVL-E3", "OWN-1", "PROG-BOOT", "WIRRAL"],
        ),
        ("area=Lancashire&include_national=false", ["FLEX", "LATE-START", "OTH-1"]),
        ("starts_from=2026-06-01", ["FLEX", "LATE-START"]),
        ("starts_to=2026-01-31&ukprn=10000002", ["FLEX", "OTH-1"]),
        ("ukprn=10000002", ["FLEX", "LATE-START", "OTH-1"]),
        ("ukprn=10000099", []),
        ("skill_level=specialist", ["FLEX", "LATE-START", "OTH-1", "PROG-BOOT"]),
    ],
)
def test_filters(catalogue_world: World, query: str, expected: list[str]) -> None:
    assert sorted(_refs(catalogue_world, query + "&page_size=100")) == expected


def test_filter_by_provider_id_and_skill(catalogue_world: World) -> None:
    w = catalogue_world
    mine = _refs(w, f"provider={w.providers['owner']}&page_size=100")
    assert sorted(mine) == ["LVL-E3", "ONLINE-NAT", "OWN-1", "PROG-BOOT", "WIRRAL"]
    python = _refs(w, f"skill={w.skills['python']}&page_size=100")
    assert sorted(python) == ["FLEX", "LATE-START", "OTH-1", "PROG-BOOT"]


def test_search_text_takes_percent_and_underscore_literally(world: World) -> None:
    with world.store() as s:
        for ref, title in (
            ("PERCENT", "Excel 100% online"),
            ("NUMBER", "Excel in 100 days"),
            ("UNDERSCORE", "Naming things in snake_case"),
            ("LETTER", "Naming things in snakeXcase"),
        ):
            catalogue.create_course(s, world.providers["owner"], course(ref, title=title))
    assert _refs(world, "q=100%25") == ["PERCENT"]
    assert _refs(world, "q=snake_case") == ["UNDERSCORE"]
    assert _refs(world, "q=%25") == ["PERCENT"]


def test_unknown_area_is_a_field_error(world: World) -> None:
    response = world.client.get("/api/v1/courses?area=Atlantis", headers=world.headers("adviser"))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["area"]


def test_read_one_course_in_full(world: World) -> None:
    body = _get(world, f"/api/v1/courses/{world.courses['other']}").get_json()
    assert body["provider"] == {"id": world.providers["other"], "ukprn": "10000002",
                                "name": "Ribble Training Ltd"}  # fmt: skip
    assert body["skills"] == [
        {
            "skill_id": world.skills["python"],
            "label": "Python (computer programming)",
            "level": "specialist",
            "method": "provided",
            "score": 1.0,
            "evidence": "",
        }
    ]
    assert body["places"] == 16 and body["funding"] == "fully_funded"
    assert body["start_dates"] == ["2026-01-12", "2026-04-13"]
    assert body["local_authority_name"] == "Preston"
    # Output is an allow-list: internal columns never leave.
    assert not {"content_hash", "provider_id", "cost_pence"} & set(body)


def test_create_takes_the_provider_from_the_key(world: World) -> None:
    record = course("NEW-1", skills=[{"skill_id": world.skills["spreadsheets"]}])
    response = world.client.post("/api/v1/courses", json=record, headers=world.headers("owner"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["provider"]["id"] == world.providers["owner"]
    assert response.headers["Location"] == f"/api/v1/courses/{body['id']}"
    assert _get(world, response.headers["Location"]).get_json()["title"] == record["title"]


def test_create_refuses_a_provider_in_the_body(world: World) -> None:
    before = table_dump(world.db_path)
    for extra in ({"provider_id": world.providers["other"]}, {"provider_ukprn": "10000002"}):
        response = world.client.post(
            "/api/v1/courses", json={**course("NEW-2"), **extra}, headers=world.headers("owner")
        )
        assert response.status_code == 422
        assert response.get_json()["errors"] == {next(iter(extra)): ["Unknown field."]}
    assert table_dump(world.db_path) == before


def test_duplicate_provider_ref_is_409(world: World) -> None:
    before = table_dump(world.db_path)
    response = world.client.post(
        "/api/v1/courses", json=course("OWN-1"), headers=world.headers("owner")
    )
    assert response.status_code == 409
    assert response.get_json()["errors"] == {
        "provider_ref": [f"Already used by course {world.courses['owner']}."]
    }
    assert table_dump(world.db_path) == before
    # Another provider may use the same reference for its own course.
    response = world.client.post(
        "/api/v1/courses",
        json=course("OWN-1", skills=[{"skill_id": world.skills["python"]}]),
        headers=world.headers("other"),
    )
    assert response.status_code == 201


def test_unknown_references_are_field_errors(world: World) -> None:
    response = world.client.post(
        "/api/v1/courses",
        json=course("NEW-3", local_authority="E08999999", skills=[{"skill_id": "nope"}]),
        headers=world.headers("owner"),
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"local_authority", "skills.0.skill_id"}


def test_replace_resets_absent_fields_and_keeps_the_reference(world: World) -> None:
    path = f"/api/v1/courses/{world.courses['owner']}"
    world.client.patch(path, json={"awarding_body": "NCFE"}, headers=world.headers("owner"))
    replacement = course("OWN-1", title="Spreadsheets, new edition", places=30)
    response = world.client.put(path, json=replacement, headers=world.headers("owner"))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["title"], body["places"], body["awarding_body"]) == (
        "Spreadsheets, new edition",
        30,
        None,
    )
    moved = world.client.put(path, json=course("OWN-2"), headers=world.headers("owner"))
    assert moved.status_code == 422
    assert list(moved.get_json()["errors"]) == ["provider_ref"]


def test_patch_is_revalidated_as_a_whole(world: World) -> None:
    path = f"/api/v1/courses/{world.courses['owner']}"
    before = table_dump(world.db_path)
    # Classroom delivery needs an area: removing it alone breaks the record.
    response = world.client.patch(
        path, json={"local_authority": None}, headers=world.headers("owner")
    )
    assert response.status_code == 422
    assert "local_authority" in response.get_json()["errors"]
    assert table_dump(world.db_path) == before
    ok = world.client.patch(
        path,
        json={"local_authority": None, "delivery_mode": "online", "national_delivery": True},
        headers=world.headers("owner"),
    )
    assert ok.status_code == 200
    body = ok.get_json()
    assert (body["delivery_mode"], body["local_authority"], body["places"]) == ("online", None, 16)
    assert [s["skill_id"] for s in body["skills"]] == [world.skills["spreadsheets"]]


def test_an_empty_patch_changes_nothing(world: World) -> None:
    before = table_dump(world.db_path)
    response = world.client.patch(
        f"/api/v1/courses/{world.courses['owner']}", json={}, headers=world.headers("owner")
    )
    assert response.status_code == 200
    assert table_dump(world.db_path) == before


def test_withdraw_hides_a_course_until_it_is_reinstated(world: World) -> None:
    course_id = world.courses["owner"]
    response = world.client.post(
        f"/api/v1/courses/{course_id}/withdraw", headers=world.headers("owner")
    )
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert "OWN-1" not in _refs(world, "")
    assert _refs(world, "status=withdrawn") == ["OWN-1"]
    assert sorted(_refs(world, "status=all")) == ["OTH-1", "OWN-1"]
    # Still readable by id, as withdrawn.
    assert _get(world, f"/api/v1/courses/{course_id}").get_json()["status"] == "withdrawn"
    # Uploading the course as active again reinstates it (the file is the provider's truth).
    record = course("OWN-1", skills=[{"skill_id": world.skills["spreadsheets"]}])
    report = world.client.post(
        "/api/v1/courses/bulk", json=[record], headers=world.headers("owner")
    ).get_json()
    assert report["updated"] == 1
    assert "OWN-1" in _refs(world, "")


def test_withdraw_keeps_extracted_links(world: World) -> None:
    """Withdrawing changes no text, so skills found by extraction are kept, not re-derived."""
    with world.store() as s:
        course_id = catalogue.create_course(s, world.providers["owner"], course("X-1"))
        with s.write():
            s.db["course_skills"].insert(
                {
                    "course_id": course_id,
                    "skill_id": world.skills["spreadsheets"],
                    "method": "exact",
                    "score": 1.0,
                    "evidence": "spreadsheets software",
                }
            )
    response = world.client.post(
        f"/api/v1/courses/{course_id}/withdraw", headers=world.headers("owner")
    )
    assert [s["method"] for s in response.get_json()["skills"]] == ["exact"]


def test_delete_is_not_a_method_of_a_course(world: World) -> None:
    response = world.client.delete(
        f"/api/v1/courses/{world.courses['owner']}", headers=world.headers("owner")
    )
    assert response.status_code == 405
    assert "DELETE" not in response.headers["Allow"]


def test_another_providers_course_is_readable_but_not_writable(world: World) -> None:
    theirs = world.courses["other"]
    assert _get(world, f"/api/v1/courses/{theirs}", who="owner").get_json()["id"] == theirs
    before = table_dump(world.db_path)
    for method, suffix, body in (
        ("PUT", "", course("OTH-1")),
        ("PATCH", "", {"places": 0}),
        ("POST", "/withdraw", None),
    ):
        response = world.client.open(
            f"/api/v1/courses/{theirs}{suffix}",
            method=method,
            json=body,
            headers=world.headers("owner"),
        )
        assert response.status_code == 403, method
    assert table_dump(world.db_path) == before


def test_unknown_course_is_404_for_writes_too(world: World) -> None:
    response = world.client.patch(
        "/api/v1/courses/424242", json={"places": 1}, headers=world.headers("owner")
    )
    assert response.status_code == 404


def test_a_course_without_skills_is_linked_by_extraction_on_write(world: World, encoder) -> None:
    record = course(
        "EXTRACT-1",
        title="Spreadsheets and Python for office work",
        description="Use spreadsheets software and write Python scripts.",
        local_authority=LIVERPOOL,
    )
    response = world.client.post("/api/v1/courses", json=record, headers=world.headers("owner"))
    assert response.status_code == 201, response.get_json()
    found = {s["skill_id"]: s for s in response.get_json()["skills"]}
    assert {world.skills["spreadsheets"], world.skills["python"]} <= set(found)
    assert all(s["method"] in METHODS for s in found.values())
    # A change to the places alone keeps what extraction found.
    path = response.headers["Location"]
    patched = world.client.patch(path, json={"places": 3}, headers=world.headers("owner"))
    assert {s["skill_id"] for s in patched.get_json()["skills"]} == set(found)
