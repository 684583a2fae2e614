"""The matcher over the seed catalogue: gap, constraints, levels, explanations, determinism.

One private copy of the seeded database, one engine and one fitted matcher serve the whole
module (the tests only read); tests that change the catalogue make their own copy.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import sparse

from skills_match.config import Settings
from skills_match.errors import InvalidInput
from skills_match.matcher import (
    PERSON_THRESHOLD,
    Matcher,
    _max_credit,
    load_request,
    render_text,
)
from skills_match.schemas import QUALIFICATION_LEVELS
from skills_match.store import Store
from tests.conftest import copy_database
from tests.factories import LIVERPOOL, PYTHON, SPREADSHEETS, skill_id

AS_OF = date(2026, 1, 5)


@pytest.fixture(scope="module")
def match_db(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the seeded database for this module's read-only tests."""
    return copy_database(seeded_db, tmp_path_factory.mktemp("matcher") / "match.db")


@pytest.fixture(scope="module")
def settings(match_db: Path) -> Settings:
    return Settings.from_env(database=str(match_db))


@pytest.fixture(scope="module")
def mstore(match_db: Path):
    with Store(match_db) as s:
        yield s


@pytest.fixture(scope="module")
def matcher(settings: Settings, mstore: Store, encoder) -> Matcher:
    from skills_match.engine import get_engine

    return Matcher(get_engine(settings), data_dir=settings.data_dir).fit(mstore)


def ids(store: Store, *labels: str) -> list[str]:
    return [skill_id(store, label) for label in labels]


def rank(matcher: Matcher, store: Store, request: dict, **kwargs):
    return matcher.rank({"limit": 50, **request}, store, as_of=AS_OF, **kwargs)


# -- the gap ----------------------------------------------------------------------------


def test_a_phrase_covers_a_target_skill_by_meaning(matcher: Matcher, mstore: Store) -> None:
    spreadsheets, python = ids(mstore, SPREADSHEETS, PYTHON)
    result = rank(
        matcher,
        mstore,
        {"current_skills": ["MS Excel"], "target": {"skill_ids": [spreadsheets, python]}},
    )
    held = {t.skill_id: t for t in result.held}
    assert spreadsheets in held
    assert held[spreadsheets].held_by == "MS Excel"
    assert held[spreadsheets].held_similarity >= PERSON_THRESHOLD
    assert [t.skill_id for t in result.gap] == [python]
    assert result.person.recognised[0]["label"] == SPREADSHEETS


def test_unrelated_words_do_not_cover_a_skill(matcher: Matcher, mstore: Store) -> None:
    (python,) = ids(mstore, PYTHON)
    result = rank(
        matcher,
        mstore,
        {
            "current_skills": ["customer service", "networking basics"],
            "target": {"skill_ids": [python]},
        },
    )
    assert result.held == []
    assert [t.skill_id for t in result.gap] == [python]


def test_eds_level1_covers_the_area_and_below_level1_adds_it(
    matcher: Matcher, mstore: Store
) -> None:
    result = rank(
        matcher,
        mstore,
        {
            "target": {"skill_ids": ["eds-2019:communicating"]},
            "eds": {
                "communicating": "level1",
                "transacting": "none",
                "creating-and-editing": "entry3",
            },
        },
    )
    assert [t.skill_id for t in result.held] == ["eds-2019:communicating"]
    added = {t.skill_id: t.importance for t in result.gap}
    assert added == {
        "eds-2019:transacting": "essential",
        "eds-2019:creating-and-editing": "optional",
    }
    assert all(t.source == "eds_self_assessment" for t in result.gap)
    assert result.person.eds_below_level1 == ["creating-and-editing", "transacting"]
    assert result.person.has_essential is False


def test_non_digital_skills_are_reported_not_matched(matcher: Matcher, mstore: Store) -> None:
    result = rank(matcher, mstore, {"target": {"occupation": "office clerk"}})
    assert result.target["kind"] == "occupation"
    assert result.not_digital and all(not t.is_digital for t in result.not_digital)
    assert all(t.is_digital for t in result.gap)
    assert any("not digital" in note for note in result.notes)
    gap_ids = {t.skill_id for t in result.gap}
    for match in result.results:
        assert {c.gap_skill_id for c in match.covers} <= gap_ids


