"""The alias table: loaded from data/reference/aliases.csv at init, extended by the partnership
through the audited correction flow (core, CLI, admin API), and seen by running engines."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from skills_match.cli import main
from skills_match.config import Settings
from skills_match.errors import Conflict, InvalidInput, NotFound
from skills_match.reference import add_alias, list_aliases, load_reference, remove_alias
from skills_match.skillspace import taxonomy_version
from skills_match.store import Store
from tests.api_support import World, build_world, table_dump
from tests.conftest import copy_database

from .factories import PYTHON, SPREADSHEETS, skill_id

ALIASES = Path(__file__).resolve().parent.parent / "data" / "reference" / "aliases.csv"
DATA = Path(__file__).resolve().parent.parent / "data"


def _csv_rows() -> list[dict[str, str]]:
    with ALIASES.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _aliases(store: Store) -> list[tuple]:
    return store.db.execute("SELECT * FROM skill_aliases ORDER BY id").fetchall()


def _audit(store: Store) -> list[tuple]:
    return store.db.execute("SELECT actor, action, target FROM audit_log ORDER BY id").fetchall()


# -- the reference load ------------------------------------------------------------------


def test_init_loads_every_shipped_alias_whose_skill_is_on_file(reference_store):
    store = reference_store
    rows = _csv_rows()
    known = store.existing_skill_ids(r["skill_id"] for r in rows)
    expected = {
        (" ".join(r["alias"].split()), r["skill_id"]) for r in rows if r["skill_id"] in known
    }
    loaded = store.skill_aliases()
    assert {(a["alias"], a["skill_id"]) for a in loaded} == expected
    assert {a["source"] for a in loaded} == {"reference"}
    assert all(isinstance(a["case_sensitive"], bool) for a in loaded)
    sensitive = {(r["alias"], r["skill_id"]) for r in rows if r["case_sensitive"] == "1"}
    assert {
        (a["alias"], a["skill_id"]) for a in loaded if a["case_sensitive"]
    } == sensitive & expected
    assert set(loaded[0]) == {"alias", "skill_id", "case_sensitive", "source"}


def test_reload_skips_unknown_skills_keeps_partnership_rows_and_is_a_no_op(
    reference_store, tmp_path
):
    store = reference_store
    python = skill_id(store, PYTHON)
    added = add_alias(store, "Jupyter notebooks", python, "Ann", "course pages say it")
    # A copy of the data directory whose alias table names a skill that is not on file.
    data = tmp_path / "data"
    (data / "reference").mkdir(parents=True)
    for path in (DATA / "reference").iterdir():
        (data / "reference" / path.name).write_bytes(path.read_bytes())
    with (data / "reference" / "aliases.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["Zorblatt", "no-such-skill", "x", "product", "0", "test"])
    counts = load_reference(store, data)
    assert counts["skill_aliases_skipped"] == 1
    assert counts["skill_aliases"] == len(_csv_rows()) - _unknown(store)
    assert "Zorblatt" not in {a["alias"] for a in store.skill_aliases()}
    assert store.alias_row("Jupyter notebooks", python) == added
    before, version = _aliases(store), taxonomy_version(store)
    with store.write():
        store.load_reference_aliases(
            (
                " ".join(r["alias"].split()),
                r["skill_id"],
                r["case_sensitive"] == "1",
                r["provenance"],
            )
            for r in _csv_rows()
        )
    assert _aliases(store) == before and taxonomy_version(store) == version
    # A shipped alias dropped from the file goes; the partnership's stays.
    with store.write():
        store.load_reference_aliases([])
    assert [a["source"] for a in store.skill_aliases()] == ["partnership"]


def _unknown(store: Store) -> int:
    rows = _csv_rows()
    return len(rows) - len(
        [r for r in rows if r["skill_id"] in store.existing_skill_ids(x["skill_id"] for x in rows)]
    )


# -- the correction flow (core) ---------------------------------------------------------


def test_add_and_remove_are_audited_and_bump_the_taxonomy_version(reference_store):
    store = reference_store
    python = skill_id(store, PYTHON)
    version = taxonomy_version(store)
    row = add_alias(store, "  PyData   stack ", python, "Ann Smith", "local adverts", True)
    assert (row["alias"], row["source"], row["case_sensitive"], row["changed_by"]) == (
        "PyData stack",
        "partnership",
        True,
        "Ann Smith",
    )
    assert row["note"] == "local adverts" and row["label"] == PYTHON and row["changed_at"]
    assert taxonomy_version(store) > version
    assert [r["alias"] for r in list_aliases(store, "partnership")] == ["PyData stack"]
    assert _audit(store)[-1] == ("Ann Smith", "add-alias", f"skill:{python}=PyData stack")
    version = taxonomy_version(store)
    removed = remove_alias(store, "PyData stack", python, "Bob", "never used")
    assert removed["id"] == row["id"] and store.alias_row("PyData stack", python) is None
    assert taxonomy_version(store) > version
    assert _audit(store)[-1] == ("Bob", "remove-alias", f"skill:{python}=PyData stack (never used)")


@pytest.mark.parametrize(
    ("alias", "skill", "by", "error", "field"),
    [
        ("Zorblatt", "no-such-skill", "Ann", InvalidInput, "skill_id"),
        ("   ", PYTHON, "Ann", InvalidInput, "alias"),
        ("x" * 101, PYTHON, "Ann", InvalidInput, "alias"),
        ("Zorblatt", PYTHON, " ", InvalidInput, "changed_by"),
        ("duplicate", PYTHON, "Ann", Conflict, "alias"),
        ("DUPLICATE", PYTHON, "Ann", Conflict, "alias"),
    ],
)
def test_bad_additions_change_nothing(reference_store, alias, skill, by, error, field):
    store = reference_store
    python = skill_id(store, PYTHON)
    add_alias(store, "duplicate", python, "Ann", "first")
    before, audit, version = _aliases(store), _audit(store), taxonomy_version(store)
    with pytest.raises(error) as caught:
        add_alias(store, alias, python if skill == PYTHON else skill, by, "note")
    assert field in caught.value.errors
    assert (_aliases(store), _audit(store), taxonomy_version(store)) == (before, audit, version)


def test_shipped_aliases_and_missing_ones_cannot_be_removed(reference_store):
    store = reference_store
    shipped = store.alias_rows("reference")[0]
    before = _aliases(store)
    with pytest.raises(InvalidInput):
        remove_alias(store, shipped["alias"], shipped["skill_id"], "Ann")
    with pytest.raises(NotFound):
        remove_alias(store, "never added", shipped["skill_id"], "Ann")
    with pytest.raises(InvalidInput):
        list_aliases(store, "everything")
    assert _aliases(store) == before


# -- CLI -----------------------------------------------------------------------------------


def _run(db, *args):
    return CliRunner().invoke(main, ["--database", str(db), *args], catch_exceptions=False)


def test_cli_add_list_remove(reference_db, tmp_path):
    db = copy_database(reference_db, tmp_path / "cli.db")
    with Store(db) as store:
        sheets = skill_id(store, SPREADSHEETS)
    added = _run(db, "add-alias", "Zoho Sheet", sheets, "--by", "Ann", "--note", "adverts")
    assert added.exit_code == 0 and "Zoho Sheet" in added.output
    listed = _run(db, "list-aliases", "--source", "partnership")
    assert listed.exit_code == 0
    assert "Zoho Sheet" in listed.output and "[partnership]" in listed.output
    assert "1 alias(es)." in listed.output
    everything = _run(db, "list-aliases")
    assert f"{len(_csv_rows()) + 1:,} alias(es)." in everything.output
    duplicate = _run(db, "add-alias", "zoho sheet", sheets, "--by", "Ann", "--note", "again")
    assert duplicate.exit_code == 1 and "already has the alias" in duplicate.output
    long = _run(db, "add-alias", "y" * 101, sheets, "--by", "Ann", "--note", "n")
    assert long.exit_code == 1 and "100 characters" in long.output
    unknown = _run(db, "add-alias", "Zorblatt", "no-such", "--by", "Ann", "--note", "n")
    assert unknown.exit_code == 1 and "No skill" in unknown.output
    assert _run(db, "add-alias", "Zorblatt", sheets, "--note", "n").exit_code == 2  # no --by
    removed = _run(db, "remove-alias", "Zoho Sheet", sheets, "--by", "Bob")
    assert removed.exit_code == 0 and "Removed" in removed.output
    with Store(db) as store:
        assert store.alias_rows("partnership") == []
        actions = [a for _, a, _ in _audit(store)]
    assert actions == ["add-alias", "remove-alias"]
    assert _run(db, "remove-alias", "Zoho Sheet", sheets, "--by", "Bob").exit_code == 1


# -- admin API -----------------------------------------------------------------------------


@pytest.fixture
def world(reference_db, tmp_path) -> World:
    return build_world(reference_db, tmp_path)


def _call(w: World, who: str | None, method: str, path: str, **kwargs):
    return w.client.open(path, method=method, headers=w.headers(who), **kwargs)


def test_api_aliases_by_role(world: World) -> None:
    python = world.skills["python"]
    body = {"alias": "PyCharm", "skill_id": python, "note": "IDE named in adverts"}
    for who, status in (("adviser", 403), ("owner", 403), ("revoked", 401), (None, 401)):
        assert _call(world, who, "POST", "/api/v1/aliases", json=body).status_code == status
        assert _call(world, who, "GET", "/api/v1/aliases").status_code == status
    created = _call(world, "partnership", "POST", "/api/v1/aliases", json=body)
    assert created.status_code == 201
    row = created.get_json()
    assert (row["alias"], row["source"], row["case_sensitive"]) == ("PyCharm", "partnership", False)
    assert row["changed_by"] == f"key:{world.key_ids['partnership']}"
    assert created.headers["Location"].endswith(f"/api/v1/aliases/{row['id']}")
    assert _call(world, "admin", "GET", f"/api/v1/aliases/{row['id']}").get_json() == row
    listed = _call(world, "partnership", "GET", "/api/v1/aliases?source=partnership").get_json()
    assert [a["alias"] for a in listed["items"]] == ["PyCharm"] and listed["total"] == 1
    every = _call(world, "partnership", "GET", "/api/v1/aliases?page_size=100").get_json()
    assert every["total"] == len(_csv_rows()) + 1
    gone = _call(world, "adviser", "DELETE", f"/api/v1/aliases/{row['id']}")
    assert gone.status_code == 403
    gone = _call(world, "partnership", "DELETE", f"/api/v1/aliases/{row['id']}")
    assert gone.status_code == 200 and gone.get_json()["id"] == row["id"]
    again = _call(world, "partnership", "DELETE", f"/api/v1/aliases/{row['id']}")
    assert again.status_code == 404 and "message" in again.get_json()
    with Store(world.db_path) as store:
        actions = [(a, act) for a, act, _ in _audit(store) if act.endswith("-alias")]
    who = f"key:{world.key_ids['partnership']}"
    assert actions == [(who, "add-alias"), (who, "remove-alias")]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"alias": "Zorblatt", "skill_id": "no-such-skill", "note": "n"}, 422, "skill_id"),
        ({"alias": "", "skill_id": "PY", "note": "n"}, 422, "alias"),
        ({"alias": "   ", "skill_id": "PY", "note": "n"}, 422, "alias"),
        ({"alias": "z" * 101, "skill_id": "PY", "note": "n"}, 422, "alias"),
        ({"alias": "Zorblatt", "skill_id": "PY"}, 422, "note"),
        (
            {"alias": "Zorblatt", "skill_id": "PY", "note": "n", "source": "reference"},
            422,
            "source",
        ),
        ({"alias": 7, "skill_id": "PY", "note": "n"}, 422, "alias"),
        ({"alias": "already", "skill_id": "PY", "note": "n"}, 409, "alias"),
    ],
)
def test_api_bad_aliases_get_the_error_body_and_change_nothing(world: World, body, status, field):
    python = world.skills["python"]
    body = {k: python if v == "PY" else v for k, v in body.items()}
    first = {"alias": "Already", "skill_id": python, "note": "n"}
    assert _call(world, "partnership", "POST", "/api/v1/aliases", json=first).status_code == 201
    before = table_dump(world.db_path)
    response = _call(world, "partnership", "POST", "/api/v1/aliases", json=body)
    assert response.status_code == status
    error = response.get_json()
    assert error["code"] == status and error["message"]
    assert field in error["errors"]
    assert table_dump(world.db_path) == before


def test_api_refuses_to_remove_a_shipped_alias(world: World) -> None:
    with Store(world.db_path) as store:
        shipped = store.alias_rows("reference")[0]
    before = table_dump(world.db_path)
    response = _call(world, "partnership", "DELETE", f"/api/v1/aliases/{shipped['id']}")
    assert response.status_code == 422 and "alias" in response.get_json()["errors"]
    bad = _call(world, "partnership", "GET", "/api/v1/aliases?source=nobody")
    assert bad.status_code == 422
    assert _call(world, "partnership", "GET", "/api/v1/aliases?colour=red").status_code == 422
    assert table_dump(world.db_path) == before


# -- running engines ---------------------------------------------------------------------


def test_an_alias_change_rebuilds_the_running_engine(reference_db, tmp_path, encoder):
    from skills_match.engine import get_engine
    from skills_match.lexicon import get_lexicon

    db = copy_database(reference_db, tmp_path / "engine.db")
    settings = Settings.from_env(database=str(db))
    text = "You will maintain our Zorblatt pipelines."
    engine = get_engine(settings)
    python = engine.space.index_[skill_id(engine.store, PYTHON)]

    def alias_hits(e) -> set[int]:
        lexicon = get_lexicon(e.store, e.space)
        return {h.skill for h in lexicon.hits(text) if h.method == "alias"}

    assert python not in alias_hits(engine)
    with Store(db) as store:
        add_alias(store, "Zorblatt", skill_id(store, PYTHON), "Ann", "our in-house name")
    assert not engine.is_current()
    rebuilt = get_engine(settings)
    assert rebuilt is not engine and rebuilt.is_current()
    assert python in alias_hits(rebuilt)
    assert get_engine(settings) is rebuilt  # no change, no rebuild


def test_the_alias_table_is_sqlite_checked(reference_store):
    # The schema itself refuses what the flow never writes (defence in depth).
    store = reference_store
    python = skill_id(store, PYTHON)
    for row in (
        ("", python, 0, "partnership"),
        ("x", python, 2, "partnership"),
        ("x", python, 0, "somebody"),
        ("x", "no-such-skill", 0, "partnership"),
    ):
        with pytest.raises(sqlite3.IntegrityError), store.write():
            store.db.execute(
                "INSERT INTO skill_aliases (alias, skill_id, case_sensitive, source) "
                "VALUES (?, ?, ?, ?)",
                row,
            )
