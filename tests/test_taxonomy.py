"""The level rule, clause by clause on hand-made rows and on the real ESCO data; overrides."""

from __future__ import annotations

from typing import Any

import pytest

from skills_match.errors import InvalidInput, NotFound
from skills_match.schemas import LEVELS
from skills_match.taxonomy import (
    CLAUSES,
    OccupationStats,
    build_taxonomy,
    list_overrides,
    remove_override,
    rule_level,
    set_override,
)
from tests.factories import skill_id

# -- the rule as a pure function, one hand-made row per clause ------------------------------


def row(**values: Any) -> dict[str, Any]:
    """A cross-sector ESCO digital skill with no evidence yet; override what a test needs."""
    base: dict[str, Any] = {
        "id": "x",
        "label": "x",
        "source": "esco",
        "skill_type": "skill/competence",
        "reuse_level": "cross-sector",
        "is_digital": 1,
        "in_digcomp": 0,
        "is_transversal": 0,
        "in_eds": 0,
        "broader_labels": "",
        "hierarchy_codes": "",
        "ict_occupations": 0,
        "non_ict_occupations": 0,
    }
    base.update(values)
    return base


def groups(digits: str) -> OccupationStats:
    return OccupationStats(frozenset(digits))


CASES = [
    # (clause, expected level, row, stats)
    ("R1", None, row(is_digital=0), None),
    ("R2", "essential", row(source="eds-2019", id="eds-2019:transacting"), None),
    ("R3", "essential", row(in_digcomp=1, hierarchy_codes="S5.2.2 | S3.3.6"), None),
    ("R3", "essential", row(in_digcomp=1, is_digital=0, skill_type=None, reuse_level=None), None),
    ("R4", "essential", row(reuse_level="transversal", in_eds=1), None),
    ("R4", "essential", row(is_transversal=1, in_eds=1), None),
    ("R5", "specialist", row(ict_occupations=35, non_ict_occupations=16), None),
    ("R5", "specialist", row(ict_occupations=1, non_ict_occupations=1), None),
    # A DigComp concept filed as software-development knowledge is judged on its evidence.
    (
        "R5",
        "specialist",
        row(
            in_digcomp=1,
            skill_type="knowledge",
            hierarchy_codes="K0613 | S5.6.1",
            ict_occupations=39,
            non_ict_occupations=18,
        ),
        None,
    ),
    (
        "R6",
        "specialist",
        row(hierarchy_codes="K0612", ict_occupations=2, non_ict_occupations=8),
        groups("12"),
    ),
    (
        "R6",
        "specialist",
        row(hierarchy_codes="S5.1.0", ict_occupations=12, non_ict_occupations=13),
        groups("237"),
    ),
    ("R7", "fusion", row(reuse_level="sector-specific", non_ict_occupations=5), groups("2")),
    ("R7", "fusion", row(reuse_level="occupation-specific", non_ict_occupations=1), None),
    ("R8", "general", row(non_ict_occupations=40), groups("1234579")),
    ("R9", "general", row(hierarchy_codes="S5.6.2 | T1.3", non_ict_occupations=9), groups("234")),
    # ESCO v1.2.0's transversal digital skills carry no hierarchy code, only their group.
    (
        "R9",
        "general",
        row(
            reuse_level="transversal",
            broader_labels="working with digital devices and applications",
        ),
        None,
    ),
    (
        "R10",
        "fusion",
        row(skill_type="knowledge", hierarchy_codes="K0914", non_ict_occupations=31),
        groups("12345"),
    ),
    (
        "R11",
        "fusion",
        row(hierarchy_codes="S5.6.3", non_ict_occupations=137, ict_occupations=1),
        groups("237"),
    ),
    (
        "R12",
        "general",
        row(hierarchy_codes="S5.6.1", non_ict_occupations=26, ict_occupations=3),
        groups("12345"),
    ),
    ("R13", "fusion", row(hierarchy_codes="S5.0.0", non_ict_occupations=7), groups("1489")),
    ("R14", None, row(), None),
    ("R14", None, row(), OccupationStats()),
]


@pytest.mark.parametrize(("clause", "level", "skill", "stats"), CASES)
def test_each_clause_of_the_rule(clause, level, skill, stats):
    decision = rule_level(skill, stats)
    assert (decision.clause, decision.level) == (clause, level)
    assert decision.reason.startswith(f"{clause}:")