def test_occupation_names_resolve_and_typos_get_suggestions(
    matcher: Matcher, mstore: Store
) -> None:
    by_name = rank(matcher, mstore, {"target": {"occupation": "Office Clerk"}})
    by_id = rank(matcher, mstore, {"target": {"occupation": by_name.target["id"]}})
    assert by_name.target == by_id.target
    with pytest.raises(InvalidInput) as caught:
        rank(matcher, mstore, {"target": {"occupation": "office clerks of the moon"}})
    assert "occupation" in caught.value.errors["target"]


def test_advert_text_marks_desirable_skills_optional(matcher: Matcher, mstore: Store) -> None:
    advert = (
        "Office Administrator, Knowsley. You must be able to use spreadsheets software "
        "every day. Python (computer programming) would be an advantage."
    )
    result = rank(matcher, mstore, {"target": {"advert_text": advert}})
    importance = {t.label: t.importance for t in result.gap}
    assert importance[SPREADSHEETS] == "essential"
    assert importance[PYTHON] == "optional"
    assert result.target["title"] == "Office Administrator, Knowsley"


def test_demand_record_target(matcher: Matcher, mstore: Store) -> None:
    demand_id = mstore.db.execute(
        """SELECT d.id FROM demand d JOIN demand_skills ds ON ds.demand_id = d.id
           JOIN skills s ON s.id = ds.skill_id WHERE s.is_digital = 1 ORDER BY d.id LIMIT 1"""
    ).fetchone()[0]
    result = rank(matcher, mstore, {"target": {"demand_id": demand_id}})
    assert result.target["kind"] == "demand" and result.target["id"] == demand_id
    assert result.gap


def test_centrality_weights_skills_by_the_role_title(matcher: Matcher, mstore: Store) -> None:
    result = rank(matcher, mstore, {"target": {"occupation": "ICT network engineer"}})
    centrality = {t.label: t.centrality for t in result.gap}
    assert centrality["ICT network routing"] > 0.5 > centrality["COBOL"]
    assert min(centrality.values()) >= 0.1


# -- hard filters -----------------------------------------------------------------------


def broad_request(store: Store) -> dict:
    targets = ids(
        store,
        SPREADSHEETS,
        PYTHON,
        "use word processing software",
        "cyber security",
        "apply social media marketing",
        "data visualisation software",
    )
    return {"current_skills": ["email"], "target": {"skill_ids": targets}}


def check(course: dict, constraint: str, value, match) -> bool:
    if constraint == "delivery_modes":
        return course["delivery_mode"] in value
    if constraint == "study_modes":
        return course["study_mode"] in value
    if constraint == "attendance_patterns":
        return course["attendance_pattern"] in value
    if constraint == "max_duration_weeks":
        return course["duration_weeks"] <= value
    if constraint == "start_before":
        return match.next_start is not None and match.next_start <= value
    if constraint == "funded_only":
        return course["cost"] == 0 or course["funding"] == "fully_funded"
    if constraint == "max_cost":
        return course["cost"] <= value
    if constraint == "age":
        return (course["age_min"] or 0) <= value <= (course["age_max"] or 999)
    if constraint == "employment_status":
        return not course["employment_statuses"] or value in course["employment_statuses"]
    if constraint == "min_qualification_level":
        return QUALIFICATION_LEVELS.index(course["qualification_level"]) >= (
            QUALIFICATION_LEVELS.index(value)
        )
    if constraint == "max_qualification_level":
        return QUALIFICATION_LEVELS.index(course["qualification_level"]) <= (
            QUALIFICATION_LEVELS.index(value)
        )
    raise AssertionError(constraint)


