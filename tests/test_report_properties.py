"""Properties of the gap report over generated catalogues (hypothesis).

For any catalogue: every roll-up equals the sum of its parts (exactly: figures are integer
units), levels add up to 'all levels', the monthly trend and the sector breakdown add up to
the period totals, the net gap never exceeds the sum of local gaps, the totals agree with an
independent re-computation in plain Python, and inserting the same rows in another order
gives the identical report.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skills_match.report import GapReportFilters, GapReportOptions, build_gap_report
from skills_match.store import Store
from skills_match.store.reports import (
    AGGREGATE_AREA_TYPES,
    REPORT_LEVELS,
    SHARE_SCALE,
    UNITS_PER_PLACE,
)
from tests.conftest import copy_database
from tests.factories import add_provider
from tests.test_demand_summaries import consistent as summaries_consistent
from tests.test_report_support import add_courses, add_demand, course_row, demand_row, set_levels

AREAS = (
    "E08000012",  # Liverpool (LCR)
    "E08000011",  # Knowsley (LCR)
    "E07000123",  # Preston (Lancashire)
    "E07000117",  # Burnley (Lancashire)
    "E06000009",  # Blackpool (neither)
    "E09000033",  # Westminster (London, under the GLA)
    "W06000015",  # Cardiff (Wales: no share of England's national courses)
)
SKILL_LABELS = (
    ("use spreadsheets software", "general"),
    ("Python (computer programming)", "specialist"),
    ("use online tools to collaborate", "essential"),
    ("create CAD drawings", "fusion"),
    ("ICT security standards", None),  # digital, not levelled: reported as 'unlevelled'
)
CURRENT = ("2026-01", "2026-02")
PREVIOUS = ("2025-11", "2025-12")
FIRST_DAY = date(2025, 10, 1)  # dates run from before the previous period ...
DAYS = 182  # ... to after the current one
WEIGHTS = {"essential": 1.0, "optional": 0.5}
UNIT_WEIGHTS = {k: round(w * UNITS_PER_PLACE) for k, w in WEIGHTS.items()}


@pytest.fixture(scope="module")
def stores(reference_db, tmp_path_factory):
    """Two empty copies of the reference database, with the test skills levelled."""
    folder = tmp_path_factory.mktemp("report-properties")
    opened = []
    for name in ("a.db", "b.db"):
        store = Store(copy_database(reference_db, folder / name))
        ids = []
        for label, _ in SKILL_LABELS:
            row = store.db.execute("SELECT id FROM skills WHERE label = ?", [label]).fetchone()
            assert row, label
            ids.append(row[0])
        set_levels(store, {sid: level for sid, (_, level) in zip(ids, SKILL_LABELS, strict=True)})
        opened.append((store, add_provider(store), ids))
    yield opened
    for store, _, _ in opened:
        store.close()


day = st.integers(0, DAYS - 1).map(lambda n: (FIRST_DAY + timedelta(days=n)).isoformat())
skill_picks = st.lists(
    st.tuples(st.integers(0, len(SKILL_LABELS) - 1), st.sampled_from(("essential", "optional"))),
    min_size=1,
    max_size=3,
    unique_by=lambda pick: pick[0],
)
records = st.lists(
    st.tuples(
        st.sampled_from(AREAS),
        day,
        st.integers(1, 5),
        st.sampled_from((None, "C", "J")),
        skill_picks,
    ),
    max_size=12,
)
courses = st.lists(
    st.tuples(
        st.sampled_from((None, *AREAS)),  # None: national online
        st.booleans(),  # flexible start
        st.lists(day, min_size=1, max_size=3),
        st.integers(0, 40),
        st.sampled_from(("active", "active", "withdrawn")),
        st.lists(st.integers(0, len(SKILL_LABELS) - 1), min_size=1, max_size=3, unique=True),
    ),
    max_size=6,
)


def _clear(store: Store) -> None:
    with store.write():
        for table in ("demand_skills", "demand", "course_skills", "courses", "import_runs"):
            store.db.execute(f"DELETE FROM {table}")


def _load(store, provider, ids, demand, catalogue, order=None):
    demand_rows = [
        demand_row(
            f"D{i}",
            area,
            posted,
            vacancies,
            [(ids[s], imp) for s, imp in picks],
            **({"sector": sector} if sector else {}),
        )
        for i, (area, posted, vacancies, sector, picks) in enumerate(demand)
    ]
    course_rows = []
    for i, (area, flexible, dates, places, status, picks) in enumerate(catalogue):
        extra = {"flexible_start": True} if flexible else {"start_dates": dates}
        course_rows.append(
            course_row(f"C{i}", places, [ids[s] for s in picks], area, status=status, **extra)
        )
    if order is not None:
        order.shuffle(demand_rows)
        order.shuffle(course_rows)
    add_demand(store, demand_rows)
    add_courses(store, provider, course_rows)


def _report(store):
    return build_gap_report(
        store,
        GapReportFilters(period_from=CURRENT[0], period_to=CURRENT[-1]),
        GapReportOptions(weights=WEIGHTS),
    )


def _shares(store: Store) -> dict[str, int]:
    """Each authority's population share of England in ppm, re-derived from the table."""
    aggregates = ",".join("?" * len(AGGREGATE_AREA_TYPES))
    rows = store.db.execute(
        f"SELECT gss_code, population, nation FROM local_authorities "
        f"WHERE type NOT IN ({aggregates})",
        AGGREGATE_AREA_TYPES,
    ).fetchall()
    england = sum(p for _, p, n in rows if n == "England" and p)
    return {g: round(p * SHARE_SCALE / england) if n == "England" else 0 for g, p, n in rows}


