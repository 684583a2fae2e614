"""What triggers keep summed up for the gap report, checked against a recomputation.

- m005: each demand record's digital skills counted by level (two packed integers);
- m006: demand_skill_cells, the demand-skill rows added up by month, authority and skill;
- m012: a version token per month of those cells, changed by every change to them.

The report reads these instead of every demand-skill row, so after any kind of write they
must equal what the rows themselves say.
"""

from __future__ import annotations

from pathlib import Path

from skills_match.store import Store
from skills_match.store.migrations import LEVEL_COUNT_BITS, LEVELS, _level_bit, migrations
from tests.test_report_support import LIVERPOOL, add_demand, demand_row

# Three digital skills and one that is not, by label.
LABELS = (
    "use spreadsheets software",
    "Python (computer programming)",
    "create CAD drawings",
)


def recomputed(store: Store) -> dict[int, tuple[int, int]]:
    """Each record's (all, essential) packed counts, recomputed from its skills."""
    bit = _level_bit("ds", "s")
    return {
        row[0]: (row[1], row[2])
        for row in store.db.execute(
            f"""SELECT d.id,
                       COALESCE((SELECT sum({bit}) FROM demand_skills ds
                                 JOIN skills s ON s.id = ds.skill_id
                                 WHERE ds.demand_id = d.id), 0),
                       COALESCE((SELECT sum({bit}) FROM demand_skills ds
                                 JOIN skills s ON s.id = ds.skill_id
                                 WHERE ds.demand_id = d.id AND ds.importance = 'essential'), 0)
                FROM demand d"""
        )
    }


def stored(store: Store) -> dict[int, tuple[int, int]]:
    """Each record's (all, essential) packed counts as the triggers left them."""
    return {
        row[0]: (row[1], row[2])
        for row in store.db.execute(
            "SELECT id, skill_level_counts, essential_level_counts FROM demand"
        )
    }


def recomputed_cells(store: Store) -> list[tuple]:
    """demand_skill_cells as the demand-skill rows say it should be."""
    return store.db.execute(
        """SELECT substr(d.posted_date, 1, 7), d.local_authority, ds.skill_id,
                  COALESCE(ds.level, ''), count(*), sum(d.vacancies),
                  sum(d.vacancies * (ds.importance = 'essential'))
           FROM demand_skills ds JOIN demand d ON d.id = ds.demand_id
           GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"""
    ).fetchall()


def stored_cells(store: Store) -> list[tuple]:
    """demand_skill_cells as the triggers left it."""
    return store.db.execute(
        """SELECT month, local_authority, skill_id, level, records, vacancies,
                  essential_vacancies FROM demand_skill_cells ORDER BY 1, 2, 3, 4"""
    ).fetchall()


def read_by_month(store: Store) -> dict[str, list[tuple]]:
    """What the gap report reads of each month: its cells and its records' columns."""
    records = store.db.execute(
        """SELECT substr(posted_date, 1, 7), id, local_authority, sector, isco_code,
                  occupation_id, soc_major, vacancies, skill_level_counts,
                  essential_level_counts FROM demand ORDER BY id"""
    ).fetchall()
    out: dict[str, list[tuple]] = {}
    for row in [*stored_cells(store), *records]:
        out.setdefault(row[0], []).append(row)
    return out


def versions(store: Store) -> dict[str, int]:
    """Each month's version token (m012)."""
    return dict(store.db.execute("SELECT month, version FROM demand_cell_versions"))


def consistent(store: Store) -> bool:
    """Do both trigger-kept summaries equal their recomputation?"""
    return stored(store) == recomputed(store) and stored_cells(store) == recomputed_cells(store)


def field(packed: int, level: str | None) -> int:
    """The count in one level's field (None: unlevelled)."""
    index = len(LEVELS) if level is None else LEVELS.index(level)
    return (packed >> (LEVEL_COUNT_BITS * index)) & ((1 << LEVEL_COUNT_BITS) - 1)


def _skills(store: Store) -> dict[str, str]:
    ids = {}
    for label in LABELS:
        ids[label] = store.db.execute("SELECT id FROM skills WHERE label = ?", [label]).fetchone()[
            0
        ]
    ids["not digital"] = store.db.execute(
        "SELECT id FROM skills WHERE is_digital = 0 LIMIT 1"
    ).fetchone()[0]
    return ids


