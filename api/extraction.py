"""Skill extraction from text: POST /api/v1/skills/extract.

Stateless: the text is a person's or an adviser's, so its phrase vectors are never stored
(``persist=False``) and nothing about it is logged; the audit entry names only the route.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from skills_match.apikeys import ROLES
from skills_match.engine import get_engine
from skills_match.extract import MAX_TEXT_CHARS, METHODS
from skills_match.schemas import LEVELS

from .auth import roles
from .db import settings

blp = Blueprint(
    "extraction", __name__, url_prefix="/api/v1", description="Skills found in free text"
)


class ExtractIn(Schema):
    """The text to read; unknown fields are rejected."""

    text = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_TEXT_CHARS),
        metadata={
            "description": f"A course description, job advert or a person's own words "
            f"(at most {MAX_TEXT_CHARS:,} characters). Not stored."
        },
    )


class ExtractedSkillOut(Schema):
    """One skill found in the text, with the span it came from."""

    skill_id = fields.String(metadata={"description": "Taxonomy id (ESCO UUID or EDS area)."})
    label = fields.String(metadata={"description": "The skill's preferred label."})
    level = fields.String(
        allow_none=True,
        validate=validate.OneOf(LEVELS),
        metadata={"description": "Digital skill level; null for non-digital skills."},
    )
    is_digital = fields.Boolean()
    start = fields.Integer(metadata={"description": "Offset of the span's first character."})
    end = fields.Integer(metadata={"description": "Offset just past the span's last character."})
    text = fields.String(metadata={"description": "The span of the input the skill came from."})
    score = fields.Float(metadata={"description": "1.0 for label matches, else the cosine."})
    method = fields.String(
        validate=validate.OneOf(METHODS),
        metadata={"description": "exact / normalised label match, or semantic match."},
    )
    matched_label = fields.String(
        metadata={"description": "The taxonomy label (preferred or alternative) it matched."}
    )


class ExtractOut(Schema):
    """The skills found, in order of appearance, each once."""

    skills = fields.List(fields.Nested(ExtractedSkillOut))


@blp.route("/skills/extract", methods=["POST"])
@roles(*ROLES)
@blp.arguments(ExtractIn)
@blp.response(200, ExtractOut)
def extract(body: dict) -> dict:
    """Find taxonomy skills in a text: each with id, label, level, span, score and method."""
    found = get_engine(settings()).extractor.extract(body["text"], persist=False)
    return {"skills": [skill.as_dict() for skill in found]}
