"""The gap report: employer demand for digital skills against course places, by level and area.

Rules (also written into every report, so a figure never travels without its derivation):

- **Demand** for a skill is the vacancies that require it, counted per skill: a record of
  ``v`` vacancies adds ``v x weight`` to each skill it lists, where the weight is 1.0 for an
  essential requirement and 0.5 for an optional one (:data:`IMPORTANCE_WEIGHTS`).
- **Supply** of a skill is the course places that teach it, counted per skill: each start
  date of an active course inside the period is a run of its ``places`` places, counted in the
  authority where it is taught. A flexible-start course's ``places`` are a year's intake, so
  it adds ``places / 12`` each month of the period from the month it first took learners
  (``available_from``, else the month it was listed), never before. A national (online)
  course's places are shared among authorities by their share of England's population.
- **Unmet** demand is ``max(demand - supply, 0)`` for each skill in each local authority over
  the report period; every roll-up (level, county or combined authority, region, all areas)
  is the **sum of these local gaps**, so totals are exactly the sum of their parts. The
  **net** gap nets supply against demand across the authorities of a roll-up but never across
  skills: ``sum over skills of max(demand - supply, 0)`` for the whole area. Net <= unmet.
- **Records** is the number of demand records (adverts) behind a figure. A figure resting on
  fewer than the small-cell threshold is flagged ``small`` and can be suppressed.

Usage::

    report = build_gap_report(store, GapReportFilters(areas=("Liverpool City Region",)))
    report.to_dict()["summary"]
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import REPO_ROOT
from .errors import InvalidInput, NotFound
from .schemas import SIC_SECTIONS
from .store import Store
from .store.report_cells import MONTHS
from .store.reports import REPORT_LEVELS, SHARE_SCALE, UNITS_PER_PLACE, ReportQuery

# Essential requirements count in full. An optional ("desirable") requirement means the
# employer would appoint without the skill, so only some of those vacancies need it; half is
# the usual middle estimate and keeps the rule easy to state. Override per report.
IMPORTANCE_WEIGHTS: Mapping[str, float] = {"essential": 1.0, "optional": 0.5}
# Which requirements a report counts: both (weighted as above), or one kind alone at 1.0.
REQUIREMENT_WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "both": IMPORTANCE_WEIGHTS,
    "essential": {"essential": 1.0, "optional": 0.0},
    "desirable": {"essential": 0.0, "optional": 1.0},
}
# National courses are shared among English authorities: the programmes that fund them
# (Skills Bootcamps, the Adult Skills Fund, Free Courses for Jobs) are England-only.
NATIONAL_DELIVERY_NATION = "England"
DEFAULT_MONTHS = 12
MAX_MONTHS = 60
DEFAULT_TOP_N = 10
SUPPRESSED = "[c]"  # the GSS symbol for a figure withheld as too small to publish
ALL_LEVELS = "all"
FIGURE_DECIMALS = 2
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_ISCO_PREFIX = re.compile(r"^\d{1,4}$")

RULES = {
    "demand": (
        "Vacancies requiring the skill, counted per skill: a record of v vacancies adds "
        "v x weight to every skill it lists (weights below)."
    ),
    "supply": (
        "Course places teaching the skill, counted per skill. Each start date of an active "
        "course in the period is a run of its places, in the authority where it is taught. A "
        "flexible-start course adds places / 12 each month from the month it first took "
        "learners (available_from, else the month it was listed). A national (online) course's "
        "places are shared among English authorities by population."
    ),
    "unmet": (
        "max(demand - supply, 0) for each skill in each local authority over the period; "
        "every total is the sum of these local gaps."
    ),
    "net_unmet": (
        "Supply netted against demand across the authorities of an area (never across "
        "skills): sum over skills of max(area demand - area supply, 0)."
    ),
    "ratio": "demand / supply; empty (null) when there is no supply.",
    "records": "Demand records (adverts) behind the figure; small-cell flags use this count.",
    "previous": "The period of equal length just before the report period.",
    "left_out": "Adverts posted in the period that are not in the figures: reposts (the same "
    "employer, title and authority within 14 days of a kept advert, counted once as it) and "
    "adverts whose location could not be resolved (unplaced, listed at /demand/unplaced; "
    "counted for the whole partnership, as they have no area).",
    "sector_and_occupation": (
        "Sector and occupation filters narrow demand only: course places are open to people "
        "heading for any sector or occupation."
    ),
    "suppression": (
        "With suppression on, demand-derived figures (demand, unmet, net, ratio, records, "
        "vacancies) of a small cell with at least one record are replaced by [c]; supply is "
        "public and stays. Only primary suppression is applied: a withheld cell may be "
        "recoverable from totals."
    ),
}


# -- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GapReportFilters:
    """What the report covers; empty means 'all'. Months are 'YYYY-MM' (dates allowed)."""

    areas: Sequence[str] = ()
    levels: Sequence[str] = ()
    sectors: Sequence[str] = ()
    occupations: Sequence[str] = ()
    period_from: str | None = None
    period_to: str | None = None
    digital_only: bool = True


@dataclass(frozen=True)
class GapReportOptions:
    """How figures are derived and published."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(IMPORTANCE_WEIGHTS))
    threshold: int = 10
    top_n: int = DEFAULT_TOP_N
    suppress: bool = False


