"""One store (SQLite connection) per request, closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g

from skills_match.config import Settings
from skills_match.store import Store


def settings() -> Settings:
    """The settings the app was built with."""
    return current_app.extensions["skills_match"]["settings"]


def get_store() -> Store:
    """The request's store, opened on first use."""
    if "store" not in g:
        s = settings()
        g.store = Store(s.database, busy_timeout_ms=s.busy_timeout_ms)
    return g.store


def close_store(exc: BaseException | None = None) -> None:
    """Close the request's store, if one was opened."""
    store = g.pop("store", None)
    if store is not None:
        store.close()


def init_app(app: Flask) -> None:
    """Register the teardown."""
    app.teardown_appcontext(close_store)
