"""The Flask app: a thin HTTP adapter over the `skills_match` core library."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask
from flask_smorest import Api

import skills_match
from skills_match.config import Settings
from skills_match.errors import ConfigurationError
from skills_match.store import Store

from . import auth, db, errors, health


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from defaults, then environment, then ``test_config``.

    ``test_config`` keys are setting names (e.g. ``database``); Flask's own keys in upper
    case (e.g. ``TESTING``) pass through to ``app.config``.
    """
    test_config = dict(test_config or {})
    flask_overrides = {k: v for k, v in test_config.items() if k.isupper()}
    settings = Settings.from_env(**{k: v for k, v in test_config.items() if not k.isupper()})
    logging.basicConfig(level=settings.log_level)

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
        JSON_SORT_KEYS=False,
        API_TITLE="skills-match",
        API_VERSION=skills_match.__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.config.update(flask_overrides)
    app.extensions["skills_match"] = {"settings": settings}

    api = Api(app)
    errors.init_app(app)
    db.init_app(app)
    auth.init_app(app, api.spec)
    api.register_blueprint(health.blp)
    return app