@dataclass(frozen=True)
class Period:
    """The report's months and the previous period of equal length."""

    months: tuple[str, ...]
    previous_months: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "from": self.months[0],
            "to": self.months[-1],
            "months": len(self.months),
            "previous_from": self.previous_months[0],
            "previous_to": self.previous_months[-1],
        }


# -- figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One cell's figures in exact integer units (see :mod:`skills_match.store.reports`)."""

    demand_u: int = 0
    supply_u: int = 0
    unmet_u: int = 0
    net_u: int = 0
    records: int = 0
    vacancies: int = 0

    @property
    def demand(self) -> float:
        """Weighted vacancies requiring the skills."""
        return self.demand_u / UNITS_PER_PLACE

    @property
    def supply(self) -> float:
        """Course places teaching the skills."""
        return self.supply_u / UNITS_PER_PLACE

    @property
    def unmet(self) -> float:
        """Sum of the local gaps."""
        return self.unmet_u / UNITS_PER_PLACE

    @property
    def net_unmet(self) -> float:
        """Gap with supply netted across the area's authorities."""
        return self.net_u / UNITS_PER_PLACE

    @property
    def ratio(self) -> float | None:
        """Demand per place; None when there are no places (the ratio is undefined)."""
        return self.demand_u / self.supply_u if self.supply_u else None

    def is_small(self, threshold: int) -> bool:
        """Whether the demand side rests on too few records to trust or publish."""
        return self.records < threshold


def _figures(row: Mapping[str, Any] | None, prefix: str = "") -> Figures:
    if row is None:
        return Figures()
    return Figures(
        demand_u=row.get(prefix + "demand_u") or 0,
        supply_u=row.get(prefix + "supply_u") or 0,
        unmet_u=row.get(prefix + "unmet_u") or 0,
        net_u=row.get(prefix + "net_u") or 0,
        records=row.get(prefix + "records") or 0,
        vacancies=row.get(prefix + "vacancies") or 0,
    )


@dataclass(frozen=True)
class Area:
    """A node of the area tree: a local authority or a roll-up of them."""

    nid: int
    kind: str  # local_authority | county | combined_authority | region | total
    code: str
    name: str
    parent: int | None
    authorities: int  # authorities of the report's scope inside this area
    authorities_total: int  # all authorities of this area


@dataclass(frozen=True)
class AreaLevel:
    """An area's figures at one level (or all levels) in the period and the one before."""

    area: Area
    level: str
    current: Figures
    previous: Figures


