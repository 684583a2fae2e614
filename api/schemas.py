"""The API's request and response shapes: query schemas, output allow-lists, the page envelope.

Input *records* are validated by the core's shared schemas (`skills_match.schemas`), the same
ones the bulk importer uses. Everything here is API-only: what a client may filter on, and
exactly which fields a response carries (output schemas list them; nothing else leaks out).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from math import ceil
from typing import Any

from flask import Response, request, url_for
from marshmallow import Schema, ValidationError, fields, pre_dump, validate
from werkzeug.exceptions import BadRequest

from skills_match.apikeys import ROLES
from skills_match.catalogue import field_errors
from skills_match.errors import InvalidInput
from skills_match.schemas import (
    DELIVERY_MODES,
    IMPORTANCE,
    LEVELS,
    PROGRAMME_TYPES,
    QUALIFICATION_LEVELS,
    SIC_SECTIONS,
    SKILL_ID,
    UKPRN,
)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_FILTER_VALUES = 20


def _date(**kwargs: Any) -> fields.String:
    # Stored as ISO 8601 text already; a String with format "date" documents it as such.
    return fields.String(metadata={"format": "date"}, **kwargs)


def _timestamp(**kwargs: Any) -> fields.String:
    return fields.String(metadata={"format": "date-time"}, **kwargs)


# -- queries ----------------------------------------------------------------------------


class PageQuery(Schema):
    """Pagination: 1-based page number and page size (at most MAX_PAGE_SIZE)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


def _many(inner: fields.Field, description: str) -> fields.List:
    return fields.List(
        inner,
        validate=validate.Length(max=MAX_FILTER_VALUES),
        metadata={"description": description + " Repeat the parameter for several."},
    )


class CourseQuery(PageQuery):
    """Filters for the course list; all optional, combined with AND."""

    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Words in the title or description."},
    )
    level = _many(
        fields.String(validate=validate.OneOf(QUALIFICATION_LEVELS)),
        "Qualification level (E1..E3, L1..L8).",
    )
    programme_type = fields.String(validate=validate.OneOf(PROGRAMME_TYPES))
    area = _many(
        fields.String(validate=validate.Length(min=1, max=100)),
        "Area by GSS code or name (a district, unitary authority, county or combined authority).",
    )
    include_national = fields.Boolean(
        load_default=True,
        metadata={"description": "With `area`: also list courses delivered nationally."},
    )
    delivery_mode = fields.String(validate=validate.OneOf(DELIVERY_MODES))
    starts_from = fields.Date(
        metadata={"description": "A start date on or after this (or a flexible start)."}
    )
    starts_to = fields.Date(
        metadata={"description": "A start date on or before this (or a flexible start)."}
    )
    provider = fields.Integer(
        validate=validate.Range(min=1), metadata={"description": "Provider id."}
    )
    ukprn = fields.String(validate=validate.Regexp(UKPRN))
    skill = fields.String(
        validate=validate.Regexp(SKILL_ID), metadata={"description": "Teaches this skill id."}
    )
    skill_level = fields.String(
        validate=validate.OneOf(LEVELS),
        metadata={"description": "Teaches a skill of this digital level."},
    )
    status = fields.String(
        load_default="active", validate=validate.OneOf(("active", "withdrawn", "all"))
    )
    sort = fields.String(
        load_default="title", validate=validate.OneOf(("title", "updated_at", "id"))
    )


class DemandQuery(PageQuery):
    """Filters for the demand list; all optional, combined with AND."""

    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Words in the job title, description or employer."},
    )
    area = _many(
        fields.String(validate=validate.Length(min=1, max=100)),
        "Area by GSS code or name (a district, unitary authority, county or combined authority).",
    )
    sector = fields.String(validate=validate.OneOf(SIC_SECTIONS))
    occupation = fields.String(
        validate=validate.Regexp(r"^[0-9a-f-]{36}$"),
        metadata={"description": "ESCO occupation id."},
    )
    soc_code = fields.String(validate=validate.Regexp(r"^\d{4}$"))
    source = fields.String(validate=validate.Length(min=1, max=100))
    posted_from = fields.Date()
    posted_to = fields.Date()
    skill = fields.String(
        validate=validate.Regexp(SKILL_ID), metadata={"description": "Requires this skill id."}
    )
    skill_level = fields.String(validate=validate.OneOf(LEVELS))
    sort = fields.String(
        load_default="posted_date", validate=validate.OneOf(("posted_date", "job_title", "id"))
    )


