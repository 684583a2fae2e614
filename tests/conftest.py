"""Shared fixtures: real SQLite files built once per session and copied per test.

- ``reference_db``: a migrated database with reference data (areas, taxonomy, occupations).
- ``seeded_db``: the same plus the illustrative seed catalogue, as `skills-match init` makes.
- ``store`` / ``reference_store``: a fresh copy of those for one test, opened as a Store.
- ``app`` / ``client``: the Flask app over a fresh copy of the seeded database.
- ``encoder``: the real embedding model, loaded once per session.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from skills_match.config import Settings
from skills_match.store import Store

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def copy_database(source: Path, target: Path) -> Path:
    """Copy a SQLite database with the online backup API (safe with WAL files)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


# Vectors are keyed by (model, sha256 of text), so they never go stale: test sessions share
# the ~20k taxonomy label vectors `init` caches instead of each embedding them (~1 minute).
VECTOR_CACHE = Path(__file__).resolve().parent.parent / "var" / "test-vector-cache.db"


def _share_vectors(path: Path, into_template: bool) -> None:
    """Copy cached vectors into a new template, or the template's new vectors back."""
    VECTOR_CACHE.parent.mkdir(parents=True, exist_ok=True)
    if into_template:
        with Store(path) as store:
            store.migrate()
    columns = "model, text_hash, dim, vector, created_at"
    conn = sqlite3.connect(path, timeout=60)
    try:
        conn.execute("ATTACH DATABASE ? AS cache", [str(VECTOR_CACHE)])
        conn.execute(
            "CREATE TABLE IF NOT EXISTS cache.embeddings (model TEXT NOT NULL, "
            "text_hash TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL, "
            "created_at TEXT NOT NULL, PRIMARY KEY (model, text_hash))"
        )
        source, target = ("cache", "main") if into_template else ("main", "cache")
        conn.execute(
            f"INSERT OR IGNORE INTO {target}.embeddings ({columns}) "
            f"SELECT {columns} FROM {source}.embeddings"
        )
        conn.commit()
    finally:
        conn.close()


def _build(directory: Path, seed: bool) -> Path:
    from skills_match.bootstrap import initialise

    path = directory / "template.db"
    _share_vectors(path, into_template=True)
    initialise(Settings.from_env(database=str(path)), seed=seed)
    _share_vectors(path, into_template=False)
    return path


@pytest.fixture(scope="session")
def reference_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template database with reference data only, built once."""
    return _build(tmp_path_factory.mktemp("reference"), seed=False)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template database with reference and seed data, built once."""
    return _build(tmp_path_factory.mktemp("seeded"), seed=True)


@pytest.fixture
def db_path(seeded_db: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded database for one test."""
    return copy_database(seeded_db, tmp_path / "skills-match.db")


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A Store over a private copy of the seeded database."""
    with Store(db_path) as s:
        yield s


@pytest.fixture
def reference_store(reference_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A Store over a private copy of the reference-only database (no courses, no demand)."""
    with Store(copy_database(reference_db, tmp_path / "reference.db")) as s:
        yield s


@pytest.fixture(scope="session")
def encoder():
    """The real embedding model, loaded once for the whole session."""
    from skills_match.embeddings import get_encoder

    return get_encoder()


@pytest.fixture
def app(db_path: Path):
    """The Flask app over a private copy of the seeded database."""
    from api import create_app

    return create_app({"database": str(db_path), "TESTING": True})


@pytest.fixture
def client(app):
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def api_keys(app):
    """One live key per role (the provider key belongs to the first seed provider)."""
    from skills_match.apikeys import create_key

    settings = app.extensions["skills_match"]["settings"]
    with Store(settings.database) as s:
        provider_id = s.providers()[0]["id"]
        keys = {
            role: create_key(
                s,
                settings.api_key_pepper,
                f"test {role}",
                role,
                provider_id if role == "provider" else None,
            )[1]
            for role in ("admin", "provider", "adviser", "partnership")
        }
    return keys


def auth(key: str) -> dict[str, str]:
    """Request headers carrying an API key."""
    return {"Authorization": f"Bearer {key}"}
