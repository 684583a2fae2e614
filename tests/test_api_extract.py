"""POST /api/v1/skills/extract: skills with levels and spans; bad input 422; nothing kept."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from skills_match.apikeys import create_key
from skills_match.config import Settings
from skills_match.extract import EXTRACTOR_VERSION, MAX_TEXT_CHARS, load_extractor_model
from skills_match.store import Store
from tests.conftest import auth, copy_database

URL = "/api/v1/skills/extract"
ADVERT = "Experience with MS Excel and Python; able to stay safe online"


@pytest.fixture(scope="module")
def api(reference_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """An app over a private copy of the reference template, with an adviser's key."""
    from api import create_app

    db_path = copy_database(reference_db, tmp_path_factory.mktemp("extract") / "api.db")
    settings = Settings.from_env(database=str(db_path))
    with Store(db_path) as store:
        keys = {
            role: create_key(store, settings.api_key_pepper, f"test {role}", role)[1]
            for role in ("adviser", "partnership", "admin")
        }
    app = create_app({"database": str(db_path), "TESTING": True, "RATELIMIT_ENABLED": False})
    return app.test_client(), keys, db_path


def post(api, body, who: str | None = "adviser", **kwargs):
    client, keys, _ = api
    headers = auth(keys[who]) if who else {}
    if body is None:
        return client.post(URL, headers=headers, **kwargs)
    return client.post(URL, json=body, headers=headers, **kwargs)


@pytest.mark.parametrize("who", ["adviser", "partnership", "admin"])
def test_any_key_gets_ranked_skills_with_spans_sections_and_flags(api, who):
    response = post(api, {"text": ADVERT}, who)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["extractor"] == EXTRACTOR_VERSION
    assert body["min_score"] == load_extractor_model(Settings.from_env().models_dir).min_score
    skills = body["skills"]
    assert [s["rank"] for s in skills] == list(range(1, len(skills) + 1))
    by_label = {s["label"]: s for s in skills}
    python = by_label["Python (computer programming)"]
    assert python["method"] in ("exact", "alias")
    assert ADVERT[python["start"] : python["end"]] == python["text"] == "Python"
    excel = by_label["use spreadsheets software"]
    assert excel["text"] == "MS Excel"
    assert set(python) == {
        "rank", "skill_id", "label", "level", "is_digital", "start", "end", "text", "score",
        "method", "matched_label", "section", "requirement", "negated",
    }  # fmt: skip
    assert {"eds_areas", "sections"} <= set(body)


def test_top_k_and_min_score_give_the_did_you_mean_list(api):
    default = post(api, {"text": ADVERT}).json["skills"]
    wide = post(api, {"text": ADVERT, "min_score": 0, "top_k": 10}).json["skills"]
    assert len(wide) == 10 > len(default)
    assert [s["skill_id"] for s in wide[: len(default)]] == [s["skill_id"] for s in default]


def test_desirable_and_negated_flags_reach_the_answer(api):
    text = "Desirable:\n- Python\n\nNo experience of Excel needed."
    skills = post(api, {"text": text}).json["skills"]
    by_text = {s["text"]: s for s in skills}
    assert by_text["Python"]["requirement"] == "desirable"
    assert by_text["Excel"]["negated"] is True


def test_without_a_key_it_is_refused(api):
    response = post(api, {"text": ADVERT}, who=None)
    assert response.status_code == 401
    assert response.json["code"] == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": 42}, "text"),
        ({"text": None}, "text"),
        ({"text": "x" * (MAX_TEXT_CHARS + 1)}, "text"),
        ({"text": "y" * 1_000_000}, "text"),
        ({"text": "Python", "person": "Ann"}, "person"),
        ({"text": "Python", "top_k": 0}, "top_k"),
        ({"text": "Python", "top_k": "ten"}, "top_k"),
        ({"text": "Python", "min_score": 1.5}, "min_score"),
        ({"text": "Python", "min_score": "high"}, "min_score"),
    ],
)
def test_invalid_bodies_get_422_naming_the_field(api, body, field):
    response = post(api, body)
    assert response.status_code == 422
    assert response.json["code"] == 422
    assert field in str(response.json["errors"])


def test_blank_text_gets_422_with_a_clear_message(api):
    response = post(api, {"text": " \n\t "})
    assert response.status_code == 422
    assert "empty" in response.json["message"]


def test_a_body_that_is_not_utf8_is_refused(api):
    response = post(api, None, data=b'{"text": "caf\xe9 skills"}', content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json["message"]


def test_the_text_is_neither_stored_nor_logged(api, caplog):
    _, _, db_path = api
    sentinel = "Quixotic-Zebra-Sentinel"
    with Store(db_path) as store:
        vectors = store.vector_count("all-MiniLM-L6-v2")
    with caplog.at_level(logging.DEBUG):
        response = post(api, {"text": f"I keep {sentinel} ledgers in MS Excel and Python"})
    assert response.status_code == 200
    assert sentinel not in caplog.text
    with Store(db_path) as store:
        assert store.vector_count("all-MiniLM-L6-v2") == vectors
        for (table,) in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall():
            columns = [c[1] for c in store.db.execute(f"PRAGMA table_info({table})")]
            hits = [
                column
                for column in columns
                if store.db.execute(
                    f'SELECT 1 FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ? LIMIT 1',
                    [f"%{sentinel}%"],
                ).fetchone()
            ]
            assert not hits, f"{table} holds the text in {hits}"
