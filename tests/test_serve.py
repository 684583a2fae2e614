"""`skills-match serve` as deployed: gunicorn, engine built in the master, on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from skills_match.apikeys import create_key
from skills_match.config import Settings
from skills_match.store import Store
from tests.conftest import copy_database
from tests.servers import free_port, wait_until_healthy

REPO = Path(__file__).resolve().parent.parent


def _match(base: str, key: str, text: str) -> tuple[int, float]:
    body = {
        "current_skills_text": text,
        "target": {"occupation": "data analyst"},
        "local_authority": "Liverpool",
    }
    request = urllib.request.Request(
        f"{base}/api/v1/match",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
        return response.status, time.perf_counter() - started


def test_serve_answers_from_warm_workers_and_stops_cleanly(seeded_db, tmp_path) -> None:
    """Both workers answer matches with the master's engine, and SIGTERM stops all at once.

    A worker that destroyed the model session it inherited hung or aborted on the way out
    (api/gunicorn_hooks.py), so the stop is checked, not just the answers.
    """
    path = copy_database(seeded_db, tmp_path / "serve.db")
    settings = Settings.from_env(database=str(path))
    with Store(path) as store:
        _, key = create_key(store, settings.api_key_pepper, "serve test", "adviser")
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "SKILLS_MATCH_DATABASE": str(path), "HF_HUB_OFFLINE": "1"}
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "skills_match.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--workers", "2"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server, log.read_text, seconds=180)
        answers = [_match(base, key, f"I use email and some Excel, case {n}") for n in range(6)]
        assert [status for status, _ in answers] == [200] * 6
        # No worker builds the model on its first request: that took seconds before.
        assert max(seconds for _, seconds in answers) < 5, answers
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            code = server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            pytest.fail(f"serve did not stop within 20 s: {log.read_text()[-2000:]}")
    text = log.read_text()
    assert code == 0, text[-2000:]
    for trouble in ("terminate called", "SIGABRT", "WORKER TIMEOUT", "Traceback"):
        assert trouble not in text, text[-2000:]
    assert text.count("Worker exiting") == 2
