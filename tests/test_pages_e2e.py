"""The pages in a real browser: Debian's Chromium driven by Playwright against a real server.

Journeys, as people make them:

- an adviser signs in, finds courses for a client and reads a match's explanation and the
  pathway (with JavaScript, without it, and with the keyboard alone);
- a provider uploads a file with one bad row, sees the row's problem with nothing saved,
  fixes it, imports it and finds the new courses in their list;
- a partnership user filters the dashboard to Liverpool's specialist level and downloads
  the report as CSV.

Each page is saved as a screenshot in test-artifacts/pages/ for a person to look at.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skills_match.exports import number
from tests.browser import LiveServer, Site, build_site, chromium_path, launch_chromium, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 20_000
# A start date inside the seed catalogue's dates, so the journeys do not depend on today
# (typed the British way, as an adviser would).
START_FROM = "05/01/2026"


@pytest.fixture(scope="module")
def live(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory, encoder) -> Iterator[Any]:
    """The site served on 127.0.0.1, its matcher already fitted (as after a first request)."""
    if chromium_path() is None:
        pytest.fail("Debian chromium is missing: `make test` installs it")
    site = build_site(seeded_db, tmp_path_factory.mktemp("pages-e2e"))
    from api.db import get_store, settings
    from skills_match.matcher import get_matcher

    with site.app.app_context():
        get_matcher(settings(), get_store())
    server = LiveServer(site.app).start()
    try:
        yield site, server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium(live: Any) -> Iterator[Any]:
    """One headless Chromium for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def open_page(chromium: Any, **options: Any) -> Any:
    """A page in a fresh context (its own cookies), British English, a laptop-sized window."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in(page: Any, url: str, key: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{url}/sign-in")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def fill_adviser_form(page: Any, occupation: str = "data analyst") -> None:
    page.get_by_label("What can they already do?").fill("MS Excel, email and online banking")
    page.get_by_label("Job title", exact=True).fill(occupation)
    page.get_by_label("Where they live").fill("L1 8JQ")  # a Liverpool postcode
    page.get_by_label("Can start from").fill(START_FROM)


def courses_with_ref(site: Site, prefix: str) -> int:
    with sqlite3.connect(site.db_path) as conn:
        return conn.execute(
            "SELECT count(*) FROM courses WHERE provider_ref LIKE ?", [prefix + "%"]
        ).fetchone()[0]


# -- adviser --------------------------------------------------------------------------------


def test_an_adviser_finds_and_reads_a_match(live: Any, chromium: Any) -> None:
    from playwright.sync_api import expect

    site, url = live
    page = open_page(chromium)
    page.goto(url)
    screenshot(page, "home")
    page.goto(f"{url}/sign-in")
    screenshot(page, "sign-in")
    sign_in(page, url, site.keys["adviser"])
    expect(page).to_have_url(f"{url}/adviser")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find courses for a client")
    # JavaScript shows one target field at a time, and suggests job titles as you type.
    expect(page.locator("#advert_text")).to_be_hidden()
    page.get_by_label("A job advert").check()
    expect(page.locator("#advert_text")).to_be_visible()
    page.get_by_label("A job title").check()
    page.get_by_label("Job title", exact=True).press_sequentially("data anal", delay=30)
    expect(page.locator("#occupation-list option").first).to_have_attribute("value", "data analyst")
    screenshot(page, "adviser-form")

    fill_adviser_form(page)
    page.get_by_role("button", name="Find courses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses for data analyst")
    first = page.locator(".match").first
    expect(first.locator(".summary-line")).to_contain_text("This course covers")
    expect(first.locator("table.covers tbody tr").first).to_be_visible()
    explanation = first.locator("details .explanation").first
    expect(explanation).to_be_hidden()
    first.get_by_text("The explanation to read to the client").click()
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("It teaches")
    # Where the courses are: the reach is said, and in-person courses say how far.
    expect(page.locator(".note", has_text="within 20 km of L1 8JQ")).to_be_visible()
    expect(page.locator(".match .distance").first).to_contain_text("km away")
    step = page.locator(".pathway .step").first
    expect(step).to_contain_text("Step 1:")
    expect(page.get_by_text("of the gap", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Print these results")).to_be_visible()
    screenshot(page, "adviser-results")

    # The adviser corrects what was understood: an unticked skill counts as missing.
    understood = page.locator(".understood")
    box = understood.get_by_role("checkbox").first
    expect(box).to_be_checked()
    skill = understood.locator(".checkbox em").first.inner_text()
    box.uncheck()
    page.get_by_role("button", name="Match again with these corrections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses for data analyst")
    corrected = page.locator(".understood .checkbox", has_text="you said they do not")
    expect(corrected).to_contain_text(skill)
    expect(corrected.get_by_role("checkbox")).not_to_be_checked()
    expect(page.locator("#gap-skills")).to_contain_text(skill)

    # Printed: no navigation or form, every explanation expanded.
    page.emulate_media(media="print")
    expect(page.locator(".adviser-form")).to_be_hidden()
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator(".match").nth(1).locator("details .explanation")).to_be_visible()
    screenshot(page, "adviser-print")
    page.context.close()


def test_the_adviser_journey_works_without_javascript(live: Any, chromium: Any) -> None:
    from playwright.sync_api import expect

    site, url = live
    page = open_page(chromium, java_script_enabled=False)
    sign_in(page, url, site.keys["adviser"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Find courses for a client")
    expect(page.locator("#advert_text")).to_be_visible()  # nothing is hidden without scripts
    fill_adviser_form(page, occupation="data analys")
    page.get_by_role("button", name="Find courses").click()
    expect(page.locator(".error-summary")).to_contain_text("Job title")
    suggestion = page.get_by_role("button", name="data analyst", exact=True)
    expect(suggestion).to_be_visible()
    screenshot(page, "adviser-suggestions-no-js")
    suggestion.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses for data analyst")
    expect(page.locator(".match").first.locator(".summary-line")).to_contain_text(
        "This course covers"
    )
    expect(page.locator(".pathway .step").first).to_contain_text("Step 1:")
    # The explanations open without scripts too (details/summary is native).
    first = page.locator(".match").first
    first.get_by_text("The explanation to read to the client").click()
    expect(first.locator("details .explanation").first).to_contain_text("It teaches")
    screenshot(page, "adviser-results-no-js")
    page.context.close()


def test_the_adviser_form_can_be_filled_and_sent_with_the_keyboard(
    live: Any, chromium: Any
) -> None:
    from playwright.sync_api import expect

    site, url = live
    page = open_page(chromium)
    sign_in(page, url, site.keys["adviser"])
    page.goto(f"{url}/adviser")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    visited: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        active = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                return {id: el.id, tag: el.tagName, outline: style.outlineStyle,
                        shadow: style.boxShadow, background: style.backgroundColor};
            }"""
        )
        visited.append(active["id"] or active["tag"])
        # Every stop shows where the focus is: an outline, a ring or the yellow background.
        assert (
            active["outline"] != "none"
            or active["shadow"] != "none"
            or active["background"] == "rgb(255, 221, 0)"
        ), active
        if active["id"] == "current_skills_text":
            page.keyboard.type("email, spreadsheets, online forms")
        elif active["id"] == "occupation":
            page.keyboard.type("office clerk")
        elif active["id"] == "local_authority":
            page.keyboard.type("Knowsley")  # a select jumps to the option typed
        elif active["id"] == "find-courses":
            page.keyboard.press("Enter")
            break
    else:
        pytest.fail(f"the submit button was never reached by Tab: {visited}")
    assert visited.index("current_skills_text") < visited.index("occupation")
    assert visited.index("occupation") < visited.index("find-courses")
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses for office clerk")
    expect(page.get_by_text("For someone living in Knowsley")).to_be_visible()
    screenshot(page, "adviser-keyboard-results")
    page.context.close()


