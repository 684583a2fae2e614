"""The gap report on a small catalogue whose every figure is worked out by hand.

The dataset is described in tests/test_report_support.py. Figures are checked in exact
units (1 vacancy or place = 12,000,000 units) wherever a national share makes them
fractional, and in the published (rounded) form otherwise.
"""

from __future__ import annotations

import csv
import io

import pytest

from skills_match.errors import InvalidInput, NotFound
from skills_match.report import (
    GapReportFilters,
    GapReportOptions,
    build_gap_report,
    drilldown,
    hold_months,
    resolve_period,
)
from skills_match.store import Store
from skills_match.store.report_cells import MONTHS
from skills_match.store.reports import ReportQuery, _SiblingPass
from tests.test_report_support import (
    LIVERPOOL,
    LIVERPOOL_PPM,
    PRESTON,
    PRESTON_PPM,
    UNIT,
    add_demand,
    demand_row,
    load_small_dataset,
)

PERIOD = GapReportFilters(period_from="2026-01", period_to="2026-03")
# C2: a flexible course of 120 places a year adds 120 / 12 = 10 places a month, i.e. 120
# twelfths of a place a month; over the 3-month period, 360 twelfths. Its share in an
# authority is twelfths x population share (ppm): units, where 12 x 1e6 units = 1 place.
C2_LIVERPOOL_U = 360 * LIVERPOOL_PPM  # 3,186,000 units = 0.2655 places
C2_PRESTON_U = 360 * PRESTON_PPM  # 917,640 units = 0.07647 places


@pytest.fixture
def small(reference_store):
    ids = load_small_dataset(reference_store)
    return reference_store, ids


def _report(store, filters=PERIOD, **options):
    return build_gap_report(store, filters, GapReportOptions(**options))


def _node(report, kind, code=None):
    return next(a for a in report.areas if a.kind == kind and (code is None or a.code == code))


def _cell(report, kind, level, code=None):
    return report.area_level(_node(report, kind, code).nid, level).current


def test_totals_by_level_match_the_hand_computation(small):
    store, _ = small
    report = _report(store)

    # general = S1. Demand: D1 3 x 1.0 (Liverpool) + D3 4 x 1.0 (Preston) = 7.
    # Supply: C1 runs 2026-01-12 and 2026-03-02 in the period, 2 places each = 4 (Liverpool).
    # Unmet (sum of local gaps): Liverpool max(3 - 4, 0) = 0, Preston max(4 - 0, 0) = 4.
    # Net (Liverpool's spare place offsets Preston): max(7 - 4, 0) = 3. Ratio 7 / 4 = 1.75.
    general = _cell(report, "total", "general")
    assert (general.demand, general.supply, general.unmet, general.net_unmet) == (7, 4, 4, 3)
    assert general.ratio == 1.75
    assert (general.records, general.vacancies) == (2, 7)  # D1, D3; 3 + 4 vacancies

    # specialist = S2. Demand: D1 optional 3 x 0.5 = 1.5, D2 essential 2 x 1.0 = 2 -> 3.5,
    # all in Liverpool. Supply: only C2 (national): Liverpool's and Preston's shares.
    specialist = _cell(report, "total", "specialist")
    assert specialist.demand_u == 3.5 * UNIT == 42_000_000
    assert specialist.supply_u == C2_LIVERPOOL_U + C2_PRESTON_U == 4_103_640
    # Unmet: Liverpool 42,000,000 - 3,186,000 = 38,814,000 (Preston has no S2 demand).
    assert specialist.unmet_u == 42_000_000 - C2_LIVERPOOL_U == 38_814_000
    # Net: 42,000,000 - 4,103,640 = 37,896,360.
    assert specialist.net_u == 37_896_360
    assert (specialist.records, specialist.vacancies) == (2, 5)  # D1, D2; 3 + 2

    # essential = S3: D3 optional 4 x 0.5 = 2 in Preston; C3 is withdrawn and C4 starts
    # after the period, so no supply: unmet = net = 2 and the ratio is undefined.
    essential = _cell(report, "total", "essential")
    assert (essential.demand, essential.supply, essential.unmet, essential.net_unmet) == (
        2,
        0,
        2,
        2,
    )
    assert essential.ratio is None
    assert (essential.records, essential.vacancies) == (1, 4)

    # fusion: nothing. unlevelled: S4 is not digital, so it is left out by default.
    assert _cell(report, "total", "fusion") == _cell(report, "total", "unlevelled")
    assert _cell(report, "total", "fusion").demand_u == 0

    # All levels: sums of the levels; records and vacancies are distinct records (D1-D3).
    every = _cell(report, "total", "all")
    assert every.demand_u == (7 + 3.5 + 2) * UNIT == 150_000_000
    assert every.supply_u == 4 * UNIT + 4_103_640 == 52_103_640
    assert every.unmet_u == 4 * UNIT + 38_814_000 + 2 * UNIT == 110_814_000
    assert every.net_u == 3 * UNIT + 37_896_360 + 2 * UNIT == 97_896_360
    assert (every.records, every.vacancies) == (3, 3 + 2 + 4)


