"""The shared skill space: every taxonomy label as a normalised vector, searched by matmul.

Courses, demand and people meet here. Rows of ``label_matrix_`` are label vectors (the
preferred and alternative labels of every digital skill, the preferred label of every other
ESCO skill), so a phrase is linked to the skill whose closest label it resembles most. The
space is built once per process from the store; its vectors live in the ``embeddings``
table, so a second build (a restart, another worker) runs no text through the model.

>>> space = get_skill_space(store)
>>> space.nearest(cache.embed(["MS Excel"], persist=False), k=1)[0][0][0]  # a skill id
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .embeddings import EmbeddingCache
from .errors import ConfigurationError, NotFound

# Which alternative labels get vectors. Measured (bench/RESULTS.md, the extraction-quality
# sections): the 78k alternative labels of non-digital skills would cost `init` 78k more
# embeddings (minutes on two cores) and 150 MB more memory per process, and they lowered
# SkillSkape F1 (train 0.221 against 0.236), so by default only digital skills' synonyms
# get vectors. Exact matching still uses every label of every skill (a dict lookup).
ALT_LABEL_CHOICES = ("digital", "all", "none")


class Neighbour(NamedTuple):
    """One nearest skill of a query vector: id, cosine score and the label that matched."""

    skill_id: str
    score: float
    matched_label: str


def taxonomy_version(store: Any) -> int:
    """The taxonomy's change counter (bumped by triggers on skills and labels): one row read."""
    try:
        row = store.db.execute("SELECT version FROM taxonomy_version WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # a database from before migration m003
        return -1
    return int(row[0]) if row else -1


def taxonomy_fingerprint(store: Any) -> str:
    """A digest of the label list and the change counter; equal for copies of one database.

    Aggregates rather than a hash of every label keep it to one scan of each table; the
    row-weighted sums change when any label's length or first letter does, and the change
    counter when anything else does.
    """
    labels = store.db.execute(
        "SELECT count(*), total(length(label) * rowid), total(unicode(label) * rowid), "
        "total((label_type = 'preferred') * rowid) FROM skill_labels"
    ).fetchone()
    skills = store.db.execute(
        "SELECT count(*), total(is_digital * rowid), total(length(label) * rowid) FROM skills"
    ).fetchone()
    state = (taxonomy_version(store), tuple(labels), tuple(skills))
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]


