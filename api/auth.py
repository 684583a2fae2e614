"""API keys, roles, the audit log and per-key rate limits. Every route declares its roles.

Usage, directly under ``@blp.route`` so the check runs before any argument parsing::

    @blp.route("/courses", methods=["POST"])
    @roles("provider")
    @blp.response(201, CourseOut)
    def create_course(): ...

Keys are sent as ``Authorization: Bearer smk_...`` (or ``X-API-Key: smk_...``). A route that
declares no roles is refused (403) by a ``before_request`` hook, unless it is public (the
health check and the API's own documentation). After each call to a protected route one
audit entry records who called what: key id, role, method and route rule, target id and
status, never a query string or a body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

import limits
from flask import Flask, Response, abort, current_app, g, request
from flask_limiter import Limiter
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from skills_match.apikeys import ROLES, Identity, authenticate, record_use
from skills_match.errors import ConfigurationError

from .db import get_store, settings

log = logging.getLogger(__name__)

SECURITY_SCHEME = "ApiKey"
# Endpoints anyone may call: the health check and the API's own documentation.
PUBLIC_ENDPOINTS = {"static", "health.health"}
PUBLIC_PREFIXES = ("api-docs.",)
# Per-key rate limits: (route rule test, the setting holding the limit, the methods counted,
# None for all). flask-limiter's memory storage counts per process: with N gunicorn workers
# a key gets up to N times this.
RATE_LIMITED_ROUTES: tuple[tuple[Callable[[str], bool], str, tuple[str, ...] | None], ...] = (
    (
        lambda rule: rule.startswith(("/api/v1/match", "/api/v1/pathway")),
        "rate_limit_match",
        None,
    ),
    # Extraction runs the model, and the adviser page's form post runs the matcher (its GET
    # only shows the form): each costs what a match does, so each draws on that allowance.
    (lambda rule: rule == "/api/v1/skills/extract", "rate_limit_match", None),
    (lambda rule: rule == "/adviser", "rate_limit_match", ("POST",)),
    (lambda rule: rule.startswith("/api/v1/gap-report"), "rate_limit_report", None),
    (lambda rule: rule.startswith("/api/v1/") and rule.endswith("/bulk"), "rate_limit_bulk", None),
)


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


def _unauthorized(message: str, invalid_key: bool) -> NoReturn:
    challenge = WWWAuthenticate("bearer", {"realm": "skills-match"})
    if invalid_key:
        challenge.parameters["error"] = "invalid_token"
    raise Unauthorized(message, www_authenticate=challenge)


def roles(*allowed: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require an authenticated key whose role is one of ``allowed`` (401, else 403)."""
    unknown = set(allowed) - set(ROLES)
    if not allowed or unknown:
        raise ValueError(f"roles() takes some of {ROLES}, got {allowed}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            identity = current_identity()
            if identity is None:
                if _presented_key():
                    _unauthorized("The API key is not valid: it is unknown or revoked.", True)
                _unauthorized("Send an API key: Authorization: Bearer <key>.", False)
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


def is_public(endpoint: str) -> bool:
    """Whether anyone may call this endpoint without a key."""
    return endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(PUBLIC_PREFIXES)


def provider_of_caller() -> int:
    """The provider id of the calling provider key (routes declared ``roles("provider")``)."""
    identity = current_identity()
    if identity is None or identity.provider_id is None:
        abort(403, "This route needs a provider's key.")
    return identity.provider_id


def actor() -> str:
    """How import runs and the audit log name the caller."""
    identity = current_identity()
    return identity.actor if identity else "anonymous"


def set_audit_target(target: str) -> None:
    """Name the record this request acted on (e.g. ``course:12`` after a create)."""
    g.audit_target = target


def _deny_undeclared() -> None:
    # Safety net: a route someone forgot to protect is refused, never served openly.
    endpoint = request.endpoint
    if endpoint is None or is_public(endpoint) or endpoint.startswith("pages."):
        return
    if declared_roles(endpoint) is None:
        abort(403, "This route declares no role and is refused.")


def _audit(response: Response) -> Response:
    endpoint = request.endpoint
    if endpoint is None or request.method == "OPTIONS" or declared_roles(endpoint) is None:
        return response
    try:
        identity = current_identity()
        target = g.get("audit_target") or ",".join(
            f"{name}={value}" for name, value in sorted((request.view_args or {}).items())
        )
        store = get_store()
        # One small transaction: the audit row, and the key's last-used time when stale.
        with store.write():
            if identity is not None:
                record_use(store, identity)
            caller = identity.actor if identity else "anonymous"
            if identity is None and _presented_key():
                caller = "invalid-key"  # unknown or revoked
            store.audit(
                caller,
                f"{request.method} {request.url_rule.rule}",
                str(response.status_code),
                role=identity.role if identity else None,
                target=target or None,
            )
    except Exception:
        # The response is already decided (and any change committed); failing it now
        # would mislead the client. The failure is logged for the operator.
        log.exception("Could not write the audit entry for %s %s", request.method, endpoint)
    return response


def _rate_key() -> str:
    # A person signed in to the pages (api.pages sets g.user) is counted as their key, so
    # the pages and the API draw on one allowance.
    caller = current_identity() or g.get("user")
    return caller.actor if caller else f"ip:{request.remote_addr}"


def init_rate_limits(app: Flask) -> Limiter | None:
    """Wrap the costly routes and pages in per-key limits (call after every blueprint).

    Off when ``RATELIMIT_ENABLED`` is false in the Flask config (tests) or a setting is empty.
    """
    if not app.config.get("RATELIMIT_ENABLED", True):
        return None
    config = app.extensions["skills_match"]["settings"]
    for _, setting, _ in RATE_LIMITED_ROUTES:
        value = getattr(config, setting)
        try:
            if value:
                limits.parse_many(value)
        except ValueError as exc:
            raise ConfigurationError(
                f"SKILLS_MATCH_{setting.upper()} is not a rate limit: {value!r} ({exc})"
            ) from exc
    limiter = Limiter(
        key_func=_rate_key, storage_uri="memory://", headers_enabled=True, strategy="fixed-window"
    )
    limiter.init_app(app)
    for rule in app.url_map.iter_rules():
        setting, methods = next(
            ((s, m) for test, s, m in RATE_LIMITED_ROUTES if test(rule.rule)), (None, None)
        )
        if setting is None or not getattr(config, setting):
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "_rate_limit", None):
            continue  # the same view under a second rule
        # One shared budget per setting: match, pathway, extraction and the adviser page
        # draw on the same allowance.
        limited = limiter.shared_limit(
            getattr(config, setting), scope=setting, methods=list(methods) if methods else None
        )(view)
        limited._rate_limit = setting  # type: ignore[attr-defined]
        app.view_functions[rule.endpoint] = limited
    return limiter


def init_app(app: Flask, spec: Any) -> None:
    """Register the deny-by-default and audit hooks and the API key security scheme."""
    app.before_request(_deny_undeclared)
    app.after_request(_audit)
    spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (`smk_...`), also accepted as an `X-API-Key` header.",
        },
    )
