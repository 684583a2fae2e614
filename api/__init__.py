"""The Flask app: a thin HTTP adapter over the `skills_match` core library."""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal
from typing import Any

from flask import Flask, Response, request
from flask_smorest import Api
from marshmallow import fields as ma_fields

import skills_match
from skills_match.config import Settings
from skills_match.errors import ConfigurationError
from skills_match.report import hold_months
from skills_match.store import Store

from . import admin, auth, courses, db, demand, errors, extraction, health, pages
from . import match as match_api
from . import reports as reports_api
from . import skills as skills_api

# Same-origin only: scripts, styles, images (and the data: icons Swagger UI's CSS uses) come
# from this service; nothing may frame it, and no plugin content runs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# Headers a cross-origin script may send and read (when its origin is allowed).
CORS_REQUEST_HEADERS = "Authorization, Content-Type, X-API-Key"
CORS_EXPOSED_HEADERS = (
    "Link, Location, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)


class SkillsMatchApi(Api):
    """flask-smorest's Api, documenting our error body for every operation."""

    ERROR_SCHEMA = errors.ErrorSchema


def _decimal_bounds_as_numbers(converter: Any, field: Any, ret: dict, **kwargs: Any) -> dict:
    """apispec writes a Decimal field's default and range as strings ("0.00"), which is not
    valid OpenAPI for a number (and stops schemathesis); write them as JSON numbers."""
    if not isinstance(field, ma_fields.Decimal):
        return {}
    keys = ("default", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    return {
        key: float(ret[key])
        for key in keys
        if isinstance(ret.get(key), Decimal | str) and not isinstance(ret.get(key), bool)
    }


def _skill_item_either_form(converter: Any, field: Any, ret: dict, **kwargs: Any) -> dict:
    """A skill item is an object or a plain string (an id or a phrase): say both."""
    from skills_match.schemas import MAX_SKILL_PHRASE, SkillItem

    if not isinstance(field, SkillItem):
        return {}
    form = {k: ret.pop(k) for k in ("$ref", "allOf", "type", "properties") if k in ret}
    text = {"type": "string", "minLength": 1, "maxLength": MAX_SKILL_PHRASE}
    return {"oneOf": [text, form]}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from defaults, then environment, then ``test_config``.

    ``test_config`` keys are setting names (e.g. ``database``); Flask's own keys in upper
    case (e.g. ``TESTING``, ``RATELIMIT_ENABLED``) pass through to ``app.config``.
    """
    test_config = dict(test_config or {})
    flask_overrides = {k: v for k, v in test_config.items() if k.isupper()}
    settings = Settings.from_env(**{k: v for k, v in test_config.items() if not k.isupper()})
    logging.basicConfig(level=settings.log_level)
    hold_months(settings.report_cache_mb)

    with Store(settings.database, settings.busy_timeout_ms) as store:
        pending = store.pending_migrations()
    if pending:
        raise ConfigurationError(
            f"Database {settings.database} needs migrating ({', '.join(pending)}): "
            "run `skills-match init`."
        )

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=settings.max_content_length,
        API_TITLE="skills-match",
        API_VERSION=skills_match.__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        # Swagger UI from our own static folder (api/static/swagger-ui, vendored from npm
        # swagger-ui-dist): no CDN, so the docs work offline and under a same-origin CSP.
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/static/swagger-ui/",
    )
    app.config.update(flask_overrides)
    # Fields in the order the schemas declare them (Flask 3 sorts keys by default, and no
    # longer reads JSON_SORT_KEYS); sorting also cost ~15% of encoding a match answer.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["skills_match"] = {"settings": settings}

    api = SkillsMatchApi(app)
    api.ma_plugin.converter.add_attribute_function(_decimal_bounds_as_numbers)
    api.ma_plugin.converter.add_attribute_function(_skill_item_either_form)
    errors.init_app(app)
    db.init_app(app)
    auth.init_app(app, api.spec)
    api.register_blueprint(health.blp)
    api.register_blueprint(courses.blp)
    api.register_blueprint(demand.blp)
    api.register_blueprint(admin.blp)
    api.register_blueprint(extraction.blp)
    api.register_blueprint(match_api.blp)
    api.register_blueprint(skills_api.blp)
    api.register_blueprint(reports_api.blp)
    pages.init_app(app)
    _init_headers(app, settings)
    # Last: wraps the costly views registered above (match, extraction, reports, bulk, the
    # adviser page) in per-key rate limits.
    auth.init_rate_limits(app)
    return app


def _init_headers(app: Flask, settings: Settings) -> None:
    """Security headers on every response; CORS headers for the configured origins only."""
    origins = {o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip()}

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            # setdefault: a page that needs a stricter (or nonce-based) policy sets its own.
            response.headers.setdefault(name, value)
        origin = request.headers.get("Origin")
        if origins:
            response.vary.add("Origin")
        if origin and origin in origins and request.path.startswith("/api/"):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = response.headers.get("Allow", "")
                response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
                response.headers["Access-Control-Max-Age"] = "600"
        return response
