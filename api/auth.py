"""API key authentication and role checks. Every route declares its roles; deny by default.

Usage, directly under ``@blp.route`` so the check runs before any argument parsing::

    @blp.route("/courses", methods=["POST"])
    @roles("provider")
    @blp.arguments(CourseSchema)
    def create_course(data): ...

Keys are sent as ``Authorization: Bearer smk_...`` (or ``X-API-Key: smk_...``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, g, request

from skills_match.apikeys import Identity, authenticate

from .db import get_store, settings

SECURITY_SCHEME = "ApiKey"
# Endpoints anyone may call: the health check and the API's own documentation.
PUBLIC_ENDPOINTS = {"static", "health.health", "api-docs.openapi_json"}


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key")


def current_identity() -> Identity | None:
    """The authenticated caller of this request, or None (looked up once per request)."""
    if "identity" not in g:
        key = _presented_key()
        g.identity = authenticate(get_store(), settings().api_key_pepper, key) if key else None
    return g.identity


def roles(*allowed: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require an authenticated key whose role is one of ``allowed`` (401, else 403)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            identity = current_identity()
            if identity is None:
                abort(401, "Send a valid API key: Authorization: Bearer <key>.")
            if identity.role not in allowed:
                abort(403, f"This route is for the {', '.join(allowed)} role(s).")
            return view(*args, **kwargs)

        wrapper._roles = allowed  # type: ignore[attr-defined]
        doc = getattr(wrapper, "_apidoc", {})
        manual = dict(doc.get("manual_doc", {}))
        manual["security"] = [{SECURITY_SCHEME: []}]
        manual.setdefault("description", f"Roles: {', '.join(allowed)}.")
        wrapper._apidoc = {**doc, "manual_doc": manual}  # type: ignore[attr-defined]
        return wrapper

    return decorate


def declared_roles(endpoint: str) -> tuple[str, ...] | None:
    """The roles a registered endpoint declares, or None if it declares none."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "_roles", None)


def _deny_undeclared() -> None:
    # Safety net: a route someone forgot to protect is refused, never served openly.
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("api-docs."):
        return
    if declared_roles(endpoint) is None and not endpoint.startswith("pages."):
        abort(403, "This route declares no role and is refused.")


def init_app(app: Flask, spec: Any) -> None:
    """Register the deny-by-default hook and the API key security scheme."""
    app.before_request(_deny_undeclared)
    spec.components.security_scheme(
        SECURITY_SCHEME, {"type": "http", "scheme": "bearer", "description": "An API key."}
    )