def test_every_clause_is_exercised_and_documented():
    assert {c for c, *_ in CASES} == {c for c, _ in CLAUSES}
    import skills_match.taxonomy as taxonomy

    for clause, _ in CLAUSES:
        assert f"\n{clause} " in taxonomy.__doc__


def test_clauses_apply_in_order():
    # Mostly ICT occupations beats sector-specific: a sector's ICT skill is specialist.
    assert (
        rule_level(
            row(reuse_level="sector-specific", ict_occupations=8, non_ict_occupations=2)
        ).clause
        == "R5"
    )
    # Below a fifth ICT, an ICT-craft code does not make a skill specialist.
    decision = rule_level(
        row(
            hierarchy_codes="K0613",
            skill_type="knowledge",
            ict_occupations=1,
            non_ict_occupations=108,
        ),
        groups("2378"),
    )
    assert (decision.clause, decision.level) == ("R13", "fusion")
    # Breadth beats a non-ICT field code: knowledge used in nearly every kind of work.
    decision = rule_level(
        row(skill_type="knowledge", hierarchy_codes="K0714", non_ict_occupations=31),
        groups("1234579"),
    )
    assert (decision.clause, decision.level) == ("R8", "general")


def test_the_armed_forces_group_does_not_count_towards_breadth():
    decision = rule_level(row(hierarchy_codes="S5.5.2", non_ict_occupations=9), groups("01234"))
    assert (decision.clause, decision.level) == ("R13", "fusion")
    assert rule_level(row(non_ict_occupations=9), groups("012345")).clause == "R12"


def test_a_transversal_skill_outside_the_eds_standard_is_not_essential():
    # ESCO files basic programming beside web search and e-mail; the EDS standard does not.
    devices = "working with digital devices and applications"
    outside = row(reuse_level="transversal", is_transversal=1, broader_labels=devices)
    assert (rule_level(outside).clause, rule_level(outside).level) == ("R9", "general")
    assert rule_level(row(reuse_level="transversal", is_transversal=1)).clause == "R14"
    assert rule_level({**outside, "in_eds": 1}).level == "essential"


def test_without_occupation_stats_breadth_clauses_are_skipped():
    assert rule_level(row(non_ict_occupations=40)).clause == "R14"
    assert rule_level(row(non_ict_occupations=40), groups("1234579")).clause == "R8"


def test_reasons_carry_the_evidence():
    reason = rule_level(row(ict_occupations=35, non_ict_occupations=16)).reason
    assert "35 of 51" in reason and "→ specialist" in reason


# -- the rule on the real reference data ------------------------------------------------------

NAMED = [
    ("use spreadsheets software", "general"),
    ("use word processing software", "general"),
    ("use presentation software", "general"),
    ("use customer relationship management software", "general"),
    ("Python (computer programming)", "specialist"),
    ("computer programming", "specialist"),
    ("cloud technologies", "specialist"),
    ("use CAD software", "fusion"),
    ("CAD software", "fusion"),
    ("use CAM software", "fusion"),
    ("use a warehouse management system", "fusion"),
    ("health informatics", "fusion"),
    ("medical informatics", "fusion"),
    ("digital marketing techniques", "fusion"),
    # Online safety, e-mail (an alt label of both), and ESCO's transversal digital skills.
    ("protect personal data and privacy", "essential"),
    ("protect ICT devices", "essential"),
    ("interact through digital technologies", "essential"),
    ("use communication and collaboration software", "essential"),
    ("conduct web searches", "essential"),
    ("apply digital security measures", "essential"),
    # Transversal in ESCO, but outside the Essential Digital Skills standard.
    ("apply basic programming skills", "general"),
]


@pytest.mark.parametrize(("label", "level"), NAMED)
def test_named_examples(reference_store, label, level):
    skill = reference_store.skill(skill_id(reference_store, label))
    assert (skill["level"], skill["level_source"]) == (level, "rule")
    assert skill["level_reason"]


def test_email_and_online_safety_labels_belong_to_essential_skills(reference_store):
    # ("use e-mail software and services" also names a v1.1.1-only skill outside the collection.)
    for alt in ("use e-mail software and services", "stay safe online", "send emails"):
        levels = {
            r[0]
            for r in reference_store.db.execute(
                "SELECT s.level FROM skill_labels l JOIN skills s ON s.id = l.skill_id "
                "WHERE l.label = ? AND (s.is_digital = 1 OR s.in_digcomp = 1)",
                [alt],
            )
        }
        assert levels == {"essential"}, alt