class BulkQuery(Schema):
    """Options of a bulk upload."""

    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "Validate and report what would change; write nothing."},
    )


# -- outputs ----------------------------------------------------------------------------


class ProviderRefOut(Schema):
    """The provider of a course, in brief."""

    id = fields.Integer(required=True)
    ukprn = fields.String(required=True)
    name = fields.String(required=True)


class CourseSkillOut(Schema):
    """A skill a course teaches, how it was linked, and its level."""

    skill_id = fields.String(required=True)
    label = fields.String(required=True)
    level = fields.String(allow_none=True)
    method = fields.String(
        metadata={"description": "provided (named by the provider) or how it was extracted."}
    )
    score = fields.Float()
    evidence = fields.String(metadata={"description": "The text it was extracted from."})


class CourseListItem(Schema):
    """A course as listed: what an adviser scans before opening one."""

    id = fields.Integer(required=True)
    provider = fields.Nested(ProviderRefOut, required=True)
    provider_ref = fields.String(required=True)
    title = fields.String(required=True)
    course_type = fields.String()
    programme_type = fields.String()
    qualification_level = fields.String()
    sector = fields.String(allow_none=True)
    delivery_mode = fields.String()
    study_mode = fields.String()
    attendance_pattern = fields.String(allow_none=True)
    national_delivery = fields.Boolean()
    local_authority = fields.String(allow_none=True)
    local_authority_name = fields.String(allow_none=True)
    flexible_start = fields.Boolean()
    start_dates = fields.List(_date())
    duration_value = fields.Float()
    duration_unit = fields.String()
    duration_weeks = fields.Float()
    cost = fields.Float(metadata={"description": "Cost to the learner in pounds."})
    funding = fields.String()
    places = fields.Integer()
    url = fields.String(allow_none=True)
    status = fields.String()
    illustrative = fields.Boolean(
        metadata={"description": "True for the generated seed catalogue, not a real course."}
    )
    updated_at = _timestamp()

    @pre_dump
    def _nest_provider(self, course: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {
            **course,
            "provider": {
                "id": course["provider_id"],
                "ukprn": course["provider_ukprn"],
                "name": course["provider_name"],
            },
        }


class CourseOut(CourseListItem):
    """One course in full, with the skills it teaches."""

    awarding_body = fields.String(allow_none=True)
    who_for = fields.String()
    entry_requirements = fields.String()
    description = fields.String()
    how_you_learn = fields.String()
    how_assessed = fields.String()
    where_next = fields.String()
    venue = fields.String(allow_none=True)
    guided_learning_hours = fields.Integer(allow_none=True)
    cost_description = fields.String()
    age_min = fields.Integer(allow_none=True)
    age_max = fields.Integer(allow_none=True)
    employment_statuses = fields.List(fields.String())
    eligibility_notes = fields.String()
    completion_rate = fields.Float(allow_none=True)
    positive_outcome_rate = fields.Float(allow_none=True)
    outcomes_year = fields.String(allow_none=True)
    created_at = _timestamp()
    skills = fields.List(fields.Nested(CourseSkillOut))


class DemandSkillOut(CourseSkillOut):
    """A skill a job requires, as essential or optional."""

    importance = fields.String(validate=validate.OneOf(IMPORTANCE))


class DemandListItem(Schema):
    """A demand record as listed."""

    id = fields.Integer(required=True)
    source = fields.String(required=True)
    source_ref = fields.String(required=True)
    employer = fields.String()
    job_title = fields.String(required=True)
    soc_code = fields.String(allow_none=True)
    occupation_id = fields.String(allow_none=True)
    isco_code = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    local_authority = fields.String()
    local_authority_name = fields.String(allow_none=True)
    vacancies = fields.Integer()
    posted_date = _date()
    closing_date = _date(allow_none=True)
    illustrative = fields.Boolean()
    updated_at = _timestamp()


class DemandOut(DemandListItem):
    """One demand record in full, with the skills it requires and how it was placed."""

    description = fields.String()
    postcode = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    town = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    remote = fields.Boolean()
    location_method = fields.String(
        allow_none=True,
        metadata={"description": "given, postcode, postcode sector/district, coordinates, place."},
    )
    location_detail = fields.String(allow_none=True)
    occupation_method = fields.String(
        allow_none=True, metadata={"description": "given, inferred (from the title) or unknown."}
    )
    occupation_confidence = fields.Float(allow_none=True)
    soc_major = fields.String(
        allow_none=True,
        metadata={"description": "SOC major group 1-9 (same in SOC 2010 and 2020)."},
    )
    soc_method = fields.String(
        allow_none=True,
        metadata={
            "description": "given (from soc_code), inferred (title in the ONS coding index) "
            "or unknown."
        },
    )
    soc_confidence = fields.Float(allow_none=True)
    soc_evidence = fields.String(allow_none=True)
    salary_min = fields.Float(allow_none=True)
    salary_max = fields.Float(allow_none=True)
    salary_unit = fields.String(allow_none=True)
    salary_currency = fields.String(allow_none=True)
    salary_text = fields.String(allow_none=True)
    employment_type = fields.String(allow_none=True)
    hours_per_week = fields.Float(allow_none=True)
    industry = fields.String(allow_none=True)
    occupational_category = fields.String(allow_none=True)
    source_url = fields.String(allow_none=True)
    created_at = _timestamp()
    skills = fields.List(fields.Nested(DemandSkillOut))


class ProviderOut(Schema):
    """A training provider."""

    id = fields.Integer(required=True)
    ukprn = fields.String(required=True)
    name = fields.String(required=True)
    provider_type = fields.String()
    local_authority = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    courses = fields.Integer(metadata={"description": "Active courses."})
    created_at = _timestamp()
    updated_at = _timestamp()


class KeyOut(Schema):
    """An API key's metadata. The key itself is never shown again after it is issued."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    provider_id = fields.Integer(allow_none=True)
    key_prefix = fields.String(metadata={"description": "First characters, to recognise it."})
    created_at = _timestamp()
    last_used_at = _timestamp(allow_none=True)
    revoked_at = _timestamp(allow_none=True)


class KeyIssuedOut(KeyOut):
    """A newly issued key: the only response that ever carries the key itself."""

    key = fields.String(
        required=True, metadata={"description": "The API key. Store it now: it is not kept."}
    )
    replaces = fields.Integer(
        allow_none=True, metadata={"description": "The key this one replaced (rotation)."}
    )


class KeyCreateIn(Schema):
    """A request for a new API key."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    provider = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(UKPRN),
        metadata={"description": "UKPRN of the provider; required for role provider only."},
    )


