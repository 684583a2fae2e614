"""Administration: providers, API keys (issue, rotate, revoke, last use), level corrections,
the audit log, deny-by-default, and the bootstrap CLI commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from api.auth import PUBLIC_ENDPOINTS, PUBLIC_PREFIXES
from skills_match.apikeys import ROLES, TOUCH_INTERVAL, Identity, authenticate, record_use
from skills_match.cli import main
from tests.api_support import World, build_world, table_dump
from tests.conftest import auth


@pytest.fixture
def world(reference_db, tmp_path) -> World:
    return build_world(reference_db, tmp_path)


def _admin(w: World, method: str, path: str, **kwargs):
    return w.client.open(path, method=method, headers=w.headers("admin"), **kwargs)


# -- deny by default --------------------------------------------------------------------


def test_every_api_route_declares_roles_or_is_public(world: World) -> None:
    undeclared = []
    for rule in world.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        view = world.app.view_functions[rule.endpoint]
        declared = getattr(view, "_roles", None)
        public = rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith(PUBLIC_PREFIXES)
        if declared is None and not public:
            undeclared.append(rule.rule)
        if declared is not None:
            assert declared and set(declared) <= set(ROLES), rule.rule
    assert not undeclared, f"routes without roles: {undeclared}"
    public = sorted(
        r.rule
        for r in world.app.url_map.iter_rules()
        if r.rule.startswith("/api/v1")
        and not getattr(world.app.view_functions[r.endpoint], "_roles", None)
    )
    assert public == ["/api/v1/docs", "/api/v1/health", "/api/v1/openapi.json"]


def test_the_openapi_document_declares_the_security_of_every_protected_route(world: World):
    spec = world.client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                protected = path != "/api/v1/health"
                assert bool(operation.get("security")) == protected, (method, path)
                assert operation["summary"], (method, path)


# -- keys -------------------------------------------------------------------------------


def test_a_key_is_shown_once_and_works_for_its_role(world: World) -> None:
    response = _admin(
        world, "POST", "/api/v1/keys", json={"name": "Adviser Ann", "role": "adviser"}
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    issued = response.get_json()
    key = issued["key"]
    assert key.startswith("smk_") and len(key) >= 43 and issued["key_prefix"] == key[:12]
    listing = _admin(world, "GET", "/api/v1/keys?page_size=100").get_data(as_text=True)
    assert key not in listing and "key_hash" not in listing
    with world.store() as s:
        stored = s.db.execute("SELECT * FROM api_keys WHERE id = ?", [issued["id"]]).fetchone()
    assert key not in str(stored)  # only the HMAC digest is kept
    assert world.client.get("/api/v1/courses", headers=auth(key)).status_code == 200
    assert world.client.get("/api/v1/keys", headers=auth(key)).status_code == 403


def test_provider_keys_need_a_known_provider(world: World) -> None:
    before = table_dump(world.db_path)
    for body, field in (
        ({"name": "p", "role": "provider"}, "provider"),
        ({"name": "p", "role": "provider", "provider": "10000099"}, "provider"),
        ({"name": "a", "role": "adviser", "provider": "10000001"}, "provider"),
        ({"name": "a", "role": "owner"}, "role"),
        ({"name": "", "role": "adviser"}, "name"),
    ):
        response = _admin(world, "POST", "/api/v1/keys", json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], body
    assert table_dump(world.db_path) == before
    ok = _admin(world, "POST", "/api/v1/keys", json={"name": "p", "role": "provider",
                                                      "provider": "10000001"})  # fmt: skip
    assert ok.status_code == 201 and ok.get_json()["provider_id"] == world.providers["owner"]


def test_rotate_replaces_the_key_at_once(world: World) -> None:
    old_id = world.key_ids["adviser"]
    response = _admin(world, "POST", f"/api/v1/keys/{old_id}/rotate")
    assert response.status_code == 201
    new = response.get_json()
    assert new["replaces"] == old_id and new["role"] == "adviser" and new["name"] == "test adviser"
    assert world.client.get("/api/v1/courses", headers=world.headers("adviser")).status_code == 401
    assert world.client.get("/api/v1/courses", headers=auth(new["key"])).status_code == 200
    # A revoked key cannot be rotated again.
    assert _admin(world, "POST", f"/api/v1/keys/{old_id}/rotate").status_code == 404


def test_revoke_stops_a_key_at_once(world: World) -> None:
    key_id = world.key_ids["partnership"]
    assert (
        world.client.get("/api/v1/demand", headers=world.headers("partnership")).status_code == 200
    )
    response = _admin(world, "DELETE", f"/api/v1/keys/{key_id}")
    assert response.status_code == 200 and response.get_json()["revoked_at"]
    assert (
        world.client.get("/api/v1/demand", headers=world.headers("partnership")).status_code == 401
    )
    assert _admin(world, "DELETE", f"/api/v1/keys/{key_id}").status_code == 404


def test_last_used_is_recorded_cheaply(world: World) -> None:
    key_id = world.key_ids["adviser"]
    with world.store() as s:
        assert s.key(key_id)["last_used_at"] is None
    world.client.get("/api/v1/courses", headers=world.headers("adviser"))
    with world.store() as s:
        first = s.key(key_id)["last_used_at"]
        assert first is not None
        identity = authenticate(s, "", world.keys["adviser"])
        # Within the interval nothing is written; after it, the time moves on.
        now = datetime.fromisoformat(first.replace("Z", "+00:00"))
        assert record_use(s, identity, now + TOUCH_INTERVAL / 2) is False
        assert record_use(s, identity, now + TOUCH_INTERVAL + timedelta(seconds=1)) is True
    never = Identity(key_id, "x", "adviser", None, None)
    with world.store() as s:
        assert record_use(s, never, datetime.now(UTC)) is True


# -- providers --------------------------------------------------------------------------


def test_providers_create_list_read(world: World) -> None:
    body = {
        "ukprn": "10000003",
        "name": "Wirral Met",
        "provider_type": "fe_college",
        "local_authority": "E08000015",
        "website": "https://example.org",
    }
    created = _admin(world, "POST", "/api/v1/providers", json=body)
    assert created.status_code == 201
    assert created.get_json() | {"id": 0, "created_at": "", "updated_at": ""} == {
        **body,
        "id": 0,
        "courses": 0,
        "created_at": "",
        "updated_at": "",
    }
    assert _admin(world, "POST", "/api/v1/providers", json=body).status_code == 409
    listed = _admin(world, "GET", "/api/v1/providers").get_json()
    assert [p["ukprn"] for p in listed["items"]] == ["10000001", "10000002", "10000003"]
    assert listed["items"][0]["courses"] == 1
    read = _admin(world, "GET", created.headers["Location"])
    assert read.get_json()["name"] == "Wirral Met"
    assert _admin(world, "GET", "/api/v1/providers/999").status_code == 404


def test_invalid_providers_are_field_errors(world: World) -> None:
    for body, fields in (
        ({"ukprn": "123", "name": "x", "provider_type": "fe_college"}, {"ukprn"}),
        ({"ukprn": "10000004", "name": "x", "provider_type": "pub"}, {"provider_type"}),
        ({"ukprn": "10000004", "name": "x", "provider_type": "fe_college",
          "local_authority": "E08999999"}, {"local_authority"}),
        ({"ukprn": "10000004", "name": "x", "provider_type": "fe_college", "extra": 1},
         {"extra"}),
    ):  # fmt: skip
        response = _admin(world, "POST", "/api/v1/providers", json=body)
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == fields


# -- level corrections ------------------------------------------------------------------


def test_level_overrides(world: World) -> None:
    skill = world.skills["python"]
    response = _admin(
        world,
        "PUT",
        f"/api/v1/level-overrides/{skill}",
        json={"level": "fusion", "reason": "used inside lab science roles here"},
    )
    assert response.status_code == 200
    assert (response.get_json()["level"], response.get_json()["changed_by"]) == (
        "fusion",
        f"key:{world.key_ids['admin']}",
    )
    listed = _admin(world, "GET", "/api/v1/level-overrides").get_json()
    assert [(o["skill_id"], o["level"]) for o in listed] == [(skill, "fusion")]
    course = world.client.get(
        f"/api/v1/courses/{world.courses['other']}", headers=world.headers("adviser")
    ).get_json()
    # The course named its own level for this skill, which still stands.
    assert course["skills"][0]["level"] == "specialist"
    removed = _admin(world, "DELETE", f"/api/v1/level-overrides/{skill}")
    assert removed.status_code == 200 and removed.get_json()["level_source"] != "override"
    assert _admin(world, "DELETE", f"/api/v1/level-overrides/{skill}").status_code == 404
    bad = _admin(world, "PUT", f"/api/v1/level-overrides/{skill}", json={"level": "expert"})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["level"]
    unknown = _admin(world, "PUT", "/api/v1/level-overrides/no-such", json={"level": "general"})
    assert unknown.status_code == 404


# -- audit ------------------------------------------------------------------------------


def test_the_audit_log_records_who_called_what_not_the_body(world: World) -> None:
    with world.store() as s:
        start = s.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    world.client.patch(
        f"/api/v1/courses/{world.courses['owner']}",
        json={"description": "AUDIT-SENTINEL text"},
        headers=world.headers("owner"),
    )
    world.client.get("/api/v1/courses?q=AUDIT-QUERY", headers=world.headers("adviser"))
    world.client.get("/api/v1/courses", headers=world.headers("revoked"))
    world.client.get("/api/v1/courses")
    with world.store() as s:
        rows = list(s.db.query("SELECT * FROM audit_log WHERE id > ? ORDER BY id", [start]))
    assert [(r["actor"], r["role"], r["action"], r["target"], r["outcome"]) for r in rows] == [
        (
            f"key:{world.key_ids['owner']}",
            "provider",
            "PATCH /api/v1/courses/<int:course_id>",
            f"course_id={world.courses['owner']}",
            "200",
        ),
        (f"key:{world.key_ids['adviser']}", "adviser", "GET /api/v1/courses", None, "200"),
        ("invalid-key", None, "GET /api/v1/courses", None, "401"),
        ("anonymous", None, "GET /api/v1/courses", None, "401"),
    ]
    assert "SENTINEL" not in str(rows) and "AUDIT-QUERY" not in str(rows)


# -- CLI --------------------------------------------------------------------------------


def test_cli_bootstraps_a_provider_and_its_key(world: World) -> None:
    runner = CliRunner()
    database = ["--database", str(world.db_path)]
    added = runner.invoke(
        main,
        [*database, "add-provider", "--ukprn", "10000005", "--name", "Sefton Skills",
         "--type", "community_organisation", "--area", "Sefton"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    created = runner.invoke(
        main,
        [*database, "create-key", "--role", "provider", "--name", "Sefton", "--provider",
         "10000005"],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("smk_")
    response = world.client.post(
        "/api/v1/courses/bulk?dry_run=true",
        json=[{"provider_ref": "S-1"}],
        headers=auth(key),
    )
    assert response.status_code == 422  # authenticated as the new provider; the row is bad
    with world.store() as s:
        key_id = next(k["id"] for k in s.keys() if k["name"] == "Sefton")  # noqa: SIM118
    listed = runner.invoke(main, [*database, "list-keys"])
    assert "Sefton" in listed.output and key not in listed.output
    revoked = runner.invoke(main, [*database, "revoke-key", str(key_id)])
    assert revoked.exit_code == 0, revoked.output
    assert world.client.get("/api/v1/courses", headers=auth(key)).status_code == 401
    again = runner.invoke(main, [*database, "revoke-key", str(key_id)])
    assert again.exit_code == 1 and "No live API key" in again.output


def test_cli_refuses_bad_input(world: World) -> None:
    runner = CliRunner()
    database = ["--database", str(world.db_path)]
    before = table_dump(world.db_path)
    bad_type = runner.invoke(
        main, [*database, "add-provider", "--ukprn", "10000006", "--name", "X", "--type", "pub"]
    )
    assert bad_type.exit_code == 1 and "provider_type" in bad_type.output
    no_provider = runner.invoke(main, [*database, "create-key", "--role", "provider",
                                       "--name", "x"])  # fmt: skip
    assert no_provider.exit_code == 1
    unknown = runner.invoke(main, [*database, "create-key", "--role", "provider", "--name", "x",
                                   "--provider", "10000099"])  # fmt: skip
    assert unknown.exit_code == 2 and "No provider with UKPRN" in unknown.output
    assert table_dump(world.db_path) == before
