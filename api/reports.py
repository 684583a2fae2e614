"""The gap report: unmet digital skills demand by level, area, sector and time, with drill-down.

For the skills partnership (and admin). ``GET /api/v1/gap-report`` returns JSON or, with
``format``, a CSV / XLSX download or a self-contained HTML report; ``GET
/api/v1/gap-report/drilldown`` lists the demand records and courses behind one skill's figures.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from skills_match import exports
from skills_match.report import (
    REQUIREMENT_WEIGHTS,
    GapReportFilters,
    GapReportOptions,
    build_gap_report,
    drilldown,
)
from skills_match.schemas import SIC_SECTIONS, SKILL_ID
from skills_match.store.reports import REPORT_LEVELS

from .auth import roles
from .db import get_store, settings
from .schemas import _many

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1",
    description="Gap report: employer demand against course places, by level, area and time.",
)

REPORT_ROLES = ("partnership", "admin")
MONTH_OR_DATE = r"^\d{4}-\d{2}(-\d{2})?$"
MAX_DRILLDOWN_RECORDS = 5000


# -- queries ----------------------------------------------------------------------------


class GapReportQuery(Schema):
    """Filters and output options; unknown parameters are refused (422)."""

    area = _many(
        fields.String(validate=validate.Length(min=1, max=100)),
        "GSS code or name of a local authority, county or combined authority, or a region "
        "name. Default: every authority with demand or local courses.",
    )
    level = _many(
        fields.String(validate=validate.OneOf(REPORT_LEVELS)),
        "Digital skill level (essential, general, specialist, fusion, unlevelled).",
    )
    sector = _many(fields.String(validate=validate.OneOf(SIC_SECTIONS)), "SIC 2007 section.")
    occupation = _many(
        fields.String(validate=validate.Regexp(r"^\d{1,4}$")),
        "ISCO-08 code or prefix (e.g. 25: ICT professionals).",
    )
    period_from = fields.String(
        data_key="from",
        validate=validate.Regexp(MONTH_OR_DATE),
        metadata={"description": "First month (YYYY-MM; a date counts as its month)."},
    )
    period_to = fields.String(
        data_key="to",
        validate=validate.Regexp(MONTH_OR_DATE),
        metadata={"description": "Last month. Default: 12 months to the latest demand."},
    )
    digital_only = fields.Boolean(
        load_default=True, metadata={"description": "Digital skills only (default true)."}
    )
    suppress = fields.Boolean(
        load_default=False,
        metadata={"description": "Withhold demand figures of cells below the threshold."},
    )
    threshold = fields.Integer(
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "Small-cell threshold in demand records (default: setting)."},
    )
    requirements = fields.String(
        load_default="both",
        validate=validate.OneOf(tuple(REQUIREMENT_WEIGHTS)),
        metadata={
            "description": "Which skill requirements count: both (essential 1.0, desirable "
            "0.5; default), essential only, or desirable only (each at 1.0)."
        },
    )

    class Meta:
        unknown = RAISE


class GapReportFileQuery(GapReportQuery):
    """The report's query plus its format."""

    format = fields.String(
        load_default="json",
        validate=validate.OneOf(exports.FORMATS),
        metadata={"description": "json (default), csv, xlsx or html."},
    )


class DrilldownQuery(GapReportQuery):
    """A cell: one skill within the report's filters; records are paged."""

    skill = fields.String(required=True, validate=validate.Regexp(SKILL_ID))
    limit = fields.Integer(
        load_default=500, validate=validate.Range(min=1, max=MAX_DRILLDOWN_RECORDS)
    )
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


# -- outputs (allow-lists) ----------------------------------------------------------------


class PeriodOut(Schema):
    period_from = fields.String(attribute="from", data_key="from")
    period_to = fields.String(attribute="to", data_key="to")
    months = fields.Integer()
    previous_from = fields.String()
    previous_to = fields.String()
    months_with_demand = fields.Integer()
    previous_months_with_demand = fields.Integer()


class FiguresOut(Schema):
    """A cell's figures; null when withheld (suppressed) or undefined (ratio, no supply)."""

    demand = fields.Float(allow_none=True)
    supply = fields.Float()
    unmet = fields.Float(allow_none=True)
    net_unmet = fields.Float(allow_none=True)
    ratio = fields.Float(allow_none=True)
    records = fields.Integer(allow_none=True)
    vacancies = fields.Integer(allow_none=True)
    previous_demand = fields.Float(allow_none=True)
    previous_supply = fields.Float()
    previous_unmet = fields.Float(allow_none=True)
    unmet_change = fields.Float(allow_none=True)
    demand_change = fields.Float(allow_none=True)
    small = fields.Boolean()
    suppressed = fields.Boolean()


class AreaRowOut(FiguresOut):
    area_code = fields.String()
    area_name = fields.String()
    area_kind = fields.String(
        metadata={"description": "local_authority, county, combined_authority, region, total"}
    )
    parent_code = fields.String(allow_none=True)
    authorities = fields.Integer(metadata={"description": "Authorities of the scope in it."})
    authorities_total = fields.Integer(metadata={"description": "All its authorities."})
    level = fields.String()


class TrendOut(FiguresOut):
    month = fields.String()
    level = fields.String()


class BreakdownOut(FiguresOut):
    code = fields.String(allow_none=True)
    label = fields.String()
    level = fields.String()


class TopSkillOut(AreaRowOut):
    rank = fields.Integer()
    skill_id = fields.String()
    skill_label = fields.String()


class ScopeOut(Schema):
    label = fields.String()
    authorities = fields.List(fields.String())


class FiltersOut(Schema):
    areas = fields.List(fields.String())
    levels = fields.List(fields.String())
    sectors = fields.List(fields.String())
    occupations = fields.List(fields.String())
    digital_only = fields.Boolean()


