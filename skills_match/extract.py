"""Skills from free text: course descriptions, job adverts, a person's own words.

Extractor v2 reads a document the way a person does, in two stages per sentence:

1. **Candidates, for recall.** The text is split into sections and sentences
   (:mod:`skills_match.sections`); boilerplate (contact lines, benefits, "about us",
   equality statements) yields nothing. Each remaining sentence gives candidates from
   (a) its words: taxonomy labels, aliases of tools and brands, misspelt names (the lexical
   pass); (b) its short phrases, each linked to its closest taxonomy label (v1's semantic
   pass); and (c) the whole sentence, embedded and compared with every skill's key (its
   preferred label and, where ESCO has one, its description) through a linear adapter
   trained on job-advert sentences, so skills that are meant but never named surface
   ("build dashboards for managers" -> data visualisation software).
2. **A context-aware scorer, for precision.** Each (sentence, skill) candidate gets
   features (adapted and frozen cosines, rank, margin to the best, phrase cosine, label or
   alias match, token overlap, ...) and a gradient-boosted classifier turns them into a
   probability. A label or alias that is also an everyday word ("access", "call") gets no
   credit for the string match: only its context can carry it.

Every skill is reported once per text with its best evidence, ranked by score; the caller
picks the cut-off (``min_score``, default calibrated on the training split) and ``top_k``.
Each hit also says which section it came from, whether the text made it essential or
desirable, and whether it was negated ("no experience of Python needed"). EDS areas are
reported apart from ESCO skills. Artefacts: ``models/extractor_*`` (model card
``models/extractor.md``), rebuilt by ``scripts/train_extractor.py``.

>>> extractor = get_engine(settings).extractor
>>> [(s.label, s.text) for s in extractor.extract("You will build Power BI dashboards")][:1]
[('use business intelligence software'?, 'Power BI')]
"""

from __future__ import annotations

import bisect
import csv
import functools
import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from . import sections as doc
from .embeddings import EmbeddingCache
from .errors import ConfigurationError, InvalidInput, SkillsMatchError
from .lexicon import (
    _SOFT,
    NAME_ZIPF,
    STOP_WORDS,
    LexicalHit,
    Lexicon,
    _gaps,
    _segments,
    _Token,
    get_lexicon,
    tokenise,
    zipf,
)
from .plain import plain
from .skillspace import SkillSpace
from .store.courses import SkillLink
from .text import normalise, sha256_text

# Bump when extraction output changes: every stored link records the version that made it
# and `skills-match reextract` redoes links made by any other.
EXTRACTOR_VERSION = "2.0"
# Largest text accepted, in characters: a long job advert is ~10,000. Bigger inputs are
# refused rather than truncated, so nobody gets skills for half a document unknowingly.
MAX_TEXT_CHARS = 100_000
# Candidate phrases (v1's semantic pass, now one source of candidates among three): a
# clause of up to MAX_CANDIDATE_TOKENS tokens is embedded whole; a longer one is split at
# prepositions, and also embedded whole if it has at most MAX_CLAUSE_TOKENS.
MAX_CANDIDATE_TOKENS = 4
MAX_CLAUSE_TOKENS = 12
# Candidates per sentence: the best RETRIEVAL_K skills of sentence retrieval, and for each
# phrase its best PHRASE_K labels at cosine PHRASE_FLOOR or more (recall 0.82 of SkillSkape
# train gold skills at these settings; see models/extractor.md).
RETRIEVAL_K = 10
PHRASE_K = 8
PHRASE_FLOOR = 0.55
PHRASE_CHUNK = 512  # phrases scored against every label at a time (bounds the score matrix)
# Sentences scored per matrix product: bounds the (sentences x skills) score block (~55 MB).
SENTENCE_CHUNK = 1024
FEATURES = (
    "adapted_cosine",
    "log_rank",
    "margin_to_best",
    "frozen_cosine",
    "phrase_cosine",
    "name_match",
    "normalised_match",
    "label_overlap",
    "is_digital",
    "log_occupations",
    "log_tokens",
    "best_adapted_cosine",
)
# The least score of an alias hit (and, times its similarity, of a misspelt name) that is
# not an everyday word. The alias table is curated (data/reference/aliases.csv) and the
# training sentences name almost no tools, so the scorer cannot learn to trust it: there
# an alias hit of "Power BI" scored 0.01 against 0.33 needed.
NAME_FLOOR = {"alias": 0.9, "fuzzy": 0.9}
# ... unless the name is also a common English word (Zipf >= NAME_ZIPF: Java, Ruby, Word)
# and none of the sentence's DIGITAL_CONTEXT_K best retrieved skills is digital.
DIGITAL_CONTEXT_K = 3
MODEL_FILES = ("extractor_adapter.npz", "extractor_scorer.joblib", "extractor.json")
TRAIN_COMMAND = ".venv/bin/python scripts/train_extractor.py"