@pytest.mark.parametrize(
    ("constraint", "value"),
    [
        ("delivery_modes", ["online"]),
        ("study_modes", ["full_time"]),
        ("attendance_patterns", ["evening"]),
        ("max_duration_weeks", 8),
        ("start_before", "2026-02-28"),
        ("funded_only", True),
        ("max_cost", 100),
        ("age", 17),
        ("employment_status", "employed"),
        ("min_qualification_level", "L3"),
        ("max_qualification_level", "L1"),
    ],
)
def test_each_constraint_is_a_hard_filter(
    matcher: Matcher, mstore: Store, constraint: str, value
) -> None:
    request = broad_request(mstore)
    free = rank(matcher, mstore, request)
    details = mstore.match_course_details([m.course_id for m in free.results])

    def ok(m) -> bool:
        return check(details[m.course_id], constraint, value, m)

    # The filter must matter: without it, some of the top results break it.
    assert not all(ok(m) for m in free.results), constraint
    bound = rank(matcher, mstore, {**request, "constraints": {constraint: value}})
    assert bound.results, constraint
    details.update(mstore.match_course_details([m.course_id for m in bound.results]))
    assert all(ok(m) for m in bound.results), constraint
    assert sum(bound.considered["excluded"].values()) > sum(free.considered["excluded"].values())


def test_only_my_authority_keeps_local_national_and_online(matcher: Matcher, mstore: Store) -> None:
    result = rank(
        matcher,
        mstore,
        {
            **broad_request(mstore),
            "local_authority": "Knowsley",
            "constraints": {"only_my_authority": True},
        },
    )
    assert result.area == {"gss_code": "E08000011", "name": "Knowsley"}
    for m in result.results:
        c = m.course
        assert (
            c["local_authority"] == "E08000011"
            or c["national_delivery"]
            or (c["delivery_mode"] == "online")
        )
    nearby = rank(
        matcher,
        mstore,
        {
            **broad_request(mstore),
            "local_authority": "Knowsley",
            # A 1 km reach leaves only what include_nearby adds beyond Knowsley.
            "constraints": {"include_nearby": True, "max_travel_km": 1},
        },
    )
    lcr = {"E06000006", "E08000011", "E08000012", "E08000013", "E08000014", "E08000015"}
    local = [
        m.course
        for m in nearby.results
        if not m.course["national_delivery"] and m.course["delivery_mode"] != "online"
    ]
    assert {c["local_authority"] for c in local} - {"E08000011"}, "nearby adds other areas"
    assert {c["local_authority"] for c in local} <= lcr


@pytest.mark.parametrize(
    ("given", "gss", "evidence"),
    [
        ("L20 3NJ", "E08000014", "postcode L20 3NJ"),  # Bootle, in Sefton
        ("l203nj", "E08000014", "postcode L20 3NJ"),  # as people type it
        ("Bootle", "E08000014", "Bootle (GeoNames)"),  # a town, not a council
        ("Sefton", "E08000014", None),  # a council name needs no evidence
    ],
)
def test_the_persons_area_may_be_a_postcode_or_a_town(
    matcher: Matcher, mstore: Store, given: str, gss: str, evidence: str | None
) -> None:
    result = rank(matcher, mstore, {**broad_request(mstore), "local_authority": given})
    assert result.area == {"gss_code": gss, "name": "Sefton"}
    placed = [n for n in result.notes if n.startswith("Area:")]
    if evidence is None:
        assert placed == []
    else:
        assert len(placed) == 1 and evidence in placed[0] and "Sefton" in placed[0]


def test_full_courses_and_past_starts_are_never_offered(matcher: Matcher, mstore: Store) -> None:
    result = rank(matcher, mstore, broad_request(mstore))
    for m in result.results:
        assert m.course["places"] > 0
        assert m.course["flexible_start"] or m.next_start >= AS_OF.isoformat()


# -- level fit, explanations, determinism ------------------------------------------------


def level_request(store: Store, **extra) -> dict:
    return {
        "target": {"skill_ids": ["eds-2019:communicating", *ids(store, SPREADSHEETS, PYTHON)]},
        **extra,
    }


