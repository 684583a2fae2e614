"""The one place errors become HTTP responses, all with the same JSON body.

Body: ``{"code": 404, "status": "Not Found", "message": "...", "errors": {...}}`` where
``errors`` (field-level detail) appears only when there is some.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

from skills_match.errors import (
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


def _handle_http(exc: HTTPException) -> Response:
    code = exc.code or 500
    errors = None
    message = exc.description
    # flask-smorest / webargs put field-level validation messages in exc.data["messages"].
    data = getattr(exc, "data", None) or {}
    if "messages" in data:
        errors = data["messages"]
        message = "The request is invalid; see errors for each field."
    elif "message" in data:
        message = data["message"]
    if isinstance(exc, InternalServerError):
        original = getattr(exc, "original_exception", None)
        if original is not None:
            log.error("Unhandled error", exc_info=original)
        message = "An internal error occurred; it has been logged."
    # get_headers() carries e.g. the Allow header of a 405, which clients rely on.
    return error_response(code, message, errors, exc.get_headers())


def _handle_core(exc: SkillsMatchError) -> Response:
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
