"""The web pages through Flask's test client: sign-in and sessions, roles on every page, CSRF,
HTML errors beside unchanged API errors, the forms' validation, privacy of the adviser's
client, and the static accessibility rules (labels, headings, table scopes, contrast).

The browser journeys are in test_pages_e2e.py.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import sqlite3
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import pages
from skills_match.apikeys import revoke_key
from tests.browser import Site, build_site
from tests.colours import contrast

SENTINEL = "Zorvex7PagesSentinel"
STATIC = Path(__file__).resolve().parent.parent / "api" / "static" / "pages"


@pytest.fixture(scope="module")
def site(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """One site for the module; tests that write use their own records or keys."""
    return build_site(seeded_db, tmp_path_factory.mktemp("pages"))


def browser(site: Site, https: bool = False) -> FlaskClient:
    """A fresh client: its own cookie jar, like a new browser."""
    client = site.app.test_client()
    if https:
        client.environ_base["wsgi.url_scheme"] = "https"
    return client


def token(client: FlaskClient) -> str:
    """The client's CSRF token (opening a page first if it has no session yet)."""
    with client.session_transaction() as session:
        if session.get("csrf"):
            return session["csrf"]
    client.get("/sign-in")
    with client.session_transaction() as session:
        return session["csrf"]


def sign_in(site: Site, who: str, client: FlaskClient | None = None, key: str | None = None):
    """A client signed in as one of the site's people."""
    client = client or browser(site)
    response = client.post(
        "/sign-in", data={"api_key": key or site.keys[who], "csrf_token": token(client)}
    )
    assert response.status_code == 303, response.text
    return client


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any):
    """A form post with the client's CSRF token."""
    return client.post(path, data={"csrf_token": token(client), **(data or {})}, **kwargs)


def count(site: Site, sql: str, *params: Any) -> int:
    with sqlite3.connect(site.db_path) as conn:
        return conn.execute(sql, params).fetchone()[0]


# -- roles ----------------------------------------------------------------------------------


def test_every_page_declares_its_roles(site: Site) -> None:
    endpoints = {
        r.endpoint for r in site.app.url_map.iter_rules() if r.endpoint.startswith("pages.")
    }
    assert len(endpoints) >= 14
    for endpoint in endpoints:
        view = site.app.view_functions[endpoint]
        declared = getattr(view, "_page_roles", None)
        assert endpoint in pages.PUBLIC_PAGES or declared, endpoint


