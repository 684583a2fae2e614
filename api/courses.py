"""Courses: anyone with a key searches and reads them; a provider writes only its own.

The provider of a write is always the caller's key, never the body. Another provider's
course is visible (the catalogue is public to every role) but any write to it gets 403.
Courses are never deleted: ``POST /courses/{id}/withdraw`` takes one off offer (a later
PUT/PATCH with ``status: active`` or an upload of it as active reinstates it), so
``DELETE`` is not a method of a course (405).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_smorest import Blueprint

from skills_match import catalogue
from skills_match.schemas import CourseSchema
from skills_match.store import Store
from skills_match.store.courses import CourseFilters

from .auth import provider_of_caller, roles, set_audit_target
from .db import get_store
from .schemas import (
    BulkQuery,
    CourseOut,
    CoursePage,
    CourseQuery,
    ImportReportOut,
    body_doc,
    json_body,
    optional_fields,
    search_page,
)
from .writes import bulk_doc, import_upload, linker

blp = Blueprint(
    "courses",
    __name__,
    url_prefix="/api/v1",
    description="Training courses: search and read (every role); write (the owning provider).",
)

READERS = ("admin", "provider", "adviser", "partnership")


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
    return search_page(store.list_courses, _filters(store, args), args)


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
    course_id = catalogue.create_course(store, provider_of_caller(), json_body(), linker())
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
    catalogue.replace_course(store, provider_of_caller(), course_id, json_body(), linker())
    return store.course(course_id)


@blp.route("/courses/<int:course_id>", methods=["PATCH"])
@roles("provider")
@blp.doc(**body_doc(optional_fields(CourseSchema, "CoursePatch"), "The fields to change."))
@blp.response(200, CourseOut)
def update_course(course_id: int) -> dict:
    """Change some fields of one of the caller's courses; the result is re-validated whole."""
    store = get_store()
    catalogue.update_course(store, provider_of_caller(), course_id, json_body(), linker())
    return store.course(course_id)


@blp.route("/courses/<int:course_id>/withdraw", methods=["POST"])
@roles("provider")
@blp.response(200, CourseOut)
def withdraw_course(course_id: int) -> dict:
    """Withdraw one of the caller's courses: kept on record, no longer offered."""
    store = get_store()
    catalogue.withdraw_course(store, provider_of_caller(), course_id, linker())
    return store.course(course_id)


@blp.route("/courses/bulk", methods=["POST"])
@roles("provider")
@blp.arguments(BulkQuery, location="query")
@blp.doc(**bulk_doc(CourseSchema, "course rows"))
@blp.response(200, ImportReportOut)
def bulk_courses(args: dict[str, Any]) -> dict:
    """Upsert the caller's courses from a file on provider_ref: all rows or none."""
    return import_upload(
        catalogue.import_course_file, provider_of_caller(), dry_run=args["dry_run"]
    )
