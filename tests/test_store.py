"""The store on a real SQLite file: migrations, pragmas, round trips, transactions."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from skills_match.errors import NotFound
from skills_match.schemas import CourseSchema, DemandSchema
from skills_match.store import Store
from skills_match.store.courses import CourseFilters, SkillLink
from skills_match.store.migrations import migrations

from .factories import (
    LIVERPOOL,
    PRESTON,
    PYTHON,
    SPREADSHEETS,
    add_provider,
    course,
    demand,
    skill_id,
)


def test_migrations_apply_once_and_twice_is_a_no_op(tmp_path):
    path = tmp_path / "m.db"
    with Store(path) as store:
        assert store.migrate() == [m.name for m in migrations._migrations]
        schema = store.db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
        assert store.migrate() == []
        assert store.pending_migrations() == []
        assert store.db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    # A second process opening the same file sees nothing pending either.
    with Store(path) as again:
        assert again.migrate() == []


def test_every_connection_sets_wal_foreign_keys_and_busy_timeout(tmp_path):
    with Store(tmp_path / "p.db", busy_timeout_ms=1234) as store:
        pragma = lambda name: store.db.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 1234


def test_foreign_keys_are_enforced(reference_store):
    with pytest.raises(sqlite3.IntegrityError), reference_store.write():
        reference_store.db["course_skills"].insert(
            {"course_id": 999, "skill_id": "nope", "method": "provided"}
        )


def test_course_round_trip(reference_store):
    store = reference_store
    provider_id = add_provider(store)
    record = CourseSchema().load(course(cost="149.99", employment_statuses=["unemployed"]))
    links = [SkillLink(skill_id(store, SPREADSHEETS), level="general")]
    with store.write():
        course_id, outcome = store.upsert_course(provider_id, record, links)
    assert outcome == "inserted"
    saved = store.course(course_id)
    assert saved["title"] == "Spreadsheets for work"
    assert saved["cost"] == 149.99
    assert saved["start_dates"] == ["2026-01-12", "2026-04-13"]
    assert saved["employment_statuses"] == ["unemployed"]
    assert saved["duration_weeks"] == 10
    assert saved["provider_name"] == "Test College"
    assert [s["label"] for s in saved["skills"]] == [SPREADSHEETS]
    assert saved["skills"][0]["level"] == "general"


def test_upsert_is_idempotent_and_detects_changes(reference_store):
    store = reference_store
    provider_id = add_provider(store)
    record = CourseSchema().load(course())
    with store.write():
        first = store.upsert_course(provider_id, record, [])
        second = store.upsert_course(provider_id, record, [])
    assert first[1] == "inserted" and second == (first[0], "unchanged")
    changed = CourseSchema().load(course(places=30))
    with store.write():
        assert store.upsert_course(provider_id, changed, []) == (first[0], "updated")
    assert store.course(first[0])["places"] == 30


def test_a_failed_write_rolls_back_everything(reference_store):
    store = reference_store
    provider_id = add_provider(store)
    record = CourseSchema().load(course())
    with pytest.raises(RuntimeError), store.write():
        store.upsert_course(provider_id, record, [])
        raise RuntimeError("crash mid-transaction")
    assert store.counts()["courses"] == 0


def test_list_courses_filters_and_pages(reference_store):
    store = reference_store
    provider_id = add_provider(store)
    spreadsheets = skill_id(store, SPREADSHEETS)
    python = skill_id(store, PYTHON)
    rows = [
        (course("A", title="Excel basics"), [SkillLink(spreadsheets)]),
        (
            course(
                "B",
                title="Python bootcamp",
                local_authority=PRESTON,
                qualification_level="L3",
                programme_type="skills_bootcamp",
                start_dates=["2026-09-07"],
            ),
            [SkillLink(python)],
        ),
        (
            course(
                "C",
                title="Online Python",
                delivery_mode="online",
                local_authority=None,
                national_delivery=True,
                flexible_start=True,
                start_dates=[],
            ),
            [SkillLink(python)],
        ),
    ]
    with store.write():
        for raw, links in rows:
            store.upsert_course(provider_id, CourseSchema().load(raw), links)

    def titles(**kwargs):
        items, total = store.list_courses(CourseFilters(**kwargs), limit=10)
        assert total == len(items)
        return [c["title"] for c in items]

    assert titles() == ["Excel basics", "Online Python", "Python bootcamp"]
    assert titles(areas=[LIVERPOOL]) == ["Excel basics", "Online Python"]
    assert titles(areas=[LIVERPOOL], include_national=False) == ["Excel basics"]
    assert titles(skill_id=python) == ["Online Python", "Python bootcamp"]
    assert titles(qualification_levels=["L3"]) == ["Python bootcamp"]
    assert titles(starts_from="2026-06-01") == ["Online Python", "Python bootcamp"]
    assert titles(text="python", programme_type="skills_bootcamp") == ["Python bootcamp"]
    page, total = store.list_courses(CourseFilters(), limit=1, offset=1)
    assert total == 3 and [c["title"] for c in page] == ["Online Python"]
    with pytest.raises(ValueError, match="Unknown sort"):
        store.list_courses(CourseFilters(), sort="title; DROP TABLE courses")


def test_withdraw_and_missing_course(reference_store):
    store = reference_store
    provider_id = add_provider(store)
    with store.write():
        course_id, _ = store.upsert_course(provider_id, CourseSchema().load(course()), [])
        store.set_course_status(course_id, "withdrawn")
    assert store.course(course_id)["status"] == "withdrawn"
    assert store.counts()["courses"] == 0
    with pytest.raises(NotFound):
        store.course(course_id + 1)


def test_demand_round_trip(reference_store):
    store = reference_store
    record = DemandSchema().load(demand())
    links = [SkillLink(skill_id(store, PYTHON), importance="optional")]
    with store.write():
        demand_id, outcome = store.upsert_demand(record, links)
        assert store.upsert_demand(record, links) == (demand_id, "unchanged")
    saved = store.demand_record(demand_id)
    assert outcome == "inserted"
    assert saved["posted_date"] == "2026-03-02"
    assert saved["local_authority_name"] == "Liverpool"
    assert saved["skills"][0]["importance"] == "optional"


def test_reference_lookups(reference_store):
    store = reference_store
    assert store.resolve_area("Liverpool") == LIVERPOOL
    assert store.resolve_area("e08000012") == LIVERPOOL
    assert store.resolve_area("Atlantis") is None
    la = store.local_authority("E08000011")
    assert la["combined_authority_name"] == "Liverpool City Region"
    assert store.local_authority(PRESTON)["county_name"] == "Lancashire"
    python = store.skill(skill_id(store, PYTHON))
    assert python["is_digital"] == 1 and isinstance(python["alt_labels"], list)


def test_occupation_suggestions_take_percent_and_underscore_literally(reference_store):
    assert "data analyst" in reference_store.occupation_suggestions("data analyst")
    # Unescaped, "d_t_" was a pattern that matched "data".
    assert reference_store.occupation_suggestions("d_t_ analyst") == []


def test_concurrent_read_then_write_transactions_queue_instead_of_failing(reference_db, tmp_path):
    """Two threads each do read-then-update; BEGIN IMMEDIATE makes them wait, not fail."""
    from .conftest import copy_database

    path = copy_database(reference_db, tmp_path / "c.db")
    with Store(path) as store:
        provider_id = add_provider(store)
        with store.write():
            course_id, _ = store.upsert_course(provider_id, CourseSchema().load(course()), [])
    errors: list[BaseException] = []

    def bump(n: int) -> None:
        with Store(path) as s:
            for _ in range(n):
                try:
                    with s.write():
                        places = s.db.execute(
                            "SELECT places FROM courses WHERE id = ?", [course_id]
                        ).fetchone()[0]
                        s.db.execute(
                            "UPDATE courses SET places = ? WHERE id = ?", [places + 1, course_id]
                        )
                except BaseException as exc:  # pragma: no cover - the failure being tested
                    errors.append(exc)

    threads = [threading.Thread(target=bump, args=(50,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(path) as store:
        assert store.course(course_id)["places"] == 16 + 200


def test_m008_stamps_extracted_links_and_keeps_the_demand_triggers(reference_db, tmp_path):
    from tests.test_demand_summaries import consistent

    # A populated database at the schema before m008, then migrated.
    path = tmp_path / "old.db"
    with Store(path) as store:
        migrations.apply(store.db, stop_before="m008_extractor_version_and_aliases")
        store.db.execute("ATTACH DATABASE ? AS ref", [str(reference_db)])
        for table in ("skills", "local_authorities"):
            columns = ", ".join(store.db[table].columns_dict)
            store.db.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ref.{table}")
        store.db.conn.commit()
        store.db.execute("DETACH DATABASE ref")
        sheets, python = skill_id(store, SPREADSHEETS), skill_id(store, PYTHON)
        provider = add_provider(store)
        with store.write():
            course_id = (
                store.db["courses"]
                .insert(
                    _before_m009(store, "courses", {**_course_table_row(), "provider_id": provider})
                )
                .last_pk
            )
            store.db.execute(
                "INSERT INTO course_skills (course_id, skill_id, method) VALUES "
                "(?, ?, 'provided'), (?, ?, 'exact')",
                [course_id, sheets, course_id, python],
            )
            for ref in ("A", "B"):
                demand_id = (
                    store.db["demand"]
                    .insert(_before_m009(store, "demand", _demand_table_row(ref)))
                    .last_pk
                )
                store.db.execute(
                    "INSERT INTO demand_skills (demand_id, skill_id, importance, method) VALUES "
                    "(?, ?, 'essential', ?), (?, ?, 'optional', 'semantic')",
                    [demand_id, sheets, "provided" if ref == "A" else "exact", demand_id, python],
                )
        cells = store.db.execute("SELECT * FROM demand_skill_cells ORDER BY 1, 2, 3").fetchall()
        assert store.migrate()[0] == "m008_extractor_version_and_aliases"
        stamps = store.db.execute(
            "SELECT method, extractor FROM course_skills UNION ALL "
            "SELECT method, extractor FROM demand_skills"
        ).fetchall()
        assert sorted(stamps, key=str) == sorted(
            [
                ("provided", None),
                ("exact", "1"),
                ("provided", None),
                ("semantic", "1"),
                ("exact", "1"),
                ("semantic", "1"),
            ],
            key=str,
        )
        # Stamping fired no demand trigger; the triggers still follow later writes.
        assert (
            store.db.execute("SELECT * FROM demand_skill_cells ORDER BY 1, 2, 3").fetchall()
            == cells
        )
        assert consistent(store)
        with store.write():
            store.db.execute("DELETE FROM demand_skills WHERE method = 'semantic'")
        assert consistent(store)
        assert store.db["skill_aliases"].count == 0 and store.integrity_check() == "ok"


def _before_m009(store: Store, table: str, row: dict) -> dict:
    """A row as the schema before m009 holds it: only the columns it has (all left empty)."""
    columns = store.db[table].columns_dict
    assert all(row[k] in (None, False) for k in row if k not in columns), "m009 data lost"
    return {k: v for k, v in row.items() if k in columns}


def _course_table_row() -> dict:
    from skills_match.store.courses import course_row

    row = course_row(CourseSchema().load(course("OLD-1")))
    return {**row, "content_hash": "x", "created_at": "2026-01-01", "updated_at": "2026-01-01"}


def _demand_table_row(ref: str) -> dict:
    from skills_match.store.demand import demand_row

    row = demand_row(DemandSchema().load(demand(ref)))
    return {**row, "content_hash": "x", "created_at": "2026-01-01", "updated_at": "2026-01-01"}


def test_skill_links_round_trip_their_extractor_version(store):
    provider = add_provider(store)
    python = skill_id(store, PYTHON)
    links = [SkillLink(python, method="exact", score=0.9, evidence="Python", extractor="9.9")]
    with store.write():
        course_id, _ = store.upsert_course(provider, CourseSchema().load(course("X-1")), links)
        demand_id, _ = store.upsert_demand(DemandSchema().load(demand("X-1")), links)
    assert store.course(course_id)["skills"][0]["extractor"] == "9.9"
    assert store.demand_record(demand_id)["skills"][0]["extractor"] == "9.9"
    assert store.course_derived_links(course_id) == links
    assert [link.extractor for link in store.demand_derived_links(demand_id)] == ["9.9"]


def test_m010_gives_stored_records_the_group_of_their_soc_code(reference_db, tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as store:
        migrations.apply(store.db, stop_before="m010_demand_soc_major")
        store.db.execute("ATTACH DATABASE ? AS ref", [str(reference_db)])
        columns = ", ".join(store.db["local_authorities"].columns_dict)
        store.db.execute(
            f"INSERT INTO local_authorities ({columns}) SELECT {columns} FROM ref.local_authorities"
        )
        store.db.conn.commit()
        store.db.execute("DETACH DATABASE ref")
        with store.write():
            for ref, soc in (("A", "2134"), ("B", None)):
                store.db["demand"].insert({**_demand_table_row(ref), "soc_code": soc})
        assert store.migrate()[0] == "m010_demand_soc_major"
        rows = store.db.execute(
            "SELECT source_ref, soc_major, soc_method, soc_confidence FROM demand ORDER BY 1"
        ).fetchall()
        # Without a code the group waits for a re-import (the title lookup is not SQL).
        assert rows == [("A", "2", "given", 1.0), ("B", None, None, None)]


def test_naming_an_occupation_by_id_uri_or_label_uses_indexes(store):
    """Every match target names an occupation; those lookups must not scan the table."""
    occupation = store.db.execute("SELECT id, uri, label FROM occupations LIMIT 1").fetchone()
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        for name in occupation:
            assert (
                store.find_occupation(name.upper() if name == occupation[2] else name)
                == (occupation[0])
            )
    finally:
        store.db.conn.set_trace_callback(None)
    lookups = [s for s in statements if "FROM occupations" in s]
    assert len(lookups) == 4  # id or uri (x3), then the label
    for sql in lookups:
        plan = " ".join(r[3] for r in store.db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
        assert "SCAN occupations" not in plan, (sql, plan)


def test_alternative_labels_name_an_occupation_as_they_change(store):
    """occupation_labels (m011) follows occupations.alt_labels through every write."""
    row = {"id": "test-occ", "uri": "urn:test-occ", "label": "test occupation"}
    with store.write():
        store.db["occupations"].insert({**row, "alt_labels": '["Moon Clerk", "Tide Reader"]'})
    assert store.find_occupation("moon clerk") == "test-occ"
    assert store.find_occupation("TIDE READER") == "test-occ"
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    store.find_occupation("tide reader")
    store.db.conn.set_trace_callback(None)
    plan = store.db.execute(f"EXPLAIN QUERY PLAN {statements[-1]}").fetchall()
    assert "SCAN" not in " ".join(r[3] for r in plan)
    with store.write():
        store.db["occupations"].update("test-occ", {"alt_labels": '["star clerk"]'})
    assert store.find_occupation("moon clerk") is None
    assert store.find_occupation("star clerk") == "test-occ"
    with store.write():
        store.db["occupations"].delete("test-occ")
    assert store.find_occupation("star clerk") is None
    assert store.db.execute(
        "SELECT count(*) FROM occupation_labels WHERE occupation_id = 'test-occ'"
    ).fetchone() == (0,)