def test_essential_gaps_come_before_specialist_courses(matcher: Matcher, mstore: Store) -> None:
    request = level_request(mstore, eds={"communicating": "none"}, local_authority="Knowsley")
    result = rank(matcher, mstore, request)

    def teaches_essential(m) -> bool:
        return any(c.gap_level == "essential" for c in m.covers)

    assert teaches_essential(result.results[0])
    specialist = [
        i
        for i, m in enumerate(result.results)
        if m.course_level == "specialist" and not teaches_essential(m)
    ]
    assert specialist, "some specialist course teaches Python"
    for i in specialist:
        m = result.results[i]
        assert m.level_fit == pytest.approx(0.4)
        assert m.penalties and "essential digital skills" in m.penalties[0]
        assert m.penalties[0] in m.explanation
    essential_first = [i for i, m in enumerate(result.results) if teaches_essential(m)]
    assert essential_first[0] < specialist[0]


def test_prerequisites_held_means_no_penalty(matcher: Matcher, mstore: Store) -> None:
    result = rank(
        matcher,
        mstore,
        {
            "current_skills": ["SQL", "JavaScript"],
            "eds": {"communicating": "level1"},
            "target": {"skill_ids": ids(mstore, PYTHON, SPREADSHEETS)},
        },
    )
    assert result.person.evident_level == "specialist"
    assert result.person.has_essential and result.person.has_general
    assert all(m.level_fit == 1.0 and not m.penalties for m in result.results)


def test_explanations_name_covered_and_left_skills(matcher: Matcher, mstore: Store) -> None:
    result = rank(matcher, mstore, level_request(mstore, eds={"communicating": "none"}))
    gap_labels = {t.label for t in result.gap}
    for m in result.results:
        assert m.covers
        for cover in m.covers:
            assert f"'{cover.course_label}'" in m.explanation
            assert cover.closeness in ("same skill", "close match", "related skill")
            assert 0 < cover.similarity <= 1
        labels = {t.skill_id: t.label for t in result.gap}
        for left in m.leaves:
            assert labels[left] in m.explanation
        assert {c.gap_label for c in m.covers} | {labels[x] for x in m.leaves} == gap_labels
        assert "Practical:" in m.explanation
    text = render_text(result)
    assert result.results[0].course["title"] in text


def test_close_matches_are_explained_in_words(matcher: Matcher, mstore: Store) -> None:
    result = rank(
        matcher, mstore, {"target": {"skill_ids": ids(mstore, "Java (computer programming)")}}
    )
    related = [c for m in result.results for c in m.covers if c.closeness != "same skill"]
    assert related
    m = next(m for m in result.results if any(c.closeness != "same skill" for c in m.covers))
    c = next(c for c in m.covers if c.closeness != "same skill")
    assert f"covers the need for '{c.gap_label}' (a {c.closeness})" in m.explanation
    assert c.similarity < 1  # the number stays a field, for those who want it


# A score, a factor or a similarity as the matcher computes them ("0.27", "x0.8"), or a
# field name ("not_digital"): none belongs in what an adviser reads aloud.
_INTERNAL = re.compile(r"(?<![£\d,])\d\.\d{2,}|\(x\d|\b[a-z]+_[a-z_]+\b|focus \d")


@pytest.mark.parametrize(
    "request_body",
    [
        {"target": {"occupation": "office clerk"}, "current_skills_text": "I use Facebook"},
        {"target": {"occupation": "data analyst"}, "current_skills": ["Excel", "SQL"]},
        {"target": {"occupation": "software developer"}, "eds": {"communicating": "none"}},
        {"target": {"area_demand": True}, "local_authority": "Liverpool"},
    ],
)
def test_explanations_and_notes_are_plain_words(
    matcher: Matcher, mstore: Store, request_body: dict
) -> None:
    result = rank(matcher, mstore, {"local_authority": "Knowsley", **request_body})
    assert result.results
    for text in [m.explanation for m in result.results] + result.notes:
        assert not _INTERNAL.search(text), (_INTERNAL.search(text), text)
    path = matcher.pathway({"local_authority": "Knowsley", **request_body}, mstore, as_of=AS_OF)
    assert not _INTERNAL.search(path.explanation), path.explanation


