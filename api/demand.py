"""Employer demand records: the partnership (and admin) keeps them; advisers may read them.

Advisers read demand because a stored demand record can be the target of a match. Records
are identified by (source, source_ref), which a replace or update may not change; unlike
courses they are deleted outright (an advert that closed stays, with its closing date).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_smorest import Blueprint

from skills_match import catalogue
from skills_match.schemas import DemandSchema
from skills_match.store import Store
from skills_match.store.catalogue import DemandFilters

from .auth import roles, set_audit_target
from .db import get_store
from .schemas import (
    BulkQuery,
    DemandOut,
    DemandPage,
    DemandQuery,
    ImportReportOut,
    body_doc,
    json_body,
    no_content,
    optional_fields,
    search_page,
)
from .writes import bulk_doc, import_upload, linker

blp = Blueprint(
    "demand",
    __name__,
    url_prefix="/api/v1",
    description="Employer demand records: kept by the partnership; readable by advisers.",
)

READERS = ("admin", "partnership", "adviser")
WRITERS = ("admin", "partnership")


def _filters(store: Store, args: dict[str, Any]) -> DemandFilters:
    areas = catalogue.area_codes(store, args.get("area", []))
    dates = {k: args[k].isoformat() for k in ("posted_from", "posted_to") if args.get(k)}
    return DemandFilters(
        text=args.get("q"),
        areas=areas or None,
        sector=args.get("sector"),
        occupation_id=args.get("occupation"),
        soc_code=args.get("soc_code"),
        source=args.get("source"),
        posted_from=dates.get("posted_from"),
        posted_to=dates.get("posted_to"),
        skill_id=args.get("skill"),
        skill_level=args.get("skill_level"),
    )


@blp.route("/demand")
@roles(*READERS)
@blp.arguments(DemandQuery, location="query")
@blp.response(200, DemandPage)
def list_demand(args: dict[str, Any]) -> Any:
    """Search demand records by text, area, sector, occupation, dates and skill."""
    store = get_store()
    return search_page(store.list_demand, _filters(store, args), args)


@blp.route("/demand/<int:demand_id>")
@roles(*READERS)
@blp.response(200, DemandOut)
def get_demand(demand_id: int) -> dict:
    """Read one demand record with the skills it requires."""
    return get_store().demand_record(demand_id)


@blp.route("/demand", methods=["POST"])
@roles(*WRITERS)
@blp.doc(**body_doc(DemandSchema, "A demand record; unknown fields are refused."))
@blp.response(201, DemandOut)
def create_demand() -> Any:
    """Create a demand record (409 if its source and source_ref are taken)."""
    store = get_store()
    demand_id = catalogue.create_demand(store, json_body(), linker())
    set_audit_target(f"demand:{demand_id}")
    location = url_for("demand.get_demand", demand_id=demand_id)
    return store.demand_record(demand_id), {"Location": location}


@blp.route("/demand/<int:demand_id>", methods=["PUT"])
@roles(*WRITERS)
@blp.doc(**body_doc(DemandSchema, "The whole record; absent optional fields take defaults."))
@blp.response(200, DemandOut)
def replace_demand(demand_id: int) -> dict:
    """Replace a demand record with the one sent (source and source_ref unchanged)."""
    store = get_store()
    catalogue.replace_demand(store, demand_id, json_body(), linker())
    return store.demand_record(demand_id)


@blp.route("/demand/<int:demand_id>", methods=["PATCH"])
@roles(*WRITERS)
@blp.doc(**body_doc(optional_fields(DemandSchema, "DemandPatch"), "The fields to change."))
@blp.response(200, DemandOut)
def update_demand(demand_id: int) -> dict:
    """Change some fields of a demand record; the result is re-validated whole."""
    store = get_store()
    catalogue.update_demand(store, demand_id, json_body(), linker())
    return store.demand_record(demand_id)


@blp.route("/demand/<int:demand_id>", methods=["DELETE"])
@roles(*WRITERS)
@blp.response(204)
def delete_demand(demand_id: int) -> Any:
    """Delete a demand record and its skill links."""
    catalogue.delete_demand(get_store(), demand_id)
    return no_content()


@blp.route("/demand/bulk", methods=["POST"])
@roles(*WRITERS)
@blp.arguments(BulkQuery, location="query")
@blp.doc(**bulk_doc(DemandSchema, "demand rows"))
@blp.response(200, ImportReportOut)
def bulk_demand(args: dict[str, Any]) -> dict:
    """Upsert demand records from a file on (source, source_ref): all rows or none."""
    return import_upload(catalogue.import_demand_file, dry_run=args["dry_run"])