METHODS = ("exact", "normalised", "alias", "fuzzy", "semantic")
_METHOD_RANK = {m: i for i, m in enumerate(METHODS)}


@dataclass(frozen=True)
class ExtractedSkill:
    """One taxonomy skill a text means, with its evidence, section and flags."""

    skill_id: str
    label: str
    level: str | None
    is_digital: bool
    start: int
    end: int
    text: str
    score: float
    method: str
    matched_label: str  # the taxonomy label or alias the evidence matched
    section: str = "body"
    requirement: str | None = None  # "essential" | "desirable" when the text says so
    negated: bool = False
    rank: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return plain(self)


@dataclass(frozen=True)
class Extraction:
    """Everything read from one text: ranked skills, EDS areas and the sections seen."""

    skills: list[ExtractedSkill]
    eds_areas: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)


# -- the trained model ----------------------------------------------------------------------


@dataclass
class ExtractorModel:
    """The adapter (query side), key offsets (skill side) and scorer, with their metadata."""

    adapter: np.ndarray  # (d, d): a sentence vector x is read as normalise(x + x @ adapter)
    key_offsets: dict[str, np.ndarray]  # skill id -> offset added to its key before normalising
    scorer: Any  # a fitted scikit-learn classifier over FEATURES (None while training)
    meta: dict[str, Any]

    @property
    def min_score(self) -> float:
        """The calibrated default cut-off on the scorer's probability."""
        return float(self.meta.get("min_score", 0.5))

    def adapt(self, vectors: np.ndarray) -> np.ndarray:
        """Sentence vectors moved into the skill-key space (normalised float32)."""
        q = vectors + vectors @ self.adapter
        q /= np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        return q.astype(np.float32, copy=False)


_models: dict[str, ExtractorModel] = {}
_models_lock = threading.Lock()


def load_extractor_model(models_dir: str | Path) -> ExtractorModel:
    """The trained extractor from ``models_dir``, loaded once per process."""
    directory = Path(models_dir)
    key = str(directory.resolve())
    with _models_lock:
        model = _models.get(key)
        if model is None:
            model = _models[key] = _read_model(directory)
    return model


def _read_model(directory: Path) -> ExtractorModel:
    missing = [name for name in MODEL_FILES if not (directory / name).exists()]
    if missing:
        raise ConfigurationError(
            f"The extractor model is missing from {directory} ({', '.join(missing)}); "
            f"rebuild it with `{TRAIN_COMMAND}`."
        )
    import joblib
    import sklearn

    meta = json.loads((directory / "extractor.json").read_text(encoding="utf-8"))
    scorer_path = directory / "extractor_scorer.joblib"
    digest = hashlib.sha256(scorer_path.read_bytes()).hexdigest()
    if digest != meta.get("scorer_sha256"):
        raise ConfigurationError(
            f"{scorer_path} does not match its metadata (sha256 differs); "
            f"rebuild it with `{TRAIN_COMMAND}`."
        )
    if meta.get("sklearn_version") != sklearn.__version__:
        raise ConfigurationError(
            f"The extractor scorer was trained with scikit-learn {meta.get('sklearn_version')}"
            f", this is {sklearn.__version__}; rebuild it with `{TRAIN_COMMAND}`."
        )
    if tuple(meta.get("features", ())) != FEATURES:
        raise ConfigurationError(
            f"The extractor scorer was trained on other features; rebuild with `{TRAIN_COMMAND}`."
        )
    arrays = np.load(directory / "extractor_adapter.npz", allow_pickle=False)
    offsets = dict(
        zip(arrays["offset_ids"].tolist(), arrays["offsets"].astype(np.float32), strict=True)
    )
    scorer = joblib.load(scorer_path)  # our own committed file; never load one from elsewhere
    return ExtractorModel(arrays["adapter"].astype(np.float32), offsets, scorer, meta)


# -- skill keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillKeys:
    """One key vector per skill of a space: what sentences are compared with."""

    base: np.ndarray  # normalise(preferred label vector + "label. description" vector)
    tuned: np.ndarray  # base plus the trained offset of the skill, normalised
    candidate: np.ndarray  # bool per skill: may be a candidate (EDS areas are not)
    log_occupations: np.ndarray  # log(1 + ESCO occupations using the skill): a general prior
    label_words: list[frozenset[str]]  # content words of each preferred label


_keys: weakref.WeakKeyDictionary[SkillSpace, dict[int, SkillKeys]] = weakref.WeakKeyDictionary()
_keys_lock = threading.Lock()