@dataclass(frozen=True)
class TrendPoint:
    """Demand and supply in one month at one level (or all levels)."""

    month: str
    level: str
    current_period: bool
    figures: Figures


@dataclass(frozen=True)
class BreakdownRow:
    """Demand in one sector, occupation or SOC major group at one level (or all levels)."""

    dimension: str  # sector | occupation | soc
    code: str | None
    label: str
    level: str
    current: Figures
    previous: Figures


@dataclass(frozen=True)
class TopSkill:
    """One of the skills with the largest unmet demand in an area at a level."""

    area: Area
    level: str
    rank: int
    skill_id: str
    label: str
    current: Figures
    previous: Figures


@dataclass
class GapReport:
    """A computed gap report; :meth:`to_dict` gives its published (JSON) form."""

    period: Period
    filters: GapReportFilters
    options: GapReportOptions
    scope_label: str
    scope_codes: tuple[str, ...]
    areas: list[Area]
    area_levels: list[AreaLevel]
    trend: list[TrendPoint]
    breakdown: list[BreakdownRow]
    top_skills: list[TopSkill]
    generated_at: str
    # Adverts of the period outside the figures: reposts counted once, and unplaced ones.
    left_out: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> Area:
        """The node for the whole scope."""
        return self.areas[0]

    def area_level(self, nid: int, level: str) -> AreaLevel:
        """The figures of one area at one level ('all' for every level)."""
        for row in self.area_levels:
            if row.area.nid == nid and row.level == level:
                return row
        raise KeyError((nid, level))

    def levels_present(self) -> list[str]:
        """Report levels in order, without 'unlevelled' when nothing is unlevelled."""
        keep = [lv for lv in REPORT_LEVELS if lv != "unlevelled"]
        unlevelled = self.area_level(self.total.nid, "unlevelled")
        if unlevelled.current.demand_u or unlevelled.current.supply_u:
            keep.append("unlevelled")
        if self.filters.levels:
            keep = [lv for lv in keep if lv in self.filters.levels]
        return keep

    def _months_with_demand(self, current: bool) -> int:
        return sum(
            1
            for p in self.trend
            if p.level == ALL_LEVELS and p.current_period == current and p.figures.records
        )

    def to_dict(self, suppress: bool | None = None, marker: str | None = None) -> dict[str, Any]:
        """The report as plain data (rounded figures); ``suppress`` defaults to the options'.

        Withheld figures are ``marker``: None for JSON, :data:`SUPPRESSED` for files.
        """
        suppress = self.options.suppress if suppress is None else suppress
        threshold = self.options.threshold
        by_nid = {a.nid: a for a in self.areas}

        def area_fields(area: Area) -> dict[str, Any]:
            parent = by_nid.get(area.parent) if area.parent else None
            return {
                "area_code": area.code,
                "area_name": area.name,
                "area_kind": area.kind,
                "parent_code": parent.code if parent else None,
                "authorities": area.authorities,
                "authorities_total": area.authorities_total,
            }

        areas = [
            {
                **area_fields(r.area),
                "level": r.level,
                **_published(r.current, r.previous, threshold, suppress, marker=marker),
            }
            for r in self.area_levels
        ]
        summary = [row for row in areas if row["area_kind"] == "total"]
        trend = [
            {
                "month": p.month,
                "level": p.level,
                **_published(p.figures, None, threshold, suppress, supply_side=True, marker=marker),
            }
            for p in self.trend
            if p.current_period
        ]
        breakdown: dict[str, list[dict[str, Any]]] = {"sector": [], "occupation": [], "soc": []}
        for b in self.breakdown:
            breakdown[b.dimension].append(
                {
                    "code": b.code,
                    "label": b.label,
                    "level": b.level,
                    **_published(
                        b.current,
                        b.previous,
                        threshold,
                        suppress,
                        demand_only=True,
                        marker=marker,
                    ),
                }
            )
        top = [
            {
                **area_fields(t.area),
                "level": t.level,
                "rank": t.rank,
                "skill_id": t.skill_id,
                "skill_label": t.label,
                **_published(
                    t.current, t.previous, threshold, suppress, vacancies=False, marker=marker
                ),
            }
            for t in self.top_skills
        ]
        return {
            "report": "gap-report",
            "generated_at": self.generated_at,
            "period": {
                **self.period.as_dict(),
                # How much of each period the demand data covers: a change against a
                # previous period with few months of data is not a like-for-like change.
                "months_with_demand": self._months_with_demand(current=True),
                "previous_months_with_demand": self._months_with_demand(current=False),
            },
            "scope": {"label": self.scope_label, "authorities": list(self.scope_codes)},
            "left_out": dict(self.left_out),
            "filters": {
                "areas": list(self.filters.areas),
                "levels": list(self.filters.levels),
                "sectors": list(self.filters.sectors),
                "occupations": list(self.filters.occupations),
                "digital_only": self.filters.digital_only,
            },
            "rules": {
                **RULES,
                "importance_weights": dict(self.options.weights),
                "national_delivery_nation": NATIONAL_DELIVERY_NATION,
                "small_cell_threshold": threshold,
                "suppressed": suppress,
                "suppressed_marker": SUPPRESSED,
                "decimals": FIGURE_DECIMALS,
            },
            "summary": summary,
            "areas": areas,
            "trend": trend,
            "sectors": breakdown["sector"],
            "occupations": breakdown["occupation"],
            "soc_groups": breakdown["soc"],
            "top_skills": top,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, FIGURE_DECIMALS)