def _paths(site: Site) -> dict[str, tuple[str, set[str]]]:
    with site.store() as store:
        skill = store.db.execute(
            "SELECT skill_id FROM demand_skills GROUP BY skill_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
    readers = {"admin", "provider", "other_provider", "adviser", "partnership"}
    partnership = {"admin", "partnership"}
    return {
        "adviser": ("/adviser", {"admin", "adviser"}),
        "courses": ("/courses?q=data", readers),
        "course": (f"/courses/{site.own_course}", readers),
        "provider": ("/provider", {"provider", "other_provider"}),
        "edit": (f"/provider/courses/{site.own_course}/edit", {"provider"}),
        "upload": ("/provider/upload", {"provider", "other_provider"}),
        "dashboard": ("/partnership?level=specialist", partnership),
        "drilldown": (f"/partnership/drilldown?skill={skill}", partnership),
        "download": ("/partnership/download.csv?level=essential", partnership),
    }


@pytest.mark.parametrize(
    "page",
    [
        "adviser",
        "courses",
        "course",
        "provider",
        "edit",
        "upload",
        "dashboard",
        "drilldown",
        "download",
    ],
)
def test_each_page_lets_in_only_its_roles(site: Site, page: str) -> None:
    path, allowed = _paths(site)[page]
    anonymous = browser(site).get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/sign-in?next=")
    for who in ("admin", "provider", "other_provider", "adviser", "partnership"):
        response = sign_in(site, who).get(path)
        if who in allowed:
            assert response.status_code == 200, (who, path, response.text[:500])
        else:
            assert response.status_code == 403, (who, path)
            assert response.mimetype == "text/html"
            assert "You cannot open this page" in response.text


def test_sign_in_returns_to_the_page_asked_for(site: Site) -> None:
    client = browser(site)
    first = client.get("/partnership?level=fusion")
    assert first.headers["Location"] == "/sign-in?next=/partnership?level%3Dfusion"
    response = client.post(
        "/sign-in",
        data={
            "api_key": site.keys["partnership"],
            "next": "/partnership?level=fusion",
            "csrf_token": token(client),
        },
    )
    assert response.headers["Location"] == "/partnership?level=fusion"
    # Never somewhere else: another site, or the API.
    for bad in ("https://evil.example/", "//evil.example/x", "/api/v1/keys", "/\\evil"):
        response = client.post(
            "/sign-in",
            data={"api_key": site.keys["adviser"], "next": bad, "csrf_token": token(client)},
        )
        assert response.headers["Location"] == "/adviser", bad


# -- sign-in and sessions ------------------------------------------------------------------


def test_a_wrong_or_missing_key_does_not_sign_in(site: Site) -> None:
    client = browser(site)
    for key, message in (("", "Enter your API key."), ("smk_not-a-key", "was not recognised")):
        response = post(client, "/sign-in", {"api_key": key})
        assert response.status_code == 401
        assert message in response.text
        assert 'href="#api_key"' in response.text  # the error summary links to the field
        assert 'aria-invalid="true"' in response.text
    assert client.get("/adviser").status_code == 302


def test_the_session_holds_the_key_id_and_role_never_the_key(site: Site) -> None:
    client = sign_in(site, "provider")
    with client.session_transaction() as session:
        user = dict(session["user"])
    assert set(user) == {"key_id", "role", "provider_id", "since"}
    assert user["key_id"] == site.key_ids["provider"] and user["role"] == "provider"
    cookie = client.get_cookie("skills_match_session")
    assert cookie is not None
    key = site.keys["provider"]
    assert key not in cookie.value and key[4:20] not in cookie.value


def test_session_cookie_flags(site: Site) -> None:
    client = browser(site)
    response = client.get("/sign-in")
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    secure = browser(site, https=True).get("/sign-in", base_url="https://localhost")
    assert "Secure" in secure.headers["Set-Cookie"]
    signed_in = sign_in(site, "adviser")
    with signed_in.session_transaction() as session:
        assert session.permanent  # so the cookie carries an expiry
    lifetime = site.app.permanent_session_lifetime.total_seconds()
    assert lifetime == site.app.extensions["skills_match"]["settings"].session_hours * 3600


def test_a_session_expires_after_the_configured_hours(site: Site) -> None:
    client = sign_in(site, "adviser")
    assert client.get("/adviser").status_code == 200
    hours = site.app.extensions["skills_match"]["settings"].session_hours
    with client.session_transaction() as session:
        session["user"] = {**session["user"], "since": time.time() - hours * 3600 - 5}
    response = client.get("/adviser")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    page = client.get(response.headers["Location"])
    assert "Your sign-in has expired" in page.text
    assert client.get("/adviser").status_code == 302  # and it stays signed out


def test_a_revoked_key_signs_its_sessions_out(site: Site) -> None:
    key_id, key = site.new_key("partnership")
    client = sign_in(site, "partnership", key=key)
    assert client.get("/partnership?level=essential").status_code == 200
    with site.store() as store:
        revoke_key(store, key_id)
    response = client.get("/partnership?level=essential")
    assert response.status_code == 302
    assert "no longer valid" in client.get(response.headers["Location"]).text
    # And the revoked key cannot sign in again.
    assert post(client, "/sign-in", {"api_key": key}).status_code == 401


def test_sign_out_needs_a_form_post_and_ends_the_session(site: Site) -> None:
    client = sign_in(site, "adviser")
    get = client.get("/sign-out")
    assert get.status_code == 405 and get.mimetype == "text/html"
    assert "POST" in get.headers["Allow"]
    assert post(client, "/sign-out").status_code == 303
    assert client.get("/adviser").status_code == 302
    with client.session_transaction() as session:
        assert "user" not in session


def test_page_visits_are_audited_without_their_content(site: Site) -> None:
    key_id, key = site.new_key("adviser")
    client = sign_in(site, "adviser", key=key)
    client.get(f"/courses/{site.own_course}")
    with site.store() as store:
        rows = store.db.execute(
            "SELECT action, target, outcome FROM audit_log WHERE actor = ? ORDER BY id",
            [f"key:{key_id}"],
        ).fetchall()
        last_used = store.key(key_id)["last_used_at"]
    assert ("POST /sign-in", None, "303") in rows
    assert ("GET /courses/<int:course_id>", f"course_id={site.own_course}", "200") in rows
    assert last_used is not None


# -- CSRF -----------------------------------------------------------------------------------


def test_forms_without_the_right_csrf_token_are_refused(site: Site) -> None:
    client = sign_in(site, "provider")
    path = f"/provider/courses/{site.own_course}/edit"
    with site.store() as store:
        before = store.course(site.own_course)
    form = {"title": "Changed by a forged form", "places": "3"}
    for data in (form, {**form, "csrf_token": "wrong"}, {**form, "csrf_token": ""}):
        response = client.post(path, data=data)
        assert response.status_code == 400, data
        assert response.mimetype == "text/html"
        assert "did not come from this site" in response.text
    with site.store() as store:
        assert store.course(site.own_course)["title"] == before["title"]
    # A token from another session is as good as none.
    other = sign_in(site, "provider")
    assert client.post(path, data={**form, "csrf_token": token(other)}).status_code == 400
    # Sign-in itself is protected (no signing someone in from another site).
    assert browser(site).post("/sign-in", data={"api_key": site.keys["adviser"]}).status_code == 400
    assert client.post("/sign-out").status_code == 400


def test_a_new_session_gets_a_new_csrf_token(site: Site) -> None:
    client = browser(site)
    before = token(client)
    sign_in(site, "adviser", client)
    assert token(client) != before


# -- errors, headers --------------------------------------------------------------------------


def test_errors_are_pages_outside_the_api_and_json_inside(site: Site) -> None:
    client = sign_in(site, "adviser")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "Page not found" in missing.text and '<html lang="en-GB">' in missing.text
    course = client.get("/courses/99999999")
    assert course.status_code == 404 and "No course with id 99999999" in course.text
    api = client.get("/api/v1/no-such-route")
    assert api.status_code == 404 and api.get_json()["code"] == 404
    api_405 = client.delete("/api/v1/health")
    assert api_405.status_code == 405 and api_405.get_json()["status"] == "Method Not Allowed"
    page_405 = client.put("/courses")
    assert page_405.status_code == 405 and page_405.mimetype == "text/html"
    assert "GET" in page_405.headers["Allow"]


def test_the_adviser_search_is_rate_limited_per_person_with_the_429_page(
    seeded_db: Path, tmp_path: Path
) -> None:
    limited_site = build_site(
        seeded_db, tmp_path, RATELIMIT_ENABLED=True, rate_limit_match="1 per minute"
    )
    client = sign_in(limited_site, "adviser")
    for _ in range(2):
        assert client.get("/adviser").status_code == 200  # showing the form is not a search
    # An invalid form counts too (the limit is checked first), and runs no matcher.
    assert post(client, "/adviser", {"target_kind": "occupation"}).status_code == 422
    limited = post(client, "/adviser", {"target_kind": "occupation"})
    assert limited.status_code == 429 and limited.mimetype == "text/html"
    assert "Too many requests" in limited.text and '<html lang="en-GB">' in limited.text
    assert int(limited.headers["Retry-After"]) > 0
    # Counted per person (their key), not per address: another person has their own.
    admin = sign_in(limited_site, "admin")
    assert post(admin, "/adviser", {"target_kind": "occupation"}).status_code == 422


def test_pages_send_security_headers(site: Site) -> None:
    client = sign_in(site, "adviser")
    response = client.get("/adviser")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_upload_bodies_are_capped(site: Site) -> None:
    client = sign_in(site, "provider")
    big = io.BytesIO(b"x" * (pages.UPLOAD_MAX_BYTES + 200 * 1024))
    response = post(
        client, "/provider/upload", {"file": (big, "big.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 413 and response.mimetype == "text/html"
    form = post(client, "/adviser", {"current_skills_text": "x" * (pages.FORM_MAX_BYTES + 10)})
    assert form.status_code == 413


# -- the adviser's form ------------------------------------------------------------------------


def test_the_adviser_form_reports_problems_next_to_each_field(site: Site) -> None:
    client = sign_in(site, "adviser")
    empty = post(client, "/adviser", {"target_kind": "occupation"})
    assert empty.status_code == 422
    assert 'href="#occupation"' in empty.text and 'id="occupation-error"' in empty.text
    advert = post(client, "/adviser", {"target_kind": "advert"})
    assert 'id="advert_text-error"' in advert.text
    vague = post(client, "/adviser", {"target_kind": "occupation", "occupation": "data analys"})
    assert vague.status_code == 422
    assert 'name="occupation_pick" value="data analyst"' in vague.text
    unknown = post(client, "/adviser", {"occupation": "qqqq zzzz"})
    assert "No job title matches those words" in unknown.text


@pytest.mark.slow
def test_the_adviser_gets_ranked_explained_courses_and_a_pathway(site: Site, encoder) -> None:
    client = sign_in(site, "adviser")
    response = post(
        client,
        "/adviser",
        {
            "current_skills_text": "MS Excel, email and online banking",
            "target_kind": "occupation",
            "occupation": "data analyst",
            "local_authority": "E08000012",
            "start_from": "2026-01-05",
        },
    )
    assert response.status_code == 200, response.text[:2000]
    text = response.text
    assert "Courses for data analyst" in text
    assert "This course covers" in text and "Taught on the course as" in text
    assert "Step 1:" in text and "of the gap" in text
    # Choosing a suggested title runs the search with that title and everything else kept.
    picked = post(
        client,
        "/adviser",
        {
            "occupation": "data analys",
            "occupation_pick": "data analyst",
            "start_from": "2026-01-05",
            "local_authority": "E08000012",
            "current_skills_text": "MS Excel",
        },
    )
    assert picked.status_code == 200 and "Courses for data analyst" in picked.text
    bad = post(
        client,
        "/adviser",
        {
            "occupation": "data analyst",
            "max_duration_weeks": "soon",
            "start_before": "2026-13-45",
            "min_qualification_level": "L5",
            "max_qualification_level": "L2",
        },
    )
    assert bad.status_code == 422
    for field in ("max_duration_weeks", "start_before"):
        assert f'id="{field}-error"' in bad.text, field


@pytest.mark.slow
def test_the_adviser_gives_a_postcode_and_reads_distances(site: Site, encoder) -> None:
    client = sign_in(site, "adviser")
    form = {"target_kind": "occupation", "occupation": "data analyst", "start_from": "05/01/2026"}
    response = post(client, "/adviser", {**form, "local_authority": "L1 8JQ"})
    assert response.status_code == 200, response.text[:2000]
    assert "within 20 km of L1 8JQ" in response.text
    assert re.search(r'class="distance">(under 1|about \d+) km away<', response.text)
    assert not re.search(r"\(0\.\d\d\)", response.text), "no similarity scores on the page"
    # Narrower reach: fewer courses fit; contradictory choices name both fields.
    narrow = post(client, "/adviser", {**form, "local_authority": "L1 8JQ", "max_travel_km": "2"})
    assert narrow.status_code == 200 and "within 2 km of L1 8JQ" in narrow.text
    both = post(
        client,
        "/adviser",
        {**form, "local_authority": "L1 8JQ", "max_travel_km": "5", "only_my_authority": "yes"},
    )
    assert both.status_code == 422 and 'id="max_travel_km-error"' in both.text
    assert "only their own council area" in both.text
    unknown = post(client, "/adviser", {**form, "local_authority": "ZZ9 9ZZ"})
    assert unknown.status_code == 422 and 'id="local_authority-error"' in unknown.text
    assert "postcode" in unknown.text


@pytest.mark.slow
def test_the_adviser_names_the_skills_the_client_needs(site: Site, encoder) -> None:
    client = sign_in(site, "adviser")
    form = {"target_kind": "skills", "start_from": "05/01/2026", "local_authority": "Liverpool"}
    response = post(client, "/adviser", {**form, "skills_text": "Python\nExcel, Qvorblex zint"})
    assert response.status_code == 200, response.text[:2000]
    assert "Courses for the chosen skills" in response.text
    assert "“Python” means" in response.text
    assert "Not read as a digital skill, so not in the gap: &#39;Qvorblex zint&#39;" in (
        response.text
    )
    assert 'class="match"' in response.text
    empty = post(client, "/adviser", {**form, "skills_text": " , ;"})
    assert empty.status_code == 422 and 'id="skills_text-error"' in empty.text
    unread = post(client, "/adviser", {**form, "skills_text": "Qvorblex zint"})
    assert unread.status_code == 422 and 'id="skills_text-error"' in unread.text
    assert "names a digital skill" in unread.text


@pytest.mark.slow
def test_nothing_about_the_client_is_stored_or_logged(
    site: Site, encoder, caplog: pytest.LogCaptureFixture
) -> None:
    client = sign_in(site, "adviser")
    caplog.set_level(logging.DEBUG)
    response = post(
        client,
        "/adviser",
        {
            "current_skills_text": f"MS Excel, {SENTINEL} bookkeeping",
            "target_kind": "advert",
            "advert_text": f"Office administrator at {SENTINEL} Ltd. You will use Microsoft Excel "
            "and Outlook and keep records in our CRM.",
            "local_authority": "E08000011",
        },
    )
    assert response.status_code == 200, response.text[:2000]
    assert SENTINEL in response.text  # the form is filled in again, in this response only
    assert SENTINEL not in caplog.text
    with client.session_transaction() as session:
        assert SENTINEL not in repr(dict(session))
    with sqlite3.connect(site.db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            clause = " OR ".join(f"CAST({c} AS TEXT) LIKE ?" for c in columns)
            hits = conn.execute(
                f"SELECT count(*) FROM {table} WHERE {clause}", [f"%{SENTINEL}%"] * len(columns)
            ).fetchone()[0]
            assert hits == 0, table


def test_occupation_suggestions_are_posted_and_need_the_adviser_role(site: Site) -> None:
    client = sign_in(site, "adviser")
    response = post(client, "/adviser/occupations", {"q": "web dev"})
    assert response.status_code == 200
    assert "web developer" in response.get_json()["occupations"]
    assert client.get("/adviser/occupations?q=web").status_code == 405
    assert post(sign_in(site, "provider"), "/adviser/occupations", {"q": "web"}).status_code == 403


# -- course search ---------------------------------------------------------------------------


def test_course_search_filters_and_pages(site: Site) -> None:
    client = sign_in(site, "adviser")
    everything = client.get("/courses")
    total = int(re.search(r"([\d,]+) courses", everything.text).group(1).replace(",", ""))
    assert total == count(site, "SELECT count(*) FROM courses WHERE status = 'active'")
    liverpool = client.get("/courses?area=E08000012&delivery_mode=classroom&level=L2")
    found = re.findall(r'href="/courses/(\d+)"', liverpool.text)
    assert found
    with site.store() as store:
        for course_id in found:
            course = store.course(int(course_id))
            assert course["delivery_mode"] == "classroom" and course["qualification_level"] == "L2"
            assert course["local_authority"] == "E08000012" or course["national_delivery"]
    second = client.get("/courses?page=2")
    assert 'aria-current="page">2<' in second.text
    bad = client.get("/courses?level=L99&area=Atlantis")
    assert bad.status_code == 400 and 'href="#level"' in bad.text and 'href="#area"' in bad.text


def test_course_detail_shows_skills_places_dates_and_provider(site: Site) -> None:
    client = sign_in(site, "adviser")
    with site.store() as store:
        course = store.course(site.own_course)
    text = client.get(f"/courses/{site.own_course}").text
    assert course["title"] in text and course["provider_name"] in text
    for skill in course["skills"]:
        assert skill["label"] in text
    assert f"<dt>Places</dt><dd>{course['places']}</dd>" in text
    assert "Edit this course" not in text  # only its provider may edit it
    owner = sign_in(site, "provider").get(f"/courses/{site.own_course}").text
    assert "Edit this course" in owner


# -- provider portal ---------------------------------------------------------------------------


def test_a_provider_lists_and_edits_only_its_own_courses(site: Site) -> None:
    client = sign_in(site, "provider")
    listing = client.get("/provider").text
    with site.store() as store:
        own = {
            r[0]
            for r in store.db.execute(
                "SELECT title FROM courses WHERE provider_id = ?", [site.provider_id]
            )
        }
        other = store.course(site.other_course)
    assert all(title in listing for title in own)
    assert other["title"] not in listing
    assert client.get(f"/provider/courses/{site.other_course}/edit").status_code == 403
    forged = post(client, f"/provider/courses/{site.other_course}/edit", {"title": "Mine now"})
    assert forged.status_code == 403
    with site.store() as store:
        assert store.course(site.other_course)["title"] == other["title"]


def test_editing_a_course_validates_each_field_and_saves(site: Site) -> None:
    client = sign_in(site, "provider")
    path = f"/provider/courses/{site.own_course}/edit"
    form = _form_values(client.get(path).text)
    with site.store() as store:
        before = store.course(site.own_course)
    bad = post(
        client, path, {**form, "places": "-3", "start_dates": "2026-13-01", "url": "not a url"}
    )
    assert bad.status_code == 422
    for field in ("places", "start_dates", "url"):
        assert f'id="{field}-error"' in bad.text and f'href="#{field}"' in bad.text
    with site.store() as store:
        assert store.course(site.own_course)["places"] == before["places"]
    good = post(
        client,
        path,
        {**form, "places": str(before["places"] + 5), "start_dates": "2027-02-01, 2027-05-03"},
    )
    assert good.status_code == 303, good.text[:3000]
    with site.store() as store:
        after = store.course(site.own_course)
    assert after["places"] == before["places"] + 5
    assert after["start_dates"] == ["2027-02-01", "2027-05-03"]
    assert after["title"] == before["title"] and after["description"] == before["description"]


def _form_values(html: str) -> dict[str, str]:
    """The values an edit form was filled with (inputs, selected options, textareas)."""
    values: dict[str, str] = {}
    for name, value in re.findall(
        r'<input type="(?:text|url)" id="[^"]+" name="([^"]+)" value="([^"]*)"', html
    ):
        values[name] = _unescape(value)
    for name, body in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(
        r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        values[name] = _unescape(body)
    for name in re.findall(
        r'<input type="checkbox" id="[^"]+" name="([^"]+)" value="yes" checked', html
    ):
        values[name] = "yes"
    return values


def _unescape(text: str) -> str:
    import html as html_lib

    return html_lib.unescape(text)


GOOD_ROW = {
    "provider_ref": "PAGES-1",
    "title": "Spreadsheets at work (pages test)",
    "course_type": "free_courses_for_jobs",
    "programme_type": "aeb_digital",
    "qualification_level": "L1",
    "delivery_mode": "classroom",
    "study_mode": "part_time",
    "local_authority": "E08000012",
    "start_dates": "2027-01-11|2027-04-12",
    "duration_value": "10",
    "duration_unit": "weeks",
    "funding": "fully_funded",
    "places": "16",
    "skills": "",
}


def _csv(rows: list[dict[str, str]]) -> bytes:
    header = list(GOOD_ROW)
    lines = [",".join(header)] + [",".join(r.get(h, "") for h in header) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_an_upload_with_a_bad_row_saves_nothing_and_names_the_row(site: Site) -> None:
    client = sign_in(site, "provider")
    with site.store() as store:
        skill = store.db.execute(
            "SELECT id FROM skills WHERE label = 'use spreadsheets software'"
        ).fetchone()[0]
    good = {**GOOD_ROW, "skills": skill}
    bad = {**good, "provider_ref": "PAGES-2", "qualification_level": "L9"}
    courses_before = count(site, "SELECT count(*) FROM courses")
    response = post(
        client,
        "/provider/upload",
        {"file": (io.BytesIO(_csv([good, bad])), "courses.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert re.search(
        r"<td>2</td><td><code>qualification_level</code></td><td>Must be one of",
        response.text,
    )
    assert "Nothing has been saved" in response.text
    assert count(site, "SELECT count(*) FROM courses") == courses_before
    # The fixed file: checked (still nothing saved), then imported from the confirm form.
    fixed = {**bad, "qualification_level": "L2"}
    checked = post(
        client,
        "/provider/upload",
        {"file": (io.BytesIO(_csv([good, fixed])), "courses.csv")},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200 and "ready to import" in checked.text
    assert count(site, "SELECT count(*) FROM courses") == courses_before
    confirm = dict(
        re.findall(r'<input type="hidden" name="(token|content)" value="([^"]+)"', checked.text)
    )
    tampered = post(
        client,
        "/provider/upload/import",
        {**confirm, "content": confirm["content"][:-8] + "AAAAAAAA"},
    )
    assert tampered.status_code == 400
    other = sign_in(site, "other_provider")
    assert post(other, "/provider/upload/import", confirm).status_code == 400
    assert count(site, "SELECT count(*) FROM courses") == courses_before
    imported = post(client, "/provider/upload/import", confirm)
    assert imported.status_code == 303 and imported.headers["Location"] == "/provider"
    assert "Imported courses.csv: 2 new" in client.get("/provider").text
    assert (
        count(
            site,
            "SELECT count(*) FROM courses WHERE provider_id = ? AND provider_ref "
            "IN ('PAGES-1', 'PAGES-2')",
            site.provider_id,
        )
        == 2
    )


def test_an_upload_that_is_not_a_course_file_is_refused(site: Site) -> None:
    client = sign_in(site, "provider")
    for name, content, message in (
        (None, b"", "Choose a CSV or JSON file"),
        ("notes.txt", b"hello", "must be a .csv, .json or .jsonl"),
        ("courses.json", b"{not json", "Malformed JSON"),
    ):
        data = {} if name is None else {"file": (io.BytesIO(content), name)}
        response = post(client, "/provider/upload", data, content_type="multipart/form-data")
        assert response.status_code == 422, name
        assert message in response.text and 'href="#file"' in response.text


# -- partnership dashboard -----------------------------------------------------------------------


def test_the_dashboard_filters_and_links_to_the_records_behind_a_figure(site: Site) -> None:
    client = sign_in(site, "partnership")
    response = client.get("/partnership?area=E08000012&level=specialist")
    assert response.status_code == 200
    text = response.text
    for chart in ("chart-levels", "chart-heatmap", "chart-trend"):
        assert f'id="{chart}"' in text
    assert "<strong>Liverpool</strong>" in text and "Specialist level only" in text
    links = re.findall(r'href="(/partnership/drilldown\?[^"]+)"', text)
    assert links and all("area=E08000012" in link and "level=specialist" in link for link in links)
    drill = client.get(_unescape(links[0]))
    assert drill.status_code == 200 and "Behind the figures" in drill.text
    assert "Adverts asking for this skill" in drill.text
    downloads = re.findall(r'href="(/partnership/download\.(\w+)\?[^"]+)"', text)
    assert {fmt for _, fmt in downloads} == {"csv", "xlsx", "html"}


def test_dashboard_filters_are_checked(site: Site) -> None:
    client = sign_in(site, "partnership")
    bad = client.get("/partnership?from=2026-13&level=expert&area=Atlantis")
    assert bad.status_code == 400
    for field in ("from", "level", "area"):
        assert f'href="#{field}"' in bad.text
    backwards = client.get("/partnership?from=2026-06&to=2026-01")
    assert backwards.status_code == 400 and "error-summary" in backwards.text
    assert client.get("/partnership/download.pdf").status_code == 404


def test_a_download_is_the_filtered_report(site: Site) -> None:
    client = sign_in(site, "partnership")
    response = client.get("/partnership/download.csv?area=E08000012&level=specialist")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="gap-report-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    areas = [r for r in rows if r["section"] == "areas"]
    assert {r["area_name"] for r in areas if r["area_kind"] == "local_authority"} == {"Liverpool"}
    demand = {r["level"]: float(r["demand"]) for r in areas if r["area_code"] == "E08000012"}
    assert demand["specialist"] > 0 and demand["specialist"] == demand["all"]
    assert all(v == 0 for lv, v in demand.items() if lv not in ("specialist", "all"))
    xlsx = client.get("/partnership/download.xlsx?level=essential")
    assert xlsx.data[:2] == b"PK"


# -- accessibility, checked on every page's HTML -------------------------------------------


class PageAudit(HTMLParser):
    """Collects what the accessibility rules look at."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.controls: list[dict[str, str]] = []
        self.labels: set[str] = set()
        self.headings: list[int] = []
        self.header_cells: list[dict[str, str]] = []
        self.in_thead = False
        self.inline_scripts = 0
        self.style_attributes = 0
        self.ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if "style" in a:
            self.style_attributes += 1
        if tag == "html":
            self.lang = a.get("lang")
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "thead":
            self.in_thead = True
        elif tag == "th":
            self.header_cells.append({"in_thead": str(self.in_thead), **a})
        elif tag == "script" and "src" not in a:
            self.inline_scripts += 1
        elif tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self.in_thead = False


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    return parser


def _check_page(html: str, where: str) -> None:
    page = audit(html)
    assert page.lang == "en-GB", where
    assert page.headings.count(1) == 1, (where, page.headings)
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, (where, "a heading level is skipped", page.headings)
    for control in page.controls:
        assert control.get("id") in page.labels, (where, "unlabelled", control)
    for cell in page.header_cells:
        assert cell.get("scope") in ("col", "row"), (where, cell)
    assert page.inline_scripts == 0 and page.style_attributes == 0, where
    assert len(page.ids) == len(set(page.ids)), (where, "duplicate ids")
    for target in page.links:
        assert target in page.ids, (where, "a link to a missing id", target)
    assert 'class="skip-link" href="#main"' in html and 'id="main"' in html


@pytest.mark.slow
def test_every_page_meets_the_accessibility_rules(site: Site, encoder) -> None:
    anonymous = browser(site)
    for path in ("/", "/sign-in", "/no-such-page"):
        _check_page(anonymous.get(path).text, path)
    _check_page(post(anonymous, "/sign-in", {"api_key": "nope"}).text, "sign-in error")
    adviser = sign_in(site, "adviser")
    for path in ("/", "/adviser", "/courses", f"/courses/{site.own_course}", "/provider"):
        _check_page(adviser.get(path).text, path)
    _check_page(post(adviser, "/adviser", {"occupation": "data analys"}).text, "suggestions")
    results = post(adviser, "/adviser", {"occupation": "data analyst", "start_from": "2026-01-05"})
    assert results.status_code == 200
    _check_page(results.text, "adviser results")
    provider = sign_in(site, "provider")
    for path in ("/provider", f"/provider/courses/{site.own_course}/edit", "/provider/upload"):
        _check_page(provider.get(path).text, path)
    bad = post(provider, f"/provider/courses/{site.own_course}/edit", {"places": "x"})
    _check_page(bad.text, "edit errors")
    partnership = sign_in(site, "partnership")
    for path in (
        "/partnership",
        "/partnership?area=E08000012&level=specialist",
        "/partnership?from=bad",
    ):
        _check_page(partnership.get(path).text, path)


def test_text_colours_have_at_least_4_5_to_1_contrast() -> None:
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})", css))
    pairs = [
        ("ink", "paper"),
        ("ink", "panel"),
        ("ink", "warning"),
        ("ink", "notice"),
        ("ink", "success"),
        ("ink", "focus"),
        ("muted", "paper"),
        ("muted", "panel"),
        ("link", "paper"),
        ("link", "panel"),
        ("link", "notice"),
        ("link-visited", "paper"),
        ("link-hover", "paper"),
        ("error", "paper"),
    ]
    for fg, bg in pairs:
        assert contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg)
    assert contrast("#ffffff", colours["brand"]) >= 4.5
    assert contrast("#ffffff", colours["button"]) >= 4.5
    assert contrast("#ffffff", colours["button-dark"]) >= 4.5
    for level in ("essential", "general", "specialist", "fusion"):
        rule = re.search(rf"\.tag-{level} {{ color: (#\w+); background: (#\w+); }}", css)
        assert rule and contrast(rule.group(1), rule.group(2)) >= 4.5, level