def description_texts(store: Any, space: SkillSpace) -> dict[int, str]:
    """Skill row -> "label. description" for every skill with an ESCO description."""
    texts: dict[int, str] = {}
    for skill_id, label, description in store.db.execute(
        "SELECT id, label, description FROM skills WHERE description != ''"
    ):
        row = space.index_.get(skill_id)
        if row is not None and description.strip():
            texts[row] = f"{label}. {description.strip()}"
    return texts


def skill_keys(
    store: Any, space: SkillSpace, cache: EmbeddingCache, model: ExtractorModel
) -> SkillKeys:
    """The skill keys of a space under a model, built once (descriptions embedded once ever)."""
    with _keys_lock:
        per_model = _keys.setdefault(space, {})
        keys = per_model.get(id(model))
        if keys is None:
            keys = per_model[id(model)] = build_skill_keys(store, space, cache, model.key_offsets)
    return keys


def build_skill_keys(
    store: Any, space: SkillSpace, cache: EmbeddingCache, offsets: dict[str, np.ndarray]
) -> SkillKeys:
    """Skill keys from label and description vectors plus trained offsets."""
    base = np.array(space.skill_vectors_, dtype=np.float32, copy=True)
    described = description_texts(store, space)
    if described:
        rows = sorted(described)
        # Taxonomy text: vectors are stored, so this embeds the ~1,400 descriptions once.
        base[rows] += cache.embed([described[r] for r in rows], persist=True)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    tuned = base.copy()
    for skill_id, offset in offsets.items():
        row = space.index_.get(skill_id)
        if row is not None:
            tuned[row] += offset
    tuned /= np.linalg.norm(tuned, axis=1, keepdims=True)
    uses = dict(
        store.db.execute("SELECT id, occupations_essential + occupations_optional FROM skills")
    )
    return SkillKeys(
        base=base,
        tuned=tuned,
        candidate=np.array([not i.startswith("eds-") for i in space.ids_], dtype=bool),
        log_occupations=np.log1p(
            np.array([uses.get(i) or 0 for i in space.ids_], dtype=np.float32)
        ),
        label_words=[_content_words(label) for label in space.skill_labels_],
    )


# -- candidates and their features ----------------------------------------------------------


class _Candidate(NamedTuple):
    skill: int
    start: int  # offsets within the sentence
    end: int
    method: str
    matched_label: str


@dataclass
class CandidateTable:
    """Candidates of a batch of sentences: (sentence, skill) pairs with features and evidence."""

    sentence: np.ndarray  # int32 index of the sentence of each row
    candidates: list[_Candidate]
    features: np.ndarray  # float32 (rows, len(FEATURES))
    floors: np.ndarray  # float32: the least score each row gets whatever the scorer says


class _Scored(NamedTuple):
    candidate: _Candidate
    score: float


