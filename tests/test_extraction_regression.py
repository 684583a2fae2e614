"""The extraction regression set: everyday words that must not become skills, tools that must.

Every row of ``tests/data/extraction_regression.jsonl`` is its own test, run through the
real engine at the product's default cut-off (``extract(text)``). The whole file is
extracted once per session in one batch, so the tests take seconds.

- ``negative`` rows: no ``forbid`` skill id is extracted, and no extracted *digital* skill
  has evidence containing one of the ``no_digital_skill_from`` words (a whole word, any case).
- ``positive`` rows: every ``expect`` group (acceptable skill ids, digital or not) is met by
  an extracted skill whose ``negated`` flag equals the row's and, when not negated and the
  row gives a ``requirement``, whose requirement equals it (None is read as "essential": a
  duty sentence is stored as an essential link).
"""

from __future__ import annotations

import inspect
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.test_skillspace import engine, skills_db  # noqa: F401

REGRESSION = Path(__file__).resolve().parent / "data" / "extraction_regression.jsonl"
ROWS = [json.loads(line) for line in REGRESSION.read_text(encoding="utf-8").splitlines() if line]


# Rows extractor 2.0 still fails: each expected skill is among the candidates but scored
# below the calibrated cut-off (the scorer, trained on SkillSkape's long synthetic sentences,
# under-rates short real ones and people's own words). Tracked on issue 13; strict, so a row
# that starts passing must be taken off this list.
KNOWN_MISSES = frozenset(
    """pos-maintain-volunteer-database pos-outlook-inbox pos-cyber-security-specialist
    pos-data-analysis pos-course-send-emails pos-course-keep-safe-online
    pos-course-online-forms pos-course-web-search pos-des-heading-sage-xero
    pos-des-would-be-great-website pos-neg-no-coding pos-people-fixed-computers
    pos-people-facebook-group pos-people-banking-on-phone pos-people-minutes-in-word
    pos-people-warehouse-entry pos-people-spot-scams pos-people-sage-payroll
    pos-people-wifi-printers""".split()  # noqa: SIM905
)


def describe(skills: list[Any]) -> str:
    """What was extracted, one skill a line, for a failure message."""
    if not skills:
        return "  (nothing extracted)"
    return "\n".join(
        f"  {s.skill_id} {s.label!r} span={s.text!r} [{s.start}:{s.end}] score={s.score:.3f} "
        f"method={s.method} digital={s.is_digital} negated={getattr(s, 'negated', None)} "
        f"requirement={getattr(s, 'requirement', None)}"
        for s in skills
    )


def _contains_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


def problems(row: dict[str, Any], skills: list[Any]) -> list[str]:
    """Why the extracted ``skills`` fail ``row`` (empty when they pass)."""
    if row["kind"] == "negative":
        forbidden = set(row["forbid"])
        found = [
            f"forbidden skill {s.skill_id} ({s.label!r})" for s in skills if s.skill_id in forbidden
        ]
        found += [
            f"digital skill {s.label!r} from {s.text!r}, which contains {word!r}"
            for s in skills
            if s.is_digital
            for word in row["no_digital_skill_from"]
            if _contains_word(s.text, word)
        ]
        return found
    negated, requirement = bool(row["negated"]), row["requirement"]
    out = []
    for group in row["expect"]:
        hits = [s for s in skills if s.skill_id in set(group)]
        good = [
            s
            for s in hits
            if bool(getattr(s, "negated", False)) == negated
            and (
                negated
                or requirement is None
                or (getattr(s, "requirement", None) or "essential") == requirement
            )
        ]
        if not hits:
            out.append(f"none of {group} extracted")
        elif not good:
            out.append(
                f"{hits[0].label!r} extracted but not with negated={negated}"
                + ("" if negated or requirement is None else f", requirement={requirement}")
            )
    return out


@pytest.fixture(scope="session")
def extracted(engine) -> dict[str, list[Any]]:  # noqa: F811
    """Every row's text through the product extractor at its default cut-off, in one batch."""
    found = engine.extractor.extract_many([row["text"] for row in ROWS])
    return {row["id"]: skills for row, skills in zip(ROWS, found, strict=True)}


@pytest.fixture(scope="session")
def near_misses(engine) -> dict[str, list[Any]]:  # noqa: F811
    """The best candidates below the cut-off too (for failure messages), where ranked."""
    extract_many = engine.extractor.extract_many
    if "min_score" not in inspect.signature(extract_many).parameters:
        return {}
    found = extract_many([row["text"] for row in ROWS], min_score=0.0, top_k=8)
    return {row["id"]: skills for row, skills in zip(ROWS, found, strict=True)}


@pytest.fixture(scope="session")
def labels(engine) -> dict[str, str]:  # noqa: F811
    """Skill id -> preferred label, for failure messages."""
    return dict(engine.store.db.execute("SELECT id, label FROM skills"))


def test_the_set_is_large_enough_and_well_formed():
    kinds = Counter(row["kind"] for row in ROWS)
    assert kinds["negative"] >= 50 and kinds["positive"] >= 50, kinds
    assert set(kinds) == {"negative", "positive"}
    ids = [row["id"] for row in ROWS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert set(ids) >= KNOWN_MISSES
    for row in ROWS:
        if row["kind"] == "negative":
            assert row["forbid"] or row["no_digital_skill_from"], row["id"]
        else:
            assert row["expect"] and all(row["expect"]), row["id"]
            assert row["requirement"] in ("essential", "desirable", None), row["id"]


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(
            row,
            marks=pytest.mark.xfail(
                row["id"] in KNOWN_MISSES, reason="known miss (issue 13)", strict=True
            ),
        )
        for row in ROWS
    ],
    ids=[row["id"] for row in ROWS],
)
def test_regression_row(
    row: dict[str, Any],
    extracted: dict[str, list[Any]],
    near_misses: dict[str, list[Any]],
    labels: dict[str, str],
):
    skills = extracted[row["id"]]
    failures = problems(row, skills)
    if not failures:
        return
    wanted = row.get("expect") or [row.get("forbid", [])]
    named = "; ".join(", ".join(repr(labels.get(i, i)) for i in group) for group in wanted)
    below = near_misses.get(row["id"])
    pytest.fail(
        f"{row['id']} ({row['kind']}): {row['text']!r}\n"
        + "\n".join(f"- {f}" for f in failures)
        + f"\n{'expected' if row['kind'] == 'positive' else 'forbidden'}: {named}"
        + f"\nnote: {row.get('note', '')}\nextracted:\n{describe(skills)}"
        + (f"\nbest candidates at any score:\n{describe(below)}" if below is not None else ""),
        pytrace=False,
    )