def test_roll_ups_follow_the_area_tree(small):
    store, _ = small
    report = _report(store)
    liverpool = _node(report, "local_authority", LIVERPOOL)
    preston = _node(report, "local_authority", PRESTON)
    lcr = _node(report, "combined_authority", "E47000004")
    lancashire = _node(report, "county", "E10000017")
    north_west = _node(report, "region", "North West")
    assert (liverpool.parent, preston.parent) == (lcr.nid, lancashire.nid)
    assert lcr.parent == lancashire.parent == north_west.nid
    # Only Liverpool of LCR's six authorities, and Preston of Lancashire's twelve districts,
    # are in the default scope (the authorities with demand or local courses).
    assert (lcr.authorities, lcr.authorities_total) == (1, 6)
    assert (lancashire.authorities, lancashire.authorities_total) == (1, 12)

    # Liverpool, general: demand 3, supply 4, gap 0. Preston, general: 4, 0, gap 4.
    lpool = report.area_level(liverpool.nid, "general").current
    assert (lpool.demand, lpool.supply, lpool.unmet, lpool.net_unmet) == (3, 4, 0, 0)
    pres = report.area_level(preston.nid, "general").current
    assert (pres.demand, pres.supply, pres.unmet, pres.net_unmet) == (4, 0, 4, 4)
    # The combined authority holds only Liverpool: the same figures.
    assert report.area_level(lcr.nid, "general").current == lpool
    # Specialist supply in Preston is its share of C2 alone.
    assert report.area_level(preston.nid, "specialist").current.supply_u == C2_PRESTON_U


def test_previous_period_and_change(small):
    store, _ = small
    report = _report(store)
    general = report.area_level(report.total.nid, "general")
    # Previous period 2025-10..12: D4 Preston 5 vacancies; C1's run on 2025-12-01 (2 places,
    # Liverpool). Gap: Preston 5 (Liverpool has no S1 demand then). Change: 4 - 5 = -1.
    assert (general.previous.demand, general.previous.supply, general.previous.unmet) == (5, 2, 5)
    published = report.to_dict()
    row = next(r for r in published["summary"] if r["level"] == "general")
    assert row["previous_unmet"] == 5 and row["unmet_change"] == -1
    assert published["period"] == {
        "from": "2026-01",
        "to": "2026-03",
        "months": 3,
        "previous_from": "2025-10",
        "previous_to": "2025-12",
        # D1, D2, D3 fall in January, February and March; D4 alone in the previous period.
        "months_with_demand": 3,
        "previous_months_with_demand": 1,
    }


def test_trend_by_month(small):
    store, _ = small
    report = _report(store)
    points = {(p.month, p.level): p.figures for p in report.trend if p.current_period}
    # general: Jan D1 3 vs C1's run (2); Feb nothing; Mar D3 4 vs C1's run (2).
    assert [
        (points[m, "general"].demand, points[m, "general"].supply)
        for m in ("2026-01", "2026-02", "2026-03")
    ] == [(3, 2), (0, 0), (4, 2)]
    # specialist: Jan D1 1.5, Feb D2 2; C2 adds 120 twelfths x (8850 + 2549) ppm a month.
    assert [points[m, "specialist"].demand for m in ("2026-01", "2026-02", "2026-03")] == [
        1.5,
        2,
        0,
    ]
    assert {points[m, "specialist"].supply_u for m in ("2026-01", "2026-02", "2026-03")} == {
        120 * (LIVERPOOL_PPM + PRESTON_PPM)
    }
    assert [points[m, "all"].records for m in ("2026-01", "2026-02", "2026-03")] == [1, 1, 1]