class Extractor:
    """Finds the taxonomy skills a text means; build once per process.

    ``min_score``: the default cut-off (None: the calibrated one from the model's metadata).
    ``models_dir``: where the trained artefacts are (default: the settings' models folder).
    """

    def __init__(
        self,
        store: Any,
        space: SkillSpace,
        cache: EmbeddingCache,
        *,
        min_score: float | None = None,
        models_dir: str | Path | None = None,
        model: ExtractorModel | None = None,
        data_dir: str | Path | None = None,
        result_cache_size: int = 100_000,
    ) -> None:
        if models_dir is None or data_dir is None:
            from .config import Settings

            settings = Settings.from_env()
            models_dir = settings.models_dir if models_dir is None else models_dir
            data_dir = settings.data_dir if data_dir is None else data_dir
        self.store = store
        self.space = space
        self.cache = cache
        self.model = model if model is not None else load_extractor_model(models_dir)
        self.min_score = self.model.min_score if min_score is None else float(min_score)
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError("min_score must be in [0, 1].")
        self.keys = skill_keys(store, space, cache, self.model)
        self.lexicon = _lexicon(store, space)
        self.eds_equivalents = _eds_equivalents(Path(data_dir), space)
        self.result_cache_size = result_cache_size
        self._lock = threading.RLock()
        # SHA-256 of a sentence -> its scored candidates, in memory only and bounded (LRU).
        # A person's sentences are kept too, as the vector cache keeps their vectors: by hash,
        # never as text, never written anywhere; repeated phrases ("I use email") then cost
        # nothing on the next request.
        self._results: OrderedDict[str, list[_Scored]] = OrderedDict()

    # -- public API ---------------------------------------------------------------------

    def extract(
        self,
        text: Any,
        top_k: int | None = None,
        min_score: float | None = None,
        persist: bool = False,
    ) -> list[ExtractedSkill]:
        """The skills a text means, best first (at or above the cut-off, at most ``top_k``).

        ``persist``: whether vectors and results may be kept. Leave it False for a person's
        own words (nothing about them is stored); True for catalogue text.
        Raises InvalidInput for empty, oversized, non-text or non-UTF-8 input.
        """
        return self.analyse(text, top_k=top_k, min_score=min_score, persist=persist).skills

    def analyse(
        self,
        text: Any,
        top_k: int | None = None,
        min_score: float | None = None,
        persist: bool = False,
    ) -> Extraction:
        """The ranked skills of one text with its EDS areas and sections."""
        return self.analyse_many([text], top_k=top_k, min_score=min_score, persist=persist)[0]

    def extract_many(
        self,
        texts: Sequence[Any],
        top_k: int | None = None,
        min_score: float | None = None,
        persist: bool = False,
    ) -> list[list[ExtractedSkill]]:
        """The ranked skills of each text; all their sentences are embedded in one batch."""
        found = self.analyse_many(texts, top_k=top_k, min_score=min_score, persist=persist)
        return [f.skills for f in found]

    def analyse_many(
        self,
        texts: Sequence[Any],
        top_k: int | None = None,
        min_score: float | None = None,
        persist: bool = False,
    ) -> list[Extraction]:
        """:meth:`analyse` for several texts at once."""
        cut = self.min_score if min_score is None else float(min_score)
        if not 0.0 <= cut <= 1.0:
            raise InvalidInput("min_score must be between 0 and 1.", {"min_score": ["0 to 1."]})
        if top_k is not None and top_k < 1:
            raise InvalidInput("top_k must be at least 1.", {"top_k": ["At least 1."]})
        checked = [check_text(t) for t in texts]
        split = [doc.split(t) for t in checked]
        wanted = [s for sentences in split for s in sentences if not s.boilerplate]
        scored = self._score_sentences([s.text for s in wanted], persist)
        by_sentence = dict(zip((id(s) for s in wanted), scored, strict=True))
        return [
            self._finish(text, sentences, by_sentence, cut, top_k)
            for text, sentences in zip(checked, split, strict=True)
        ]

    def link(self, texts: Sequence[str]) -> list[list[SkillLink]]:
        """Skill links for catalogue texts (the importer's SkillLinker); vectors persisted.

        Negated skills are not linked; a skill the text calls desirable is linked as optional.
        """
        todo = [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
        found = self.analyse_many([texts[i] for i in todo], persist=True)
        links: list[list[SkillLink]] = [[] for _ in texts]
        for i, extraction in zip(todo, found, strict=True):
            links[i] = [
                # No level stored: the taxonomy's current level applies when read, so a
                # later correction of a skill's level reaches every linked record.
                _link(s)
                for s in extraction.skills
                if not s.negated
            ]
        return links

    def clear_result_cache(self) -> None:
        """Forget cached sentence results (vectors stay cached); for benchmarks."""
        with self._lock:
            self._results.clear()

    # -- scoring ------------------------------------------------------------------------

    def _score_sentences(self, sentences: Sequence[str], persist: bool) -> list[list[_Scored]]:
        keys = {s: sha256_text(s) for s in sentences}
        results: dict[str, list[_Scored]] = {}
        with self._lock:
            for s, key in keys.items():
                cached = self._results.get(key)
                if cached is not None:
                    self._results.move_to_end(key)
                    results[s] = cached
        todo = sorted(s for s in keys if s not in results)
        if todo:
            vectors = self.cache.embed([_embed_form(s) for s in todo], persist=persist)
            table = self.candidate_table(todo, vectors, self.model.adapt(vectors), persist)
            probabilities = (
                _lift(self.model.scorer.predict_proba(table.features)[:, 1], table.floors)
                if len(table.candidates)
                else np.zeros(0)
            )
            fresh: dict[str, list[_Scored]] = {s: [] for s in todo}
            for i, candidate, p in zip(
                table.sentence, table.candidates, probabilities, strict=True
            ):
                fresh[todo[i]].append(_Scored(candidate, float(p)))
            results.update(fresh)
            with self._lock:
                for s, scored in fresh.items():
                    self._results[keys[s]] = scored
                while len(self._results) > self.result_cache_size:
                    self._results.popitem(last=False)
        return [results[s] for s in sentences]

    def candidate_table(
        self,
        sentences: Sequence[str],
        vectors: np.ndarray,
        adapted: np.ndarray,
        persist: bool,
        tuned_keys: np.ndarray | None = None,
    ) -> CandidateTable:
        """Every candidate of every sentence with its features (the trainer calls this too).

        ``vectors`` / ``adapted``: the sentences' frozen and adapted vectors; ``tuned_keys``
        overrides the model's skill keys (the trainer's out-of-fold models).
        """
        keys = self.keys
        tuned = keys.tuned if tuned_keys is None else tuned_keys
        lexical, phrases, pieces = self._lexical(sentences, persist)
        rows: list[int] = []
        found: list[_Candidate] = []
        feats: list[list[float]] = []
        floors: list[float] = []
        for begin in range(0, len(sentences), SENTENCE_CHUNK):
            block = adapted[begin : begin + SENTENCE_CHUNK] @ tuned.T
            block[:, ~keys.candidate] = -2.0
            for offset, scores in enumerate(block):
                i = begin + offset
                top = np.argpartition(-scores, RETRIEVAL_K)[:RETRIEVAL_K]
                best = float(scores[top].max())
                leaders = top[np.argsort(-scores[top])[:DIGITAL_CONTEXT_K]]
                digital_context = bool(self.space.is_digital_[leaders].any())
                hits = lexical[i]
                near = phrases[i]
                skills = set(top.tolist()) | set(hits) | set(near)
                words = _content_words(sentences[i])
                log_tokens = float(np.log1p(len(words)))
                for skill in skills:
                    if not keys.candidate[skill]:
                        continue
                    score = float(scores[skill])
                    rank = int((scores > score).sum())
                    hit = hits.get(skill)
                    phrase = near.get(skill)
                    name = normalised = 0.0
                    if hit is not None and not hit[1]:  # ambiguous words earn no credit
                        if hit[0].method == "normalised":
                            normalised = 1.0
                        else:
                            name = hit[2]
                    label_words = keys.label_words[skill]
                    overlap = len(label_words & words) / max(1, len(label_words))
                    feats.append(
                        [
                            score,
                            float(np.log1p(rank)),
                            best - score,
                            float(vectors[i] @ keys.base[skill]),
                            phrase[0] if phrase else 0.0,
                            name,
                            normalised,
                            overlap,
                            float(self.space.is_digital_[skill]),
                            float(keys.log_occupations[skill]),
                            log_tokens,
                            best,
                        ]
                    )
                    rows.append(i)
                    trusted = hit is not None and not hit[1]
                    if (
                        trusted
                        and not digital_context
                        and _word_like(sentences[i][hit[0].start : hit[0].end])
                    ):
                        # "Java coffee", "Ruby wedding": a name that is also a word is
                        # trusted only where the sentence is about digital work.
                        trusted = False
                    floors.append(NAME_FLOOR.get(hit[0].method, 0.0) * hit[2] if trusted else 0.0)
                    if hit is not None:
                        evidence = hit[0]
                    elif phrase is not None:
                        evidence = phrase[1]
                    else:
                        evidence = self._closest_piece(skill, sentences[i], pieces[i], hits)
                    found.append(evidence._replace(skill=skill))
        return CandidateTable(
            np.array(rows, dtype=np.int32),
            found,
            np.array(feats, dtype=np.float32).reshape(-1, len(FEATURES)),
            np.array(floors, dtype=np.float32),
        )

    def _lexical(
        self, sentences: Sequence[str], persist: bool
    ) -> tuple[list[dict[int, tuple[_Candidate, bool, float]]], list[dict], list[tuple]]:
        """Per sentence: lexical hits by skill (candidate, ambiguous, score), the best phrase
        match by skill (cosine, candidate), and its phrases (vectors, spans) for evidence."""
        lexical: list[dict[int, tuple[_Candidate, bool, float]]] = []
        spans: list[list[tuple[int, int, str]]] = []
        for sentence in sentences:
            hits: dict[int, tuple[_Candidate, bool, float]] = {}
            for h in self.lexicon.hits(sentence):
                kept = hits.get(h.skill)
                if kept is None or (not h.ambiguous and kept[1]) or h.score > kept[2]:
                    hits[h.skill] = (
                        _Candidate(h.skill, h.start, h.end, h.method, h.matched_label),
                        h.ambiguous,
                        h.score,
                    )
            lexical.append(hits)
            spans.append(
                self.lexicon.phrases(sentence, [(h.start, h.end) for h, _, _ in hits.values()])
            )
        texts = sorted({p for s in spans for _, _, p in s})
        best: list[dict[int, tuple[float, _Candidate]]] = [{} for _ in sentences]
        if not texts:
            return lexical, best, [(None, [])] * len(sentences)
        vectors = self.cache.embed(texts, persist=persist)
        where = {t: i for i, t in enumerate(texts)}
        tops = self._phrase_tops(vectors)
        for i, sentence_spans in enumerate(spans):
            near = best[i]
            for start, end, phrase in sentence_spans:
                row = where[phrase]
                for col, score in tops[row]:
                    skill = int(self.space.label_skill_[col])
                    if skill not in near or score > near[skill][0]:
                        near[skill] = (
                            score,
                            _Candidate(skill, start, end, "semantic", self.space.labels_[col]),
                        )
        phrases = [
            (vectors[[where[p] for _, _, p in spans_]], [(a, b) for a, b, _ in spans_])
            if spans_
            else (None, [])
            for spans_ in spans
        ]
        return lexical, best, phrases

    def _phrase_tops(self, vectors: np.ndarray) -> list[list[tuple[int, float]]]:
        """Per phrase, its PHRASE_K closest label rows scoring at least PHRASE_FLOOR.

        Most of a phrase's ~100k label scores are far below the floor: keeping only the
        entries above it before ranking is several times faster than a partial sort of
        every row, and the answer is the same (the top PHRASE_K above the floor).
        """
        out: list[list[tuple[int, float]]] = []
        for begin in range(0, len(vectors), PHRASE_CHUNK):
            block = self.space.scores(vectors[begin : begin + PHRASE_CHUNK])
            rows, cols = np.nonzero(block >= PHRASE_FLOOR)
            values = block[rows, cols]
            order = np.lexsort((-values, rows))  # by row, best first within a row
            rows, cols, values = rows[order], cols[order], values[order]
            bounds = np.searchsorted(rows, np.arange(len(block) + 1))
            for r in range(len(block)):
                a, b = bounds[r], min(bounds[r + 1], bounds[r] + PHRASE_K)
                out.append(list(zip(cols[a:b].tolist(), values[a:b].tolist(), strict=True)))
        return out

    def _closest_piece(
        self, skill: int, sentence: str, pieces: tuple, hits: dict[int, tuple]
    ) -> _Candidate:
        """Evidence for a skill the whole sentence implies: the phrase (or lexical hit) of
        the sentence closest to the skill; the whole sentence when it has neither."""
        vectors, spans = pieces
        start, end = 0, len(sentence)
        key = self.keys.base[skill]
        if spans:
            start, end = spans[int(np.argmax(vectors @ key))]
        elif hits:
            # The hit whose own skill is nearest: "can't use spreadsheets" names skill A,
            # and implies skill B through the same words.
            near = max(hits.values(), key=lambda h: float(self.keys.base[h[0].skill] @ key))
            start, end = near[0].start, near[0].end
        return _Candidate(skill, start, end, "semantic", self.space.skill_labels_[skill])

    # -- one text's answer ----------------------------------------------------------------

    def _finish(
        self,
        text: str,
        sentences: list[doc.Sentence],
        scored: dict[int, list[_Scored]],
        cut: float,
        top_k: int | None,
    ) -> Extraction:
        best: dict[int, tuple[float, int, doc.Sentence, _Candidate]] = {}
        for sentence in sentences:
            for candidate, score in scored.get(id(sentence), ()):
                kept = best.get(candidate.skill)
                order = (score, -_METHOD_RANK[candidate.method])
                if kept is None or order > (kept[0], -_METHOD_RANK[kept[3].method]):
                    best[candidate.skill] = (score, sentence.start, sentence, candidate)
        ranked = sorted(
            (v for v in best.values() if v[0] >= cut),
            key=lambda v: (-v[0], v[1] + v[3].start),
        )
        if top_k is not None:
            ranked = ranked[:top_k]
        ids = {self.space.ids_[v[3].skill] for v in ranked}
        with self._lock:
            levels = self.store.skill_levels(ids) if ids else {}
        skills = []
        for rank, (score, _, sentence, c) in enumerate(ranked, start=1):
            start, end = sentence.start + c.start, sentence.start + c.end
            skills.append(
                ExtractedSkill(
                    skill_id=self.space.ids_[c.skill],
                    label=self.space.skill_labels_[c.skill],
                    level=self._level(c.skill, levels),
                    is_digital=bool(self.space.is_digital_[c.skill]),
                    start=start,
                    end=end,
                    text=text[start:end],
                    score=round(score, 4),
                    method=c.method,
                    matched_label=c.matched_label,
                    section=sentence.section,
                    requirement=sentence.requirement,
                    negated=doc.negated(sentence, start, end),
                    rank=rank,
                )
            )
        return Extraction(
            skills=skills,
            eds_areas=self._eds_areas(skills),
            sections=_sections(sentences),
        )

    def _eds_areas(self, skills: list[ExtractedSkill]) -> list[dict[str, Any]]:
        """EDS areas whose ESCO equivalents the text means (its best evidence for each)."""
        areas: dict[str, dict[str, Any]] = {}
        for s in skills:
            if s.negated:
                continue
            for area, label in self.eds_equivalents.get(s.skill_id, ()):
                if area not in areas:
                    areas[area] = {
                        "skill_id": area,
                        "label": label,
                        "score": s.score,
                        "text": s.text,
                    }
        return list(areas.values())

    def _level(self, skill: int, levels: dict[str, str | None]) -> str | None:
        skill_id = self.space.ids_[skill]
        level = levels.get(skill_id)
        if level is None and self.space.is_digital_[skill]:
            level = _predicted_level(self.space.skill_labels_[skill])
        return level


def _lift(p: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """Scores raised to their floors; above a floor the scorer still orders (no ties)."""
    return np.where(floors > 0, floors + (1.0 - floors) * p, p)


def _link(skill: ExtractedSkill) -> SkillLink:
    """A stored link for an extracted skill: desirable ones are optional."""
    fields_ = {
        "skill_id": skill.skill_id,
        "method": skill.method,
        "score": skill.score,
        "evidence": skill.text[:200],
        "importance": "optional" if skill.requirement == "desirable" else "essential",
    }
    if "extractor" in SkillLink.__dataclass_fields__:
        fields_["extractor"] = EXTRACTOR_VERSION
    return SkillLink(**fields_)


def _sections(sentences: list[doc.Sentence]) -> list[dict[str, Any]]:
    """Runs of sentences in the same section, as the API reports them."""
    out: list[dict[str, Any]] = []
    for s in sentences:
        if out and out[-1]["section"] == s.section and out[-1]["heading"] == s.heading:
            out[-1]["end"] = s.end
            out[-1]["skipped"] = out[-1]["skipped"] and s.boilerplate
            continue
        out.append(
            {
                "section": s.section,
                "heading": s.heading,
                "start": s.start,
                "end": s.end,
                "skipped": s.boilerplate,
            }
        )
    return out


def _eds_areas_csv(data_dir: Path) -> list[dict[str, str]]:
    path = data_dir / "reference" / "eds_areas.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _eds_equivalents(data_dir: Path, space: SkillSpace) -> dict[str, list[tuple[str, str]]]:
    """ESCO skill id -> the EDS areas (id, label) it is an equivalent of."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in _eds_areas_csv(data_dir):
        if row["id"] not in space.index_:
            continue
        for skill_id in (row.get("esco_equivalents") or "").split("|"):
            if skill_id.strip():
                out.setdefault(skill_id.strip(), []).append((row["id"], row["label"]))
    return out


def _embed_form(sentence: str) -> str:
    """The text embedded for a sentence: bullets and runs of spaces do not change meaning."""
    return " ".join(sentence.lstrip("•-*·▪●◦■ ").split())


@functools.lru_cache(maxsize=4096)
def _word_like(name: str) -> bool:
    """Whether an alias or label is one common English word (Java, Word, Teams)."""
    words = name.split()
    return len(words) == 1 and zipf(words[0].lower()) >= NAME_ZIPF


def _content_words(text: str) -> frozenset[str]:
    return frozenset(t.key for t in tokenise(text) if t.key not in STOP_WORDS and t.alpha)


# -- candidate phrases ----------------------------------------------------------------------

# Words that split a clause into candidate phrases: conjunctions and list connectors.
_SPLIT_WORDS = frozenset(
    """and or nor but plus & including incl such as like e.g eg i.e ie etc whilst while
    whereas""".split()  # noqa: SIM905
)
# Words after which a new phrase starts when a clause is too long to embed whole.
_PHRASE_BREAKS = frozenset(
    """to for with in on at by from using within across through into via that which who where
    when whose your our their we you they will are is be been being have has having can
    could should would must may might shall also so then than as about of""".split()  # noqa: SIM905
)
# Job-advert padding trimmed from the start of a phrase ("strong experience with ...").
_LEADING_FILLER = frozenset(
    """experience experienced knowledge knowledgeable skill skills ability abilities able
    strong excellent good great proven solid sound demonstrable demonstrated understanding
    understand proficiency proficient familiarity familiar competent competence competency
    expertise expert working hands-on practical basic advanced relevant previous prior
    minimum years year required essential desirable preferred ideally capable confident
    comfortable responsible exposure track record background some very highly excellent
    effective effectively need needs ideal candidate looking seeking applicants can't can’t
    cannot don't don’t doesn't doesn’t won't won’t never""".split()  # noqa: SIM905
)
_TRAILING_FILLER_WORDS = frozenset(
    """skill skills experience knowledge ability abilities required essential desirable
    preferred etc plus advantage advantageous beneficial""".split()  # noqa: SIM905
)
_LEADING_TRIM = STOP_WORDS | _LEADING_FILLER
_TRAILING_TRIM = STOP_WORDS | _TRAILING_FILLER_WORDS


class _Lexical:
    """The lexicon's hits plus the short phrases around them (candidates for the phrase pass)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def hits(self, text: str) -> list[LexicalHit]:
        """Label, alias and misspelt-name matches in a sentence."""
        return self.lexicon.hits(text)

    def phrases(self, text: str, covered: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
        """The sentence's candidate phrases outside the lexical hits.

        A one-word phrase that is an everyday word ("planning", "database") is left out:
        its closest label would be a string match in disguise; the sentence carries it.
        """
        return [
            (start, end, phrase)
            for start, end, phrase in candidate_phrases(text, covered, self.lexicon.vocabulary)
            if " " in phrase
            or not self.lexicon.ambiguous(text[start:end], sentence_start=start == 0)
        ]


def _lexicon(store: Any, space: SkillSpace) -> _Lexical:
    return _Lexical(get_lexicon(store, space))


def candidate_phrases(
    text: str, covered: Sequence[tuple[int, int]], vocabulary: frozenset[str]
) -> list[tuple[int, int, str]]:
    """Short phrases of a sentence (start, end, normalised phrase) outside lexical hits."""
    tokens = tokenise(text)
    gaps = _gaps(text, tokens)
    covered = sorted(covered)
    found: dict[tuple[int, int], str] = {}
    for clause in _segments(tokens, gaps, _SOFT):
        for phrase in _split(clause, _SPLIT_WORDS):
            phrase = _trim(phrase)
            if not phrase:
                continue
            pieces = [phrase]
            if len(phrase) > MAX_CANDIDATE_TOKENS:
                pieces = [p for p in (_trim(x) for x in _split(phrase, _PHRASE_BREAKS)) if p]
                if len(phrase) <= MAX_CLAUSE_TOKENS:
                    pieces.append(phrase)
            for piece in pieces:
                if len(piece) > max(MAX_CANDIDATE_TOKENS, MAX_CLAUSE_TOKENS):
                    piece = _trim(piece[:MAX_CANDIDATE_TOKENS])
                    if not piece:
                        continue
                if not any(t.key in vocabulary for t in piece):
                    continue
                span = (piece[0].start, piece[-1].end)
                if _inside(span, covered):
                    continue
                found[span] = normalise(text[span[0] : span[1]])
    return [(s, e, p) for (s, e), p in found.items()]


# -- input checks ------------------------------------------------------------------------


def check_text(text: Any, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The text as str, or InvalidInput: it must be non-empty UTF-8 of at most ``max_chars``."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"The text is not UTF-8 (byte {exc.start} cannot be decoded).",
                {"text": ["Not valid UTF-8."]},
            ) from None
    if not isinstance(text, str):
        raise InvalidInput(
            f"The text must be a string, not {type(text).__name__}.",
            {"text": ["Not a valid string."]},
        )
    if not text.strip():
        raise InvalidInput("The text is empty.", {"text": ["Give some text to extract from."]})
    if len(text) > max_chars:
        raise InvalidInput(
            f"The text has {len(text):,} characters; at most {max_chars:,} are accepted.",
            {"text": [f"Longer than {max_chars:,} characters."]},
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates: bytes decoded with errors="surrogateescape" upstream.
        raise InvalidInput(
            "The text holds characters that are not valid Unicode.",
            {"text": ["Not valid UTF-8."]},
        ) from None
    return text


# -- text helpers ------------------------------------------------------------------------


def _split(tokens: list[_Token], words: frozenset[str]) -> list[list[_Token]]:
    parts: list[list[_Token]] = [[]]
    for token in tokens:
        if token.key in words:
            if parts[-1]:
                parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if p]


def _trim(tokens: list[_Token]) -> list[_Token]:
    start, end = 0, len(tokens)
    while start < end and (tokens[start].key in _LEADING_TRIM or not tokens[start].alpha):
        start += 1
    while end > start and (tokens[end - 1].key in _TRAILING_TRIM or not tokens[end - 1].alpha):
        end -= 1
    return tokens[start:end]


def _inside(span: tuple[int, int], covered: Sequence[tuple[int, int]]) -> bool:
    """Whether a span lies within one of the sorted, non-overlapping label-match spans."""
    # Only the last match starting at or before the span can contain it.
    i = bisect.bisect_right(covered, (span[0], float("inf"))) - 1
    return i >= 0 and covered[i][1] >= span[1]


@functools.lru_cache(maxsize=4096)
def _predicted_level(label: str) -> str | None:
    """The level classifier's guess for a digital skill the taxonomy has no level for yet."""
    try:
        from .levels import predict_level
    except ImportError:
        return None
    try:
        return predict_level(label)
    except SkillsMatchError:
        return None
