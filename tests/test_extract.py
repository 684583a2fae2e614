"""Extraction v2: ranked skills with evidence, sections and flags; caching, privacy, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from skills_match.errors import ConfigurationError, InvalidInput
from skills_match.extract import (
    EXTRACTOR_VERSION,
    MAX_TEXT_CHARS,
    MODEL_FILES,
    ExtractedSkill,
    Extractor,
    check_text,
    load_extractor_model,
)
from skills_match.store.courses import SkillLink
from tests.test_skillspace import PYTHON, engine, skill_id, skills_db  # noqa: F401

ADVERT = """Data Analyst, Band 5

Main duties of the job
You will build Power BI dashboards for senior managers and write SQL queries.

Person specification
Essential
- Advanced Excel, including pivot tables
Desirable
- Experience of Python would be an advantage

How to apply
Please email us at jobs@example.nhs.uk or call 0151 555 0100.

We are an equal opportunities employer and welcome applications from all.
"""


def by_label(found: list[ExtractedSkill]) -> dict[str, ExtractedSkill]:
    return {s.label: s for s in found}


def vector_rows(engine) -> int:  # noqa: F811
    return engine.store.vector_count(engine.encoder.name)


def test_the_answer_is_ranked_each_skill_once_with_its_evidence(engine):  # noqa: F811
    found = engine.extractor.extract(ADVERT)
    assert found, "an analyst advert names skills"
    assert [s.rank for s in found] == list(range(1, len(found) + 1))
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert len({s.skill_id for s in found}) == len(found)
    for s in found:
        assert ADVERT[s.start : s.end] == s.text
        assert s.score >= engine.extractor.min_score
        assert not s.skill_id.startswith("eds-")


def test_tools_people_write_are_found_as_written(engine):  # noqa: F811
    found = engine.extractor.extract(ADVERT)
    texts = {s.text for s in found}
    assert "Power BI" in texts
    assert "SQL" in texts
    power_bi = next(s for s in found if s.text == "Power BI")
    assert power_bi.method == "alias" and power_bi.is_digital
    assert power_bi.section == "duties"


def test_boilerplate_yields_no_skills_and_is_reported_as_skipped(engine):  # noqa: F811
    found = engine.extractor.analyse(ADVERT)
    apply_at = ADVERT.index("How to apply")
    assert all(s.start < apply_at for s in found.skills), [s.text for s in found.skills]
    skipped = [s for s in found.sections if s["skipped"]]
    assert skipped and any(s["section"] in ("apply", "contact") for s in skipped)


def test_desirable_and_negated_skills_carry_their_flags(engine):  # noqa: F811
    found = engine.extractor.extract(ADVERT)
    python = by_label(found)[PYTHON]
    assert python.requirement == "desirable" and not python.negated
    negated = engine.extractor.extract("No experience of Python needed - we will train you.")
    assert by_label(negated)[PYTHON].negated


def test_links_skip_negated_skills_and_mark_desirable_ones_optional(engine):  # noqa: F811
    advert, no_python = engine.extractor.link(
        [ADVERT, "No experience of Python needed - we will train you. Use Excel daily."]
    )
    python = skill_id(engine.store, PYTHON)
    by_id = {link.skill_id: link for link in advert}
    assert by_id[python].importance == "optional"
    assert all(isinstance(link, SkillLink) for link in advert)
    if "extractor" in SkillLink.__dataclass_fields__:
        assert {link.extractor for link in advert} == {EXTRACTOR_VERSION}
    assert python not in {link.skill_id for link in no_python}
    assert no_python, "the Excel sentence still yields a link"


def test_top_k_and_min_score_shape_the_ranked_list(engine):  # noqa: F811
    extractor = engine.extractor
    default = extractor.extract(ADVERT)
    everything = extractor.extract(ADVERT, min_score=0.0)
    assert len(everything) > len(default)
    assert [s.skill_id for s in everything[: len(default)]] == [s.skill_id for s in default]
    top3 = extractor.extract(ADVERT, top_k=3, min_score=0.0)
    assert [s.skill_id for s in top3] == [s.skill_id for s in everything[:3]]
    strict = extractor.extract(ADVERT, min_score=0.99)
    assert all(s.score >= 0.99 for s in strict)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"top_k": 0}, "top_k"),
        ({"min_score": 1.5}, "min_score"),
        ({"min_score": -0.1}, "min_score"),
    ],
)
def test_bad_cut_offs_are_refused(engine, kwargs, message):  # noqa: F811
    with pytest.raises(InvalidInput, match=message):
        engine.extractor.extract("Python", **kwargs)


def test_eds_areas_are_reported_apart_from_skills(engine):  # noqa: F811
    text = "On this course you will learn to send emails and make video calls to family."
    found = engine.extractor.analyse(text, min_score=0.0)
    assert not any(s.skill_id.startswith("eds-") for s in found.skills)
    assert all(a["skill_id"].startswith("eds-") for a in found.eds_areas)
    assert "eds-2018:communicating" in {a["skill_id"] for a in found.eds_areas}


def test_level_comes_from_the_taxonomy(engine):  # noqa: F811
    store = engine.store
    python = skill_id(store, PYTHON)
    before = store.skill_levels([python])[python]
    with store.write():
        store.db.execute("UPDATE skills SET level = 'specialist' WHERE id = ?", [python])
    try:
        found = by_label(engine.extractor.extract("Strong Python programming skills."))
        assert found[PYTHON].level == "specialist"
    finally:
        with store.write():
            store.db.execute("UPDATE skills SET level = ? WHERE id = ?", [before, python])


def test_no_text_is_embedded_twice(engine):  # noqa: F811
    text = "Able to configure zebra-stripe widget dashboards for quokka farms"
    engine.extractor.extract(text)
    before = engine.cache.encoded
    engine.extractor.extract(text)
    engine.extractor.extract_many([text, text])
    assert engine.cache.encoded == before


def test_a_persons_text_is_not_stored(engine):  # noqa: F811
    before = vector_rows(engine)
    engine.extractor.extract("I once built a spreadsheet of my allotment's marrow yields")
    assert vector_rows(engine) == before


def test_catalogue_text_is_linked_and_its_vectors_stored(engine):  # noqa: F811
    before = vector_rows(engine)
    texts = ["Intro to spreadsheets for allotment society treasurers", "", "Python"]
    links = engine.extractor.link(texts)
    assert len(links) == 3 and links[1] == []
    assert links[0] and links[2]
    assert links[2][0].evidence == "Python"
    assert links[2][0].level is None  # the taxonomy's current level applies when read
    assert vector_rows(engine) > before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("x" * 1_000_000, "at most 100,000"),
        (b"caf\xe9 skills", "not UTF-8"),
        ("half a surrogate \udc80", "not valid Unicode"),
        (42, "must be a string"),
        (None, "must be a string"),
        (["Python"], "must be a string"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(engine, text, message):  # noqa: F811
    before = vector_rows(engine)
    with pytest.raises(InvalidInput, match=message):
        engine.extractor.extract(text)
    assert vector_rows(engine) == before


def test_text_at_the_cap_is_accepted_and_utf8_bytes_are_decoded():
    assert len(check_text("y" * MAX_TEXT_CHARS)) == MAX_TEXT_CHARS
    assert check_text("café".encode()) == "café"


def test_a_missing_model_names_the_command_that_rebuilds_it(engine, tmp_path: Path):  # noqa: F811
    source = Path(engine.settings.models_dir)
    for name in MODEL_FILES[1:]:
        shutil.copy(source / name, tmp_path / name)
    with pytest.raises(ConfigurationError, match=r"train_extractor\.py"):
        load_extractor_model(tmp_path)
    with pytest.raises(ConfigurationError, match=r"extractor_adapter\.npz"):
        Extractor(engine.store, engine.space, engine.cache, models_dir=tmp_path)


def test_a_tampered_scorer_is_refused(engine, tmp_path: Path):  # noqa: F811
    source = Path(engine.settings.models_dir)
    for name in MODEL_FILES:
        shutil.copy(source / name, tmp_path / name)
    with (tmp_path / "extractor_scorer.joblib").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ConfigurationError, match="sha256"):
        load_extractor_model(tmp_path)


def test_cli_extract_prints_the_ranked_table_or_json_lines(skills_db):  # noqa: F811
    from skills_match.cli import main

    runner = CliRunner()
    args = ["--database", str(skills_db), "extract"]
    table = runner.invoke(main, args, input=ADVERT)
    assert table.exit_code == 0, table.output
    assert "'Power BI' ->" in table.output
    assert "desirable" in table.output
    lines = runner.invoke(main, [*args, "--format", "json", "--top-k", "3", "-"], input=ADVERT)
    assert lines.exit_code == 0, lines.output
    found = [json.loads(line) for line in lines.output.splitlines()]
    assert [s["rank"] for s in found] == [1, 2, 3]
    assert {"section", "requirement", "negated"} <= set(found[0])


@pytest.mark.parametrize(
    ("data", "args", "message"),
    [
        (b"  \n", [], "empty"),
        (b"\xff\xfe bad", [], "not UTF-8"),
        (b"Python", ["--top-k", "0"], "top-k"),
        (b"Python", ["--min-score", "2"], "min-score"),
    ],
)
def test_cli_extract_refuses_bad_input(skills_db, data, args, message):  # noqa: F811
    from skills_match.cli import main

    result = CliRunner().invoke(main, ["--database", str(skills_db), "extract", *args], input=data)
    assert result.exit_code != 0
    assert message in result.output
