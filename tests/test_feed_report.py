"""A gap report on imported feeds alone: its period, figures and drill-downs trace to adverts."""

from __future__ import annotations

from skills_match.report import GapReportFilters, build_gap_report, drilldown
from tests.test_feeds import import_all, locator  # noqa: F401
from tests.test_skillspace import engine, skills_db  # noqa: F401


def test_default_period_and_figures_of_a_report_on_imported_feeds_alone(
    reference_store,
    locator,  # noqa: F811
    engine,  # noqa: F811
):
    store = reference_store
    _, imported = import_all(store, locator, engine)
    report = build_gap_report(store)
    data = report.to_dict(suppress=False)
    # The newest imported advert is from November 2026: the default period ends there.
    assert data["period"]["to"] == "2026-11" and data["period"]["from"] == "2025-12"
    assert data["period"]["months_with_demand"] == 2  # October and November 2026
    assert data["left_out"] == {"reposts_merged": 1, "unplaced": 1}
    from skills_match.exports import to_csv, to_html

    assert "reposts_merged,1" in to_csv(report) and "unplaced_adverts,1" in to_csv(report)
    assert "Not in the figures: 1 repost(s)" in to_html(report)

    # The report counts digital skills: its areas are where adverts needing one were placed.
    placed = dict(store.db.execute("SELECT source_ref, local_authority FROM demand").fetchall())
    assert len(placed) == imported.inserted
    with_skills = {
        ref
        for (ref,) in store.db.execute(
            "SELECT DISTINCT d.source_ref FROM demand d JOIN demand_skills ds "
            "ON ds.demand_id = d.id JOIN skills s ON s.id = ds.skill_id WHERE s.is_digital = 1"
        )
    }
    areas = {
        a["area_code"]
        for a in data["areas"]
        if a["area_kind"] == "local_authority" and a["level"] == "all" and a["records"]
    }
    assert areas == {placed[ref] for ref in with_skills}

    # Each top unmet skill drills down to imported adverts whose counts equal the cell's.
    top = [t for t in data["top_skills"] if t["area_kind"] == "total"]
    assert {t["level"] for t in top} >= {"essential", "general", "specialist"}
    for skill in top:
        cell = drilldown(
            store, skill["skill_id"], GapReportFilters(levels=(skill["level"],))
        ).to_dict()
        records = cell["records"]
        assert {r["source_ref"] for r in records} <= set(placed)
        assert cell["cell"]["records"] == len(records) == skill["records"]
        assert cell["cell"]["vacancies"] == sum(r["vacancies"] for r in records) > 0
        assert round(sum(r["demand"] for r in records), 2) == cell["cell"]["demand"]

    # Essential and desirable requirements can be counted apart; each alone at weight 1.
    from skills_match.report import REQUIREMENT_WEIGHTS, GapReportOptions

    def total_demand(kind: str) -> float:
        options = GapReportOptions(weights=dict(REQUIREMENT_WEIGHTS[kind]))
        summary = build_gap_report(store, None, options).to_dict(suppress=False)["summary"]
        return next(a["demand"] for a in summary if a["level"] == "all")

    essential, desirable = total_demand("essential"), total_demand("desirable")
    assert desirable > 0 and essential > 0
    both = next(a["demand"] for a in data["summary"] if a["level"] == "all")
    assert round(essential + desirable / 2, 2) == both  # the default weights: 1.0 and 0.5

    # The level split adds up to the total for every area.
    total = next(a for a in data["summary"] if a["level"] == "all")
    by_level = [a for a in data["summary"] if a["level"] != "all"]
    assert by_level and round(sum(a["demand"] for a in by_level), 2) == total["demand"]


def test_imported_month_newer_than_seed_demand_is_in_the_default_period(
    store,
    locator,  # noqa: F811
    engine,  # noqa: F811
):
    seed_last = store.demand_month_range()[1]
    assert seed_last < "2026-11"  # the seed's newest demand is older than the feeds'
    import_all(store, locator, engine)
    period = build_gap_report(store).to_dict()["period"]
    assert period["to"] == "2026-11"