def _published(
    current: Figures,
    previous: Figures | None,
    threshold: int,
    suppress: bool,
    demand_only: bool = False,
    supply_side: bool = False,
    vacancies: bool = True,
    marker: str | None = None,
) -> dict[str, Any]:
    """A cell's published fields: rounded figures, small flag, and suppression applied.

    A withheld figure becomes ``marker`` (None in JSON, ``[c]`` in files).
    """
    small = current.is_small(threshold)
    # A cell with no records has nothing to withhold: its demand is zero by definition.
    hide = suppress and small and current.records > 0

    def shown(value: Any, hidden: bool = hide) -> Any:
        return marker if hidden else value

    out: dict[str, Any] = {
        "demand": shown(_round(current.demand)),
        "records": shown(current.records),
    }
    if vacancies and not supply_side:
        out["vacancies"] = shown(current.vacancies)
    if not demand_only:
        out["supply"] = _round(current.supply)
        out["ratio"] = shown(_round(current.ratio))
    if not demand_only and not supply_side:
        out["unmet"] = shown(_round(current.unmet))
        out["net_unmet"] = shown(_round(current.net_unmet))
    if previous is not None:
        hide_previous = suppress and previous.is_small(threshold) and previous.records > 0
        out["previous_demand"] = shown(_round(previous.demand), hide_previous)
        if not demand_only:
            out["previous_supply"] = _round(previous.supply)
            out["previous_unmet"] = shown(_round(previous.unmet), hide_previous)
            out["unmet_change"] = shown(
                _round(current.unmet - previous.unmet), hide or hide_previous
            )
        else:
            out["demand_change"] = shown(
                _round(current.demand - previous.demand), hide or hide_previous
            )
    out["small"] = small
    out["suppressed"] = hide
    return out


# -- building ---------------------------------------------------------------------------


def build_gap_report(
    store: Store,
    filters: GapReportFilters | None = None,
    options: GapReportOptions | None = None,
    data_dir: str | Path | None = None,
    parallel: bool | None = None,
) -> GapReport:
    """Compute the gap report for the filters (all SQL runs in the store, one snapshot).

    ``parallel`` forces (True) or forbids (False) the two-connection plan; by default the
    store chooses by data size. The figures are the same either way.

    >>> report = build_gap_report(store, GapReportFilters(levels=("specialist",)))
    >>> report.area_level(report.total.nid, "specialist").current.unmet
    """
    filters = filters or GapReportFilters()
    options = options or GapReportOptions()
    query, filters, scope_label = _query(store, filters, options)
    rows = store.gap_report_rows(query, parallel)
    labels = reference_labels(str(data_dir or REPO_ROOT / "data"))
    report = _assemble(rows, query, filters, options, scope_label, labels)
    report.left_out = store.adverts_left_out(query.months[0], query.months[-1], report.scope_codes)
    return report


