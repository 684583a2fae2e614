"""Matching: POST /api/v1/match (ranked courses) and POST /api/v1/pathway (up to 3 in order).

Stateless: the person's skills and circumstances are validated, used to rank and returned;
they are never stored or logged (the audit entry names the route and the caller only).
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import fields

from skills_match.matcher import MatchRequestSchema, get_matcher

from .auth import roles
from .db import get_store, settings
from .dumping import FastDumpSchema

blp = Blueprint(
    "match",
    __name__,
    url_prefix="/api/v1",
    description="Courses that close a person's digital skill gap, ranked and explained.",
)

MATCH_ROLES = ("adviser", "admin")


class TargetSkillOut(FastDumpSchema):
    """A skill of the target: in the gap, already held, or not digital."""

    skill_id = fields.String()
    label = fields.String()
    level = fields.String(allow_none=True)
    importance = fields.String(metadata={"description": "essential or optional to the target."})
    is_digital = fields.Boolean()
    source = fields.String(
        metadata={
            "description": "occupation, demand, advert, skills, area_demand or eds_self_assessment."
        }
    )
    weight = fields.Float(metadata={"description": "Area mode: share of the largest unmet need."})
    centrality = fields.Float(metadata={"description": "Cosine with the role's title (>= 0.1)."})
    held_by = fields.String(
        allow_none=True, metadata={"description": "The person's skill that covers it, if any."}
    )
    held_similarity = fields.Float(allow_none=True)


class CoverOut(FastDumpSchema):
    """One gap skill a course covers, and the course skill that covers it."""

    gap_skill_id = fields.String()
    gap_label = fields.String()
    gap_level = fields.String(allow_none=True)
    importance = fields.String()
    course_skill_id = fields.String()
    course_label = fields.String()
    similarity = fields.Float()
    closeness = fields.String(metadata={"description": "same skill, close match or related."})


class CourseSummaryOut(FastDumpSchema):
    """What a match shows about a course."""

    id = fields.Integer()
    title = fields.String()
    provider_id = fields.Integer()
    provider_name = fields.String()
    provider_ukprn = fields.String()
    course_type = fields.String()
    programme_type = fields.String()
    qualification_level = fields.String()
    delivery_mode = fields.String()
    study_mode = fields.String()
    attendance_pattern = fields.String(allow_none=True)
    venue = fields.String(allow_none=True)
    national_delivery = fields.Boolean()
    local_authority = fields.String(allow_none=True)
    local_authority_name = fields.String(allow_none=True)
    flexible_start = fields.Boolean()
    start_dates = fields.List(fields.String(metadata={"format": "date"}))
    duration_value = fields.Float()
    duration_unit = fields.String()
    duration_weeks = fields.Float()
    cost = fields.Float()
    funding = fields.String()
    places = fields.Integer()
    completion_rate = fields.Float(allow_none=True)
    positive_outcome_rate = fields.Float(allow_none=True)
    outcomes_year = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    illustrative = fields.Boolean()


class CourseMatchOut(FastDumpSchema):
    """One ranked course with its score, the parts of the score, and the explanation."""

    course_id = fields.Integer()
    rank = fields.Integer()
    score = fields.Float(
        metadata={"description": "coverage x focus^3 x level_fit x outcome_factor x travel."}
    )
    coverage = fields.Float(metadata={"description": "Weighted share of the gap covered."})
    focus = fields.Float(metadata={"description": "How much of the course is about the target."})
    level_fit = fields.Float(metadata={"description": "1.0, or the level penalty applied."})
    outcome_factor = fields.Float()
    course_level = fields.String(allow_none=True)
    covers = fields.List(fields.Nested(CoverOut))
    leaves = fields.List(
        fields.String(),
        metadata={
            "description": "Ids of the gap skills this course does not cover; each is listed, "
            "with its label and level, once in the answer's gap."
        },
    )
    penalties = fields.List(fields.String())
    next_start = fields.String(allow_none=True, metadata={"format": "date"})
    distance_km = fields.Float(
        allow_none=True,
        metadata={
            "description": "Straight-line km from the person to the course (venue postcode, "
            "else its council area's centre); null for online and national courses or when "
            "the person's place is not given."
        },
    )
    course = fields.Nested(CourseSummaryOut)
    explanation = fields.String(metadata={"description": "Plain words to read to the client."})


class RecognisedOut(FastDumpSchema):
    """One of the person's phrases and the digital skill it was understood as."""

    text = fields.String()
    skill_id = fields.String()
    label = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    similarity = fields.Float()


class PersonOut(FastDumpSchema):
    """What was understood of the person (returned only; nothing is stored)."""

    recognised = fields.List(fields.Nested(RecognisedOut))
    evident_level = fields.String(allow_none=True)
    has_essential = fields.Boolean()
    has_general = fields.Boolean()
    eds_below_level1 = fields.List(fields.String())


class ConsideredOut(FastDumpSchema):
    """How many courses were looked at, and why relevant ones were left out."""

    active_courses = fields.Integer()
    teach_the_gap = fields.Integer()
    pass_filters = fields.Integer()
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer())


class AreaOut(FastDumpSchema):
    """The person's area."""

    gss_code = fields.String()
    name = fields.String(allow_none=True)


class _Common(FastDumpSchema):
    target = fields.Dict(metadata={"description": "What was matched against: kind, id, label."})
    area = fields.Nested(AreaOut, allow_none=True)
    as_of = fields.String(metadata={"format": "date"})
    person = fields.Nested(PersonOut)
    gap = fields.List(fields.Nested(TargetSkillOut))
    held = fields.List(fields.Nested(TargetSkillOut))
    not_digital = fields.List(fields.Nested(TargetSkillOut))
    notes = fields.List(fields.String())


class MatchOut(_Common):
    """Ranked courses for the gap."""

    results = fields.List(fields.Nested(CourseMatchOut))
    considered = fields.Nested(ConsideredOut)


class PathwayStepOut(FastDumpSchema):
    """One course of a pathway, when it would run, and what it adds to the steps before."""

    step = fields.Integer()
    start = fields.String(metadata={"format": "date"})
    end = fields.String(metadata={"format": "date"})
    match = fields.Nested(CourseMatchOut)
    adds = fields.List(fields.Nested(CoverOut))


class PathwayOut(_Common):
    """Up to three courses in level order, and the gap left after them."""

    steps = fields.List(fields.Nested(PathwayStepOut))
    covered_share = fields.Float()
    remaining_gap = fields.List(fields.Nested(TargetSkillOut))
    explanation = fields.String()


# The views return the matcher's result objects as they are: the output schemas read their
# attributes, and a plain-dict copy first would double the serialising of the largest answer
# the service gives.


def _matcher() -> Any:
    return get_matcher(settings(), get_store())


@blp.route("/match", methods=["POST"])
@roles(*MATCH_ROLES)
@blp.arguments(MatchRequestSchema)
@blp.response(200, MatchOut)
def match(body: dict) -> Any:
    """Rank active courses against the person's digital skill gap, with explanations."""
    return _matcher().rank(body, get_store(), validated=True)


@blp.route("/pathway", methods=["POST"])
@roles(*MATCH_ROLES)
@blp.arguments(MatchRequestSchema)
@blp.response(200, PathwayOut)
def pathway(body: dict) -> Any:
    """Up to three courses, essential before general before specialist, that fit in time."""
    return _matcher().pathway(body, get_store(), validated=True)