class SkillSpace:
    """Label and skill vectors of the taxonomy, with nearest-skill search.

    ``alt_labels``: whose alternative labels get vectors: 'digital' (default), 'all' or
    'none'. Preferred labels of every skill always do.

    Fitted attributes: ``ids_`` (skill ids; ``index_`` maps id -> row), ``skill_labels_``
    (preferred labels), ``is_digital_``; ``labels_`` / ``label_matrix_`` (one normalised
    float32 row per label) with ``label_skill_`` (the skill row of each label: sorted, so a
    skill's labels are one slice, its preferred label first) and ``preferred_row_``;
    ``skill_vectors_`` (each skill's preferred-label vector). float32 throughout: numpy has
    no fast float16 matmul (measured 160x slower), and the whole space is ~60 MB.
    """

    def __init__(self, alt_labels: str = "digital") -> None:
        if alt_labels not in ALT_LABEL_CHOICES:
            raise ConfigurationError(
                f"alt_labels must be one of {', '.join(ALT_LABEL_CHOICES)}, got {alt_labels!r}"
            )
        self.alt_labels = alt_labels

    # -- building ---------------------------------------------------------------------

    def fit(
        self,
        store: Any,
        cache: EmbeddingCache,
        progress: Callable[[str], None] | None = None,
        show_progress: bool = False,
    ) -> SkillSpace:
        """Read the taxonomy from the store and embed (or fetch cached) label vectors."""
        skills = store.db.execute("SELECT id, label, is_digital FROM skills ORDER BY id").fetchall()
        if not skills:
            raise ConfigurationError(
                "The taxonomy is empty: run `skills-match init` to load the reference data."
            )
        self.ids_: list[str] = [s[0] for s in skills]
        self.index_: dict[str, int] = {sid: i for i, sid in enumerate(self.ids_)}
        self.skill_labels_: list[str] = [s[1] for s in skills]
        self.is_digital_ = np.array([bool(s[2]) for s in skills], dtype=bool)

        rows: list[tuple[int, str, bool]] = []
        seen: set[tuple[int, str]] = set()
        for skill_id, label, label_type in store.db.execute(
            "SELECT skill_id, label, label_type FROM skill_labels "
            "ORDER BY skill_id, label_type DESC, label"
        ):
            i = self.index_.get(skill_id)
            text = label.strip()
            if i is None or not _is_label(text) or (i, text.casefold()) in seen:
                continue
            preferred = label_type == "preferred"
            if not preferred and not self._embeds_alt(bool(self.is_digital_[i])):
                continue
            seen.add((i, text.casefold()))
            rows.append((i, text, preferred))
        # Every skill has at least its preferred label (from the skills table if need be),
        # so skill_vectors_ is complete even if the label list is missing one.
        have_preferred = {i for i, _, p in rows if p}
        for i, label in enumerate(self.skill_labels_):
            if i not in have_preferred:
                rows.append((i, label.strip(), True))
        rows.sort(key=lambda r: (r[0], not r[2], r[1]))

        self.labels_: list[str] = [r[1] for r in rows]
        self.label_skill_ = np.array([r[0] for r in rows], dtype=np.int32)
        self.label_is_preferred_ = np.array([r[2] for r in rows], dtype=bool)
        if progress:
            progress(f"Skill space: {len(self.labels_):,} labels of {len(self.ids_):,} skills.")
        matrix = cache.embed(self.labels_, persist=True, show_progress=show_progress)
        self.label_matrix_ = np.ascontiguousarray(matrix, dtype=np.float32)
        first = np.full(len(self.ids_), -1, dtype=np.int64)
        for row in np.flatnonzero(self.label_is_preferred_)[::-1]:
            first[self.label_skill_[row]] = row
        self.preferred_row_ = first
        self.skill_vectors_ = np.ascontiguousarray(self.label_matrix_[first])
        self.label_is_digital_ = self.is_digital_[self.label_skill_]
        self.digital_rows_ = np.flatnonzero(self.label_is_digital_)
        self.digital_matrix_ = np.ascontiguousarray(self.label_matrix_[self.digital_rows_])
        self.model_ = cache.encoder.name
        self.fingerprint_ = taxonomy_fingerprint(store)
        self.version_ = taxonomy_version(store)
        return self

    def _embeds_alt(self, is_digital: bool) -> bool:
        return self.alt_labels == "all" or (self.alt_labels == "digital" and is_digital)

    def _check_fitted(self) -> None:
        if not hasattr(self, "label_matrix_"):
            raise RuntimeError("SkillSpace is not built yet: call fit(store, cache) first.")

    # -- queries ----------------------------------------------------------------------

    @property
    def nbytes(self) -> int:
        """Memory held by the vectors (label matrix, digital copy, skill vectors)."""
        self._check_fitted()
        return int(
            self.label_matrix_.nbytes + self.digital_matrix_.nbytes + self.skill_vectors_.nbytes
        )

    def position(self, skill_id: str) -> int:
        """Row of a skill in ``ids_`` / ``skill_vectors_``; NotFound if it is not in the space."""
        self._check_fitted()
        try:
            return self.index_[skill_id]
        except KeyError:
            raise NotFound(f"No skill {skill_id} in the taxonomy.") from None

    def vector(self, skill_id: str) -> np.ndarray:
        """A skill's vector (its preferred label's), normalised float32."""
        return self.skill_vectors_[self.position(skill_id)]

    def is_digital(self, skill_id: str) -> bool:
        """Whether ESCO (or the EDS framework) counts the skill as digital."""
        return bool(self.is_digital_[self.position(skill_id)])

    def label(self, skill_id: str) -> str:
        """A skill's preferred label."""
        return self.skill_labels_[self.position(skill_id)]

    def similarity(self, skill_ids_a: Sequence[str], skill_ids_b: Sequence[str]) -> np.ndarray:
        """Cosine similarity of every skill in ``a`` with every skill in ``b`` (len a x len b)."""
        a = self.skill_vectors_[[self.position(s) for s in skill_ids_a]]
        b = self.skill_vectors_[[self.position(s) for s in skill_ids_b]]
        return a @ b.T

    def scores(self, vectors: np.ndarray, digital_only: bool = False) -> np.ndarray:
        """Cosine of each query vector with each label row (or each digital label row)."""
        self._check_fitted()
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.label_matrix_.shape[1])
        matrix = self.digital_matrix_ if digital_only else self.label_matrix_
        return vectors @ matrix.T

    def best(
        self, vectors: np.ndarray, digital_only: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """The single closest label row of each vector and its score: (rows, scores)."""
        if len(vectors) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self.scores(vectors, digital_only)
        cols = scores.argmax(axis=1)
        best = scores[np.arange(len(cols)), cols]
        rows = self.digital_rows_[cols] if digital_only else cols
        return rows, best

    def nearest(
        self, vectors: np.ndarray, k: int = 5, digital_only: bool = False
    ) -> list[list[Neighbour]]:
        """The ``k`` closest skills of each vector, best first, one entry per skill.

        A skill's score is the best cosine over its labels; each entry also names that label.
        """
        if k < 1:
            raise ValueError("k must be at least 1.")
        if len(vectors) == 0:
            return []
        scores = self.scores(vectors, digital_only)
        rows_of = self.digital_rows_ if digital_only else None
        # Several labels of one skill can crowd the top: look a little deeper, then dedupe.
        depth = min(scores.shape[1], k * 8)
        results: list[list[Neighbour]] = []
        for line in scores:
            top = np.argpartition(-line, depth - 1)[:depth] if depth < len(line) else None
            order = top[np.argsort(-line[top])] if top is not None else np.argsort(-line)
            found: list[Neighbour] = []
            taken: set[int] = set()
            for col in order:
                row = int(rows_of[col]) if rows_of is not None else int(col)
                skill = int(self.label_skill_[row])
                if skill in taken:
                    continue
                taken.add(skill)
                found.append(Neighbour(self.ids_[skill], float(line[col]), self.labels_[row]))
                if len(found) == k:
                    break
            results.append(found)
        return results


def _is_label(text: str) -> bool:
    # Two letters or digits, or one capital ("R", "C"): stray punctuation and lone
    # lower-case letters are not labels, and as vectors they would attract matches.
    alnum = [ch for ch in text if ch.isalnum()]
    return len(alnum) >= 2 or (len(alnum) == 1 and not alnum[0].islower())


# Built spaces by content: copies of one database (gunicorn workers, test fixtures) share
# one space. Two are kept so a rebuild after a taxonomy change can overlap the old one.
_spaces: OrderedDict[tuple[str, str, str], SkillSpace] = OrderedDict()
_spaces_lock = threading.Lock()
SPACES_KEPT = 2


def get_skill_space(
    store: Any,
    cache: EmbeddingCache | None = None,
    alt_labels: str = "digital",
    progress: Callable[[str], None] | None = None,
    show_progress: bool = False,
) -> SkillSpace:
    """The process-wide space for this taxonomy, built on first use and when it changes."""
    if cache is None:
        from .embeddings import get_encoder

        cache = EmbeddingCache(get_encoder(), store)
    key = (cache.encoder.name, alt_labels, taxonomy_fingerprint(store))
    with _spaces_lock:
        space = _spaces.get(key)
        if space is None:
            space = SkillSpace(alt_labels).fit(store, cache, progress, show_progress)
            _spaces[key] = space
            while len(_spaces) > SPACES_KEPT:
                _spaces.popitem(last=False)
        _spaces.move_to_end(key)
    return space