class LevelOverrideIn(Schema):
    """A human correction of a skill's digital level."""

    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class LevelOverrideOut(Schema):
    """A skill's level as corrected by a person, with who and when."""

    skill_id = fields.String(required=True)
    label = fields.String()
    level = fields.String(required=True)
    reason = fields.String()
    changed_by = fields.String()
    changed_at = _timestamp()


class AliasIn(Schema):
    """A word people write for a skill, added by the partnership (unknown fields refused)."""

    alias = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "As people write it: a tool, brand, acronym or phrase."},
    )
    skill_id = fields.String(required=True, validate=validate.Regexp(SKILL_ID))
    case_sensitive = fields.Boolean(
        load_default=False, metadata={"description": "Match only as written (acronyms)."}
    )
    note = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Why: where people write it and what it means."},
    )


class AliasQuery(PageQuery):
    """Which aliases to list."""

    source = fields.String(
        validate=validate.OneOf(("reference", "partnership")),
        metadata={"description": "reference (shipped table) or partnership (added here)."},
    )


class AliasOut(Schema):
    """An alias of a skill: where it came from, and for the partnership's, who and why."""

    id = fields.Integer(required=True)
    alias = fields.String(required=True)
    skill_id = fields.String(required=True)
    label = fields.String(metadata={"description": "The skill's preferred label."})
    case_sensitive = fields.Boolean()
    source = fields.String(metadata={"description": "reference or partnership."})
    note = fields.String()
    changed_by = fields.String(allow_none=True)
    changed_at = _timestamp(allow_none=True)