def test_ranking_is_deterministic_and_ties_go_by_course_id(matcher: Matcher, mstore: Store) -> None:
    request = broad_request(mstore)
    first = rank(matcher, mstore, request)
    second = rank(matcher, mstore, json.loads(json.dumps(request)))
    assert [(m.course_id, m.score) for m in first.results] == [
        (m.course_id, m.score) for m in second.results
    ]
    keys = [(-m.score, m.course_id) for m in first.results]
    assert keys == sorted(keys)
    assert [m.rank for m in first.results] == list(range(1, len(first.results) + 1))


def test_area_mode_targets_the_largest_unmet_demand(matcher: Matcher, mstore: Store) -> None:
    result = rank(
        matcher, mstore, {"target": {"area_demand": True}, "local_authority": "Liverpool"}
    )
    assert result.target["kind"] == "area_demand"
    unmet = [s["unmet"] for s in result.target["skills"]]
    assert unmet == sorted(unmet, reverse=True) and unmet[0] > 0
    assert [t.skill_id for t in result.gap] == [s["skill_id"] for s in result.target["skills"]]
    assert result.gap[0].weight == 1.0
    assert result.results
    assert "local employers" in result.results[0].explanation


def test_area_mode_without_the_gap_report_says_so(
    matcher: Matcher, mstore: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "skills_match.report", None)  # import now fails
    result = rank(matcher, mstore, {"target": {"area_demand": True}, "local_authority": "Preston"})
    assert result.target["method"].startswith("computed directly from the store")
    for s in result.target["skills"]:
        assert s["unmet"] == pytest.approx(s["demand"] - s["places"], abs=0.11) and s["unmet"] > 0
    assert result.results


