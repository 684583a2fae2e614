"""Set-up shared by the API tests: an app over real reference data, two providers, a key for
every kind of caller, a few courses and demand records, and table snapshots.

Records name their skills explicitly, so no test here loads the embedding model unless it
means to (a write without skills is linked by extraction on write).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from skills_match import catalogue
from skills_match.apikeys import create_key, revoke_key
from skills_match.config import Settings
from skills_match.store import Store
from tests.conftest import auth, copy_database
from tests.factories import LIVERPOOL, PRESTON, PYTHON, SPREADSHEETS, skill_id
from tests.factories import course as course_row
from tests.factories import demand as demand_row

OWNER_UKPRN = "10000001"
OTHER_UKPRN = "10000002"
# Tables that record activity rather than state: every call (even a refused one) adds to
# them by design, so "nothing changed" compares everything else.
LOG_TABLES = {"audit_log", "import_runs", "import_jobs"}
# Reference tables no API route writes: large, so compared only where a test says so.
REFERENCE_TABLES = {
    "_sqlite_migrations",
    "local_authorities",
    "local_authority_names",
    "occupation_skills",
    "occupations",
    "skill_labels",
}


@dataclass
class World:
    """An app with known providers, keys and records."""

    app: Flask
    client: FlaskClient
    db_path: Path
    keys: dict[str, str]
    key_ids: dict[str, int]
    providers: dict[str, int]
    courses: dict[str, int] = field(default_factory=dict)
    demand: dict[str, int] = field(default_factory=dict)
    skills: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str | None) -> dict[str, str]:
        """Request headers for an identity (None: no key at all)."""
        return auth(self.keys[who]) if who else {}

    def store(self) -> Store:
        """A separate connection to the app's database."""
        return Store(self.db_path)


def build_world(reference_db: Path, tmp_path: Path, **config: Any) -> World:
    """A fresh database copy with providers, keys (one revoked), two courses, two demand records."""
    db_path = copy_database(reference_db, tmp_path / "api.db")
    settings = Settings.from_env(database=str(db_path))
    pepper = settings.api_key_pepper
    with Store(db_path) as store:
        providers = {}
        with store.write():
            for who, ukprn, name in (
                ("owner", OWNER_UKPRN, "Mersey Digital College"),
                ("other", OTHER_UKPRN, "Ribble Training Ltd"),
            ):
                providers[who] = store.upsert_provider(
                    {
                        "ukprn": ukprn,
                        "name": name,
                        "provider_type": "fe_college",
                        "local_authority": LIVERPOOL if who == "owner" else PRESTON,
                    }
                )
        keys, key_ids = {}, {}
        for who, role, provider in (
            ("admin", "admin", None),
            ("owner", "provider", providers["owner"]),
            ("other", "provider", providers["other"]),
            ("adviser", "adviser", None),
            ("partnership", "partnership", None),
            ("revoked", "provider", providers["owner"]),
        ):
            key_ids[who], keys[who] = create_key(store, pepper, f"test {who}", role, provider)
        revoke_key(store, key_ids["revoked"])
        skills = {"spreadsheets": skill_id(store, SPREADSHEETS), "python": skill_id(store, PYTHON)}
        courses = {
            "owner": catalogue.create_course(
                store,
                providers["owner"],
                course_row("OWN-1", skills=[{"skill_id": skills["spreadsheets"]}]),
            ),
            "other": catalogue.create_course(
                store,
                providers["other"],
                course_row(
                    "OTH-1",
                    title="Python for data work",
                    qualification_level="L3",
                    local_authority=PRESTON,
                    skills=[{"skill_id": skills["python"], "level": "specialist"}],
                ),
            ),
        }
        demand = {
            "liverpool": catalogue.create_demand(
                store, demand_row("D-1", skills=[{"skill_id": skills["spreadsheets"]}])
            ),
            "preston": catalogue.create_demand(
                store,
                demand_row(
                    "D-2",
                    job_title="Python developer",
                    local_authority=PRESTON,
                    posted_date="2026-05-04",
                    closing_date=None,
                    skills=[{"skill_id": skills["python"]}],
                ),
            ),
        }
    from api import create_app

    app = create_app(
        {"database": str(db_path), "TESTING": True, "RATELIMIT_ENABLED": False, **config}
    )
    return World(
        app=app,
        client=app.test_client(),
        db_path=db_path,
        keys=keys,
        key_ids=key_ids,
        providers=providers,
        courses=courses,
        demand=demand,
        skills=skills,
    )


def table_dump(db_path: Path, everything: bool = False) -> dict[str, list[tuple]]:
    """Every row of every table but the activity logs (and, unless ``everything``, the
    reference tables no route writes), to compare before and after."""
    skip = LOG_TABLES if everything else LOG_TABLES | REFERENCE_TABLES
    with sqlite3.connect(db_path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        dump = {}
        for table in tables:
            if table in skip:
                continue
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            # A key's last-used time moves whenever it is used, refused or not: not state.
            kept = [c for c in columns if not (table == "api_keys" and c == "last_used_at")]
            # Ordered by every column: WITHOUT ROWID tables (demand_skill_cells) have no rowid.
            order = ", ".join(str(i) for i in range(1, len(kept) + 1))
            dump[table] = conn.execute(
                f"SELECT {', '.join(kept)} FROM {table} ORDER BY {order}"
            ).fetchall()
    return dump
