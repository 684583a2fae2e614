"""The HTML gap report renders its charts in a real (headless) Chromium, without JavaScript.

Saves a screenshot to test-artifacts/gap-report.png for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from skills_match.exports import to_html
from skills_match.report import GapReportFilters, GapReportOptions, build_gap_report
from tests.test_report_support import load_small_dataset

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
CHARTS = ("chart-levels", "chart-heatmap", "chart-trend")


def _write(store, folder: Path, suppress: bool) -> Path:
    report = build_gap_report(
        store,
        GapReportFilters(period_from="2026-01", period_to="2026-03"),
        GapReportOptions(threshold=2, suppress=suppress),
    )
    path = folder / f"gap-report-{'suppressed' if suppress else 'flagged'}.html"
    path.write_text(to_html(report), encoding="utf-8")
    return path


@pytest.fixture
def pages(reference_store, tmp_path) -> dict[bool, Path]:
    """The small catalogue's report, with small cells flagged (False) or withheld (True)."""
    load_small_dataset(reference_store)
    return {s: _write(reference_store, tmp_path, s) for s in (False, True)}


def test_html_is_self_contained_and_accessible(pages):
    text = pages[True].read_text(encoding="utf-8")
    assert "<script" not in text and "http://" not in text.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in text
    for chart in CHARTS:
        assert f'id="{chart}"' in text
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in text
    # The essential level rests on one record (threshold 2): withheld in table and chart.
    assert "[c]" in text and "(withheld)" in text
    flagged = pages[False].read_text(encoding="utf-8")
    assert ">[c]<" not in flagged and 'class="small"' in flagged


@pytest.mark.browser
def test_charts_render_in_headless_chromium(pages):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian chromium is missing: `make test` installs it")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(
                viewport={"width": 1200, "height": 900}, java_script_enabled=False
            )
            page.goto(pages[False].as_uri())
            assert page.title().startswith("Digital skills gap report")
            for chart in CHARTS:
                svg = page.locator(f"svg#{chart}")
                box = svg.bounding_box()
                assert box and box["width"] > 300 and box["height"] > 100, (chart, box)
                assert svg.locator("title").first.text_content()
            bars = page.locator("svg#chart-levels rect")
            assert bars.count() >= 6
            widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
            assert max(widths) > 100  # the general level's demand bar (7) is the longest
            assert page.locator("svg#chart-heatmap rect").count() >= 2 * 5
            assert page.locator("svg#chart-trend polyline").count() >= 4
            page.screenshot(path=str(ARTIFACTS / "gap-report.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "gap-report.png").stat().st_size > 10_000
