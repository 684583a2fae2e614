"""A person's data in a match request is neither stored nor logged.

A sentinel string goes into the person's skills (as free text and as phrases) of a match, a
pathway and an extraction request. Afterwards it appears in no log record (captured at DEBUG,
including a real gunicorn's access and error logs), in no text column of any table, and no
vector of it (keyed by the SHA-256 of the text) is in the embeddings table. The audit log
still says who called the route.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from skills_match.text import sha256_text
from tests.api_support import World, build_world
from tests.servers import free_port, wait_until_healthy

SENTINEL = "Zqxjv7Sentinel"
PHRASES = [f"{SENTINEL} spreadsheets", f"managing {SENTINEL} budgets in Excel"]
FREE_TEXT = f"I am {SENTINEL}. I keep the {SENTINEL} accounts in spreadsheets and email."
REPO = Path(__file__).resolve().parent.parent


def match_body(w: World) -> dict:
    """A match request (issue 4) whose person-side fields all carry the sentinel."""
    return {
        "current_skills_text": FREE_TEXT,
        "current_skills": PHRASES,
        "target": {"skill_ids": [w.skills["spreadsheets"], w.skills["python"]]},
        "local_authority": "E08000012",
    }


def requests_with_the_sentinel(w: World) -> list[tuple[str, dict]]:
    return [
        ("/api/v1/match", match_body(w)),
        ("/api/v1/pathway", match_body(w)),
        ("/api/v1/skills/extract", {"text": FREE_TEXT}),
    ]


def leaks_in_tables(db_path: Path) -> list[str]:
    """Every (table.column) whose text holds the sentinel, and any vector of its phrases."""
    found = []
    with sqlite3.connect(db_path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            for column in [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]:
                hit = conn.execute(
                    f'SELECT 1 FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ? LIMIT 1',
                    [f"%{SENTINEL}%"],
                ).fetchone()
                if hit:
                    found.append(f"{table}.{column}")
        hashes = [sha256_text(t) for t in [*PHRASES, FREE_TEXT, SENTINEL]]
        marks = ",".join("?" * len(hashes))
        if conn.execute(
            f"SELECT count(*) FROM embeddings WHERE text_hash IN ({marks})", hashes
        ).fetchone()[0]:
            found.append("embeddings.text_hash")
    return found


@pytest.fixture
def world(reference_db, tmp_path) -> World:
    return build_world(reference_db, tmp_path)


def _require(w: World, path: str) -> None:
    if not any(r.rule == path for r in w.app.url_map.iter_rules()):
        pytest.fail(f"{path} is not registered: the privacy test has nothing to test")


def test_sentinel_in_no_log_and_no_table(world: World, caplog, encoder) -> None:
    caplog.set_level(logging.DEBUG)
    calls = requests_with_the_sentinel(world)
    for path, body in calls:
        _require(world, path)
        response = world.client.post(path, json=body, headers=world.headers("adviser"))
        assert response.status_code == 200, (path, response.get_json())
        # The person sees their own data back (extracted spans); nobody else keeps it.
    # A refused (invalid) request must not echo the person's words into logs either.
    bad = {**match_body(world), "limit": "lots"}
    assert (
        world.client.post("/api/v1/match", json=bad, headers=world.headers("adviser")).status_code
        == 422
    )

    logged = [
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}" for r in caplog.records
    ]
    assert not [line for line in logged if SENTINEL in line]
    assert leaks_in_tables(world.db_path) == []
    with world.store() as s:
        audit = list(s.db.query("SELECT * FROM audit_log WHERE action LIKE 'POST /api/v1/%'"))
    assert [(a["actor"], a["action"], a["outcome"]) for a in audit] == [
        (f"key:{world.key_ids['adviser']}", f"POST {path}", "200") for path, _ in calls
    ] + [(f"key:{world.key_ids['adviser']}", "POST /api/v1/match", "422")]


def _post(url: str, body: dict, key: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.slow
def test_sentinel_in_no_gunicorn_log(world: World, tmp_path: Path) -> None:
    """The same requests through a real gunicorn with access log and DEBUG logging on."""
    port = free_port()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    env = {
        **os.environ,
        "SKILLS_MATCH_DATABASE": str(world.db_path),
        "SKILLS_MATCH_LOG_LEVEL": "DEBUG",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--access-logfile", str(access), "--error-logfile", str(errors),
            "--log-level", "debug", "--capture-output", "--timeout", "300", "api:create_app()",
        ],
        cwd=REPO,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server, errors.read_text)
        for path, body in requests_with_the_sentinel(world):
            assert _post(base + path, body, world.keys["adviser"]) == 200, path
    finally:
        server.terminate()
        server.wait(timeout=30)
    access_log, error_log = access.read_text(), errors.read_text()
    assert "POST /api/v1/match" in access_log  # the access log did record the call
    assert SENTINEL not in access_log
    assert SENTINEL not in error_log
    assert leaks_in_tables(world.db_path) == []