# -- provider ---------------------------------------------------------------------------------


COLUMNS = (
    "provider_ref,title,course_type,programme_type,qualification_level,delivery_mode,study_mode,"
    "local_authority,start_dates,duration_value,duration_unit,funding,places,description"
)


def course_file(second_level: str) -> bytes:
    """Two courses; the second's qualification level is as given (L9 does not exist)."""
    rows = [
        COLUMNS,
        "E2E-1,Excel for office work (e2e),free_courses_for_jobs,aeb_digital,L1,classroom,"
        "part_time,E08000012,2027-01-11|2027-04-12,10,weeks,fully_funded,16,"
        '"Use spreadsheets software to record, sort and chart data for the office."',
        f"E2E-2,Cloud computing foundations (e2e),skills_bootcamp,skills_bootcamp,{second_level},"
        "online,part_time,E08000012,2027-02-01,12,weeks,fully_funded,20,"
        '"Cloud technologies and managing cloud data and storage for small businesses."',
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_a_provider_sees_a_bad_row_then_fixes_and_imports_the_file(
    live: Any, chromium: Any
) -> None:
    from playwright.sync_api import expect

    site, url = live
    page = open_page(chromium)
    sign_in(page, url, site.keys["provider"])
    expect(page).to_have_url(f"{url}/provider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your courses")
    screenshot(page, "provider-courses")

    page.get_by_role("link", name="Upload a file of courses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload courses")
    screenshot(page, "provider-upload")
    page.get_by_label("Course file").set_input_files(
        files=[{"name": "courses.csv", "mimeType": "text/csv", "buffer": course_file("L9")}]
    )
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your file has 1 problem")
    rows = page.locator("table.row-errors tbody tr")
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    expect(cells.nth(0)).to_have_text("2")
    expect(cells.nth(1)).to_have_text("qualification_level")
    expect(cells.nth(2)).to_contain_text("Must be one of")
    expect(page.get_by_text("Nothing has been saved")).to_be_visible()
    assert courses_with_ref(site, "E2E-") == 0
    screenshot(page, "provider-upload-errors")

    page.get_by_label("Course file").set_input_files(
        files=[{"name": "courses.csv", "mimeType": "text/csv", "buffer": course_file("L3")}]
    )
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your file is ready to import")
    assert courses_with_ref(site, "E2E-") == 0  # checked, still nothing saved
    screenshot(page, "provider-upload-checked")
    page.get_by_role("button", name="Import 2 courses").click()
    expect(page).to_have_url(f"{url}/provider")
    expect(page.locator(".notice-success")).to_contain_text("Imported courses.csv: 2 new")
    for title in ("Excel for office work (e2e)", "Cloud computing foundations (e2e)"):
        expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    assert courses_with_ref(site, "E2E-") == 2
    screenshot(page, "provider-imported")

    # Editing one: a problem is shown next to its field; the fix is saved.
    page.get_by_role("link", name="Edit Cloud computing foundations (e2e)").click()
    page.get_by_label("Places").fill("lots")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#places-error")).to_contain_text("Enter a whole number")
    expect(page.locator(".error-summary a[href='#places']")).to_be_visible()
    screenshot(page, "provider-edit-errors")
    page.get_by_label("Places").fill("24")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".notice-success")).to_contain_text("Saved the changes")
    page.context.close()


