"""Every error path answers with the one JSON body, and every response carries the security
headers. (After datasette's test_error_shape: walk the paths, check the shape.)"""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path

import pytest

from api import CONTENT_SECURITY_POLICY
from tests.api_support import World, build_world
from tests.factories import course


@pytest.fixture
def world(reference_db, tmp_path) -> World:
    return build_world(reference_db, tmp_path)


def assert_error_shape(response, code: int) -> dict:
    """The body is exactly {code, status, message[, errors]} and matches the status line."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) <= {"code", "status", "message", "errors"}
    assert body["code"] == code
    assert body["status"] == HTTPStatus(code).phrase
    assert isinstance(body["message"], str) and body["message"]
    if "errors" in body:
        assert isinstance(body["errors"], dict) and body["errors"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def _error_cases(w: World) -> list[tuple[str, int, dict]]:
    own = f"/api/v1/courses/{w.courses['owner']}"
    other = f"/api/v1/courses/{w.courses['other']}"
    new = course("ERR-1", skills=[{"skill_id": w.skills["spreadsheets"]}])
    return [
        ("malformed JSON", 400, dict(method="POST", path="/api/v1/courses", who="owner",
                                     data="{not json", content_type="application/json")),
        ("no key", 401, dict(method="GET", path="/api/v1/courses", who=None)),
        ("revoked key", 401, dict(method="GET", path="/api/v1/courses", who="revoked")),
        ("made-up key", 401, dict(method="GET", path="/api/v1/courses", who=None,
                                  headers={"Authorization": "Bearer smk_madeup"})),
        ("wrong role", 403, dict(method="GET", path="/api/v1/keys", who="adviser")),
        ("another provider's course", 403, dict(method="PATCH", path=other, who="owner",
                                                json={"places": 1})),
        ("unknown URL", 404, dict(method="GET", path="/api/v1/nothing-here", who="adviser")),
        ("unknown course", 404, dict(method="GET", path="/api/v1/courses/999999", who="adviser")),
        ("unknown key id", 404, dict(method="DELETE", path="/api/v1/keys/999999", who="admin")),
        ("DELETE a course", 405, dict(method="DELETE", path=own, who="owner")),
        ("duplicate provider_ref", 409, dict(method="POST", path="/api/v1/courses", who="owner",
                                             json=course("OWN-1"))),
        ("not JSON", 415, dict(method="POST", path="/api/v1/courses", who="owner",
                               data="title=x", content_type="application/x-www-form-urlencoded")),
        ("bulk as XML", 415, dict(method="POST", path="/api/v1/courses/bulk", who="owner",
                                  data="<x/>", content_type="application/xml")),
        ("invalid record", 422, dict(method="POST", path="/api/v1/courses", who="owner",
                                     json={**new, "places": "many"})),
        ("unknown field", 422, dict(method="POST", path="/api/v1/courses", who="owner",
                                    json={**new, "provider_id": 2})),
        ("invalid query", 422, dict(method="GET", path="/api/v1/courses?page_size=1000",
                                    who="adviser")),
        ("unknown area", 422, dict(method="GET", path="/api/v1/courses?area=Atlantis",
                                   who="adviser")),
        ("rejected bulk file", 422, dict(method="POST", path="/api/v1/courses/bulk", who="owner",
                                         json=[{**new, "places": -1}])),
    ]  # fmt: skip


def test_every_error_path_has_the_one_body(world: World) -> None:
    for name, code, spec in _error_cases(world):
        headers = {**world.headers(spec.pop("who")), **spec.pop("headers", {})}
        response = world.client.open(spec.pop("path"), headers=headers, **spec)
        try:
            assert_error_shape(response, code)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


def test_401_says_how_to_authenticate(world: World) -> None:
    missing = world.client.get("/api/v1/courses")
    assert missing.headers["WWW-Authenticate"] == "Bearer realm=skills-match"
    revoked = world.client.get("/api/v1/courses", headers=world.headers("revoked"))
    assert "error=invalid_token" in revoked.headers["WWW-Authenticate"]
    assert "revoked" in revoked.get_json()["message"]


def test_405_lists_the_allowed_methods(world: World) -> None:
    response = world.client.delete(
        f"/api/v1/courses/{world.courses['owner']}", headers=world.headers("owner")
    )
    assert_error_shape(response, 405)
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH"}


def test_422_names_each_field(world: World) -> None:
    body = course("ERR-2", places=-1, start_dates=["2026-13-01"], skills=[{"skill_id": "?"}])
    response = world.client.post("/api/v1/courses", json=body, headers=world.headers("owner"))
    errors = assert_error_shape(response, 422)["errors"]
    assert set(errors) == {"places", "start_dates.0", "skills.0.skill_id"}
    query = world.client.get(
        "/api/v1/courses?level=L9&page=0", headers=world.headers("adviser")
    ).get_json()
    assert set(query["errors"]) == {"level.0", "page"}


def test_413_for_a_body_over_the_limit(reference_db, tmp_path) -> None:
    world = build_world(reference_db, tmp_path, max_content_length=1_000)
    response = world.client.post(
        "/api/v1/courses",
        json=course("BIG", description="x" * 5_000),
        headers=world.headers("owner"),
    )
    assert_error_shape(response, 413)


def test_429_after_the_bulk_limit_with_retry_after(reference_db, tmp_path) -> None:
    world = build_world(
        reference_db, tmp_path, RATELIMIT_ENABLED=True, rate_limit_bulk="2 per minute"
    )
    rows = [course("RL-1", skills=[{"skill_id": world.skills["spreadsheets"]}])]
    for _ in range(2):
        ok = world.client.post("/api/v1/courses/bulk", json=rows, headers=world.headers("owner"))
        assert ok.status_code == 200
    limited = world.client.post("/api/v1/courses/bulk", json=rows, headers=world.headers("owner"))
    assert_error_shape(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    # Limits are per key: another provider's key still has its allowance.
    other = world.client.post("/api/v1/courses/bulk", json=rows, headers=world.headers("other"))
    assert other.status_code == 200
    # And only the limited routes are limited.
    assert world.client.get("/api/v1/courses", headers=world.headers("owner")).status_code == 200


def test_429_after_the_match_limit_for_extraction_which_shares_it(reference_db, tmp_path):
    world = build_world(
        reference_db, tmp_path, RATELIMIT_ENABLED=True, rate_limit_match="2 per minute"
    )
    # Invalid bodies (422) count too, and need no model: the limit is checked first.
    match = world.client.post("/api/v1/match", json={}, headers=world.headers("adviser"))
    assert match.status_code == 422
    extract = world.client.post(
        "/api/v1/skills/extract", json={"text": ""}, headers=world.headers("adviser")
    )
    assert extract.status_code == 422
    limited = world.client.post(
        "/api/v1/skills/extract", json={"text": ""}, headers=world.headers("adviser")
    )
    assert_error_shape(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    other = world.client.post(
        "/api/v1/skills/extract", json={"text": ""}, headers=world.headers("partnership")
    )
    assert other.status_code == 422


def test_rate_limited_routes_are_the_costly_routes(reference_db, tmp_path):
    world = build_world(reference_db, tmp_path, RATELIMIT_ENABLED=True)
    limited = {
        rule.rule
        for rule in world.app.url_map.iter_rules()
        if getattr(world.app.view_functions[rule.endpoint], "_rate_limit", None)
    }
    assert {
        "/api/v1/courses/bulk",
        "/api/v1/demand/bulk",
        "/api/v1/match",
        "/api/v1/skills/extract",
        "/adviser",
    } <= limited
    assert all(
        re.match(r"/api/v1/(match|pathway|skills/extract$|gap-report|.*/bulk$)|/adviser$", r)
        for r in limited
    )


def test_an_unexpected_error_is_logged_not_shown(world: World, caplog) -> None:
    def broken():
        raise RuntimeError("secret internal detail")

    broken._roles = ("adviser",)
    world.app.add_url_rule("/api/v1/broken", "broken", broken)
    response = world.client.get("/api/v1/broken", headers=world.headers("adviser"))
    body = assert_error_shape(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert body["message"] == "An internal error occurred; it has been logged."
    assert any("secret internal detail" in (r.exc_text or "") for r in caplog.records)


def test_a_route_without_roles_is_refused(world: World) -> None:
    world.app.add_url_rule("/api/v1/forgotten", "forgotten", lambda: "open")
    response = world.client.get("/api/v1/forgotten", headers=world.headers("admin"))
    assert_error_shape(response, 403)


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/api/v1/health", None),
        ("/api/v1/courses", "adviser"),
        ("/api/v1/courses", None),
        ("/api/v1/nothing-here", None),
        ("/api/v1/docs", None),
        ("/api/v1/openapi.json", None),
    ],
)
def test_security_headers_on_every_response(world: World, path: str, who: str | None) -> None:
    response = world.client.get(path, headers=world.headers(who))
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_only_for_configured_origins(reference_db, tmp_path) -> None:
    world = build_world(reference_db, tmp_path, cors_origins="https://skills.example.org")
    allowed = world.client.options(
        "/api/v1/courses",
        headers={
            "Origin": "https://skills.example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://skills.example.org"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    assert "GET" in allowed.headers["Access-Control-Allow-Methods"]
    other = world.client.get(
        "/api/v1/courses", headers={"Origin": "https://evil.example", **world.headers("adviser")}
    )
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]


def test_docs_are_served_from_our_own_static_files(world: World) -> None:
    page = world.client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/swagger-ui/") for s in sources), sources
    assert "<script>" not in html  # no inline script: the CSP allows none
    for source in sources:
        assert world.client.get(source).status_code == 200, source
    vendored = Path(__file__).resolve().parent.parent / "api" / "static" / "swagger-ui"
    assert "swagger-ui-dist 5." in (vendored / "VERSION").read_text()
    assert (vendored / "LICENSE").exists()
    spec = world.client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.get_json()["openapi"].startswith("3.")


@pytest.mark.browser
def test_docs_work_in_chromium_under_the_csp(world: World) -> None:
    """Swagger UI renders every operation and runs a request, with no CSP violation and no
    request to any other host."""
    import shutil
    import threading

    from werkzeug.serving import make_server

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian chromium is missing: `make test` installs it")
    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", 0, world.app)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    problems: list[str] = []
    elsewhere: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: r.url.startswith(base) or elsewhere.append(r.url))
            page.goto(f"{base}/api/v1/docs")
            page.wait_for_selector(".opblock", timeout=60_000)
            spec = world.client.get("/api/v1/openapi.json").get_json()
            documented = sum(
                1
                for ops in spec["paths"].values()
                for m in ops
                if m in ("get", "post", "put", "patch", "delete")
            )
            assert page.locator(".opblock").count() == documented
            # Try the health check from the page: same-origin fetch is allowed.
            health = page.locator(".opblock-get").filter(has_text="/api/v1/health").first
            health.locator(".opblock-summary").click()
            page.get_by_role("button", name="Try it out").click()
            page.get_by_role("button", name="Execute").click()
            cell = ".live-responses-table tbody .response-col_status"
            page.wait_for_selector(cell, timeout=30_000)
            status = page.locator(cell).first.inner_text()
            assert status.strip() == "200"
            browser.close()
    finally:
        server.shutdown()
    assert problems == [] and elsewhere == []
