"""Input schemas shared by the CLI importer and the API: one definition of a valid record.

Unknown fields are rejected everywhere (marshmallow's default ``RAISE``). The provider of a
course is never part of its body: the API takes it from the caller's key, the CLI from
``--provider`` or the file's ``provider_ukprn`` column (see :class:`CourseImportRow`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

LEVELS = ("essential", "general", "specialist", "fusion")
IMPORTANCE = ("essential", "optional")
# Ofqual qualification levels in England: Entry 1-3, then Levels 1-8, in order.
QUALIFICATION_LEVELS = ("E1", "E2", "E3", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8")
COURSE_TYPES = (
    "essential_skills",
    "t_level",
    "skills_bootcamp",
    "free_courses_for_jobs",
    "htq",
    "multiply",
    "apprenticeship",
    "other",
)
PROGRAMME_TYPES = (
    "skills_bootcamp",
    "t_level",
    "aeb_digital",
    "essential_digital_skills",
    "apprenticeship",
    "community",
    "other",
)
DELIVERY_MODES = ("classroom", "online", "blended", "work_based")
STUDY_MODES = ("full_time", "part_time", "flexible")
ATTENDANCE_PATTERNS = ("daytime", "evening", "weekend", "day_block", "flexible")
DURATION_UNITS = ("hours", "days", "weeks", "months", "years")
FUNDING = ("fully_funded", "co_funded", "employer_funded", "loan", "self_funded")
EMPLOYMENT_STATUSES = ("employed", "unemployed", "self_employed", "economically_inactive")
PROVIDER_TYPES = (
    "fe_college",
    "independent_training_provider",
    "bootcamp_supplier",
    "community_organisation",
    "university",
    "local_authority",
    "employer",
)
SIC_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")

GSS_CODE = re.compile(r"^[ENSWK]\d{8}$")
UKPRN = re.compile(r"^1\d{7}$")
SKILL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:_.\-]{0,99}$")

_WEEKS_PER_UNIT = {"hours": 1 / 37.5, "days": 1 / 5, "weeks": 1, "months": 52 / 12, "years": 52}


def duration_in_weeks(value: float, unit: str) -> float:
    """Convert a duration to weeks so courses of different units compare (37.5-hour weeks)."""
    return round(float(value) * _WEEKS_PER_UNIT[unit], 3)


def qualification_rank(level: str) -> int:
    """Position of a qualification level in Entry 1 ... Level 8 order."""
    return QUALIFICATION_LEVELS.index(level)


def _text(max_length: int, required: bool = False, **kwargs: Any) -> fields.String:
    if required:
        return fields.String(
            required=True, validate=validate.Length(min=1, max=max_length), **kwargs
        )
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def _one_of(choices: tuple[str, ...], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), **kwargs)


# A plain-string skill that looks like one of these is an id; any other string is a phrase.
SKILL_ID_SHAPE = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|eds-\d{4}:[a-z-]+)$"
)
MAX_SKILL_PHRASE = 200


class SkillRefSchema(Schema):
    """A skill named by taxonomy id or in words (a phrase), optionally with its level."""

    skill_id = fields.String(validate=validate.Regexp(SKILL_ID))
    phrase = fields.String(validate=validate.Length(min=1, max=MAX_SKILL_PHRASE))
    level = _one_of(LEVELS, load_default=None, allow_none=True)

    @validates_schema
    def _one_name(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("skill_id" in data) == ("phrase" in data):
            raise ValidationError(
                "Give skill_id (an id from GET /skills) or phrase (the skill in words, "
                "e.g. 'Docker'), not both.",
                "skill_id",
            )


class SkillItem(fields.Nested):
    """A skill as an object, or as a plain string: an id when shaped like one, else a phrase."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            value = {"skill_id": text} if SKILL_ID_SHAPE.match(text) else {"phrase": text}
        return super()._deserialize(value, attr, data, **kwargs)