def test_sector_and_occupation_breakdowns(small):
    store, _ = small
    published = _report(store).to_dict()
    sectors = {(r["code"], r["level"]): r for r in published["sectors"]}
    # J: D1 (S1 3; S2 1.5) and D2 (S2 2). C: D3 (S1 4; S3 optional 4 x 0.5 = 2).
    assert (sectors["J", "general"]["demand"], sectors["J", "general"]["records"]) == (3, 1)
    assert (sectors["J", "specialist"]["demand"], sectors["J", "specialist"]["records"]) == (3.5, 2)
    assert (sectors["J", "all"]["demand"], sectors["J", "all"]["records"]) == (6.5, 2)
    assert sectors["J", "all"]["vacancies"] == 5
    assert (sectors["C", "essential"]["demand"], sectors["C", "all"]["demand"]) == (2, 6)
    assert sectors["C", "all"]["label"] == "C Manufacturing"
    # Previous period: D4 (sector C) 5 vacancies of S1.
    assert sectors["C", "general"]["previous_demand"] == 5
    assert sectors["C", "general"]["demand_change"] == -1
    occupations = {(r["code"], r["level"]): r for r in published["occupations"]}
    assert occupations["25", "specialist"]["demand"] == 3.5
    assert occupations["25", "all"]["label"].startswith("25 ")
    assert occupations["41", "general"]["demand"] == 4


def test_top_skills(small):
    store, ids = small
    report = _report(store)
    top = {(t.area.kind, t.area.code, t.level): t for t in report.top_skills}
    general = top["total", "all", "general"]
    assert (general.rank, general.skill_id) == (1, ids["S1"])
    assert (general.current.demand, general.current.supply, general.current.unmet) == (7, 4, 4)
    assert general.previous.unmet == 5
    assert top["total", "all", "specialist"].current.unmet_u == 38_814_000
    # In Liverpool S1 has no gap (3 needed, 4 places), so it is not a top *unmet* skill.
    assert ("local_authority", LIVERPOOL, "general") not in top
    assert top["local_authority", PRESTON, "general"].current.unmet == 4


def test_drilldown_lists_exactly_the_rows_behind_a_cell(small):
    store, ids = small
    cell = drilldown(store, ids["S1"], PERIOD)
    assert [r["source_ref"] for r in cell.records] == ["D1", "D3"]
    assert [r["demand_u"] for r in cell.records] == [3 * UNIT, 4 * UNIT]
    assert [c["provider_ref"] for c in cell.courses] == ["C1"]
    assert cell.courses[0]["run_dates"] == ["2026-01-12", "2026-03-02"]
    # The lists add up to the cell, which is the report's top-skill row for S1.
    assert sum(r["demand_u"] for r in cell.records) == cell.current.demand_u
    assert sum(c["supply_u"] for c in cell.courses) == cell.current.supply_u
    row = next(
        t for t in _report(store).top_skills if t.skill_id == ids["S1"] and t.area.kind == "total"
    )
    assert cell.current.demand_u == row.current.demand_u
    assert cell.current.supply_u == row.current.supply_u
    assert cell.current.unmet_u == row.current.unmet_u
    assert cell.records_total == 2

    # Narrowed to Liverpool and one month: D1 only; C1's January run only.
    january = drilldown(
        store,
        ids["S1"],
        GapReportFilters(areas=(LIVERPOOL,), period_from="2026-01", period_to="2026-01"),
    )
    assert [r["source_ref"] for r in january.records] == ["D1"]
    assert january.courses[0]["run_dates"] == ["2026-01-12"]
    assert (january.current.demand, january.current.supply) == (3, 2)

    # A national course shows its share: S2 in Liverpool gets 8850 ppm of C2's 30 places.
    python = drilldown(store, ids["S2"], GapReportFilters(areas=(LIVERPOOL,), **_months()))
    assert [r["source_ref"] for r in python.records] == ["D1", "D2"]
    assert [r["weight"] for r in python.records] == [0.5, 1.0]
    (c2,) = python.courses
    assert (c2["provider_ref"], c2["share"], c2["supply_u"]) == ("C2", 0.00885, C2_LIVERPOOL_U)
    assert python.current.unmet_u == 38_814_000
    published = python.to_dict()
    assert published["courses"][0]["supply"] == pytest.approx(0.2655)
    assert "supply_u" not in published["courses"][0]


def _months():
    return {"period_from": "2026-01", "period_to": "2026-03"}