def _oracle(demand, catalogue, shares):
    """Per level: (demand, supply, sum of local gaps) of the whole scope, in units."""
    levels = [level or "unlevelled" for _, level in SKILL_LABELS]
    months = set(CURRENT)
    window = (f"{PREVIOUS[0]}-01", "2026-03-01")
    scope = {a for a, posted, *_ in demand if window[0] <= posted < window[1]}
    for area, flexible, dates, _, status, _ in catalogue:
        in_window = window[0] <= max(dates) and min(dates) < window[1]
        if area and status == "active" and (flexible or in_window):
            scope.add(area)
    need = defaultdict(int)  # (skill, area) -> units
    for area, posted, vacancies, _, picks in demand:
        if posted[:7] in months:
            for s, importance in picks:
                need[s, area] += vacancies * UNIT_WEIGHTS[importance]
    places = defaultdict(int)  # (skill, area) -> units
    for area, flexible, dates, count, status, picks in catalogue:
        if status != "active":
            continue
        twelfths = (
            count * len(months)
            if flexible
            else (12 * count * len({d for d in dates if d[:7] in months}))
        )
        targets = [(a, shares[a]) for a in scope] if area is None else [(area, SHARE_SCALE)]
        for s in picks:
            for target, share in targets:
                places[s, target] += twelfths * share
    totals = {level: [0, 0, 0] for level in REPORT_LEVELS}
    for (s, _), units in need.items():
        totals[levels[s]][0] += units
    for (s, _), units in places.items():
        totals[levels[s]][1] += units
    for (s, area), units in need.items():
        totals[levels[s]][2] += max(units - places[s, area], 0)
    return totals


def _check_sums(report) -> None:
    children = defaultdict(list)
    for area in report.areas:
        if area.parent:
            children[area.parent].append(area)
    keys = ("demand_u", "supply_u", "unmet_u", "records", "vacancies")
    for parent, kids in children.items():
        for level in (*REPORT_LEVELS, "all"):
            whole = report.area_level(parent, level)
            for figures in ("current", "previous"):
                total = getattr(whole, figures)
                parts = [getattr(report.area_level(k.nid, level), figures) for k in kids]
                for key in keys:
                    assert getattr(total, key) == sum(getattr(p, key) for p in parts), (
                        parent,
                        level,
                        figures,
                        key,
                    )
                # Netting over more authorities can only shrink the gap.
                assert total.net_u <= sum(p.net_u for p in parts)
    for area in report.areas:
        for figures in ("current", "previous"):
            every = getattr(report.area_level(area.nid, "all"), figures)
            levels = [getattr(report.area_level(area.nid, lv), figures) for lv in REPORT_LEVELS]
            for key in ("demand_u", "supply_u", "unmet_u", "net_u"):
                assert getattr(every, key) == sum(getattr(f, key) for f in levels), key
            assert every.records <= sum(f.records for f in levels)
            for f in (*levels, every):
                assert f.net_u <= f.unmet_u
                if area.kind == "local_authority":
                    assert f.net_u == f.unmet_u  # one authority: nothing to net across
    for level in (*REPORT_LEVELS, "all"):
        total = report.area_level(report.total.nid, level).current
        points = [p.figures for p in report.trend if p.level == level and p.current_period]
        assert sum(p.demand_u for p in points) == total.demand_u
        assert sum(p.supply_u for p in points) == total.supply_u
        assert sum(p.records for p in points) == total.records
        sectors = [
            b.current for b in report.breakdown if b.dimension == "sector" and b.level == level
        ]
        assert sum(s.demand_u for s in sectors) == total.demand_u
        assert sum(s.records for s in sectors) == total.records


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(demand=records, catalogue=courses, seed=st.integers(0, 2**32 - 1))
def test_totals_add_up_and_row_order_does_not_matter(stores, demand, catalogue, seed):
    (first, provider_a, ids_a), (second, provider_b, ids_b) = stores
    for store in (first, second):
        _clear(store)
    _load(first, provider_a, ids_a, demand, catalogue)
    _load(second, provider_b, ids_b, demand, catalogue, order=random.Random(seed))
    for store in (first, second):  # the report reads these trigger-kept summaries
        assert summaries_consistent(store)
    report = _report(first)

    _check_sums(report)
    expected = _oracle(demand, catalogue, _shares(first))
    for level in REPORT_LEVELS:
        figures = report.area_level(report.total.nid, level).current
        assert [figures.demand_u, figures.supply_u, figures.unmet_u] == expected[level], level

    # The two-connection plan (used for large data: each connection takes a share of the
    # records by id) gives the same report as one connection, every table of it.
    parallel = build_gap_report(
        first,
        GapReportFilters(period_from=CURRENT[0], period_to=CURRENT[-1]),
        GapReportOptions(weights=WEIGHTS),
        parallel=True,
    )
    assert _published(parallel) == _published(report)

    other = _report(second)
    assert other.area_levels == report.area_levels
    assert other.top_skills == report.top_skills
    assert _published(other) == _published(report)


def _published(report) -> dict:
    published = report.to_dict()
    published.pop("generated_at")
    return published