def test_every_eds_area_is_essential(reference_store):
    rows = reference_store.db.execute(
        "SELECT source, level FROM skills WHERE source IN ('eds-2018', 'eds-2019')"
    ).fetchall()
    assert len(rows) == 11
    assert {level for _, level in rows} == {"essential"}


def test_every_digital_skill_has_a_level_and_no_other_skill_does(reference_store):
    one = reference_store.db.execute
    assert (
        one(
            "SELECT count(*) FROM skills WHERE (is_digital = 1 OR in_digcomp = 1) AND level IS NULL"
        ).fetchone()[0]
        == 0
    )
    assert (
        one(
            "SELECT count(*) FROM skills WHERE is_digital = 0 AND in_digcomp = 0 "
            "AND level IS NOT NULL"
        ).fetchone()[0]
        == 0
    )
    # ESCO v1.2.0: 1,284 digital skills, 5 DigComp areas outside that collection, 11 EDS areas.
    assert one("SELECT count(*) FROM skills WHERE level IS NOT NULL").fetchone()[0] == 1300


def test_distribution_covers_every_level(reference_store):
    report = build_taxonomy(reference_store, classifier=None)
    assert report.total == 1300
    assert report.changed == 0  # init already built it: a rebuild is a no-op
    for level in LEVELS:
        assert sum(n for (lv, _), n in report.levels.items() if lv == level) > 0
    assert sum(report.clauses.values()) == 1300
    table = report.table()
    assert "| essential |" in table and "| **all** | 1,300 |" in table


# -- overrides ------------------------------------------------------------------------------


def test_an_override_wins_and_survives_a_rebuild(reference_store):
    sid = skill_id(reference_store, "use spreadsheets software")
    override = set_override(reference_store, sid, "essential", "adviser@lcr", "EDS Level 1")
    assert override["changed_by"] == "adviser@lcr"
    skill = reference_store.skill(sid)
    assert (skill["level"], skill["level_source"]) == ("essential", "override")
    assert "adviser@lcr" in skill["level_reason"] and "EDS Level 1" in skill["level_reason"]

    report = build_taxonomy(reference_store, classifier=None)
    assert report.overrides == 1 and report.changed == 0
    assert reference_store.skill(sid)["level"] == "essential"
    assert [o["skill_id"] for o in list_overrides(reference_store)] == [sid]

    restored = remove_override(reference_store, sid, changed_by="adviser@lcr")
    assert (restored["level"], restored["level_source"]) == ("general", "rule")
    assert list_overrides(reference_store) == []
    actions = [r[0] for r in reference_store.db.execute("SELECT action FROM audit_log")]
    assert actions == ["set-level", "clear-level"]


def test_an_override_survives_re_running_init(reference_db, tmp_path):
    from skills_match.bootstrap import initialise
    from skills_match.config import Settings
    from skills_match.store import Store
    from tests.conftest import copy_database

    path = copy_database(reference_db, tmp_path / "init.db")
    with Store(path) as store:
        sid = skill_id(store, "use CAD software")
        set_override(store, sid, "specialist", "partnership", "CAD course for engineers")
    result = initialise(Settings.from_env(database=str(path)), seed=False)
    assert result["taxonomy"].overrides == 1
    with Store(path) as store:
        skill = store.skill(sid)
        assert (skill["level"], skill["level_source"]) == ("specialist", "override")


def test_an_override_can_level_a_skill_outside_the_digital_collection(reference_store):
    sid = skill_id(reference_store, "execute email marketing")
    assert reference_store.skill(sid)["level"] is None
    set_override(reference_store, sid, "fusion", "partnership")
    build_taxonomy(reference_store, classifier=None)
    assert reference_store.skill(sid)["level"] == "fusion"
    remove_override(reference_store, sid)
    assert reference_store.skill(sid)["level"] is None


def _state(store) -> tuple:
    return (
        store.db.execute("SELECT * FROM level_overrides").fetchall(),
        store.db.execute("SELECT id, level, level_source, level_reason FROM skills").fetchall(),
        store.db.execute("SELECT count(*) FROM audit_log").fetchone(),
    )


