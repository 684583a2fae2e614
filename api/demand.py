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
from skills_match.errors import NotFound
from skills_match.feeds import parse_mapping
from skills_match.importer import import_demand, read_demand_rows
from skills_match.jobs import JOB_MAX_ROWS, job_status, start_import
from skills_match.schemas import DemandSchema
from skills_match.store import Store
from skills_match.store.catalogue import DemandFilters

from .auth import actor, roles, set_audit_target
from .db import get_store, settings
from .schemas import (
    BulkQuery,
    DemandOut,
    DemandPage,
    DemandQuery,
    FeedImportQuery,
    ImportJobOut,
    ImportReportOut,
    PageQuery,
    UnplacedPage,
    body_doc,
    json_body,
    link_header,
    no_content,
    optional_fields,
    page,
    search_page,
)
from .writes import FEED_TYPES, bulk_doc, import_upload, linker, locator, uploaded_file

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
    demand_id = catalogue.create_demand(store, json_body(), linker(), locator())
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
    catalogue.replace_demand(store, demand_id, json_body(), linker(), locator())
    return store.demand_record(demand_id)


@blp.route("/demand/<int:demand_id>", methods=["PATCH"])
@roles(*WRITERS)
@blp.doc(**body_doc(optional_fields(DemandSchema, "DemandPatch"), "The fields to change."))
@blp.response(200, DemandOut)
def update_demand(demand_id: int) -> dict:
    """Change some fields of a demand record; the result is re-validated whole."""
    store = get_store()
    catalogue.update_demand(store, demand_id, json_body(), linker(), locator())
    return store.demand_record(demand_id)


@blp.route("/demand/<int:demand_id>", methods=["DELETE"])
@roles(*WRITERS)
@blp.response(204)
def delete_demand(demand_id: int) -> Any:
    """Delete a demand record and its skill links."""
    catalogue.delete_demand(get_store(), demand_id)
    return no_content()


@blp.route("/demand/imports", methods=["POST"])
@roles(*WRITERS)
@blp.arguments(FeedImportQuery, location="query")
@blp.doc(**bulk_doc(DemandSchema, "demand rows or schema.org JobPostings", JOB_MAX_ROWS))
@blp.response(202, ImportJobOut)
def start_demand_import(args: dict[str, Any]) -> Any:
    """Queue a demand file or job feed for import; poll the job it returns.

    JSON, JSON lines and HTML pages (JSON-LD) may hold schema.org JobPostings; CSV is read
    as demand columns or through `map`. Nothing is written until the whole file is valid.
    """
    data, fmt, name = uploaded_file(extra_types=FEED_TYPES)
    mapping = parse_mapping(args["map"])
    source = args["source"] or name.rsplit(".", 1)[0]
    # Parsed now, so an unreadable file is refused before a job exists.
    rows = read_demand_rows(data, fmt, max_rows=JOB_MAX_ROWS, source=source, mapping=mapping)
    config, link, locate = settings(), linker(), locator()
    who = actor()

    def run(store: Store, progress: Any) -> Any:
        return import_demand(
            store,
            rows,
            source_name=f"api:{name}",
            actor=who,
            linker=link,
            locator=locate,
            dry_run=args["dry_run"],
            progress=progress,
        )

    job_id = start_import(
        config.database, "demand", f"api:{name}", who, run, config.busy_timeout_ms
    )
    job = _job_out(job_status(get_store(), job_id))
    return job, 202, {"Location": job["href"]}


@blp.route("/demand/imports/<job_id>", methods=["GET"])
@roles(*WRITERS)
@blp.response(200, ImportJobOut)
def demand_import_status(job_id: str) -> Any:
    """The status of a background import: its stage, progress and, when done, its report."""
    job = job_status(get_store(), job_id)
    if job["kind"] != "demand":
        raise NotFound(f"No demand import job {job_id}.")
    return _job_out(job)


def _job_out(job: dict[str, Any]) -> dict[str, Any]:
    return {**job, "href": url_for("demand.demand_import_status", job_id=job["id"])}


@blp.route("/demand/unplaced", methods=["GET"])
@roles(*READERS)
@blp.arguments(PageQuery, location="query")
@blp.response(200, UnplacedPage)
def list_unplaced(args: dict[str, Any]) -> Any:
    """Adverts kept aside because their location could not be resolved, with the reason."""
    size = args["page_size"]
    items, total = get_store().list_unplaced(limit=size, offset=(args["page"] - 1) * size)
    body = page(items, total, args)
    return body, 200, link_header(body)


@blp.route("/demand/bulk", methods=["POST"])
@roles(*WRITERS)
@blp.arguments(BulkQuery, location="query")
@blp.doc(**bulk_doc(DemandSchema, "demand rows"))
@blp.response(200, ImportReportOut)
def bulk_demand(args: dict[str, Any]) -> dict:
    """Upsert demand records from a file on (source, source_ref): all rows or none."""
    return import_upload(catalogue.import_demand_file, dry_run=args["dry_run"], locator=locator())