# -- requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": {"skill_ids": ["x"]}, "colour": "blue"}, "colour"),
        ({}, "target"),
        ({"target": {}}, "target"),
        ({"target": {"occupation": "clerk", "demand_id": 3}}, "target"),
        ({"target": {"skill_ids": ["a", "a"]}}, "target"),
        ({"target": {"skill_ids": ["x"]}, "eds": {"swimming": "level1"}}, "eds"),
        ({"target": {"skill_ids": ["x"]}, "eds": {"communicating": "expert"}}, "eds"),
        ({"target": {"skill_ids": ["x"]}, "limit": 51}, "limit"),
        ({"target": {"skill_ids": ["x"]}, "limit": "lots"}, "limit"),
        (
            {"target": {"skill_ids": ["x"]}, "current_skills_text": "x" * 5001},
            "current_skills_text",
        ),
        ({"target": {"skill_ids": ["x"]}, "current_skills": ["Excel", "excel"]}, "current_skills"),
        ({"target": {"skill_ids": ["x"]}, "current_skill_ids": ["a b"]}, "current_skill_ids"),
        (
            {
                "target": {"skill_ids": ["x"]},
                "constraints": {"start_from": "2026-03-01", "start_before": "2026-02-01"},
            },
            "constraints",
        ),
        (
            {"target": {"skill_ids": ["x"]}, "constraints": {"age": 30, "age_band": "24+"}},
            "constraints",
        ),
        (
            {
                "target": {"skill_ids": ["x"]},
                "constraints": {"min_qualification_level": "L3", "max_qualification_level": "E3"},
            },
            "constraints",
        ),
        (
            {"target": {"skill_ids": ["x"]}, "constraints": {"delivery_modes": ["telepathy"]}},
            "constraints",
        ),
        ({"target": {"area_demand": True}}, "local_authority"),
    ],
)
def test_invalid_requests_get_field_level_errors(body: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_request(body)
    assert field in caught.value.errors


def test_unknown_names_and_ids_are_field_errors(matcher: Matcher, mstore: Store) -> None:
    with pytest.raises(InvalidInput) as caught:
        rank(
            matcher,
            mstore,
            {
                "target": {"skill_ids": ["no-such-skill"]},
                "local_authority": "Atlantis",
                "current_skill_ids": ["nope"],
            },
        )
    errors = caught.value.errors
    assert set(errors) == {"target", "local_authority", "current_skill_ids"}
    with pytest.raises(InvalidInput) as caught:
        rank(matcher, mstore, {"target": {"demand_id": 99_999_999}})
    assert "demand_id" in caught.value.errors["target"]


# -- the fitted catalogue ---------------------------------------------------------------


def test_refresh_follows_catalogue_changes(
    seeded_db: Path, tmp_path: Path, settings: Settings, matcher: Matcher
) -> None:
    path = copy_database(seeded_db, tmp_path / "changing.db")
    with Store(path) as store:
        own = Matcher(matcher.engine, data_dir=settings.data_dir, refresh_seconds=0).fit(store)
        request = broad_request(store)
        before = own.rank(request, store, as_of=AS_OF)
        gone = before.results[0].course_id
        with store.write():
            store.set_course_status(gone, "withdrawn")
        assert own.refresh(store) is True
        after = own.rank(request, store, as_of=AS_OF)
        assert gone not in [m.course_id for m in after.results]
        assert own.refresh(store) is False


def test_sparse_max_matches_a_plain_loop() -> None:
    rng = np.random.default_rng(4)
    n, m, g = 60, 25, 4
    links = (rng.random((n, m)) < 0.15).astype(np.float32)
    sub = sparse.csc_matrix(links)
    credit = np.where(rng.random((g, m)) < 0.5, rng.random((g, m)), 0).astype(np.float32)
    rows = np.sort(rng.choice(n, size=30, replace=False))
    got = _max_credit(sub, credit, rows, n)
    expected = np.array(
        [
            [max([credit[k, j] for j in range(m) if links[r, j]], default=0.0) for k in range(g)]
            for r in rows
        ]
    )
    assert np.allclose(got, expected)


# -- the command line -------------------------------------------------------------------


def test_cli_match_and_pathway(match_db: Path, mstore: Store, encoder) -> None:
    from skills_match.cli import main

    runner = CliRunner()
    args = [
        "--database",
        str(match_db),
        "match",
        "--skill",
        "MS Excel",
        "--occupation",
        "office clerk",
        "--area",
        "Liverpool",
        "--funded-only",
        "--as-of",
        "2026-01-05",
    ]
    result = runner.invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["target"]["label"] == "office clerk"
    assert all(
        m["course"]["cost"] == 0 or m["course"]["funding"] == "fully_funded"
        for m in body["results"]
    )
    text = runner.invoke(main, [*args, "--pathway"])
    assert text.exit_code == 0 and "Covers" in text.output
    # Two kinds of target at once is a field-level error, printed, exit status 1.
    bad = runner.invoke(
        main,
        [
            "--database",
            str(match_db),
            "match",
            "--occupation",
            "clerk",
            "--target-skill",
            "not-a-real-skill",
        ],
    )
    assert bad.exit_code == 1 and "target" in bad.output


def test_cli_takes_needed_skills_in_words_and_corrections(
    match_db: Path, mstore: Store, encoder
) -> None:
    from skills_match.cli import main

    spreadsheets = ids(mstore, SPREADSHEETS)[0]
    args = ["--database", str(match_db), "match", "--skill", "MS Excel", "--as-of", "2026-01-05"]
    args += ["--need", "spreadsheets", "--need", "Python", "--json"]
    body = json.loads(CliRunner().invoke(main, args).output)
    assert spreadsheets in {t["skill_id"] for t in body["held"]}
    corrected = CliRunner().invoke(main, [*args, "--not-held", spreadsheets])
    assert corrected.exit_code == 0, corrected.output
    again = json.loads(corrected.output)
    assert spreadsheets in {t["skill_id"] for t in again["gap"]}
    assert {r["text"] for r in again["target"]["read_as"]} == {"spreadsheets", "Python"}


def test_cli_reads_a_request_file(match_db: Path, mstore: Store, tmp_path: Path, encoder) -> None:
    from skills_match.cli import main

    request = {
        "current_skills": ["email"],
        "target": {"skill_ids": ids(mstore, SPREADSHEETS)},
        "local_authority": LIVERPOOL,
    }
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "--database",
            str(match_db),
            "match",
            "--request",
            str(path),
            "--limit",
            "3",
            "--as-of",
            "2026-01-05",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert 0 < len(json.loads(result.output)["results"]) <= 3