@pytest.mark.parametrize(
    ("skill", "level", "by", "error", "field"),
    [
        ("use spreadsheets software", "expert", "me", InvalidInput, "level"),
        ("use spreadsheets software", "", "me", InvalidInput, "level"),
        ("use spreadsheets software", "general", "  ", InvalidInput, "changed_by"),
        ("use spreadsheets software", "general", "x" * 101, InvalidInput, "changed_by"),
        (None, "general", "me", NotFound, None),
    ],
)
def test_bad_override_input_changes_nothing(reference_store, skill, level, by, error, field):
    sid = skill_id(reference_store, skill) if skill else "no-such-skill"
    before = _state(reference_store)
    with pytest.raises(error) as caught:
        set_override(reference_store, sid, level, by)
    if field:
        assert field in caught.value.errors
    assert _state(reference_store) == before


def test_too_long_a_reason_is_refused(reference_store):
    sid = skill_id(reference_store, "use spreadsheets software")
    with pytest.raises(InvalidInput) as caught:
        set_override(reference_store, sid, "general", "me", "x" * 501)
    assert "reason" in caught.value.errors


def test_clearing_a_skill_without_override_is_not_found_and_changes_nothing(reference_store):
    before = _state(reference_store)
    with pytest.raises(NotFound):
        remove_override(reference_store, skill_id(reference_store, "use CAD software"))
    with pytest.raises(NotFound):
        remove_override(reference_store, "no-such-skill")
    assert _state(reference_store) == before


def test_level_names_are_case_insensitive(reference_store):
    sid = skill_id(reference_store, "use CAD software")
    assert set_override(reference_store, sid, " Specialist ", "me")["level"] == "specialist"


# -- the model step -------------------------------------------------------------------------


def test_undecided_skills_take_the_classifier_level_and_overrides_still_win(reference_store):
    # Make two digital skills undecidable: no occupations, no codes, cross-sector.
    cad = skill_id(reference_store, "use CAD software")
    sheets = skill_id(reference_store, "use spreadsheets software")
    with reference_store.write():
        reference_store.db.execute(
            "UPDATE skills SET hierarchy_codes = '', ict_occupations = 0, "
            "non_ict_occupations = 0 WHERE id IN (?, ?)",
            [cad, sheets],
        )
        reference_store.db.execute(
            "DELETE FROM occupation_skills WHERE skill_id IN (?, ?)", [cad, sheets]
        )
    set_override(reference_store, sheets, "general", "me")
    seen: list[list[str]] = []

    def classifier(labels: list[str]) -> list[str]:
        seen.append(labels)
        return ["specialist"] * len(labels)

    report = build_taxonomy(reference_store, classifier=classifier)
    assert report.undecided == 2
    assert seen == [["use CAD software"]]  # an overridden skill is never sent to the model
    cad_row = reference_store.skill(cad)
    assert (cad_row["level"], cad_row["level_source"]) == ("specialist", "model")
    assert reference_store.skill(sheets)["level_source"] == "override"
    assert report.levels[("specialist", "model")] == 1

    # With no model, the undecided skill is left unlevelled, and said so.
    report = build_taxonomy(reference_store, classifier=None)
    assert report.unlevelled == 1 and reference_store.skill(cad)["level"] is None


# -- the command line -------------------------------------------------------------------------


def test_cli_build_set_clear_and_list(reference_db, tmp_path):
    from click.testing import CliRunner

    from skills_match.cli import main
    from skills_match.store import Store
    from tests.conftest import copy_database

    path = copy_database(reference_db, tmp_path / "cli.db")

    def run(*args: str):
        return CliRunner().invoke(main, ["--database", str(path), *args], catch_exceptions=False)

    result = run("build-taxonomy")
    assert result.exit_code == 0, result.output
    assert "| **all** | 1,300 |" in result.output and "| R5 |" in result.output
    assert "0 changed" in result.output

    with Store(path) as store:
        sid = skill_id(store, "use CAD software")
    result = run("set-level", sid, "specialist", "--by", "Ann Adviser", "--reason", "CAD course")
    assert result.exit_code == 0 and "specialist (override)" in result.output
    assert "Ann Adviser" in run("list-level-overrides").output
    assert "1 by override" in run("build-taxonomy").output

    bad = run("set-level", sid, "expert", "--by", "Ann Adviser")
    assert bad.exit_code == 1 and "level" in bad.output
    assert run("set-level", "no-such-skill", "general", "--by", "Ann").exit_code == 1
    assert run("set-level", sid, "general").exit_code == 2  # --by is required

    result = run("clear-level", sid)
    assert result.exit_code == 0 and "fusion (rule)" in result.output
    assert run("clear-level", sid).exit_code == 1  # nothing left to clear
    assert "No level overrides." in run("list-level-overrides").output
