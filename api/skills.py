"""The skills taxonomy: search by label and alternative label, and one skill's detail."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from skills_match.errors import InvalidInput, NotFound
from skills_match.schemas import LEVELS
from skills_match.text import normalise

from .auth import roles
from .db import get_store
from .schemas import PageQuery, link_header, page, page_of

blp = Blueprint(
    "skills",
    __name__,
    url_prefix="/api/v1",
    description="The digital skills taxonomy: ESCO skills, DigComp and EDS areas, by level.",
)

READ_ROLES = ("adviser", "provider", "partnership", "admin")
MAX_QUERY = 200


class SkillQuery(PageQuery):
    """Search text and filters for the taxonomy; unknown parameters are refused (422)."""

    q = fields.String(
        validate=validate.Length(min=1, max=MAX_QUERY),
        metadata={
            "description": "Text to find in skill labels and alternative labels (case and "
            "punctuation ignored). Exact matches first, then prefix, then contains."
        },
    )
    level = fields.String(
        validate=validate.OneOf(LEVELS), metadata={"description": "Only skills of this level."}
    )
    digital = fields.Boolean(
        metadata={
            "description": "true: only the digital taxonomy (ESCO digital, DigComp, EDS "
            "areas); false: only other skills (available for linking)."
        }
    )


class SkillListItem(Schema):
    """One search hit: the skill, its level and which label matched."""

    id = fields.String(required=True)
    label = fields.String(required=True)
    level = fields.String(allow_none=True, metadata={"description": "null if not digital."})
    level_source = fields.String(
        allow_none=True, metadata={"description": "rule, model or override."}
    )
    is_digital = fields.Boolean()
    source = fields.String(metadata={"description": "esco, eds-2018 or eds-2019."})
    matched_label = fields.String(
        allow_none=True, metadata={"description": "The label the query matched (with q)."}
    )
    match = fields.String(
        allow_none=True, metadata={"description": "exact, prefix or contains (with q)."}
    )


class SkillOut(Schema):
    """A taxonomy skill with its level, why it has that level, and its ESCO metadata."""

    id = fields.String(required=True)
    uri = fields.String(allow_none=True)
    label = fields.String(required=True)
    alt_labels = fields.List(fields.String())
    description = fields.String()
    level = fields.String(allow_none=True)
    level_source = fields.String(allow_none=True)
    level_reason = fields.String(allow_none=True)
    is_digital = fields.Boolean()
    in_digcomp = fields.Boolean()
    source = fields.String()
    skill_type = fields.String(allow_none=True)
    reuse_level = fields.String(allow_none=True)
    occupation_count = fields.Integer(
        metadata={"description": "ESCO occupations requiring the skill (essential or optional)."}
    )
    occupations_essential = fields.Integer(attribute="occupations_essential_count")
    occupations_optional = fields.Integer(attribute="occupations_optional_count")


SkillPage = page_of(SkillListItem, "SkillPage")
MATCH = {0: "exact", 1: "prefix", 2: "contains"}


def _digital(skill: dict[str, Any]) -> bool:
    # DigComp's five area concepts are outside ESCO's digital collection but are digital.
    return bool(skill["is_digital"] or skill["in_digcomp"])


@blp.route("/skills")
@roles(*READ_ROLES)
@blp.arguments(SkillQuery, location="query", unknown=RAISE)
@blp.response(200, SkillPage)
def search_skills(args: dict[str, Any]) -> Any:
    """Search the taxonomy by label or alternative label, filtered by level and digital."""
    query = None
    if "q" in args:
        query = normalise(args["q"]).strip()
        if not query:
            raise InvalidInput(
                "The search text is empty.", {"q": ["Give some letters or digits to search for."]}
            )
    size = args["page_size"]
    rows, total = get_store().search_skills(
        query,
        level=args.get("level"),
        digital=args.get("digital"),
        limit=size,
        offset=(args["page"] - 1) * size,
    )
    items = [{**row, "is_digital": _digital(row), "match": MATCH.get(row["rank"])} for row in rows]
    body = page(items, total, args)
    return body, 200, link_header(body)


@blp.route("/skills/<string:skill_id>")
@roles(*READ_ROLES)
@blp.response(200, SkillOut)
def get_skill(skill_id: str) -> dict[str, Any]:
    """One skill: labels, description, level with its source and reason, occupation counts."""
    skill = get_store().skill_detail(skill_id)
    if skill is None:
        raise NotFound(f"No skill with id {skill_id!r}.")
    return {**skill, "is_digital": _digital(skill), "in_digcomp": bool(skill["in_digcomp"])}
