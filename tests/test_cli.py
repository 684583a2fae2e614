"""The command line, as an operator uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from skills_match.cli import main
from skills_match.store import Store

from .conftest import copy_database
from .factories import add_provider, course
from .test_import import dump


@pytest.fixture
def cli_db(reference_db, tmp_path):
    path = copy_database(reference_db, tmp_path / "cli.db")
    with Store(path) as store:
        add_provider(store)
    return path


def run(db, *args):
    return CliRunner().invoke(main, ["--database", str(db), *args], catch_exceptions=False)


def write_courses(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_import_courses_bad_row_rejects_file_and_changes_nothing(cli_db, tmp_path):
    rows = [dict(course(f"C-{i}"), provider_ukprn="10000001") for i in range(20)]
    rows[11]["delivery_mode"] = "telepathy"
    file = write_courses(tmp_path / "courses.jsonl", rows)
    with Store(cli_db) as store:
        before = dump(store)
    result = run(cli_db, "import-courses", str(file))
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert "row 12: delivery_mode: Must be one of" in result.output
    with Store(cli_db) as store:
        assert dump(store) == before


def test_import_courses_good_file_twice_changes_nothing_the_second_time(cli_db, tmp_path):
    file = write_courses(tmp_path / "courses.jsonl", [course(f"C-{i}") for i in range(20)])
    first = run(cli_db, "import-courses", str(file), "--provider", "10000001")
    assert first.exit_code == 0, first.output
    assert "20 new, 0 updated, 0 unchanged" in first.output
    with Store(cli_db) as store:
        before = dump(store)
    second = run(cli_db, "import-courses", str(file), "--provider", "10000001")
    assert "0 new, 0 updated, 20 unchanged" in second.output
    with Store(cli_db) as store:
        assert dump(store) == before


def test_import_courses_unknown_provider_option(cli_db, tmp_path):
    file = write_courses(tmp_path / "c.jsonl", [course()])
    result = CliRunner().invoke(
        main, ["--database", str(cli_db), "import-courses", str(file), "--provider", "19999999"]
    )
    assert result.exit_code == 2
    assert "No provider with UKPRN 19999999" in result.output


def test_import_demand_dry_run(cli_db, tmp_path):
    from .factories import demand

    file = tmp_path / "demand.json"
    file.write_text(json.dumps([demand("D-1"), demand("D-2")]), encoding="utf-8")
    result = run(cli_db, "import-demand", str(file), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would import 2 row(s): 2 new" in result.output
    with Store(cli_db) as store:
        assert store.counts()["demand_records"] == 0


def test_init_is_safe_to_rerun(seeded_db, tmp_path):
    """`init` on an already initialised database applies nothing and changes no record."""
    path = copy_database(seeded_db, tmp_path / "again.db")
    with Store(path) as store:
        before = dump(store)
        counts = store.counts()
    result = run(path, "init")
    assert result.exit_code == 0, result.output
    assert "0 migration(s) applied" in result.output
    with Store(path) as store:
        assert store.counts() == counts
        assert dump(store) == before


def test_init_can_leave_out_seed_demand_and_remove_seed_takes_it_out(reference_db, tmp_path):
    path = copy_database(reference_db, tmp_path / "no-demand.db")
    result = run(path, "init", "--no-seed-demand")
    assert result.exit_code == 0, result.output
    with Store(path) as store:
        assert store.counts()["demand_records"] == 0
        assert store.counts()["courses"] > 0
        store.db["demand"].insert(
            {
                "source": "feed",
                "source_ref": "R-1",
                "job_title": "Data analyst",
                "local_authority": "E08000012",
                "vacancies": 1,
                "posted_date": "2026-11-02",
                "content_hash": "x",
                "created_at": "2026-11-02",
                "updated_at": "2026-11-02",
            }
        )
    result = run(path, "remove-seed", "--no-demand")
    assert result.exit_code == 0, result.output
    assert "courses" in result.output
    with Store(path) as store:
        assert store.counts()["courses"] == 0
        # A real (imported) record is never seed data.
        assert store.counts()["demand_records"] == 1


def test_import_demand_reads_a_feed_with_a_mapping_and_lists_what_it_left_out(cli_db, tmp_path):
    feeds = Path(__file__).parent / "data" / "feeds"
    result = run(
        cli_db,
        "import-demand",
        str(feeds / "board_export.csv"),
        "--map-file",
        str(feeds / "board_export.map"),
        "--map",
        "town=Town",
        "--source",
        "board",
    )
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output
    result = run(cli_db, "import-demand", str(feeds / "find_a_job.jsonl"))
    assert result.exit_code == 0, result.output
    assert "1 repost(s) of another advert" in result.output
    assert "row 7 (FAJ-7716004): 'Newport' names the authority" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Title,When\nAnalyst,yesterday\n", encoding="utf-8")
    result = run(
        cli_db, "import-demand", str(bad), "--map", "job_title=Title", "--map", "posted_date=When"
    )
    assert result.exit_code == 1
    assert (
        "posted_date: Not a valid date. (received 'yesterday'); expected an ISO 8601"
        in result.output
    )


def test_help_imports_nothing_heavy():
    """`skills-match --help` loads neither the store, the importer nor numpy/the model."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from skills_match.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('numpy', 'sqlite_utils', 'marshmallow', 'torch', 'onnxruntime', 'flask',"
        " 'sentence_transformers', 'rapidfuzz')\n"
        "print('heavy:', ','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "heavy: "


def test_a_first_seeded_init_prints_one_key_per_role_once(reference_db, tmp_path):
    import re

    from skills_match.apikeys import authenticate
    from skills_match.config import Settings

    path = copy_database(reference_db, tmp_path / "first.db")
    result = run(path, "init", "--no-seed-demand")
    assert result.exit_code == 0, result.output
    printed = dict(re.findall(r"^  (\w+) +(smk_\S+)", result.output, flags=re.M))
    assert sorted(printed) == ["admin", "adviser", "partnership", "provider"]
    seed_file = Path(__file__).parents[1] / "data" / "seed" / "providers.json"
    seed_provider = json.loads(seed_file.read_text("utf-8"))[0]
    assert f"UKPRN {seed_provider['ukprn']}" in result.output
    pepper = Settings.from_env().api_key_pepper
    with Store(path) as store:
        for role, key in printed.items():
            identity = authenticate(store, pepper, key)
            assert identity is not None and identity.role == role
        provider = authenticate(store, pepper, printed["provider"])
        assert store.provider(provider.provider_id)["ukprn"] == seed_provider["ukprn"]
    # Re-running issues no more keys and prints none.
    again = run(path, "init", "--no-seed-demand")
    assert "smk_" not in again.output
    with Store(path) as store:
        assert len(store.keys()) == 4
    # Going live: remove-seed revokes them with the seed records.
    run(path, "remove-seed")
    with Store(path) as store:
        assert all(authenticate(store, pepper, key) is None for key in printed.values())