def _assemble(
    rows: Mapping[str, list[dict[str, Any]]],
    query: ReportQuery,
    filters: GapReportFilters,
    options: GapReportOptions,
    scope_label: str,
    labels: ReferenceLabels,
) -> GapReport:
    areas = [
        Area(
            nid=n["nid"],
            kind=n["kind"],
            code=n["code"],
            name=n["name"] or n["code"],
            parent=n["parent"],
            authorities=n["leaves"],
            authorities_total=n["leaves_all"],
        )
        for n in rows["nodes"]
    ]
    by_nid = {a.nid: a for a in areas}
    cells = {(r["nid"], _level_name(r["lv"]), r["period"]): r for r in rows["areas"]}
    area_levels = [
        AreaLevel(
            area=area,
            level=level,
            current=_figures(cells.get((area.nid, level, 1))),
            previous=_figures(cells.get((area.nid, level, 0))),
        )
        for area in areas
        for level in (*REPORT_LEVELS, ALL_LEVELS)
    ]
    trend = [
        TrendPoint(
            month=r["month"],
            level=_level_name(r["lv"]),
            current_period=bool(r["period"]),
            figures=_figures(r),
        )
        for r in rows["trend"]
    ]
    grouped: dict[tuple[str, str | None, str], dict[int, dict[str, Any]]] = {}
    for r in rows["breakdown"]:
        key = (r["dimension"], r["code"], _level_name(r["lv"]))
        grouped.setdefault(key, {})[r["period"]] = r
    breakdown = [
        BreakdownRow(
            dimension=dimension,
            code=code,
            label=labels.label(dimension, code),
            level=level,
            current=_figures(periods.get(1)),
            previous=_figures(periods.get(0)),
        )
        for (dimension, code, level), periods in grouped.items()
    ]
    top = [
        TopSkill(
            area=by_nid[r["nid"]],
            level=_level_name(r["lv"]),
            rank=r["rank"],
            skill_id=r["skill_id"],
            label=r["label"],
            current=_figures(r),
            previous=_figures(r, "previous_"),
        )
        for r in rows["top_skills"]
    ]
    return GapReport(
        period=Period(tuple(query.months), tuple(query.previous_months)),
        filters=filters,
        options=options,
        scope_label=scope_label,
        scope_codes=tuple(a.code for a in areas if a.kind == "local_authority"),
        areas=areas,
        area_levels=area_levels,
        trend=trend,
        breakdown=breakdown,
        top_skills=top,
        generated_at=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )


def _level_name(lv: int | None) -> str:
    return ALL_LEVELS if lv is None else REPORT_LEVELS[lv]


# -- drill-down -------------------------------------------------------------------------


