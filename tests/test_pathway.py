"""Pathways: up to three courses, essential before general before specialist, one after
another in time, and the gap that remains."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from skills_match.config import Settings
from skills_match.matcher import LEVEL_RANK, PATHWAY_STEPS, Matcher
from skills_match.store import Store
from tests.conftest import copy_database
from tests.factories import PYTHON, SPREADSHEETS, skill_id

AS_OF = date(2026, 1, 5)


@pytest.fixture(scope="module")
def pstore(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory):
    path = copy_database(seeded_db, tmp_path_factory.mktemp("pathway") / "pathway.db")
    with Store(path) as s:
        yield s


@pytest.fixture(scope="module")
def matcher(pstore: Store, encoder) -> Matcher:
    from skills_match.engine import get_engine

    settings = Settings.from_env(database=pstore.path)
    return Matcher(get_engine(settings), data_dir=settings.data_dir).fit(pstore)


def broad(store: Store, **extra) -> dict:
    targets = [
        "eds-2019:communicating",
        *(
            skill_id(store, label)
            for label in (
                SPREADSHEETS,
                "use word processing software",
                PYTHON,
                "data visualisation software",
                "cyber security",
            )
        ),
    ]
    return {
        "target": {"skill_ids": targets},
        "eds": {"communicating": "none"},
        "local_authority": "Liverpool",
        "constraints": {"include_nearby": True},
        **extra,
    }


def lowest_level(step) -> int:
    return min(LEVEL_RANK.get(c.gap_level or "", 3) for c in step.adds)


def test_steps_follow_level_order_and_time(matcher: Matcher, pstore: Store) -> None:
    result = matcher.pathway(broad(pstore), pstore, as_of=AS_OF)
    steps = result.steps
    assert 1 <= len(steps) <= PATHWAY_STEPS
    assert [s.step for s in steps] == list(range(1, len(steps) + 1))
    # Essential before general before specialist.
    levels = [lowest_level(s) for s in steps]
    assert levels == sorted(levels)
    assert levels[0] == LEVEL_RANK["essential"]
    # Each course starts after the one before it ends, none before the day of the search.
    assert steps[0].start >= AS_OF.isoformat()
    for before, after in pairwise(steps):
        assert after.start > before.end
    for step in steps:
        assert step.start <= step.end
        assert step.adds, "every step adds something to the steps before it"
        assert step.match.course["title"] in result.explanation
    # Later steps do not need penalties for essentials an earlier step teaches.
    assert all(s.match.level_fit == 1.0 for s in steps[1:])


def test_remaining_gap_is_what_no_step_covers(matcher: Matcher, pstore: Store) -> None:
    result = matcher.pathway(broad(pstore), pstore, as_of=AS_OF)
    covered = {c.gap_skill_id for s in result.steps for c in s.match.covers}
    assert {t.skill_id for t in result.remaining_gap} == {t.skill_id for t in result.gap} - covered
    assert 0 < result.covered_share <= 1
    if result.remaining_gap:
        assert result.covered_share < 1
        assert result.remaining_gap[0].label in result.explanation
        assert "Still to find" in result.explanation
    else:
        assert result.covered_share == pytest.approx(1.0)


def test_start_before_binds_only_the_first_step(matcher: Matcher, pstore: Store) -> None:
    request = broad(pstore)
    request["constraints"] = {**request["constraints"], "start_before": "2026-02-15"}
    result = matcher.pathway(request, pstore, as_of=AS_OF)
    assert result.steps
    assert result.steps[0].start <= "2026-02-15"
    assert all(s.start > result.steps[0].end for s in result.steps[1:])


def test_no_gap_means_no_steps(matcher: Matcher, pstore: Store) -> None:
    targets = [skill_id(pstore, SPREADSHEETS), skill_id(pstore, PYTHON)]
    result = matcher.pathway(
        {"current_skill_ids": targets, "target": {"skill_ids": targets}}, pstore, as_of=AS_OF
    )
    assert result.gap == [] and result.steps == []
    assert result.covered_share == 1.0
    assert "already has" in result.explanation


def test_pathway_is_deterministic(matcher: Matcher, pstore: Store) -> None:
    first = matcher.pathway(broad(pstore), pstore, as_of=AS_OF)
    second = matcher.pathway(broad(pstore), pstore, as_of=AS_OF)
    assert [(s.match.course_id, s.start) for s in first.steps] == [
        (s.match.course_id, s.start) for s in second.steps
    ]