def test_summaries_follow_every_kind_of_write(reference_store):
    store = reference_store
    ids = _skills(store)
    sheets, python, cad, other = (ids[k] for k in (*LABELS, "not digital"))
    with store.write():
        store.db.execute("UPDATE skills SET level = 'general' WHERE id = ?", [sheets])
        store.db.execute("UPDATE skills SET level = 'specialist' WHERE id = ?", [python])
        store.db.execute("UPDATE skills SET level = NULL WHERE id = ?", [cad])
    add_demand(
        store,
        [
            demand_row(
                "A",
                LIVERPOOL,
                "2026-01-05",
                2,
                [
                    (sheets, "essential"),
                    (python, "optional"),
                    (cad, "essential"),
                    (other, "essential"),
                ],
            ),
            demand_row("B", LIVERPOOL, "2026-01-06", 1, [(python, "essential")]),
        ],
    )
    record_a = store.db.execute("SELECT id FROM demand WHERE source_ref = 'A'").fetchone()[0]
    counts, essential = stored(store)[record_a]
    # The skill that is not digital counts nowhere; the unlevelled one as 'unlevelled'.
    assert [field(counts, lv) for lv in (*LEVELS, None)] == [0, 1, 1, 0, 1]
    assert [field(essential, lv) for lv in (*LEVELS, None)] == [0, 1, 0, 0, 1]
    assert consistent(store)
    assert len(stored_cells(store)) == 4  # A: 4 skills; B shares A's month, area, python

    writes = [
        # the taxonomy moves a skill to another level, or levels one that had none
        "UPDATE skills SET level = 'fusion' WHERE id = :python",
        "UPDATE skills SET level = 'essential' WHERE id = :cad",
        # a skill stops, or starts, being digital
        "UPDATE skills SET is_digital = 0 WHERE id = :sheets",
        "UPDATE skills SET is_digital = 1 WHERE id = :other",
        # a record overrides a level for itself, changes importance, drops a skill
        "UPDATE demand_skills SET level = 'general' WHERE skill_id = :python",
        "UPDATE demand_skills SET importance = 'optional' WHERE skill_id = :cad",
        "DELETE FROM demand_skills WHERE skill_id = :sheets",
        # a change that touches neither level nor importance
        "UPDATE demand_skills SET score = 0.5",
        # a record moves month, authority, or changes its vacancies
        "UPDATE demand SET posted_date = '2026-02-01' WHERE source_ref = 'A'",
        "UPDATE demand SET local_authority = 'E08000011' WHERE source_ref = 'B'",
        "UPDATE demand SET vacancies = 7 WHERE source_ref = 'B'",
        "UPDATE demand SET posted_date = '2026-02-20', job_title = 'x' WHERE source_ref = 'A'",
        # what the report groups records by
        "UPDATE demand SET sector = 'J' WHERE source_ref = 'A'",
        "UPDATE demand SET isco_code = '2512', soc_major = '2' WHERE source_ref = 'B'",
    ]
    for sql in writes:
        before, tokens = read_by_month(store), versions(store)
        with store.write():
            store.db.execute(sql, {"python": python, "cad": cad, "sheets": sheets, "other": other})
        assert consistent(store), sql
        # m012: a month whose cells or records changed has a new version token (the key the
        # report's month cache reads it again by).
        after = read_by_month(store)
        for month in set(before) | set(after):
            if before.get(month) != after.get(month):
                assert versions(store).get(month) != tokens.get(month), (sql, month)
    # Re-importing a changed record replaces its skills.
    add_demand(store, [demand_row("A", LIVERPOOL, "2026-01-05", 3, [(cad, "optional")])])
    assert consistent(store)
    assert field(stored(store)[record_a][0], "essential") == 1
    # Deleting a record takes its rows out (their cascade can no longer see the record).
    with store.write():
        store.db.execute("DELETE FROM demand WHERE source_ref = 'B'")
    assert consistent(store)
    with store.write():
        store.db.execute("DELETE FROM demand")
    assert stored_cells(store) == []


def test_the_migration_counts_the_records_already_there(reference_db, tmp_path: Path):
    # A database at the schema before m005, holding demand, then migrated.
    path = tmp_path / "old.db"
    with Store(path) as store:
        migrations.apply(store.db, stop_before="m005_demand_level_counts")
        assert "skill_level_counts" not in store.db["demand"].columns_dict
        store.db.execute("ATTACH DATABASE ? AS ref", [str(reference_db)])
        for table in ("skills", "local_authorities"):
            columns = ", ".join(store.db[table].columns_dict)
            store.db.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ref.{table}")
        store.db.conn.commit()
        store.db.execute("DETACH DATABASE ref")
        ids = _skills(store)
        with store.write():
            store.db.execute(
                "UPDATE skills SET level = 'general' WHERE id = ?",
                [ids["use spreadsheets software"]],
            )
        # Written as the code of that schema wrote it: today's importer knows newer columns.
        with store.write():
            demand_id = (
                store.db["demand"]
                .insert(
                    {
                        "source": "test",
                        "source_ref": "A",
                        "employer": "Employer A",
                        "job_title": "Job A",
                        "local_authority": LIVERPOOL,
                        "vacancies": 1,
                        "posted_date": "2026-01-05",
                        "content_hash": "x",
                        "created_at": "2026-01-05",
                        "updated_at": "2026-01-05",
                    }
                )
                .last_pk
            )
            store.db["demand_skills"].insert_all(
                {
                    "demand_id": demand_id,
                    "skill_id": ids[label],
                    "importance": importance,
                    "method": "provided",
                }
                for label, importance in (
                    ("use spreadsheets software", "essential"),
                    ("create CAD drawings", "optional"),
                )
            )
        applied = store.migrate()
        assert applied[:2] == ["m005_demand_level_counts", "m006_demand_skill_cells"]
        assert consistent(store) and stored_cells(store)
        assert all(counts != (0, 0) for counts in stored(store).values())