# -- partnership --------------------------------------------------------------------------------


def test_a_partnership_user_filters_the_dashboard_and_downloads_the_report(
    live: Any, chromium: Any
) -> None:
    from playwright.sync_api import expect

    site, url = live
    page = open_page(chromium, accept_downloads=True)
    sign_in(page, url, site.keys["partnership"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Digital skills gap dashboard")
    screenshot(page, "partnership-dashboard")

    page.get_by_label("Area", exact=True).select_option(label="Liverpool")
    page.get_by_label("Level", exact=True).select_option(label="Specialist")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".lede")).to_contain_text("Liverpool")
    expect(page.locator(".lede")).to_contain_text("Specialist level only")
    for chart in ("chart-levels", "chart-heatmap", "chart-trend"):
        box = page.locator(f"svg#{chart}").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 40, chart
    screenshot(page, "partnership-filtered")

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV (spreadsheet-ready)").click()
    download = info.value
    assert download.suggested_filename.startswith("gap-report-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    about = {r["code"]: r["label"] for r in rows if r["section"] == "about"}
    assert about["scope"] == "Liverpool" and about["filter_levels"] == "specialist"
    liverpool = {
        r["level"]: float(r["unmet"])
        for r in rows
        if r["section"] == "areas" and r["area_name"] == "Liverpool"
    }
    shown = page.locator("table").first.locator("tbody tr").first.locator("td").nth(2)
    assert shown.inner_text() == number(liverpool["specialist"])
    assert all(v == 0 for lv, v in liverpool.items() if lv not in ("specialist", "all"))

    page.locator("table a[href*='/partnership/drilldown']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Behind the figures")
    expect(page.locator("table").first.locator("tbody tr").first).to_be_visible()
    screenshot(page, "partnership-drilldown")
    page.context.close()


# -- course search, and the pages people should not reach -------------------------------------


def test_course_search_detail_and_a_refused_page(live: Any, chromium: Any) -> None:
    from playwright.sync_api import expect

    site, url = live
    page = open_page(chromium)
    sign_in(page, url, site.keys["adviser"])
    page.get_by_role("link", name="Course search").click()
    page.get_by_label("Area", exact=True).select_option(label="Liverpool")
    page.get_by_label("How it is taught").select_option(label="Classroom")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-count")).to_contain_text("for Liverpool")
    screenshot(page, "courses")
    page.locator(".course-list h3 a").first.click()
    expect(page.get_by_role("heading", name="Skills taught")).to_be_visible()
    expect(page.get_by_text("Classroom", exact=False).first).to_be_visible()
    screenshot(page, "course-detail")

    response = page.goto(f"{url}/provider")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    screenshot(page, "error-403")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{url}/sign-in")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{url}/adviser")
    expect(page).to_have_url(f"{url}/sign-in?next=/adviser")
    page.context.close()