def test_drilldown_pages_records_but_keeps_whole_figures(small):
    store, ids = small
    page = drilldown(store, ids["S1"], PERIOD, limit=1, offset=1)
    assert [r["source_ref"] for r in page.records] == ["D3"]
    assert page.records_total == 2 and page.current.demand == 7


def test_drilldown_of_an_unknown_skill(small):
    store, _ = small
    with pytest.raises(NotFound):
        drilldown(store, "no-such-skill", PERIOD)


def test_filters(small):
    store, _ = small
    general_only = _report(store, GapReportFilters(levels=("general",), **_months()))
    every = _cell(general_only, "total", "all")
    assert (every.demand, every.supply, every.records) == (7, 4, 2)
    assert _cell(general_only, "total", "specialist").supply_u == 0

    # Sector C narrows demand to D3; supply is not sector-specific and stays.
    manufacturing = _report(store, GapReportFilters(sectors=("c",), **_months()))
    general = _cell(manufacturing, "total", "general")
    assert (general.demand, general.supply, general.records) == (4, 4, 1)

    # ISCO prefix 25 (ICT professionals): D1 and D2.
    ict = _report(store, GapReportFilters(occupations=("25",), **_months()))
    assert _cell(ict, "total", "all").records == 2
    assert _cell(ict, "total", "general").demand == 3

    # An area filter changes the scope, never an authority's own figures.
    preston = _report(store, GapReportFilters(areas=("Preston",), **_months()))
    assert [a.code for a in preston.areas if a.kind == "local_authority"] == [PRESTON]
    assert _cell(preston, "total", "general").demand == 4
    full = _report(store)
    for level in ("general", "specialist", "essential"):
        assert _cell(preston, "local_authority", level, PRESTON) == _cell(
            full, "local_authority", level, PRESTON
        )

    # A combined authority by name stands for its six members and its own code.
    lcr = _report(store, GapReportFilters(areas=("Liverpool City Region",), **_months()))
    codes = [a.code for a in lcr.areas if a.kind == "local_authority"]
    assert len(codes) == 7 and LIVERPOOL in codes and "E47000004" in codes
    assert _cell(lcr, "local_authority", "specialist", LIVERPOOL) == _cell(
        full, "local_authority", "specialist", LIVERPOOL
    )
    # A region by name.
    region = _report(store, GapReportFilters(areas=("north west",), **_months()))
    assert _node(region, "region", "North West").authorities > 30

    # Dates widen to whole months.
    dates = _report(store, GapReportFilters(period_from="2026-01-15", period_to="2026-03-31"))
    assert dates.period.months == ("2026-01", "2026-02", "2026-03")
    assert _cell(dates, "total", "all") == _cell(full, "total", "all")

    # Not digital-only: S4 (no level) joins as 'unlevelled': D3's 4 vacancies.
    everything = _report(store, GapReportFilters(digital_only=False, **_months()))
    unlevelled = _cell(everything, "total", "unlevelled")
    assert (unlevelled.demand, unlevelled.records) == (4, 1)
    assert "unlevelled" in everything.levels_present()
    assert "unlevelled" not in full.levels_present()


def test_weights_are_a_parameter(small):
    store, _ = small
    report = _report(store, weights={"essential": 1.0, "optional": 1.0})
    # S2 now: D1 3 x 1.0 + D2 2 = 5.
    assert _cell(report, "total", "specialist").demand == 5
    assert report.to_dict()["rules"]["importance_weights"] == {"essential": 1.0, "optional": 1.0}


def test_small_cells_are_flagged_and_suppressed(small):
    store, _ = small
    report = _report(store, threshold=2)
    rows = {r["level"]: r for r in report.to_dict()["summary"]}
    # general rests on 2 records (not small at threshold 2); essential on 1 (small).
    assert rows["general"]["small"] is False and rows["essential"]["small"] is True
    assert rows["essential"]["demand"] == 2 and rows["essential"]["suppressed"] is False

    suppressed = {r["level"]: r for r in report.to_dict(suppress=True)["summary"]}
    essential = suppressed["essential"]
    assert essential["suppressed"] is True
    for key in ("demand", "unmet", "net_unmet", "ratio", "records", "vacancies"):
        assert essential[key] is None, key
    assert essential["supply"] == 0  # course places are public: never withheld
    assert suppressed["general"]["demand"] == 7
    # Default threshold 10: everything in this small catalogue is flagged.
    assert all(r["small"] for r in _report(store).to_dict()["areas"])


