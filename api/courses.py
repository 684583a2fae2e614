"""Courses: anyone with a key searches and reads them; a provider writes only its own.

The provider of a write is always the caller's key, never the body. Another provider's
course is visible (the catalogue is public to every role) but any write to it gets 403.
Courses are never deleted: ``POST /courses/{id}/withdraw`` takes one off offer (a later
PUT/PATCH with ``status: active`` or an upload of it as active reinstates it), so
``DELETE`` is not a method of a course (405).
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_smorest import Blueprint
from werkzeug.exceptions import UnsupportedMediaType

from skills_match import catalogue
from skills_match.engine import EngineLinker
from skills_match.errors import InvalidInput
from skills_match.importer import MAX_ROWS
from skills_match.schemas import CourseSchema
from skills_match.store import Store
from skills_match.store.courses import CourseFilters

from .auth import actor, provider_of_caller, roles, set_audit_target
from .db import get_store, settings
from .schemas import (
    BulkQuery,
    CourseOut,
    CoursePage,
    CourseQuery,
    ImportReportOut,
    body_doc,
    json_body,
    link_header,
    optional_fields,
    page,
)

blp = Blueprint(
    "courses",
    __name__,
    url_prefix="/api/v1",
    description="Training courses: search and read (every role); write (the owning provider).",
)

READERS = ("admin", "provider", "adviser", "partnership")
# Upload types a bulk route accepts, and the importer format each means.
BULK_TYPES = {
    "text/csv": "csv",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
}
SUFFIX_FORMATS = {"csv": "csv", "json": "json", "jsonl": "jsonl", "ndjson": "jsonl"}


def bulk_doc(row_schema: Any, what: str) -> dict[str, Any]:
    """OpenAPI requestBody of a bulk upload: CSV, a JSON list, JSON lines, or a form file."""
    return {
        "requestBody": {
            "required": True,
            "description": f"Up to {MAX_ROWS:,} {what}: CSV with a header row (list cells "
            "separated by `|`), a JSON list of objects, JSON lines, or any of those as the "
            "`file` field of a multipart form.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {"type": "array", "maxItems": MAX_ROWS, "items": row_schema}
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    }


def uploaded_file() -> tuple[bytes, str | None, str]:
    """The uploaded bytes, their format (None: sniff) and a name for the import log."""
    if request.mimetype == "multipart/form-data":
        file = request.files.get("file")
        if file is None:
            raise InvalidInput(
                "Send the file as the 'file' field of the form.", {"file": ["Missing file."]}
            )
        name = file.filename or "upload"
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        fmt = SUFFIX_FORMATS.get(suffix) or BULK_TYPES.get(file.mimetype)
        return file.read(), fmt, name
    fmt = BULK_TYPES.get(request.mimetype)
    if fmt is None:
        raise UnsupportedMediaType(
            "Send text/csv, application/json (a list of objects), application/x-ndjson, "
            "or multipart/form-data with the file in a 'file' field."
        )
    return request.get_data(), fmt, f"upload.{fmt}"


def _linker() -> EngineLinker:
    # Records that name their skills never load the model; the others are linked on write.
    return EngineLinker(settings())


def _filters(store: Store, args: dict[str, Any]) -> CourseFilters:
    areas = catalogue.area_codes(store, args.get("area", []))
    provider_id = args.get("provider")
    if args.get("ukprn"):
        provider = store.provider_by_ukprn(args["ukprn"])
        # An unknown UKPRN matches nothing, as an unknown provider id does.
        provider_id = provider["id"] if provider else -1
    starts = {k: args[k].isoformat() for k in ("starts_from", "starts_to") if args.get(k)}
    return CourseFilters(
        text=args.get("q"),
        qualification_levels=args.get("level") or None,
        skill_level=args.get("skill_level"),
        programme_type=args.get("programme_type"),
        areas=areas or None,
        include_national=args["include_national"],
        delivery_mode=args.get("delivery_mode"),
        starts_from=starts.get("starts_from"),
        starts_to=starts.get("starts_to"),
        provider_id=provider_id,
        skill_id=args.get("skill"),
        status=None if args["status"] == "all" else args["status"],
    )


@blp.route("/courses")
@roles(*READERS)
@blp.arguments(CourseQuery, location="query")
@blp.response(200, CoursePage)
def list_courses(args: dict[str, Any]) -> Any:
    """Search courses by text, level, programme, area, delivery, dates, provider and skill."""
    store = get_store()
    size = args["page_size"]
    items, total = store.list_courses(
        _filters(store, args), limit=size, offset=(args["page"] - 1) * size, sort=args["sort"]
    )
    body = page(items, total, args)
    return body, link_header(body)


@blp.route("/courses/<int:course_id>")
@roles(*READERS)
@blp.response(200, CourseOut)
def get_course(course_id: int) -> dict:
    """Read one course with its skills and levels, places, dates, funding and provider."""
    return get_store().course(course_id)


@blp.route("/courses", methods=["POST"])
@roles("provider")
@blp.doc(
    **body_doc(CourseSchema, "A course. Its provider is the caller's; unknown fields are refused.")
)
@blp.response(201, CourseOut)
def create_course() -> Any:
    """Create a course for the caller's provider (409 if its provider_ref is taken)."""
    store = get_store()
    course_id = catalogue.create_course(store, provider_of_caller(), json_body(), _linker())
    set_audit_target(f"course:{course_id}")
    location = url_for("courses.get_course", course_id=course_id)
    return store.course(course_id), {"Location": location}


@blp.route("/courses/<int:course_id>", methods=["PUT"])
@roles("provider")
@blp.doc(**body_doc(CourseSchema, "The whole course; absent optional fields take defaults."))
@blp.response(200, CourseOut)
def replace_course(course_id: int) -> dict:
    """Replace one of the caller's courses with the record sent (provider_ref unchanged)."""
    store = get_store()
    catalogue.replace_course(store, provider_of_caller(), course_id, json_body(), _linker())
    return store.course(course_id)


@blp.route("/courses/<int:course_id>", methods=["PATCH"])
@roles("provider")
@blp.doc(**body_doc(optional_fields(CourseSchema, "CoursePatch"), "The fields to change."))
@blp.response(200, CourseOut)
def update_course(course_id: int) -> dict:
    """Change some fields of one of the caller's courses; the result is re-validated whole."""
    store = get_store()
    catalogue.update_course(store, provider_of_caller(), course_id, json_body(), _linker())
    return store.course(course_id)


@blp.route("/courses/<int:course_id>/withdraw", methods=["POST"])
@roles("provider")
@blp.response(200, CourseOut)
def withdraw_course(course_id: int) -> dict:
    """Withdraw one of the caller's courses: kept on record, no longer offered."""
    store = get_store()
    catalogue.withdraw_course(store, provider_of_caller(), course_id, _linker())
    return store.course(course_id)


@blp.route("/courses/bulk", methods=["POST"])
@roles("provider")
@blp.arguments(BulkQuery, location="query")
@blp.doc(**bulk_doc(CourseSchema, "course rows"))
@blp.response(200, ImportReportOut)
def bulk_courses(args: dict[str, Any]) -> dict:
    """Upsert the caller's courses from a file on provider_ref: all rows or none."""
    data, fmt, name = uploaded_file()
    report = catalogue.import_course_file(
        get_store(),
        provider_of_caller(),
        data,
        fmt,
        source_name=f"api:{name}",
        actor=actor(),
        dry_run=args["dry_run"],
        linker=_linker(),
    )
    return report.as_dict()
