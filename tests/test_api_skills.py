"""GET /api/v1/skills (search the taxonomy) and GET /api/v1/skills/{id} (one skill)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skills_match.apikeys import create_key
from skills_match.config import Settings
from skills_match.store import Store
from skills_match.taxonomy import set_override
from tests.conftest import auth, copy_database
from tests.factories import add_provider, skill_id


@pytest.fixture
def world(reference_db: Path, tmp_path: Path):
    """An app over a copy of the reference database, with one key per role."""
    from api import create_app

    path = copy_database(reference_db, tmp_path / "api.db")
    settings = Settings.from_env(database=str(path))
    with Store(path) as store:
        provider = add_provider(store)
        keys = {
            role: create_key(
                store,
                settings.api_key_pepper,
                f"test {role}",
                role,
                provider if role == "provider" else None,
            )[1]
            for role in ("admin", "provider", "adviser", "partnership")
        }
        ids = {
            name: skill_id(store, label)
            for name, label in (
                ("sheets", "use spreadsheets software"),
                ("python", "Python (computer programming)"),
            )
        }
    app = create_app({"database": str(path), "TESTING": True})
    return app.test_client(), keys, ids, path


def get(world, url: str, who: str | None = "adviser"):
    client, keys, *_ = world
    return client.get(url, headers=auth(keys[who]) if who else {})


def test_search_ranks_exact_then_prefix_then_contains(world):
    response = get(world, "/api/v1/skills?q=Use+Spreadsheets+Software")
    assert response.status_code == 200
    body = response.get_json()
    first = body["items"][0]
    assert first["label"] == "use spreadsheets software"
    assert first["match"] == "exact" and first["level"] == "general"
    matches = [item["match"] for item in body["items"]]
    assert matches == sorted(matches, key=["exact", "prefix", "contains"].index)


def test_search_finds_alternative_labels(world):
    body = get(world, "/api/v1/skills?q=python&digital=true").get_json()
    labels = [i["label"] for i in body["items"]]
    assert "Python (computer programming)" in labels
    python = next(i for i in body["items"] if i["label"] == "Python (computer programming)")
    assert python["level"] == "specialist" and python["match"] in ("exact", "prefix")
    # "send emails" is an alternative label of the EDS communicating areas.
    body = get(world, "/api/v1/skills?q=SEND+EMAILS").get_json()
    hit = body["items"][0]
    assert hit["id"].startswith("eds-") and hit["matched_label"] == "send emails"
    assert hit["match"] == "exact" and hit["level"] == "essential"


def test_filters_by_level_and_digital(world):
    body = get(world, "/api/v1/skills?level=fusion&q=cad&page_size=100").get_json()
    assert body["total"] > 5
    assert {i["level"] for i in body["items"]} == {"fusion"}
    body = get(world, "/api/v1/skills?digital=false&q=spreadsheet").get_json()
    assert all(not i["is_digital"] and i["level"] is None for i in body["items"])
    body = get(world, "/api/v1/skills?digital=true&page_size=5").get_json()
    assert body["total"] == 1300 and len(body["items"]) == 5


def test_pagination_is_capped_and_links_pages(world):
    body = get(world, "/api/v1/skills?q=data&page=2&page_size=10").get_json()
    assert body["page"] == 2 and body["page_size"] == 10 and len(body["items"]) == 10
    assert body["total"] > 20 and body["next"] and body["prev"]
    first = get(world, "/api/v1/skills?q=data&page=1&page_size=10").get_json()
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in body["items"]}
    response = get(world, "/api/v1/skills?page_size=101")
    assert response.status_code == 422 and "page_size" in response.get_json()["errors"]


def test_like_wildcards_are_literal(world):
    assert get(world, "/api/v1/skills?q=%25").get_json()["total"] == 0
    assert get(world, "/api/v1/skills?q=_").get_json()["total"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=expert", "level"),
        ("digital=perhaps", "digital"),
        ("page=0", "page"),
        ("q=" + "x" * 201, "q"),
        ("colour=red", "colour"),
    ],
)
def test_bad_query_gets_422_with_field_errors(world, query, field):
    response = get(world, f"/api/v1/skills?{query}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and field in body["errors"]


def test_blank_search_text_is_refused(world):
    response = get(world, "/api/v1/skills?q=%20%20")
    assert response.status_code == 422
    assert "q" in response.get_json()["errors"]


def test_skill_detail(world):
    _, _, ids, _ = world
    response = get(world, f"/api/v1/skills/{ids['python']}", who="partnership")
    assert response.status_code == 200
    skill = response.get_json()
    assert skill["label"] == "Python (computer programming)"
    assert skill["level"] == "specialist" and skill["level_source"] == "rule"
    assert skill["level_reason"].startswith("R5:")
    assert skill["is_digital"] is True and skill["source"] == "esco"
    assert skill["occupation_count"] > 40
    assert (
        skill["occupation_count"] == skill["occupations_essential"] + skill["occupations_optional"]
    )
    assert isinstance(skill["alt_labels"], list) and skill["description"]
    # Allow-listed output: nothing the schema does not name.
    assert "hierarchy_codes" not in skill and "ict_occupations" not in skill


def test_eds_area_detail(world):
    skill = get(world, "/api/v1/skills/eds-2018:communicating").get_json()
    assert skill["source"] == "eds-2018" and skill["level"] == "essential"
    assert "send emails" in skill["alt_labels"]


def test_detail_shows_an_override(world):
    _, _, ids, path = world
    with Store(path) as store:
        set_override(store, ids["sheets"], "essential", "adviser@lcr", "EDS Level 1 content")
    skill = get(world, f"/api/v1/skills/{ids['sheets']}").get_json()
    assert (skill["level"], skill["level_source"]) == ("essential", "override")
    assert "adviser@lcr" in skill["level_reason"]


def test_unknown_skill_is_404(world):
    response = get(world, "/api/v1/skills/no-such-skill")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404 and "no-such-skill" in response.get_json()["message"]


@pytest.mark.parametrize("who", ["admin", "provider", "adviser", "partnership"])
def test_every_role_may_read(world, who):
    assert get(world, "/api/v1/skills?q=python", who=who).status_code == 200


def test_a_key_is_required(world):
    _, _, ids, _ = world
    assert get(world, "/api/v1/skills?q=python", who=None).status_code == 401
    assert get(world, f"/api/v1/skills/{ids['python']}", who=None).status_code == 401