def test_suppressed_drilldown_lists_no_records(small):
    store, ids = small
    cell = drilldown(store, ids["S3"], PERIOD, GapReportOptions(threshold=5, suppress=True))
    published = cell.to_dict()
    assert published["cell"]["suppressed"] is True and published["records"] == []
    assert published["records_total"] is None


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (GapReportFilters(levels=("expert",)), "level"),
        (GapReportFilters(sectors=("Z",)), "sector"),
        (GapReportFilters(occupations=("25x",)), "occupation"),
        (GapReportFilters(areas=("Atlantis",)), "area"),
        (GapReportFilters(period_from="2026-13"), "from"),
        (GapReportFilters(period_from="2026-02-30"), "from"),
        (GapReportFilters(period_from="2026-04", period_to="2026-01"), "from"),
        (GapReportFilters(period_from="2020-01", period_to="2026-01"), "to"),
    ],
)
def test_bad_filters_are_refused_with_field_errors(small, filters, field):
    store, _ = small
    with pytest.raises(InvalidInput) as caught:
        build_gap_report(store, filters)
    assert field in caught.value.errors


def test_default_period_is_the_twelve_months_to_the_latest_demand(small):
    store, _ = small
    period = resolve_period(store, None, None)
    assert (period.months[0], period.months[-1]) == ("2025-04", "2026-03")
    assert (period.previous_months[0], period.previous_months[-1]) == ("2024-04", "2025-03")
    assert resolve_period(store, "2026-01", None).months[-1] == "2026-12"


def test_a_record_level_override_moves_only_that_record(small):
    store, ids = small
    # D5 asks for S1 explicitly at fusion level: it counts under fusion, D1/D3 stay general.
    add_demand(store, [demand_row("D5", LIVERPOOL, "2026-02-01", 1, [(ids["S1"], "essential")])])
    with store.write():
        store.db.execute(
            "UPDATE demand_skills SET level = 'fusion' WHERE demand_id = "
            "(SELECT id FROM demand WHERE source_ref = 'D5')"
        )
    report = _report(store)
    assert _cell(report, "total", "fusion").demand == 1
    assert _cell(report, "total", "general").demand == 7


def test_an_empty_catalogue_gives_an_empty_report(reference_store):
    report = build_gap_report(reference_store, PERIOD)
    assert report.scope_codes == ()
    assert _cell(report, "total", "all") == _cell(report, "total", "general")
    published = report.to_dict()
    assert published["top_skills"] == [] and published["sectors"] == []


def test_two_connection_plan_gives_the_same_report(small):
    store, ids = small
    # Enough records (ids 1..45) that both connections' shares by id hold some.
    add_demand(
        store,
        [
            demand_row(
                f"P{i}",
                (LIVERPOOL, PRESTON)[i % 2],
                f"2026-0{1 + i % 3}-1{i % 9}",
                1 + i % 4,
                [(ids[f"S{1 + i % 3}"], ("essential", "optional")[i % 2])],
            )
            for i in range(40)
        ],
    )
    ids_held = [r[0] for r in store.db.execute("SELECT id FROM demand")]
    assert any(i % 20 < 13 for i in ids_held) and any(i % 20 >= 13 for i in ids_held)
    serial = build_gap_report(store, PERIOD, parallel=False)
    parallel = build_gap_report(store, PERIOD, parallel=True)
    assert parallel.area_levels == serial.area_levels
    assert parallel.top_skills == serial.top_skills
    assert parallel.trend == serial.trend and parallel.breakdown == serial.breakdown


def test_parallel_pass_discards_a_snapshot_that_moved(small):
    store, ids = small
    query = ReportQuery(
        months=("2026-01", "2026-02", "2026-03"), previous_months=("2025-10", "2025-11", "2025-12")
    )
    # Nothing committed between the sibling's two looks at the data version: rows come back.
    helper = _SiblingPass(store._open_sibling, query)
    helper.go()
    tables = helper.result()
    assert tables is not None and set(tables) == {"gr_cellk", "gr_am", "gr_so"}
    assert tables["gr_am"][1] and tables["gr_so"][1]
    # A commit lands after the sibling noted the version and before it opens its snapshot:
    # its rows could belong to another state of the data, so they are refused.
    helper = _SiblingPass(store._open_sibling, query)
    add_demand(store, [demand_row("D9", LIVERPOOL, "2026-02-01", 1, [(ids["S1"], "essential")])])
    helper.go()
    assert helper.result() is None
    # ... and the report still comes out whole, computed on one connection.
    report = build_gap_report(store, PERIOD, parallel=True)
    assert _cell(report, "total", "general").demand == 8


