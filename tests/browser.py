"""Support for the pages' tests: a site with keys, a real server, Debian's Chromium.

``LiveServer`` serves a Flask app from a background thread with werkzeug's ``make_server``
(threaded, on a free port); ``launch_chromium`` starts the system Chromium through
Playwright (never a downloaded browser) with the flags the CI machines need.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from skills_match.apikeys import create_key
from skills_match.store import Store
from skills_match.store.courses import CourseFilters

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "pages"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class LiveServer:
    """A Flask app served on 127.0.0.1 from a daemon thread until ``stop()``."""

    def __init__(self, app: Any) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        """Start serving; returns self."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.shutdown()
        self.thread.join(timeout=10)


def chromium_path() -> str | None:
    """Debian's Chromium, if installed (`apt-get install chromium`)."""
    return shutil.which("chromium")


def launch_chromium(playwright: Any) -> Any:
    """Launch the system Chromium headless."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/pages/<name>.png for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# -- a site to test: an app over a private seeded database, with a key per kind of person ---


@dataclass
class Site:
    """The app, its database and a live key for each kind of person who signs in."""

    app: Any
    db_path: Path
    keys: dict[str, str]
    key_ids: dict[str, int]
    provider_id: int
    other_provider_id: int
    own_course: int
    other_course: int

    def store(self) -> Store:
        """A separate connection to the site's database."""
        return Store(self.db_path)

    def new_key(self, who: str) -> tuple[int, str]:
        """An extra key (id, plain) for one of the people (to revoke without harming others)."""
        role, provider = PEOPLE[who]
        settings = self.app.extensions["skills_match"]["settings"]
        with self.store() as store:
            provider_id = {"own": self.provider_id, "other": self.other_provider_id}.get(provider)
            return create_key(store, settings.api_key_pepper, f"extra {who}", role, provider_id)


# Who signs in: (role, which provider). "provider" owns the first seed provider's courses.
PEOPLE = {
    "admin": ("admin", None),
    "provider": ("provider", "own"),
    "other_provider": ("provider", "other"),
    "adviser": ("adviser", None),
    "partnership": ("partnership", None),
}


def build_site(seeded_db: Path, folder: Path, **config: Any) -> Site:
    """A private copy of the seeded database, keys for everyone, and the app over it."""
    from api import create_app
    from tests.conftest import copy_database

    db_path = copy_database(seeded_db, folder / "pages.db")
    app = create_app(
        {
            "database": str(db_path),
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "secret_key": "pages-test-secret",
            **config,
        }
    )
    settings = app.extensions["skills_match"]["settings"]
    with Store(db_path) as store:
        providers = [p["id"] for p in store.providers() if p["courses"]]
        own, other = providers[0], providers[1]
        keys: dict[str, str] = {}
        key_ids: dict[str, int] = {}
        for who, (role, provider) in PEOPLE.items():
            provider_id = {"own": own, "other": other}.get(provider or "")
            key_ids[who], keys[who] = create_key(
                store, settings.api_key_pepper, f"test {who}", role, provider_id
            )
        own_course = store.list_courses(CourseFilters(provider_id=own), limit=1)[0][0]["id"]
        other_course = store.list_courses(CourseFilters(provider_id=other), limit=1)[0][0]["id"]
    return Site(app, db_path, keys, key_ids, own, other, own_course, other_course)
