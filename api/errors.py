"""The one place errors become HTTP responses, all with the same JSON body.

Body: ``{"code": 404, "status": "Not Found", "message": "...", "errors": {...}}`` where
``errors`` appears only when there is detail: for invalid input it maps each field (a dotted
path such as ``skills.0.skill_id``) to its messages; for a rejected bulk file it is the
import report, whose ``errors`` list gives the row, field and reason of every problem.
Nothing else (no traceback, no exception text of an unexpected error) ever reaches a client.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException, InternalServerError

from skills_match.catalogue import field_errors
from skills_match.errors import (
    ConfigurationError,
    Conflict,
    ImportRejected,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SkillsMatchError,
)

log = logging.getLogger(__name__)

# Core exceptions -> HTTP status. The core knows nothing of HTTP; this table is the bridge.
STATUS_FOR = {
    ImportRejected: 422,
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    PermissionDenied: 403,
}


class ErrorSchema(Schema):
    """The error body every failed request gets (documented for every operation)."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code."})
    status = fields.String(required=True, metadata={"description": "HTTP status phrase."})
    message = fields.String(required=True, metadata={"description": "What went wrong."})
    errors = fields.Dict(
        metadata={
            "description": "Field-level detail ({field: [messages]}), or the import report "
            "of a rejected bulk file."
        }
    )


def error_response(
    code: int, message: str | None = None, errors: Any = None, headers: Any = None
) -> Response:
    """Build the standard error body for a status code."""
    status = HTTPStatus(code)
    body: dict[str, Any] = {
        "code": code,
        "status": status.phrase,
        "message": message or status.description,
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    for name, value in headers or []:
        # werkzeug's own headers carry Content-Type text/html; keep ours (JSON).
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _request_field_errors(messages: dict[str, Any]) -> dict[str, list[str]]:
    # webargs nests messages by location ({"query": {...}, "json": {...}}); clients get
    # one flat {field: [messages]} map whatever the location, as for core validation.
    merged: dict[str, list[str]] = {}
    for location_messages in messages.values():
        for name, items in field_errors(location_messages).items():
            merged.setdefault(name, []).extend(items)
    return merged


def _handle_http(exc: HTTPException) -> Response:
    # Outside /api/ (an unknown page, a 405 on a page) people get the pages' HTML error page.
    html_errors = current_app.extensions.get("html_errors")
    if html_errors is not None and not request.path.startswith("/api/"):
        return html_errors(exc)
    code = exc.code or 500
    errors = None
    message = exc.description
    # flask-smorest / webargs put field-level validation messages in exc.data["messages"].
    data = getattr(exc, "data", None) or {}
    if "messages" in data:
        errors = _request_field_errors(data["messages"])
        message = "The request is invalid; see errors for each field."
    elif "message" in data:
        message = data["message"]
    if isinstance(exc, InternalServerError):
        original = getattr(exc, "original_exception", None)
        if original is not None:
            log.error("Unhandled error", exc_info=original)
        message = "An internal error occurred; it has been logged."
    # get_headers() carries the Allow header of a 405 and WWW-Authenticate of a 401.
    return error_response(code, message, errors, exc.get_headers())


def _handle_core(exc: SkillsMatchError) -> Response:
    if isinstance(exc, ConfigurationError):
        # The service is misconfigured (e.g. no reference data): the operator's problem,
        # reported in the log, not a detail for API clients.
        log.error("Configuration error", exc_info=exc)
        return error_response(500, "The service is misconfigured; the error has been logged.")
    code = next((c for cls, c in STATUS_FOR.items() if isinstance(exc, cls)), 400)
    errors = exc.errors
    if isinstance(exc, ImportRejected) and hasattr(errors, "as_dict"):
        errors = errors.as_dict()
    return error_response(code, exc.message, errors)


def _handle_unexpected(exc: Exception) -> Response:
    log.error("Unhandled error", exc_info=exc)
    return error_response(500, "An internal error occurred; it has been logged.")


def init_app(app: Flask) -> None:
    """Route every error through the one JSON body (replaces flask-smorest's handler)."""
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(SkillsMatchError, _handle_core)
    app.register_error_handler(Exception, _handle_unexpected)
