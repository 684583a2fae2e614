"""Health check: is the database reachable, what does it hold, which model is in use."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

import skills_match
from skills_match.embeddings import MODEL_NAME

from .db import get_store

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Service health")


class CountsSchema(Schema):
    providers = fields.Integer()
    courses = fields.Integer()
    demand_records = fields.Integer()
    skills = fields.Integer()
    digital_skills = fields.Integer()
    local_authorities = fields.Integer()
    occupations = fields.Integer()


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    version = fields.String()
    model = fields.String()
    counts = fields.Nested(CountsSchema)


@blp.route("/health")
@blp.response(200, HealthSchema)
def health() -> dict:
    """Report database reachability, record counts and the embedding model."""
    store = get_store()
    return {
        "status": "ok",
        "database": "ok" if store.db.execute("SELECT 1").fetchone() else "unreachable",
        "version": skills_match.__version__,
        "model": MODEL_NAME,
        "counts": store.counts(),
    }
