"""Skill extraction from text: POST /api/v1/skills/extract.

Stateless: the text is a person's or an adviser's, so its phrase vectors are never stored
(``persist=False``) and nothing about it is logged; the audit entry names only the route.
The answer is a ranked list: by default the skills at or above the calibrated cut-off;
``min_score: 0`` with ``top_k`` gives the "did you mean" list behind it.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from skills_match.apikeys import ROLES
from skills_match.engine import get_engine
from skills_match.extract import EXTRACTOR_VERSION, MAX_TEXT_CHARS, METHODS
from skills_match.schemas import LEVELS
from skills_match.sections import SECTIONS

from .auth import roles
from .db import settings

blp = Blueprint(
    "extraction", __name__, url_prefix="/api/v1", description="Skills found in free text"
)
# Most ranked skills one answer carries: a long advert names ~30; 200 is a generous cap.
MAX_TOP_K = 200
REQUIREMENTS = ("essential", "desirable")


class ExtractIn(Schema):
    """The text to read and how much of the ranked list to return; unknown fields rejected."""

    text = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_TEXT_CHARS),
        metadata={
            "description": f"A course description, job advert or a person's own words "
            f"(at most {MAX_TEXT_CHARS:,} characters). Not stored."
        },
    )
    top_k = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_TOP_K),
        metadata={"description": f"Return at most this many skills, best first (1-{MAX_TOP_K})."},
    )
    min_score = fields.Float(
        load_default=None,
        validate=validate.Range(min=0.0, max=1.0),
        metadata={
            "description": "Cut-off on the score (0-1). Default: the cut-off calibrated on "
            "the training data (models/extractor.json); 0 returns every candidate."
        },
    )


class ExtractedSkillOut(Schema):
    """One skill found in the text, with its evidence span, section and flags."""

    rank = fields.Integer(metadata={"description": "1 for the best-scored skill."})
    skill_id = fields.String(metadata={"description": "ESCO skill UUID."})
    label = fields.String(metadata={"description": "The skill's preferred label."})
    level = fields.String(
        allow_none=True,
        validate=validate.OneOf(LEVELS),
        metadata={"description": "Digital skill level; null for non-digital skills."},
    )
    is_digital = fields.Boolean()
    start = fields.Integer(metadata={"description": "Offset of the span's first character."})
    end = fields.Integer(metadata={"description": "Offset just past the span's last character."})
    text = fields.String(metadata={"description": "The evidence: the span the skill came from."})
    score = fields.Float(metadata={"description": "How sure the extractor is, 0-1 (calibrated)."})
    method = fields.String(
        validate=validate.OneOf(METHODS),
        metadata={
            "description": "exact / normalised label match, alias (a tool or brand name), "
            "fuzzy (a misspelt name) or semantic (the meaning of the sentence)."
        },
    )
    matched_label = fields.String(
        metadata={"description": "The taxonomy label or alias the evidence matched."}
    )
    section = fields.String(
        validate=validate.OneOf(SECTIONS),
        metadata={"description": "The part of the document the evidence is in."},
    )
    requirement = fields.String(
        allow_none=True,
        validate=validate.OneOf(REQUIREMENTS),
        metadata={"description": "essential / desirable when the text says so, else null."},
    )
    negated = fields.Boolean(
        metadata={"description": "True when the text says the skill is not needed."}
    )


class EdsAreaOut(Schema):
    """An Essential Digital Skills area the text speaks to (kept apart from ESCO skills)."""

    skill_id = fields.String(metadata={"description": "EDS area id (eds-2018:...)."})
    label = fields.String()
    score = fields.Float()
    text = fields.String(metadata={"description": "The evidence span."})


class SectionOut(Schema):
    """A section of the document as the extractor read it."""

    section = fields.String(validate=validate.OneOf(SECTIONS))
    heading = fields.String(allow_none=True)
    start = fields.Integer()
    end = fields.Integer()
    skipped = fields.Boolean(metadata={"description": "Boilerplate: no skills taken from it."})


class ExtractOut(Schema):
    """The ranked skills, each once, with the EDS areas and sections beside them."""

    extractor = fields.String(metadata={"description": "Extractor version."})
    min_score = fields.Float(metadata={"description": "The cut-off applied."})
    skills = fields.List(fields.Nested(ExtractedSkillOut))
    eds_areas = fields.List(fields.Nested(EdsAreaOut))
    sections = fields.List(fields.Nested(SectionOut))


@blp.route("/skills/extract", methods=["POST"])
@roles(*ROLES)
@blp.arguments(ExtractIn)
@blp.response(200, ExtractOut)
def extract(body: dict) -> dict:
    """Rank the taxonomy skills a text means: evidence span, section, essential/desirable."""
    extractor = get_engine(settings()).extractor
    min_score = extractor.min_score if body["min_score"] is None else body["min_score"]
    found = extractor.analyse(body["text"], top_k=body["top_k"], min_score=min_score, persist=False)
    return {
        "extractor": EXTRACTOR_VERSION,
        "min_score": min_score,
        "skills": [skill.as_dict() for skill in found.skills],
        "eds_areas": found.eds_areas,
        "sections": found.sections,
    }
