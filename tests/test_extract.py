"""Skill extraction: label and semantic matches with spans, caching, privacy, bad input."""

from __future__ import annotations

import pytest

from skills_match.errors import InvalidInput
from skills_match.extract import DEFAULT_THRESHOLD, MAX_TEXT_CHARS, ExtractedSkill, check_text
from skills_match.store.courses import SkillLink
from tests.test_skillspace import PYTHON, SPREADSHEETS, engine, skill_id, skills_db  # noqa: F401

ADVERT = "Experience with MS Excel and Python; able to stay safe online"


def by_label(found: list[ExtractedSkill]) -> dict[str, ExtractedSkill]:
    return {s.label: s for s in found}


def vector_rows(engine) -> int:  # noqa: F811
    return engine.store.vector_count(engine.encoder.name)


def test_exact_and_semantic_matches_carry_their_spans(engine):  # noqa: F811
    found = by_label(engine.extractor.extract(ADVERT))
    python = found[PYTHON]
    assert (python.method, python.text, python.score) == ("exact", "Python", 1.0)
    assert ADVERT[python.start : python.end] == "Python"
    assert python.is_digital

    excel = found[SPREADSHEETS]
    assert excel.method == "semantic"
    assert excel.text == "MS Excel"
    assert ADVERT[excel.start : excel.end] == "MS Excel"
    assert excel.score >= DEFAULT_THRESHOLD

    safety = [s for s in found.values() if s.text == "stay safe online"]
    assert safety and all(s.method == "exact" and s.is_digital for s in safety)


def test_each_skill_is_reported_once_in_order_of_appearance(engine):  # noqa: F811
    found = engine.extractor.extract("Python developer. We use Python daily, python too.")
    ids = [s.skill_id for s in found]
    assert len(ids) == len(set(ids))
    python = by_label(found)[PYTHON]
    assert python.start == 0 and python.method == "exact"
    assert [s.start for s in found] == sorted(s.start for s in found)


def test_normalised_match_reads_ampersand_plurals_and_brackets(engine):  # noqa: F811
    found = by_label(engine.extractor.extract("Knowledge of health & safety and of spreadsheet."))
    assert found["health and safety in the workplace"].method == "normalised"
    assert found["health and safety in the workplace"].text == "health & safety"


def test_short_acronym_labels_match_only_as_written(engine):  # noqa: F811
    found = {s.text for s in engine.extractor.extract("We use R and SQL. Try it, or re-try.")}
    assert {"R", "SQL"} <= found
    assert not {"Try", "try", "re"} & found


def test_level_comes_from_the_taxonomy(engine):  # noqa: F811
    store = engine.store
    python = skill_id(store, PYTHON)
    before = store.skill_levels([python])[python]
    with store.write():
        store.db.execute("UPDATE skills SET level = 'specialist' WHERE id = ?", [python])
    try:
        assert by_label(engine.extractor.extract("Python"))[PYTHON].level == "specialist"
    finally:
        with store.write():
            store.db.execute("UPDATE skills SET level = ? WHERE id = ?", [before, python])


def test_non_digital_skills_are_found_for_fusion_roles(engine):  # noqa: F811
    found = engine.extractor.extract("Care worker: administer medication and use e-mail.")
    assert any(not s.is_digital for s in found)
    assert any(s.is_digital for s in found)


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
    assert all(isinstance(link, SkillLink) for link in links[0] + links[2])
    assert [link.method for link in links[2]] == ["exact"]
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


def test_cli_extract_prints_a_table_or_json_lines(skills_db):  # noqa: F811
    import json

    from click.testing import CliRunner

    from skills_match.cli import main

    runner = CliRunner()
    args = ["--database", str(skills_db), "extract"]
    table = runner.invoke(main, args, input=ADVERT)
    assert table.exit_code == 0, table.output
    assert "'Python' -> Python (computer programming)" in table.output
    lines = runner.invoke(main, [*args, "--format", "json", "-"], input=ADVERT)
    assert lines.exit_code == 0, lines.output
    found = [json.loads(line) for line in lines.output.splitlines()]
    assert {"Python", "MS Excel"} <= {s["text"] for s in found}


@pytest.mark.parametrize(("data", "message"), [(b"  \n", "empty"), (b"\xff\xfe bad", "not UTF-8")])
def test_cli_extract_refuses_bad_input(skills_db, data, message):  # noqa: F811
    from click.testing import CliRunner

    from skills_match.cli import main

    result = CliRunner().invoke(main, ["--database", str(skills_db), "extract"], input=data)
    assert result.exit_code == 1
    assert message in result.output