class SkillLevelOut(Schema):
    """A skill's current level and where it came from."""

    id = fields.String(required=True)
    label = fields.String()
    level = fields.String(allow_none=True)
    level_source = fields.String(allow_none=True)
    level_reason = fields.String(allow_none=True)


class RowErrorOut(Schema):
    """One problem in one row of a bulk file (rows count from 1, after any CSV header)."""

    row = fields.Integer(required=True)
    field = fields.String(required=True)
    message = fields.String(required=True)
    value = fields.Raw(allow_none=True, metadata={"description": "What the row held."})
    expected = fields.String(allow_none=True, metadata={"description": "What is accepted."})
    example = fields.String(allow_none=True, metadata={"description": "An accepted value."})


class UnplacedOut(Schema):
    """An advert that could not be placed in a local authority, and why."""

    row = fields.Integer(required=True)
    source_ref = fields.String(required=True)
    reason = fields.String(required=True)


class DuplicateOut(Schema):
    """An advert judged a repost of a kept demand record."""

    row = fields.Integer(required=True)
    source_ref = fields.String(required=True)
    duplicate_of = fields.Integer(required=True)


class ImportReportOut(Schema):
    """What a bulk upload did, or would do with ``dry_run``."""

    kind = fields.String()
    source_name = fields.String()
    status = fields.String(
        metadata={"description": "committed, or checked for a dry run."},
    )
    dry_run = fields.Boolean()
    rows_total = fields.Integer()
    inserted = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorOut))
    unplaced = fields.List(
        fields.Nested(UnplacedOut),
        metadata={"description": "Adverts whose location could not be resolved: kept aside."},
    )
    duplicates = fields.List(
        fields.Nested(DuplicateOut),
        metadata={"description": "Reposts of another advert, counted once as that one."},
    )


class FeedImportQuery(BulkQuery):
    """Options of a feed upload imported in the background."""

    source = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Feed name for records that name none (default: file name)."},
    )
    map = fields.List(
        fields.String(validate=validate.Length(min=3, max=300)),
        load_default=list,
        metadata={
            "description": "CSV only: `field=Column Name`, repeated, e.g. "
            "`map=job_title=Job Title&map=postcode=Location Postcode`."
        },
    )


class ImportJobOut(Schema):
    """A background import: poll ``href`` until ``status`` is no longer queued or running."""

    id = fields.String(required=True)
    href = fields.String(required=True)
    kind = fields.String(required=True)
    source_name = fields.String(required=True)
    status = fields.String(
        required=True,
        metadata={"description": "queued, running, committed, checked, rejected or failed."},
    )
    stage = fields.String(
        metadata={"description": "checking, extracting skills, writing or finished."}
    )
    done = fields.Integer(metadata={"description": "Records through skill extraction so far."})
    total = fields.Integer(metadata={"description": "Records that need extraction."})
    error = fields.String(allow_none=True)
    report = fields.Nested(ImportReportOut, allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()


def optional_fields(schema: type[Schema], name: str) -> type[Schema]:
    """A documentation-only copy of a record schema with every field optional (for PATCH)."""
    declared = {}
    for field_name, field in schema._declared_fields.items():
        field = copy.copy(field)
        field.required = False
        declared[field_name] = field
    return Schema.from_dict(declared, name=name)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page envelope schema listing ``item`` records."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True, metadata={"description": "Matches, all pages."}),
            "page": fields.Integer(required=True),
            "page_size": fields.Integer(required=True),
            "pages": fields.Integer(required=True),
            "next": fields.String(allow_none=True, metadata={"description": "Next page URL."}),
            "prev": fields.String(allow_none=True, metadata={"description": "Previous page URL."}),
        },
        name=name,
    )