@dataclass
class Drilldown:
    """The rows behind one skill's cell: its figures, demand records and course runs."""

    skill: dict[str, Any]
    period: Period
    scope_label: str
    filters: GapReportFilters
    options: GapReportOptions
    current: Figures
    previous: Figures
    records: list[dict[str, Any]]
    records_total: int
    courses: list[dict[str, Any]]

    @property
    def suppressed(self) -> bool:
        """Whether the cell is withheld (suppression on and too few records, but some)."""
        current = self.current
        return (
            self.options.suppress
            and current.is_small(self.options.threshold)
            and current.records > 0
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form; a suppressed cell lists no demand records (they would disclose it)."""
        hide = self.suppressed
        return {
            "skill": self.skill,
            "period": self.period.as_dict(),
            "scope": {"label": self.scope_label},
            "filters": {
                "areas": list(self.filters.areas),
                "levels": list(self.filters.levels),
                "sectors": list(self.filters.sectors),
                "occupations": list(self.filters.occupations),
            },
            "cell": _published(
                self.current, self.previous, self.options.threshold, self.options.suppress
            ),
            "records": [] if hide else [_rounded_row(r, "demand") for r in self.records],
            "records_total": None if hide else self.records_total,
            "courses": [_rounded_row(c, "supply") for c in self.courses],
            "rules": {
                **RULES,
                "importance_weights": dict(self.options.weights),
                "small_cell_threshold": self.options.threshold,
                "suppressed_marker": SUPPRESSED,
            },
        }


def _rounded_row(row: dict[str, Any], key: str) -> dict[str, Any]:
    # Published contributions are rounded like every figure; exact units stay in `*_u`.
    out = {k: v for k, v in row.items() if not k.endswith("_u")}
    out[key] = round(row[key + "_u"] / UNITS_PER_PLACE, 6)
    return out


def drilldown(
    store: Store,
    skill_id: str,
    filters: GapReportFilters | None = None,
    options: GapReportOptions | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Drilldown:
    """The demand records and course runs behind one skill's figures in a report cell.

    The cell is the skill within the filters' area, level, sector, occupation and period.
    Each record carries the weighted vacancies it adds (``demand_u``) and each course the
    places it adds (``supply_u``; a national course: its places times the area's population
    share), so the lists add up to the cell's demand and supply exactly. ``limit`` and
    ``offset`` page the records; the figures always cover them all. The skill is named
    explicitly, so the report's digital-only filter does not apply to it.
    """
    filters = filters or GapReportFilters()
    options = options or GapReportOptions()
    skill = store.skill(skill_id)
    if skill is None:
        raise NotFound(f"No skill with id {skill_id!r}.")
    query, filters, scope_label = _query(store, filters, options)
    query = replace(query, skill_ids=(skill_id,), digital_only=False)
    rows = store.gap_drilldown_rows(query, limit=limit, offset=offset)

    def cell(period: int) -> Figures:
        demand: dict[int, int] = {}
        supply: dict[int, int] = {}
        for f in rows["figures"]:
            if f["period"] == period:
                demand[f["lv"]] = demand.get(f["lv"], 0) + f["demand_u"]
        for c in rows["courses"]:
            if c["period"] == period:
                supply[c["lv"]] = supply.get(c["lv"], 0) + c["supply_u"]
        figures = [f for f in rows["figures"] if f["period"] == period]
        return Figures(
            demand_u=sum(demand.values()),
            supply_u=sum(supply.values()),
            unmet_u=sum(f["unmet_u"] for f in figures),
            # Netted within each level the skill is reported at, never across levels.
            net_u=sum(max(d - supply.get(lv, 0), 0) for lv, d in demand.items()),
            records=sum(f["records"] for f in figures),
            vacancies=rows["vacancies"].get(period) or 0,
        )

    share = rows["scope_share"] / SHARE_SCALE
    records = [
        {
            "id": r["id"],
            "source": r["source"],
            "source_ref": r["source_ref"],
            "employer": r["employer"],
            "job_title": r["job_title"],
            "local_authority": r["local_authority"],
            "local_authority_name": r["local_authority_name"],
            "posted_date": r["posted_date"],
            "sector": r["sector"],
            "occupation_group": r["occupation_group"],
            "vacancies": r["vacancies"],
            "importance": r["importance"],
            "weight": float(options.weights[r["importance"]]),
            "level": REPORT_LEVELS[r["lv"]],
            "demand_u": r["demand_u"],
        }
        for r in rows["records"]
    ]
    courses = [
        {
            "id": c["id"],
            "provider_ref": c["provider_ref"],
            "title": c["title"],
            "provider_name": c["provider_name"],
            "provider_ukprn": c["provider_ukprn"],
            "national_delivery": bool(c["national_delivery"]),
            "local_authority": c["local_authority"],
            "local_authority_name": c["local_authority_name"],
            "delivery_mode": c["delivery_mode"],
            "flexible_start": bool(c["flexible_start"]),
            "places": c["places"],
            "runs": c["runs"],
            "run_dates": sorted(set((c["run_dates"] or "").split())),
            "level": REPORT_LEVELS[c["lv"]],
            "share": share if c["national_delivery"] else 1.0,
            "supply_u": c["supply_u"],
        }
        for c in rows["courses"]
        if c["period"] == 1
    ]
    return Drilldown(
        skill={"id": skill["id"], "label": skill["label"], "level": skill["level"]},
        period=Period(tuple(query.months), tuple(query.previous_months)),
        scope_label=scope_label,
        filters=filters,
        options=options,
        current=cell(1),
        previous=cell(0),
        records=records,
        records_total=rows["records_total"],
        courses=courses,
    )


# -- filters, period and scope ----------------------------------------------------------


def _query(
    store: Store, filters: GapReportFilters, options: GapReportOptions
) -> tuple[ReportQuery, GapReportFilters, str]:
    """Validate and resolve the filters into the store's query (InvalidInput on bad input)."""
    errors: dict[str, list[str]] = {}
    levels = tuple(dict.fromkeys(v.strip().lower() for v in filters.levels))
    bad = [v for v in levels if v not in REPORT_LEVELS]
    if bad:
        errors["level"] = [
            f"Unknown level {v!r}; choose from {', '.join(REPORT_LEVELS)}." for v in bad
        ]
    sectors = tuple(dict.fromkeys(v.strip().upper() for v in filters.sectors))
    bad = [v for v in sectors if v not in SIC_SECTIONS]
    if bad:
        errors["sector"] = [f"Unknown SIC 2007 section {v!r}: use a letter A-U." for v in bad]
    occupations = tuple(dict.fromkeys(v.strip() for v in filters.occupations))
    bad = [v for v in occupations if not _ISCO_PREFIX.match(v)]
    if bad:
        errors["occupation"] = [
            f"Occupation {v!r} is not an ISCO-08 code or prefix (1 to 4 digits)." for v in bad
        ]
    weights = dict(options.weights)
    if set(weights) != {"essential", "optional"} or not all(
        0 <= float(w) <= 1 for w in weights.values()
    ):
        errors["weights"] = ["Give a weight between 0 and 1 for 'essential' and 'optional'."]
    if options.threshold < 1:
        errors["threshold"] = ["The small-cell threshold must be at least 1."]
    if options.top_n < 1:
        errors["top_n"] = ["Ask for at least one top skill."]
    try:
        period = resolve_period(store, filters.period_from, filters.period_to)
    except InvalidInput as exc:
        errors.update(exc.errors or {"period": [exc.message]})
        period = None
    leaves: list[str] | None = None
    names: list[str] = []
    areas = tuple(dict.fromkeys(a.strip() for a in filters.areas if a.strip()))
    if areas:
        leaves = []
        for value in areas:
            found = store.report_area_leaves(value)
            if found is None:
                errors.setdefault("area", []).append(
                    f"No local authority, county, combined authority or region {value!r}."
                )
                continue
            _kind, name, codes = found
            names.append(name)
            leaves += codes
    if errors:
        raise InvalidInput("The gap report filters are invalid; see errors.", errors)
    assert period is not None
    query = ReportQuery(
        months=period.months,
        previous_months=period.previous_months,
        leaves=sorted(set(leaves)) if leaves is not None else None,
        levels=levels or None,
        sectors=sectors or None,
        occupations=occupations or None,
        digital_only=filters.digital_only,
        weight_essential=round(float(weights["essential"]) * UNITS_PER_PLACE),
        weight_optional=round(float(weights["optional"]) * UNITS_PER_PLACE),
        national_nation=NATIONAL_DELIVERY_NATION,
        top_n=options.top_n,
    )
    resolved = replace(
        filters,
        areas=areas,
        levels=levels,
        sectors=sectors,
        occupations=occupations,
        period_from=period.months[0],
        period_to=period.months[-1],
    )
    label = ", ".join(names) if names else "All authorities with demand or local courses"
    return query, resolved, label


def parse_month(value: str, name: str) -> tuple[int, int]:
    """(year, month) of 'YYYY-MM' or 'YYYY-MM-DD'; InvalidInput otherwise."""
    match = _MONTH.match(value.strip())
    if match:
        year, month = int(match[1]), int(match[2])
        try:
            if match[3]:
                date(year, month, int(match[3]))
            elif not 1 <= month <= 12:
                raise ValueError
            return year, month
        except ValueError:
            pass
    raise InvalidInput(
        f"{name} must be a month (YYYY-MM) or date (YYYY-MM-DD), got {value!r}.",
        {name: [f"Not a month or date: {value!r}."]},
    )


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _months(start: tuple[int, int], count: int) -> tuple[str, ...]:
    return tuple("{:04d}-{:02d}".format(*_shift(start[0], start[1], i)) for i in range(count))


def hold_months(megabytes: int) -> None:
    """Let this process hold up to ``megabytes`` of the report's months (0: hold none)."""
    MONTHS.max_bytes = megabytes * 1024 * 1024
    if megabytes <= 0:
        MONTHS.clear()


def resolve_period(store: Store, period_from: str | None, period_to: str | None) -> Period:
    """The report months: as given (dates widen to whole months), else the 12 months to the
    latest month with demand (or to this month when there is none)."""
    start = parse_month(period_from, "from") if period_from else None
    end = parse_month(period_to, "to") if period_to else None
    if end is None:
        if start is not None:
            end = _shift(*start, DEFAULT_MONTHS - 1)
        else:
            latest = store.demand_month_range()
            today = date.today()
            end = parse_month(latest[1], "to") if latest else (today.year, today.month)
    if start is None:
        start = _shift(*end, -(DEFAULT_MONTHS - 1))
    count = (end[0] * 12 + end[1]) - (start[0] * 12 + start[1]) + 1
    if count < 1:
        raise InvalidInput("'from' is after 'to'.", {"from": ["Must not be after 'to'."]})
    if count > MAX_MONTHS:
        raise InvalidInput(
            f"The period is {count} months; at most {MAX_MONTHS} are allowed.",
            {"to": [f"At most {MAX_MONTHS} months from 'from'."]},
        )
    if start[0] < 1901:
        raise InvalidInput("'from' is too early.", {"from": ["Must be 1901 or later."]})
    return Period(_months(start, count), _months(_shift(*start, -count), count))


# -- labels -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceLabels:
    """Names of SIC 2007 sections, ISCO-08 and SOC major groups, from ``data/reference``."""

    sectors: Mapping[str, str]
    isco: Mapping[str, str]
    soc: Mapping[str, str] = field(default_factory=dict)

    def label(self, dimension: str, code: str | None) -> str:
        """A readable name for a breakdown code."""
        if code is None:
            return "Not recorded"
        table = {"sector": self.sectors, "soc": self.soc}.get(dimension, self.isco)
        name = table.get(code)
        return f"{code} {name}" if name else code


@lru_cache(maxsize=4)
def reference_labels(data_dir: str) -> ReferenceLabels:
    """Load the label tables once per process (missing files give bare codes)."""
    ref = Path(data_dir) / "reference"

    def read(name: str, key: str, value: str) -> dict[str, str]:
        path = ref / name
        if not path.exists():
            return {}
        with path.open(newline="", encoding="utf-8") as handle:
            return {r[key]: r[value] for r in csv.DictReader(handle)}

    return ReferenceLabels(
        sectors=read("sic_sections.csv", "section", "label"),
        isco=read("isco_groups.csv", "code", "label"),
        soc=read("soc_major_groups.csv", "code", "label"),
    )
