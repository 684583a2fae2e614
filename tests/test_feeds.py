"""Job-advert feeds as they arrive (tests/data/feeds): parsed, placed, de-duplicated, imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from skills_match.errors import ImportRejected, InvalidInput
from skills_match.feeds import (
    parse_mapping,
    parse_salary,
    read_feed,
    read_mapping_file,
)
from skills_match.geo import Locator
from skills_match.importer import import_demand, read_demand_rows
from tests.test_skillspace import engine, skills_db  # noqa: F401

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
DATA = Path(__file__).resolve().parent.parent / "data"
LIVERPOOL, KNOWSLEY, PRESTON, WIRRAL = "E08000012", "E08000011", "E07000123", "E08000015"
BLACKBURN, BLACKPOOL, ST_HELENS, HALTON = "E06000008", "E06000009", "E08000013", "E06000006"
SEFTON = "E08000014"


@pytest.fixture(scope="module")
def locator() -> Locator:
    return Locator(DATA / "reference" / "postcodes.npz")


def by_ref(rows: list[dict]) -> dict[str, dict]:
    return {r["source_ref"]: r for r in rows}


def board_rows() -> list[dict]:
    mapping = read_mapping_file((FEEDS / "board_export.map").read_text())
    return read_demand_rows(FEEDS / "board_export.csv", mapping=mapping, source="board")


# -- parsing ----------------------------------------------------------------------------


def test_job_posting_json_keeps_every_field_and_cleans_html() -> None:
    rows = by_ref(read_demand_rows(FEEDS / "nhs_jobs.json"))
    nurse = rows["C9312-26-0412"]
    assert nurse["source"] == "NHS Jobs"
    assert nurse["employer"] == "Liverpool University Hospitals NHS Foundation Trust"
    assert (nurse["salary_min"], nurse["salary_max"], nurse["salary_unit"]) == (
        29970,
        36483,
        "year",
    )
    assert nurse["salary_currency"] == "GBP" and nurse["hours_per_week"] == 37.5
    assert nurse["employment_type"] == "full_time|part_time" and nurse["vacancies"] == 3
    # The first of several locations, its address and its point.
    assert (nurse["postcode"], nurse["town"], nurse["latitude"]) == ("L7 8XP", "Liverpool", 53.4095)
    assert nurse["occupational_category"] == "Nursing & midwifery"
    text = nurse["description"]
    assert "<" not in text and "&nbsp;" not in text and "&amp;" not in text
    assert "Desirable\n• Experience of data analysis in Excel" in text
    gp = rows["A2044-26-1187"]
    # A postcode inside the street address is found; a SOC-coded category gives soc_code.
    assert gp["postcode"] == "PR1 2HD" and gp["soc_code"] == "2211"
    assert "hours_per_week" not in gp  # "6 sessions" states no hours


def test_json_lines_with_text_salaries_points_and_towns() -> None:
    rows = by_ref(read_demand_rows(FEEDS / "find_a_job.jsonl"))
    assert rows["FAJ-7711001"]["salary_min"] == 21892.0
    assert rows["FAJ-7711001"]["salary_unit"] == "year"
    warehouse = rows["FAJ-7712302"]
    assert (warehouse["salary_min"], warehouse["salary_unit"]) == (15.95, "hour")
    assert warehouse["hours_per_week"] == 40.0 and "postcode" not in warehouse
    assert rows["FAJ-7713999"]["salary_text"] == "Competitive"
    assert rows["FAJ-7715120"]["remote"] is True
    assert rows["FAJ-7715120"]["salary_max"] == 30000.0


def test_html_pages_yield_their_json_ld_postings_only() -> None:
    rows = by_ref(read_demand_rows(FEEDS / "careers_page.html", source="careers"))
    assert set(rows) == {"LDS-2026-031", "LDS-2026-032"}
    cloud = rows["LDS-2026-031"]
    assert cloud["source"] == "LDS careers"  # the posting's identifier names its feed
    assert rows["LDS-2026-032"]["source"] == "careers"  # this one does not: the default
    # Escaped twice in the feed, still clean text; the requirement fields become sections.
    assert cloud["description"].startswith("Support our customers' Microsoft Azure")
    assert "• Linux administration" in cloud["description"]
    assert "Qualifications\n• AZ-900 or AWS Cloud Practitioner" in cloud["description"]
    assert (cloud["salary_min"], cloud["salary_max"]) == (32000.0, 38000.0)


def test_csv_with_a_saved_mapping_and_command_line_overrides() -> None:
    rows = by_ref(board_rows())
    marketing = rows["BX-1001"]
    assert marketing["job_title"] == "Digital Marketing Executive"
    assert (marketing["salary_min"], marketing["salary_max"]) == (26000.0, 28500.0)
    assert marketing["description"].startswith("Plan campaigns on Facebook")
    assert "Internal Notes" not in marketing  # unmapped columns are not fields
    assert rows["BX-1003"]["salary_max"] == 48000.0
    assert parse_mapping(["job_title = Job Title"]) == {"job_title": "Job Title"}
    with pytest.raises(InvalidInput, match="unknown field 'title'"):
        parse_mapping(["title=Job Title"])
    with pytest.raises(InvalidInput, match="not in the CSV header: 'Job'"):
        read_feed((FEEDS / "board_export.csv").read_text(), "csv", mapping={"job_title": "Job"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GBP 21,892 - 24,157 per annum", (21892.0, 24157.0, "year", "GBP")),
        ("15.95 per hour", (15.95, 15.95, "hour", None)),
        ("£25k-£30k", (25000.0, 30000.0, None, "GBP")),
        ("£11.44 – £12.00 an hour", (11.44, 12.0, "hour", "GBP")),
        ("£450 per day", (450.0, 450.0, "day", "GBP")),
        ("Band 5: £29,970 to £36,483 a year pro rata", (29970.0, 36483.0, "year", "GBP")),
    ],
)
def test_salaries_as_feeds_write_them(text: str, expected: tuple) -> None:
    got = parse_salary(text)
    assert (
        got["salary_min"],
        got["salary_max"],
        got.get("salary_unit"),
        got.get("salary_currency"),
    ) == expected


def test_unreadable_feeds_get_clear_errors() -> None:
    with pytest.raises(InvalidInput, match="no schema\\.org JobPosting"):
        read_demand_rows(b"<html><body>No jobs</body></html>", "html")
    with pytest.raises(InvalidInput, match="JSON-LD block 1 is malformed"):
        read_demand_rows(b'<script type="application/ld+json">{"a": </script>', "html")
    with pytest.raises(InvalidInput, match="CSV files only"):
        read_feed("[]", "json", mapping={"job_title": "Title"})


# -- importing --------------------------------------------------------------------------


def import_all(store, locator, engine, **kwargs):  # noqa: F811
    rows = (
        read_demand_rows(FEEDS / "nhs_jobs.json")
        + read_demand_rows(FEEDS / "find_a_job.jsonl")
        + read_demand_rows(FEEDS / "careers_page.html", source="careers")
        + board_rows()
    )
    return rows, import_demand(
        store,
        rows,
        source_name="feeds",
        actor="test",
        linker=engine.extractor,
        locator=locator,
        **kwargs,
    )


def test_feeds_import_placed_deduplicated_and_idempotent(reference_store, locator, engine):  # noqa: F811
    store = reference_store
    rows, report = import_all(store, locator, engine)
    assert report.status == "committed"
    # "Newport" is a Welsh council and a town on the Isle of Wight: kept aside, listed.
    assert [u["source_ref"] for u in report.unplaced] == ["FAJ-7716004"]
    assert "'Newport' names the authority W06000022 but also" in report.unplaced[0]["reason"]
    # The second Customer Service Advisor advert (6 days later, same employer and place).
    assert [d["source_ref"] for d in report.duplicates] == ["FAJ-7718450"]
    assert report.inserted == len(rows) - 2
    placed = {
        ref: (area, method)
        for ref, area, method in store.db.execute(
            "SELECT source_ref, local_authority, location_method FROM demand"
        )
    }
    assert placed["C9312-26-0412"] == (LIVERPOOL, "postcode")
    assert placed["FAJ-7711001"] == (PRESTON, "postcode")  # written "pr12hd"
    assert placed["FAJ-7712302"] == (KNOWSLEY, "coordinates")
    assert placed["FAJ-7713999"] == (KNOWSLEY, "place")  # an authority's name
    assert placed["FAJ-7714001"] == (SEFTON, "place")  # a town: Bootle (GeoNames)
    assert placed["FAJ-7715120"][0] == WIRRAL
    assert placed["LDS-2026-031"][0] == BLACKBURN
    assert {placed[r][0] for r in ("BX-1001", "BX-1002", "BX-1003")} == {
        BLACKPOOL,
        ST_HELENS,
        HALTON,
    }
    nurse = store.db.execute(
        "SELECT posted_date, closing_date, salary_min, salary_unit, hours_per_week, source_url "
        "FROM demand WHERE source_ref = 'C9312-26-0412'"
    ).fetchone()
    assert nurse == (
        "2026-11-02",
        "2026-11-23",
        29970.0,
        "year",
        37.5,
        "https://www.jobs.nhs.uk/candidate/jobadvert/C9312-26-0412",
    )
    unplaced = store.db.execute("SELECT source_ref, town FROM demand_unplaced").fetchall()
    assert unplaced == [("FAJ-7716004", "Newport")]
    duplicate = store.db.execute(
        "SELECT dd.source_ref, d.source_ref FROM demand_duplicates dd "
        "JOIN demand d ON d.id = dd.duplicate_of"
    ).fetchall()
    assert duplicate == [("FAJ-7718450", "FAJ-7711001")]

    _, again = import_all(store, locator, engine)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(rows))


def test_desirable_and_negated_skills_in_a_real_advert(reference_store, locator, engine):  # noqa: F811
    store = reference_store
    import_all(store, locator, engine)
    links = {
        (label, importance)
        for label, importance in store.db.execute(
            """SELECT s.label, ds.importance FROM demand_skills ds
               JOIN skills s ON s.id = ds.skill_id JOIN demand d ON d.id = ds.demand_id
               WHERE d.source_ref = 'C9312-26-0412'"""
        )
    }
    importance = dict(links)
    assert importance.get("use Microsoft Office") in (None, "essential")
    # Excel sits under "Desirable": linked, but as optional.
    excel = [i for label, i in links if "spreadsheet" in label.lower()]
    assert excel and set(excel) == {"optional"}, links


def test_a_bad_value_names_row_field_value_accepted_and_example(reference_store, locator):
    rows = read_demand_rows(FEEDS / "find_a_job.jsonl")
    rows[2]["posted_date"] = "05/11/2026"
    rows[4]["latitude"] = 53.4
    with pytest.raises(ImportRejected) as caught:
        import_demand(reference_store, rows, source_name="f", actor="t", locator=locator)
    errors = {(e.row, e.field): e for e in caught.value.errors.errors}
    date = errors[(3, "posted_date")]
    assert date.value == "05/11/2026" and "ISO 8601" in date.expected
    assert "2026-12-07T09:30:00+00:00" in date.example
    assert "received '05/11/2026'" in str(date)
    assert "Give latitude and longitude together" in errors[(5, "longitude")].message
    # All or nothing: not one advert was written, placed or set aside.
    for table in ("demand", "demand_unplaced", "demand_duplicates"):
        assert reference_store.db[table].count == 0