class UnplacedRecordOut(Schema):
    """A stored advert that could not be placed, as the partnership reviews it."""

    source = fields.String(required=True)
    source_ref = fields.String(required=True)
    job_title = fields.String(required=True)
    employer = fields.String()
    posted_date = fields.String(required=True)
    vacancies = fields.Integer()
    postcode = fields.String(allow_none=True)
    town = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    reason = fields.String(required=True)
    illustrative = fields.Boolean()


UnplacedPage = page_of(UnplacedRecordOut, "UnplacedPage")
CoursePage = page_of(CourseListItem, "CoursePage")
DemandPage = page_of(DemandListItem, "DemandPage")
ProviderPage = page_of(ProviderOut, "ProviderPage")
KeyPage = page_of(KeyOut, "KeyPage")
AliasPage = page_of(AliasOut, "AliasPage")


def page(items: Sequence[Any], total: int, args: dict[str, Any]) -> dict[str, Any]:
    """The page envelope, with next/prev URLs that keep the request's filters."""
    number, size = args["page"], args["page_size"]
    pages = max(1, ceil(total / size))

    def link(target: int) -> str:
        query = request.args.to_dict(flat=False)
        query["page"] = [str(target)]
        return url_for(request.endpoint, **(request.view_args or {}), **query)

    return {
        "items": list(items),
        "total": total,
        "page": number,
        "page_size": size,
        "pages": pages,
        "next": link(number + 1) if number < pages else None,
        "prev": link(min(number - 1, pages)) if number > 1 else None,
    }


def link_header(body: dict[str, Any]) -> dict[str, str]:
    """An RFC 8288 Link header with the page's next and prev URLs (empty if none)."""
    links = [f'<{body[rel]}>; rel="{rel}"' for rel in ("next", "prev") if body.get(rel)]
    return {"Link": ", ".join(links)} if links else {}


def search_page(
    search: Callable[..., tuple[Sequence[Any], int]], filters: Any, args: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """One page of a store search (``search(filters, limit=, offset=, sort=)``) with its Link."""
    size = args["page_size"]
    items, total = search(filters, limit=size, offset=(args["page"] - 1) * size, sort=args["sort"])
    body = page(items, total, args)
    return body, link_header(body)


def json_body() -> Any:
    """The request's JSON body: 415 unless it is sent as JSON, 400 if it is malformed."""
    try:
        return request.get_json()
    except BadRequest as exc:
        # Flask hides the parser's message outside debug mode; it is safe and useful.
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, ValueError):
            cause = cause.__cause__ or cause.__context__
        reason = f": {cause}." if cause is not None else "."
        raise BadRequest(f"The request body is not valid JSON{reason}") from None


def load_body(schema: Schema) -> dict[str, Any]:
    """The JSON body validated by ``schema``: 415, 400, or 422 with field-level errors."""
    raw = json_body()
    if not isinstance(raw, dict):
        raise InvalidInput("The body must be a JSON object.", {"_schema": ["Expected an object."]})
    try:
        return schema.load(raw)
    except ValidationError as exc:
        raise InvalidInput(
            "The request is invalid; see errors for each field.", field_errors(exc.messages)
        ) from None


def body_doc(schema: Any, description: str = "") -> dict[str, Any]:
    """OpenAPI requestBody of a JSON object validated by ``schema`` (for ``blp.doc``)."""
    doc: dict[str, Any] = {"required": True, "content": {"application/json": {"schema": schema}}}
    if description:
        doc["description"] = description
    return {"requestBody": doc}


def no_content() -> Response:
    """An empty 204 response."""
    return Response(status=204)