def repeated_skills(skills: Any) -> bool:
    """Whether a record lists the same id, or the same phrase (any case), twice."""
    names = [
        s["skill_id"] if "skill_id" in s else "phrase:" + " ".join(s["phrase"].lower().split())
        for s in skills or []
    ]
    return len(names) != len(set(names))


class DemandSkillRefSchema(SkillRefSchema):
    """A skill a job requires, as essential or optional."""

    importance = _one_of(IMPORTANCE, load_default="essential")


class CourseSchema(Schema):
    """A training course: the National Course Directory's fields plus skills and places."""

    provider_ref = fields.String(
        required=True, validate=[validate.Length(min=1, max=64), validate.Regexp(r"^\S(.*\S)?$")]
    )
    title = _text(200, required=True)
    course_type = _one_of(COURSE_TYPES, required=True)
    programme_type = _one_of(PROGRAMME_TYPES, required=True)
    qualification_level = _one_of(QUALIFICATION_LEVELS, required=True)
    awarding_body = _text(200, load_default=None, allow_none=True)
    sector = _one_of(SIC_SECTIONS, load_default=None, allow_none=True)
    who_for = _text(2000, load_default="")
    entry_requirements = _text(2000, load_default="")
    description = _text(10000, load_default="")
    how_you_learn = _text(2000, load_default="")
    how_assessed = _text(2000, load_default="")
    where_next = _text(2000, load_default="")
    delivery_mode = _one_of(DELIVERY_MODES, required=True)
    study_mode = _one_of(STUDY_MODES, required=True)
    attendance_pattern = _one_of(ATTENDANCE_PATTERNS, load_default=None, allow_none=True)
    venue = _text(300, load_default=None, allow_none=True)
    national_delivery = fields.Boolean(load_default=False)
    local_authority = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(GSS_CODE)
    )
    flexible_start = fields.Boolean(load_default=False)
    start_dates = fields.List(fields.Date(), load_default=list, validate=validate.Length(max=52))
    # When a flexible-start course first took learners: it counts as supply from that month
    # (default: the month it was listed here), never in months before it existed.
    available_from = fields.Date(load_default=None, allow_none=True)
    duration_value = fields.Float(
        required=True, validate=validate.Range(min=0, min_inclusive=False, max=10000)
    )
    duration_unit = _one_of(DURATION_UNITS, required=True)
    guided_learning_hours = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=10000)
    )
    cost = fields.Decimal(
        places=2, load_default=0, validate=validate.Range(min=0, max=1_000_000), as_string=False
    )
    cost_description = _text(500, load_default="")
    funding = _one_of(FUNDING, required=True)
    places = fields.Integer(required=True, validate=validate.Range(min=0, max=100_000))
    age_min = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(14, 99))
    age_max = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(14, 99))
    employment_statuses = fields.List(
        _one_of(EMPLOYMENT_STATUSES), load_default=list, validate=validate.Length(max=4)
    )
    eligibility_notes = _text(2000, load_default="")
    completion_rate = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=1)
    )
    positive_outcome_rate = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=1)
    )
    outcomes_year = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}(-\d{2})?$")
    )
    url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"})
    status = _one_of(("active", "withdrawn"), load_default="active")
    skills = fields.List(
        SkillItem(SkillRefSchema),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
    )

    @validates_schema
    def _check_consistency(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if not data.get("national_delivery") and not data.get("local_authority"):
            errors.setdefault("local_authority", []).append(
                "Required unless national_delivery is true."
            )
        if data.get("delivery_mode") in ("classroom", "blended", "work_based") and not data.get(
            "local_authority"
        ):
            errors.setdefault("local_authority", []).append(
                "Required for classroom, blended and work-based delivery."
            )
        if not data.get("flexible_start") and not data.get("start_dates"):
            errors.setdefault("start_dates", []).append(
                "Give at least one start date, or set flexible_start."
            )
        age_min, age_max = data.get("age_min"), data.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            errors.setdefault("age_max", []).append("Must not be below age_min.")
        if repeated_skills(data.get("skills")):
            errors.setdefault("skills", []).append("A skill is listed more than once.")
        if errors:
            raise ValidationError(errors)


class CourseImportRow(CourseSchema):
    """A course row in a CLI import file, which names its provider (trusted operator input)."""

    provider_ukprn = fields.String(load_default=None, validate=validate.Regexp(UKPRN))


class FeedDate(fields.Date):
    """A date, or an ISO 8601 timestamp (``Z`` or an offset allowed) whose date it takes.

    The date is the one written in the timestamp (the poster's local date), not converted.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if isinstance(value, str) and len(value.strip()) > 10:
            try:
                return dt.datetime.fromisoformat(value.strip()).date()
            except ValueError:
                raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None
        return super()._deserialize(value, attr, data, **kwargs)


SALARY_UNITS = ("hour", "day", "week", "month", "year")


class DemandSchema(Schema):
    """An employer demand record: one advert or reported need, with its required skills.

    Where: ``local_authority`` (a GSS code) if the sender knows it; otherwise the importer
    resolves it from ``postcode``, ``latitude``/``longitude`` or ``town`` (skills_match.geo).
    """

    source = _text(100, required=True)
    source_ref = fields.String(
        required=True, validate=[validate.Length(min=1, max=100), validate.Regexp(r"^\S(.*\S)?$")]
    )
    employer = _text(200, load_default="")
    job_title = _text(200, required=True)
    description = _text(20000, load_default="")
    soc_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}$")
    )
    occupation_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9a-f-]{36}$")
    )
    isco_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{1,4}$")
    )
    sector = _one_of(SIC_SECTIONS, load_default=None, allow_none=True)
    local_authority = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(GSS_CODE)
    )
    postcode = _text(16, load_default=None, allow_none=True)
    latitude = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=-90, max=90)
    )
    longitude = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=-180, max=180)
    )
    town = _text(100, load_default=None, allow_none=True)
    region = _text(100, load_default=None, allow_none=True)
    remote = fields.Boolean(load_default=False)
    vacancies = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    posted_date = FeedDate(required=True)
    closing_date = FeedDate(load_default=None, allow_none=True)
    salary_min = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=10_000_000)
    )
    salary_max = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=10_000_000)
    )
    salary_unit = _one_of(SALARY_UNITS, load_default=None, allow_none=True)
    salary_currency = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$")
    )
    salary_text = _text(200, load_default=None, allow_none=True)
    employment_type = _text(200, load_default=None, allow_none=True)
    hours_per_week = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=100)
    )
    industry = _text(200, load_default=None, allow_none=True)
    occupational_category = _text(200, load_default=None, allow_none=True)
    source_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"})
    skills = fields.List(
        SkillItem(DemandSkillRefSchema),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
    )

    @validates_schema
    def _check_consistency(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        closing, posted = data.get("closing_date"), data.get("posted_date")
        if closing is not None and posted is not None and closing < posted:
            errors["closing_date"] = ["Must not be before posted_date."]
        low, high = data.get("salary_min"), data.get("salary_max")
        if low is not None and high is not None and high < low:
            errors["salary_max"] = ["Must not be below salary_min."]
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            errors["longitude" if data.get("longitude") is None else "latitude"] = [
                "Give latitude and longitude together."
            ]
        if repeated_skills(data.get("skills")):
            errors["skills"] = ["A skill is listed more than once."]
        if errors:
            raise ValidationError(errors)


# What a field accepts and an example, where its type and validators cannot say it (formats,
# codes): quoted in import errors so a fix needs no guessing. field_hint() derives the rest.
FIELD_HINTS: dict[str, tuple[str, str]] = {
    "posted_date": ("an ISO 8601 date or timestamp", "2026-12-07 or 2026-12-07T09:30:00+00:00"),
    "closing_date": ("an ISO 8601 date or timestamp", "2027-01-15 or 2027-01-15T23:59:00Z"),
    "postcode": ("a UK postcode, written any way", "L3 9PP"),
    "local_authority": ("a GSS code: a letter E, N, S, W or K and 8 digits", "E08000012"),
    "soc_code": ("a 4-digit SOC 2020 unit group", "2134"),
    "isco_code": ("an ISCO-08 code of 1 to 4 digits", "2512"),
    "occupation_id": ("an ESCO occupation UUID", "f2b15a0e-e65a-438a-affb-29b9d50b77d1"),
    "sector": ("a UK SIC 2007 section letter A-U", "J"),
    "latitude": ("decimal degrees from -90 to 90, with longitude", "53.4084"),
    "longitude": ("decimal degrees from -180 to 180, with latitude", "-2.9916"),
    "salary_min": ("a number (no currency sign)", "21892"),
    "salary_max": ("a number, not below salary_min", "24157"),
    "salary_currency": ("an ISO 4217 code", "GBP"),
    "source_url": ("an http(s) URL", "https://www.jobs.nhs.uk/candidate/jobadvert/C9123"),
    "source_ref": ("the feed's own id, without leading or trailing spaces", "C9123-24-0042"),
    "skill_id": ("a skill id from GET /skills", "ccd0a1d9-afda-43d9-b901-96344886e14d"),
    "phrase": ("a skill in words, up to 200 characters", "Docker"),
    "provider_ukprn": ("an 8-digit UKPRN starting with 1", "10001234"),
}


class ProviderSchema(Schema):
    """A training provider, identified by its UKPRN."""

    ukprn = fields.String(required=True, validate=validate.Regexp(UKPRN))
    name = _text(200, required=True)
    provider_type = _one_of(PROVIDER_TYPES, required=True)
    local_authority = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(GSS_CODE)
    )
    website = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"})


def field_hint(schema: Schema, path: str) -> tuple[str | None, str | None]:
    """(what is accepted, an example) for a dotted field path of ``schema``, else Nones.

    Taken from FIELD_HINTS when the field is named there, else from the field's own type
    and validators (choices, lengths, ranges), so every field of every schema has one.
    """
    names = [part for part in path.split(".") if not part.isdigit()]
    if names and names[-1] in FIELD_HINTS:
        return FIELD_HINTS[names[-1]]
    field = _field_at(schema, path)
    if field is None:
        return None, None
    if isinstance(field, fields.List):
        if not path.split(".")[-1].isdigit():  # the list itself: its length or its type
            for v in field.validators:
                if isinstance(v, validate.Length) and v.max is not None:
                    return f"a list of at most {v.max} items", None
            return "a list", None
        field = field.inner  # one item of it
    whole = isinstance(field, fields.Integer)
    for v in field.validators:
        if isinstance(v, validate.OneOf):
            choices = [str(c) for c in v.choices]
            return f"one of {', '.join(choices)}", choices[0]
        if isinstance(v, validate.Range):
            kind = "a whole number" if whole else "a number"
            return f"{kind} from {v.min} to {v.max}", str(max(v.min or 0, 1))
        if isinstance(v, validate.Length) and v.max is not None:
            return f"text of {v.min or 0} to {v.max} characters", None
    if isinstance(field, fields.Boolean):
        return "true or false", "false"
    if isinstance(field, fields.Date):
        return "an ISO 8601 date (YYYY-MM-DD)", "2027-01-11"
    if whole:
        return "a whole number", "1"
    if isinstance(field, fields.Float | fields.Decimal):
        return "a number", "1.5"
    if isinstance(field, fields.Url):
        return "an http(s) URL", "https://www.example.org/course/42"
    if isinstance(field, fields.String):
        return "text", None
    return None, None


def _field_at(schema: Schema, path: str) -> fields.Field | None:
    """The field a dotted error path names (list indexes and nested schemas followed)."""
    current: Schema | None = schema
    field: fields.Field | None = None
    for part in path.split("."):
        if part.isdigit():
            continue
        if current is None or part not in current.fields:
            return None
        field = current.fields[part]
        inner = field.inner if isinstance(field, fields.List) else field
        current = inner.schema if isinstance(inner, fields.Nested) else None
    return field
