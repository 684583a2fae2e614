"""Which SOC major group a job title is in, looked up in the ONS SOC coding index.

The index (``data/reference/soc_index.csv``, derived from ONS's SOC 2010 coding index V5.1,
the newest the package registries carry) lists about 13,000 job titles as people write
them, each with the unit group(s) ONS codes it to. A title is cleaned as for the ESCO
occupation (``occupations.clean_title``: pay bands, contract words, sites removed), then
looked up exactly, else matched to the closest index title (rapidfuzz token-sort ratio at
least ``FUZZY_MIN_SCORE``). The answer is the **major group** (1-9): the nine major groups
are the same in SOC 2010 and SOC 2020, while many unit groups were renumbered, so a SOC 2010
unit group is given only as evidence. Below ``MIN_CONFIDENCE`` the group stays unknown.

Confidence is the share of the title's index entries in the chosen major group (one title
can be coded to several), times the match score for a non-exact title. Measured on index
titles held out of the lookup (``data/eval/soc_titles.csv``): ``bench/soc_accuracy.py``.
"""

from __future__ import annotations

import csv
import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .occupations import NearestTitle, clean_title

MIN_CONFIDENCE = 0.6  # a major group below this is reported as unknown
FUZZY_MIN_SCORE = 95  # token-sort ratio (0-100) a non-exact index title needs
FUZZY_DISCOUNT = 0.95  # a near title is weaker evidence than the title itself
SOC_METHOD = "ONS SOC coding index"


@dataclass(frozen=True)
class SocGuess:
    """A SOC major group ('1'-'9', None: unknown), its confidence 0-1 and why."""

    major: str | None
    confidence: float
    evidence: str
    soc2010_unit: str | None = None  # when every index entry of the title agrees
    match: str | None = None  # exact | near: how the title was found in the index


def parse_codes(cell: str) -> Counter[str]:
    """``"6145:1 | 6146:2"`` -> Counter({'6146': 2, '6145': 1})."""
    codes: Counter[str] = Counter()
    for part in cell.split("|"):
        code, _, count = part.strip().partition(":")
        if code:
            codes[code] = int(count or 1)
    return codes


class SocIndex:
    """Title keys -> SOC 2010 unit groups with entry counts; built once per process."""

    def __init__(self, entries: Mapping[str, Counter[str]]):
        self._codes = dict(entries)
        self._near = NearestTitle(self._codes, FUZZY_MIN_SCORE)

    @classmethod
    def from_csv(cls, path: str | Path) -> SocIndex:
        """Read ``soc_index.csv`` (title_key, soc2010_codes)."""
        with open(path, newline="", encoding="utf-8") as handle:
            return cls(
                {r["title_key"]: parse_codes(r["soc2010_codes"]) for r in csv.DictReader(handle)}
            )

    def __len__(self) -> int:
        return len(self._codes)

    def without(self, keys: Iterable[str]) -> SocIndex:
        """The same index with these title keys taken out (to test on unseen titles)."""
        drop = set(keys)
        return SocIndex({k: v for k, v in self._codes.items() if k not in drop})

    def guess(self, title: str) -> SocGuess:
        """The SOC major group a job title is in, or unknown with the reason."""
        key = clean_title(title or "")
        if not key:
            return SocGuess(None, 0.0, "the title names no occupation")
        codes = self._codes.get(key)
        match, factor, how = "exact", 1.0, f"title {key!r} is in the index"
        if codes is None:
            near = self._near.nearest(key)
            if near is None:
                return SocGuess(None, 0.0, f"no index title is close to {key!r}")
            codes = self._codes[near[0]]
            match, factor = "near", near[1] / 100 * FUZZY_DISCOUNT
            how = f"title {key!r} ~ index title {near[0]!r} ({near[1]:.0f})"
        majors: Counter[str] = Counter()
        for code, count in codes.items():
            majors[code[0]] += count
        # Ties go to the lower group number, so the answer never depends on dict order.
        major, count = min(majors.items(), key=lambda item: (-item[1], item[0]))
        confidence = round(count / sum(majors.values()) * factor, 3)
        unit = next(iter(codes)) if len(codes) == 1 else None
        listed = ", ".join(sorted(codes))
        evidence = f"{how}: SOC 2010 {listed}"
        if confidence < MIN_CONFIDENCE:
            return SocGuess(None, confidence, f"{evidence}; major groups disagree", match=match)
        return SocGuess(major, confidence, evidence, unit, match)


@functools.cache
def index_for(data_dir: str | None = None) -> SocIndex:
    """The process's one index over ``<data_dir>/reference/soc_index.csv`` (~0.1 s)."""
    if data_dir is None:
        from .config import Settings

        data_dir = Settings.from_env().data_dir
    return SocIndex.from_csv(Path(data_dir) / "reference" / "soc_index.csv")


@dataclass(frozen=True)
class SocCase:
    """A title with the SOC 2010 unit groups an official source codes it to."""

    title: str
    codes: Counter[str]

    @property
    def majors(self) -> set[str]:
        """Every major group the source allows for the title."""
        return {code[0] for code in self.codes}


def read_soc_cases(path: str | Path) -> list[SocCase]:
    """Read a test set of (title, soc2010_codes) rows, e.g. ``data/eval/soc_titles.csv``."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            SocCase(r["title"], parse_codes(r["soc2010_codes"])) for r in csv.DictReader(handle)
        ]


def evaluate(index: SocIndex, cases: Sequence[SocCase]) -> dict[str, object]:
    """Answered share and precision of ``index`` on ``cases``, split exact / near.

    An answer is right when it is one of the major groups the source codes the title to.
    """
    tally: Counter[str] = Counter()
    misses: list[tuple[str, str, str, str]] = []
    for case in cases:
        guess = index.guess(case.title)
        if guess.major is None:
            tally["unknown"] += 1
            continue
        right = guess.major in case.majors
        tally[f"{guess.match}_{'right' if right else 'wrong'}"] += 1
        if not right:
            misses.append((case.title, guess.major, ", ".join(sorted(case.codes)), guess.evidence))
    answered = sum(v for k, v in tally.items() if k != "unknown")
    right = tally["exact_right"] + tally["near_right"]
    return {
        "cases": len(cases),
        "answered": answered,
        "right": right,
        "coverage": answered / len(cases) if cases else 0.0,
        "precision": right / answered if answered else 0.0,
        "tally": dict(tally),
        "misses": misses,
    }