class GapReportOut(Schema):
    """The whole report: how it was made, and its tables."""

    report = fields.String()
    generated_at = fields.String()
    period = fields.Nested(PeriodOut)
    scope = fields.Nested(ScopeOut)
    filters = fields.Nested(FiltersOut)
    rules = fields.Dict(keys=fields.String(), metadata={"description": "Derivation of figures."})
    summary = fields.List(fields.Nested(AreaRowOut))
    areas = fields.List(fields.Nested(AreaRowOut))
    trend = fields.List(fields.Nested(TrendOut))
    sectors = fields.List(fields.Nested(BreakdownOut))
    occupations = fields.List(fields.Nested(BreakdownOut))
    top_skills = fields.List(fields.Nested(TopSkillOut))


class DrillScopeOut(Schema):
    label = fields.String()


class DrillFiltersOut(Schema):
    areas = fields.List(fields.String())
    levels = fields.List(fields.String())
    sectors = fields.List(fields.String())
    occupations = fields.List(fields.String())


class DrillSkillOut(Schema):
    id = fields.String()
    label = fields.String()
    level = fields.String(allow_none=True)


class DrillRecordOut(Schema):
    id = fields.Integer()
    source = fields.String()
    source_ref = fields.String()
    employer = fields.String()
    job_title = fields.String()
    local_authority = fields.String()
    local_authority_name = fields.String()
    posted_date = fields.String()
    sector = fields.String(allow_none=True)
    occupation_group = fields.String(allow_none=True)
    vacancies = fields.Integer()
    importance = fields.String()
    weight = fields.Float()
    level = fields.String()
    demand = fields.Float(metadata={"description": "Weighted vacancies this record adds."})


class DrillCourseOut(Schema):
    id = fields.Integer()
    provider_ref = fields.String()
    title = fields.String()
    provider_name = fields.String()
    provider_ukprn = fields.String()
    national_delivery = fields.Boolean()
    local_authority = fields.String(allow_none=True)
    local_authority_name = fields.String(allow_none=True)
    delivery_mode = fields.String()
    flexible_start = fields.Boolean()
    places = fields.Integer()
    runs = fields.Integer()
    run_dates = fields.List(fields.String())
    level = fields.String()
    share = fields.Float(metadata={"description": "Share of a national course's places."})
    supply = fields.Float(metadata={"description": "Places this course adds to the cell."})


class DrilldownOut(Schema):
    """One skill's cell, and every demand record and course behind it."""

    skill = fields.Nested(DrillSkillOut)
    period = fields.Nested(PeriodOut)
    scope = fields.Nested(DrillScopeOut)
    filters = fields.Nested(DrillFiltersOut)
    cell = fields.Nested(FiguresOut)
    records = fields.List(fields.Nested(DrillRecordOut))
    records_total = fields.Integer(allow_none=True)
    courses = fields.List(fields.Nested(DrillCourseOut))
    rules = fields.Dict(keys=fields.String())


# -- views ------------------------------------------------------------------------------


def _filters(args: dict[str, Any]) -> GapReportFilters:
    return GapReportFilters(
        areas=tuple(args.get("area", ())),
        levels=tuple(args.get("level", ())),
        sectors=tuple(args.get("sector", ())),
        occupations=tuple(args.get("occupation", ())),
        period_from=args.get("period_from"),
        period_to=args.get("period_to"),
        digital_only=args["digital_only"],
    )


def _options(args: dict[str, Any]) -> GapReportOptions:
    return GapReportOptions(
        weights=dict(REQUIREMENT_WEIGHTS[args["requirements"]]),
        threshold=args.get("threshold") or settings().small_cell_threshold,
        suppress=args["suppress"],
    )


# The JSON body is documented by @blp.response; the manual doc replaces the generated
# content map, so it names the JSON schema again alongside the file formats.
_FORMATS_DOC = {
    "description": "The report as JSON, or as the file `format` asks for.",
    "content": {
        "application/json": {"schema": GapReportOut},
        **{
            exports.CONTENT_TYPES[fmt].split(";")[0]: {"schema": {"type": "string", **extra}}
            for fmt, extra in (("csv", {}), ("xlsx", {"format": "binary"}), ("html", {}))
        },
    },
}


@blp.route("/gap-report")
@roles(*REPORT_ROLES)
@blp.arguments(GapReportFileQuery, location="query", unknown=RAISE)
@blp.response(200, GapReportOut)
@blp.doc(responses={"200": _FORMATS_DOC})
def gap_report(args: dict[str, Any]) -> Any:
    """Unmet digital skills demand by level and area, with trend, sectors and top skills."""
    fmt = args["format"]
    options = _options(args)
    report = build_gap_report(get_store(), _filters(args), options, settings().data_dir)
    if fmt == "json":
        return exports.to_json(report)
    body = exports.render(report, fmt)
    response = Response(body, content_type=exports.CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "html" else "attachment"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{exports.filename(report, fmt)}"'
    )
    if fmt == "html":
        # Self-contained page: its one stylesheet (by hash) and nothing else may load.
        response.headers["Content-Security-Policy"] = exports.HTML_CONTENT_SECURITY_POLICY
    return response


@blp.route("/gap-report/drilldown")
@roles(*REPORT_ROLES)
@blp.arguments(DrilldownQuery, location="query", unknown=RAISE)
@blp.response(200, DrilldownOut)
def gap_report_drilldown(args: dict[str, Any]) -> Any:
    """The demand records and courses behind one skill's figures in a report cell."""
    cell = drilldown(
        get_store(),
        args["skill"],
        _filters(args),
        _options(args),
        limit=args["limit"],
        offset=args["offset"],
    )
    return cell.to_dict()
