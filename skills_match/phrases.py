"""Short skill phrases ("Docker", "MS Excel", "keeping safe online") read as taxonomy skills.

A phrase is what an adviser types as a target skill or a provider lists under a course's
skills. Each is read as the extractor reads a sentence (aliases, brands, typos, negation);
one the extractor finds no digital skill in falls back to its closest digital label, kept
only at ``threshold`` cosine (the bar at which a phrase "means" a skill, tuned on ESCO's
own synonyms in ``bench/match_quality.py --tune``). A phrase that reaches neither is
returned unread, so the caller can say so instead of dropping it.

>>> reader = get_engine(Settings.from_env()).phrases
>>> [r.skill_id is not None for r in reader.read(["MS Excel", "kindness"])]
[True, False]
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .text import normalise, sha256_text

PERSON_THRESHOLD = 0.80
CLOSEST_CACHE_SIZE = 50_000  # phrases whose closest digital label is remembered
NAMED = {"exact", "normalised", "alias"}  # extraction methods that match a label or alias


@dataclass(frozen=True)
class PhraseReading:
    """What one phrase was read as: a skill id, or None when it names no digital skill."""

    text: str
    skill_id: str | None
    # "extraction" (read as a sentence), "closest" (nearest digital label) or None (unread)
    how: str | None = None
    score: float | None = None


class PhraseReader:
    """Reads skill phrases through the extractor, then the closest digital label."""

    def __init__(self, extractor: Any, space: Any, cache: Any) -> None:
        self.extractor = extractor
        self.space = space
        self.cache = cache
        self._closest: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def closest_digital(
        self, texts: Sequence[str], vectors: np.ndarray
    ) -> tuple[list[int], list[float]]:
        """Closest digital label row and cosine of each text, remembered in memory (keyed
        by the text's hash, like the vector cache) so a repeated phrase costs a dictionary
        lookup instead of a search over 11k labels."""
        keys = [sha256_text(t) for t in texts]
        with self._lock:
            known = {k: self._closest[k] for k in keys if k in self._closest}
        todo = [i for i, k in enumerate(keys) if k not in known]
        if todo:
            rows, scores = self.space.best(vectors[todo], digital_only=True)
            with self._lock:
                for i, row, score in zip(todo, rows, scores, strict=True):
                    known[keys[i]] = (int(row), float(score))
                    self._closest[keys[i]] = known[keys[i]]
                while len(self._closest) > CLOSEST_CACHE_SIZE:
                    self._closest.popitem(last=False)
        return [known[k][0] for k in keys], [known[k][1] for k in keys]

    def read(
        self,
        phrases: Sequence[str],
        threshold: float = PERSON_THRESHOLD,
        persist: bool = False,
        digital_only: bool = True,
    ) -> list[PhraseReading]:
        """One reading per phrase, in order; ``persist`` stores new vectors (catalogue use).

        With ``digital_only`` False a phrase that names a non-digital skill by its label or
        an alias keeps it ("Xero": use accounting systems); a digital reading comes first.
        """
        readings: list[PhraseReading | None] = [None] * len(phrases)
        # One batch: every phrase's sentence vectors are embedded together.
        found = self.extractor.extract_many(list(phrases), persist=persist)
        unread = []
        for i, (phrase, skills) in enumerate(zip(phrases, found, strict=True)):
            digital = [s for s in skills if s.is_digital and not s.negated]
            # A non-digital reading only where the phrase names the skill (its label or an
            # alias): a near meaning of two words is too loose ("free parking" -> parking
            # regulations).
            named = [s for s in skills if not s.negated and s.method in NAMED]
            if digital or (named and not digital_only):
                readings[i] = PhraseReading(phrase, (digital or named)[0].skill_id, "extraction")
            else:
                unread.append(i)
        if unread:
            texts = [normalise(phrases[i]) for i in unread]
            vectors = self.cache.embed(texts, persist=persist)
            rows, scores = self.closest_digital(texts, vectors)
            for i, row, score in zip(unread, rows, scores, strict=True):
                readings[i] = (
                    PhraseReading(
                        phrases[i],
                        self.space.ids_[int(self.space.label_skill_[row])],
                        "closest",
                        score,
                    )
                    if score >= threshold
                    else PhraseReading(phrases[i], None, None, score)
                )
        return [r for r in readings if r is not None]
