"""Which job an advert is: its ESCO occupation (and so its ISCO-08 group) from the title, with
a confidence; "unknown" below the confidence a match needs. (The SOC major group is looked up
separately, in the ONS coding index: skills_match/soc.py.)

UK titles carry words that say nothing about the occupation ("Band 5", "Salaried",
"(nights)", "- Acute Medical Unit", "x2"): they are removed first, then the title is
matched against every ESCO occupation's preferred and alternative labels, plus the UK
title words ESCO lacks (``UK_TITLES``). A title equal to a label is the strongest evidence;
otherwise the closest label by rapidfuzz's token-sort ratio must clear ``MIN_SCORE``.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

MIN_SCORE = 90  # token-sort ratio a non-exact label match needs (0-100)
EXACT_CONFIDENCE = 0.97
OCCUPATION_METHOD = "inferred from title"

# Words UK adverts put in titles that name no occupation (pay band, contract, shift, place).
_NOISE = re.compile(
    r"\b(band|grade|level|agenda for change)\s*\d+[a-z]?\b|\bx\s?\d+\b|"
    r"\b\d+(\.\d+)?\s*(hrs?|hours?)\b|"
    r"\b(salaried|locum|part[- ]time|full[- ]time|temporary|temp|permanent|fixed[- ]term|"
    r"contract|maternity cover|bank|relief|weekends?|hybrid|remote|"
    r"immediate start|urgent|graduate|entry[- ]level|trainee|junior|senior|lead|principal|"
    r"class\s*[12])\b",
    re.IGNORECASE,
)
# What follows these is the ward, site, team or selling line, not the occupation.
_QUALIFIER = re.compile(r"\s+[-–—|:/]\s+.*$|\s*\(.*?\)|\s*\[.*?\]|,.*$")
# UK title -> ESCO preferred label, where ESCO has no label people write here.
UK_TITLES: Mapping[str, str] = {
    "gp": "general practitioner",
    "staff nurse": "nurse responsible for general care",
    "registered nurse": "nurse responsible for general care",
    "rgn": "nurse responsible for general care",
    "care assistant": "social care worker",
    "support worker": "social care worker",
    "healthcare assistant": "healthcare assistant",
    "warehouse operative": "warehouse worker",
    "picker packer": "hand packer",
    "customer service advisor": "customer service representative",
    "customer service adviser": "customer service representative",
    "admin assistant": "administrative assistant",
    "administrator": "administrative assistant",
    "finance assistant": "accounting assistant",
    "it support technician": "ICT help desk agent",
    "it support": "ICT help desk agent",
    "service desk analyst": "ICT help desk agent",
    "software developer": "software developer",
    "web developer": "web developer",
    "data analyst": "data analyst",
    "digital marketing executive": "digital marketing manager",
    "receptionist": "receptionist",
    "teaching assistant": "primary school teaching assistant",
    "payroll officer": "payroll clerk",
    "retail assistant": "sales assistant",
    "sales assistant": "sales assistant",
    "cleaner": "building cleaner",
    "security officer": "security guard",
    "nursery practitioner": "child day care worker",
    "nursery nurse": "child day care worker",
    "mechanic": "vehicle technician",
    "hr advisor": "human resources officer",
    "hr officer": "human resources officer",
    "solicitor": "lawyer",
    "paralegal": "legal assistant",
    "estate agent": "real estate agent",
    "medical secretary": "medical administrative assistant",
    "porter": "hospital porter",
    "joiner": "carpenter",
}


@dataclass(frozen=True)
class OccupationGuess:
    """An inferred occupation (None: unknown), its confidence 0-1 and why."""

    occupation_id: str | None
    label: str | None
    isco_code: str | None
    confidence: float
    evidence: str


def clean_title(title: str) -> str:
    """A job title with the words that name no occupation taken out, lower-cased."""
    text = _QUALIFIER.sub("", title.strip())
    text = _NOISE.sub(" ", text)
    text = re.sub(r"[^\w&+#/ ]", " ", text.lower())
    return " ".join(text.split())


class NearestTitle:
    """The closest of a fixed list of title keys to a key, by token-sort ratio; remembered.

    Shared by the occupation and SOC lookups. The memory is bounded: a service sees an
    endless stream of distinct titles.
    """

    CACHE_SIZE = 50_000

    def __init__(self, choices: Iterable[str], min_score: float):
        self._choices = list(choices)
        self._min_score = min_score
        self.nearest = functools.lru_cache(maxsize=self.CACHE_SIZE)(self._nearest)

    def _nearest(self, key: str) -> tuple[str, float] | None:
        # The cut-off lets rapidfuzz skip most labels early: 5-10x faster than a full scan.
        found = process.extractOne(
            key, self._choices, scorer=fuzz.token_sort_ratio, score_cutoff=self._min_score
        )
        return (found[0], found[1]) if found else None


class OccupationIndex:
    """Every occupation label, for matching titles; built once per process from the store."""

    def __init__(self, occupations: Iterable[Mapping[str, Any]]):
        self.by_id: dict[str, Mapping[str, Any]] = {}
        by_label: dict[str, set[str]] = {}
        preferred: dict[str, str] = {}
        for occupation in occupations:
            self.by_id[occupation["id"]] = occupation
            labels = [occupation["label"], *_alt_labels(occupation.get("alt_labels"))]
            for number, label in enumerate(labels):
                key = clean_title(label)
                if key:
                    by_label.setdefault(key, set()).add(occupation["id"])
                    if number == 0:
                        preferred[key] = occupation["id"]
        label_ids = {o["label"].lower(): o["id"] for o in self.by_id.values()}
        for title, label in UK_TITLES.items():
            if label.lower() in label_ids:
                by_label[title] = {label_ids[label.lower()]}
                preferred[title] = label_ids[label.lower()]
        self._ids = by_label
        self._preferred = preferred
        self._near = NearestTitle(by_label, MIN_SCORE)

    def guess(self, title: str) -> OccupationGuess:
        """The occupation a job title names, or unknown with the closest label as evidence."""
        key = clean_title(title or "")
        if not key:
            return OccupationGuess(None, None, None, 0.0, "the title names no occupation")
        ids = self._ids.get(key)
        if ids:
            chosen = self._preferred.get(key) if len(ids) > 1 else next(iter(ids))
            if chosen:
                return self._answer(chosen, EXACT_CONFIDENCE, f"title {key!r} is its label")
            return OccupationGuess(
                None, None, None, 0.5, f"title {key!r} is a label of {len(ids)} occupations"
            )
        near = self._near.nearest(key)
        if near is None:
            return OccupationGuess(
                None, None, None, 0.0, f"no occupation label is close to {key!r}"
            )
        label, score = near
        ids = self._ids[label]
        confidence = round(score / 100 * 0.95, 3)
        if len(ids) > 1 and label not in self._preferred:
            return OccupationGuess(
                None, None, None, confidence, f"closest label {label!r} scores {score:.0f}"
            )
        chosen = self._preferred.get(label) or next(iter(ids))
        return self._answer(chosen, confidence, f"title {key!r} ~ label {label!r} ({score:.0f})")

    def _answer(self, occupation_id: str, confidence: float, evidence: str) -> OccupationGuess:
        occupation = self.by_id[occupation_id]
        return OccupationGuess(
            occupation_id, occupation["label"], occupation.get("isco_code"), confidence, evidence
        )


def _alt_labels(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return [v.strip() for v in value.split("|") if v.strip()]
        return [str(v) for v in parsed]
    return [str(v) for v in value]


INDEXES_KEPT = 4  # databases whose index a process keeps (as engine.ENGINES_KEPT)
_indexes: OrderedDict[str, OccupationIndex] = OrderedDict()
_lock = threading.Lock()


def index_for(store: Any) -> OccupationIndex:
    """The process's index over a database's occupations (built on first use, ~0.4 s)."""
    with _lock:
        index = _indexes.get(store.path)
        if index is None:
            rows = store.db.execute("SELECT id, label, alt_labels, isco_code FROM occupations")
            index = OccupationIndex(
                {"id": i, "label": label, "alt_labels": alts, "isco_code": isco}
                for i, label, alts, isco in rows
            )
            _indexes[store.path] = index
        _indexes.move_to_end(store.path)
        while len(_indexes) > INDEXES_KEPT:
            _indexes.popitem(last=False)
        return index