def test_cli_gap_report(small, tmp_path):
    from click.testing import CliRunner

    from skills_match.cli import main

    store, _ = small
    runner = CliRunner()
    base = ["--database", store.path, "gap-report", "--from", "2026-01", "--to", "2026-03"]
    result = runner.invoke(main, [*base, "--level", "general", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    total = next(
        r
        for r in rows
        if r["section"] == "areas" and r["area_kind"] == "total" and r["level"] == "general"
    )
    assert (total["demand"], total["supply"], total["unmet"]) == ("7.0", "4.0", "4.0")

    out = tmp_path / "report.xlsx"
    result = runner.invoke(main, [*base, "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    assert "Wrote" in result.output

    refused = runner.invoke(main, [*base, "--format", "xlsx"])
    assert refused.exit_code == 2 and "-o/--output" in refused.output
    unknown = runner.invoke(main, [*base, "--area", "Atlantis"])
    assert unknown.exit_code == 1 and "Atlantis" in unknown.output


def test_a_report_in_progress_does_not_block_writers(small):
    store, ids = small
    query = ReportQuery(
        months=("2026-01", "2026-02", "2026-03"), previous_months=("2025-10", "2025-11", "2025-12")
    )
    with store._report_tables(query), Store(store.path, busy_timeout_ms=200) as other:
        # The report holds its read snapshot and has written its temporary tables; a write
        # from another connection still commits at once (busy timeout 0.2 s).
        add_demand(
            other, [demand_row("D8", LIVERPOOL, "2026-02-01", 1, [(ids["S1"], "essential")])]
        )
        # ... and the report's snapshot does not see it (nor was it read into the cache).
        assert store.db.execute("SELECT sum(n_all) FROM gr_am").fetchone()[0] == 4
    assert _cell(_report(store), "total", "general").demand == 8


def test_a_flexible_course_is_supply_only_from_the_month_it_first_ran(small):
    store, _ = small
    with store.write():
        store.db.execute(
            "UPDATE courses SET available_from = '2026-02-15' WHERE provider_ref = 'C2'"
        )
    points = {(p.month, p.level): p.figures for p in _report(store).trend if p.current_period}
    assert [points[m, "specialist"].supply_u for m in ("2026-01", "2026-02", "2026-03")] == [
        0,
        120 * (LIVERPOOL_PPM + PRESTON_PPM),
        120 * (LIVERPOOL_PPM + PRESTON_PPM),
    ]
    # Without a date it counts from the month it was listed: today, after this period.
    with store.write():
        store.db.execute("UPDATE courses SET available_from = NULL WHERE provider_ref = 'C2'")
    report = _report(store)
    assert _cell(report, "total", "specialist").supply == 0


def test_month_cache_reads_again_only_the_months_that_changed(small):
    store, ids = small
    before = _report(store)
    held = MONTHS.held(str(store.path), "cells")
    assert {"2026-01", "2026-02"} <= set(held)
    add_demand(store, [demand_row("D9", LIVERPOOL, "2026-02-10", 4, [(ids["S1"], "essential")])])
    after = _report(store)
    now = MONTHS.held(str(store.path), "cells")
    assert now["2026-01"] is held["2026-01"]  # untouched: not read again
    assert now["2026-02"] is not held["2026-02"]
    assert _cell(after, "total", "general").demand == _cell(before, "total", "general").demand + 4
    # What the cache gave equals a report read wholly from the database.
    MONTHS.clear()
    fresh = _report(store)
    assert after.area_levels == fresh.area_levels and after.top_skills == fresh.top_skills
    # A month whose cells all go is read again as empty, not kept.
    with store.write():
        store.db.execute("DELETE FROM demand WHERE posted_date LIKE '2026-02%'")
    emptied = _report(store)
    MONTHS.clear()
    assert emptied.area_levels == _report(store).area_levels


def test_holding_no_months_reads_every_month_each_time(small):
    store, _ = small
    hold_months(0)  # SKILLS_MATCH_REPORT_CACHE_MB=0
    try:
        report = _report(store)
        assert MONTHS.held(str(store.path), "cells") == {}
        assert MONTHS.held(str(store.path), "records") == {}
    finally:
        hold_months(256)
    assert report.area_levels == _report(store).area_levels
