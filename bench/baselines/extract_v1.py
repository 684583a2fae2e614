"""FROZEN baseline: the skill extractor v1 exactly as shipped at commit 869d270.

Kept for comparison only (the "current extractor" and exact-label rows of
``bench/extraction_quality.py``); it must not be used by the product, and it is not
maintained: only its imports were changed (to absolute ``skills_match.`` imports).
The shipped module's own documentation follows.

Skills from free text: course descriptions, job adverts, a person's own words.

Two passes over the text, both linking to the taxonomy in the store:

1. **Label matching** (method ``exact`` or ``normalised``): every n-gram of up to
   ``MAX_LABEL_TOKENS`` tokens is looked up in a dict of every taxonomy label (preferred
   and alternative, digital or not). ``exact`` means equal after case-folding; ``normalised``
   means equal after also dropping a bracketed qualifier, hyphens, plural "s" and "and"
   (so "health & safety" finds "health and safety"). Longest match wins; matches never overlap.
2. **Semantic matching** (method ``semantic``): the text is cut into clauses at
   punctuation, list markers and conjunctions, and clauses are trimmed of filler
   ("experience with", "strong", "skills"). Short clauses are candidates whole; longer ones
   are split at prepositions into short pieces, and up to ``MAX_CLAUSE_TOKENS`` are also
   candidates whole. Each candidate not inside a label match is embedded (through the
   vector cache) and linked to its closest taxonomy label if the cosine reaches a threshold
   tuned on the training splits (a higher one for single words; see bench/RESULTS.md).

Each skill is reported once per text, with its best evidence: label matches beat semantic
ones, then the higher score, then the earlier span.

>>> extractor = get_engine(settings).extractor
>>> [(s.label, s.text, s.method) for s in extractor.extract("Experience with MS Excel")]
[('use spreadsheets software', 'MS Excel', 'semantic')]
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from skills_match.embeddings import EmbeddingCache
from skills_match.errors import InvalidInput, SkillsMatchError
from skills_match.skillspace import SkillSpace
from skills_match.store.courses import SkillLink
from skills_match.text import normalise

# Largest text accepted, in characters: a long job advert is ~10,000. Bigger inputs are
# refused rather than truncated, so nobody gets skills for half a document unknowingly.
MAX_TEXT_CHARS = 100_000
# Longest label looked up verbatim: 99.5% of taxonomy labels have at most 8 tokens.
MAX_LABEL_TOKENS = 8
# Cosine a candidate phrase (of 2+ words / of one word) needs with its closest label to be
# linked. Tuned on the SkillSkape training split for F1 of the linked skill; see
# bench/extraction_quality.py and the extraction-quality section of bench/RESULTS.md.
DEFAULT_THRESHOLD = 0.70
DEFAULT_WORD_THRESHOLD = 0.90
# Candidate phrases: a clause of up to MAX_CANDIDATE_TOKENS tokens is embedded whole; a
# longer one is split at prepositions into pieces of at most that many tokens, and is also
# embedded whole if it has at most MAX_CLAUSE_TOKENS (implied skills need the whole clause:
# "scalable solutions in a popular object-oriented language"). Chosen on the training
# splits: 4 / 12 beat 6 / -, 10 / - and 6 / 12 on both SkillSkape and SkillSpan.
MAX_CANDIDATE_TOKENS = 4
MAX_CLAUSE_TOKENS = 12

METHODS = ("exact", "normalised", "semantic")
_METHOD_RANK = {"exact": 0, "normalised": 1, "semantic": 2}

# Letters/digits with the inner symbols that make names of skills: C++, C#, .NET, Node.js,
# e-mail, CI/CD is two tokens. A token never ends in "." so sentence stops stay outside.
_TOKEN = re.compile(r"\.?\w(?:[\w'’\-.+#]*[\w+#])?")
# A gap between tokens containing any of these ends a clause (and bounds label matches).
_HARD_BREAK = re.compile(r"[.;:!?,()\[\]{}|•·▪●◦■*\n\r\t\"“”]|\s-\s|–|—")
# Within a label match a "/" or "&" joins ("TCP/IP", "R&D"); for candidates it splits.
_SOFT_BREAK = re.compile(r"[/&+]")
# A bracketed qualifier of a label: "Python (computer programming)" is also "Python".
_QUALIFIER = re.compile(r"\s*\([^)]*\)")

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either etc few for from further had has have having he her here hers herself him
    himself his how i if in into is it its itself just let may me might more most must my
    myself no nor not now of off on once only or other our ours ourselves out over own per
    same shall she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up upon us very via was we were
    what when where which while whilst who whom whose why will with within without would
    you your yours yourself yourselves e.g i.e eg ie incl including across along around
    among""".split()  # noqa: SIM905
)
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
    effective effectively need needs ideal candidate looking seeking applicants""".split()  # noqa: SIM905
)
_TRAILING_FILLER_WORDS = frozenset(
    """skill skills experience knowledge ability abilities required essential desirable
    preferred etc plus advantage advantageous beneficial""".split()  # noqa: SIM905
)
_LEADING_TRIM = STOP_WORDS | _LEADING_FILLER
_TRAILING_TRIM = STOP_WORDS | _TRAILING_FILLER_WORDS


@dataclass(frozen=True)
class ExtractedSkill:
    """One taxonomy skill found in a text, with the span it came from and how."""

    skill_id: str
    label: str
    level: str | None
    is_digital: bool
    start: int
    end: int
    text: str
    score: float
    method: str
    matched_label: str  # the taxonomy label (preferred or alternative) the span matched

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


class _Token(NamedTuple):
    start: int
    end: int
    text: str
    key: str  # case-folded: the exact-match form
    loose: str  # the normalised-match form ("" for "and")
    alpha: bool  # has a letter (a number or symbol alone never starts or ends a phrase)


@dataclass(frozen=True)
class _Hit:
    skill: int
    start: int
    end: int
    score: float
    method: str
    matched_label: str


class Extractor:
    """Finds taxonomy skills in text; build once per process (it indexes ~100k labels).

    ``threshold``: cosine a candidate phrase of two or more words needs with its closest
    label to be linked; ``word_threshold`` the same for a one-word phrase (single words
    are more often ambiguous, so they are held to a higher bar).
    ``semantic``: set False for label matching only (no embedding model needed).
    """

    def __init__(
        self,
        store: Any,
        space: SkillSpace,
        cache: EmbeddingCache,
        threshold: float = DEFAULT_THRESHOLD,
        word_threshold: float = DEFAULT_WORD_THRESHOLD,
        semantic: bool = True,
        result_cache_size: int = 200_000,
    ) -> None:
        if not (0.0 < threshold <= 1.0 and 0.0 < word_threshold <= 1.0):
            raise ValueError("thresholds must be in (0, 1].")
        self.store = store
        self.space = space
        self.cache = cache
        self.threshold = threshold
        self.word_threshold = word_threshold
        self.semantic = semantic
        self.result_cache_size = result_cache_size
        self._lock = threading.RLock()
        # Candidate phrase -> (label row, score) for catalogue text (never a person's).
        self._results: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._index = label_index(store, space)

    @property
    def index(self) -> LabelIndex:
        """The label dictionary shared by every extractor over the same skill space."""
        return self._index

    # -- public API ---------------------------------------------------------------------

    def extract(self, text: Any, persist: bool = False) -> list[ExtractedSkill]:
        """Skills in one text, in order of appearance.

        ``persist``: whether phrase vectors may be stored in the database. Leave it False
        for a person's own words (nothing about them is stored); True for catalogue text.
        Raises InvalidInput for empty, oversized, non-text or non-UTF-8 input.
        """
        return self.extract_many([text], persist=persist)[0]

    def extract_many(
        self, texts: Sequence[Any], persist: bool = False
    ) -> list[list[ExtractedSkill]]:
        """Skills in each of several texts; the phrases of all are embedded in one batch."""
        checked = [check_text(t) for t in texts]
        return self._extract(checked, persist)

    def link(self, texts: Sequence[str]) -> list[list[SkillLink]]:
        """Skill links for catalogue texts (the importer's SkillLinker); vectors persisted."""
        todo = [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
        found = self._extract([check_text(texts[i]) for i in todo], persist=True)
        links: list[list[SkillLink]] = [[] for _ in texts]
        for i, skills in zip(todo, found, strict=True):
            links[i] = [
                # No level stored: the taxonomy's current level applies when read, so a
                # later correction of a skill's level reaches every linked record.
                SkillLink(
                    skill_id=s.skill_id,
                    method=s.method,
                    score=s.score,
                    evidence=s.text[:200],
                )
                for s in skills
            ]
        return links

    def clear_result_cache(self) -> None:
        """Forget cached phrase -> skill results (vectors stay cached); for benchmarks."""
        with self._lock:
            self._results.clear()

    # -- the two passes -----------------------------------------------------------------

    def _extract(self, texts: Sequence[str], persist: bool) -> list[list[ExtractedSkill]]:
        per_text: list[list[_Hit]] = []
        candidates: list[list[tuple[int, int, str]]] = []
        for text in texts:
            tokens = tokenise(text)
            gaps = _gaps(text, tokens)
            hits = self._label_hits(tokens, gaps)
            per_text.append(hits)
            candidates.append(self._candidates(text, tokens, gaps, hits) if self.semantic else [])
        if self.semantic:
            self._semantic_hits(candidates, per_text, persist)
        return self._finish(texts, per_text)

    def _label_hits(self, tokens: list[_Token], gaps: list[int]) -> list[_Hit]:
        hits: list[_Hit] = []
        for segment in _segments(tokens, gaps, _HARD):
            i = 0
            while i < len(segment):
                hit = self._longest_label(segment, i)
                if hit is None:
                    i += 1
                    continue
                hits.append(hit[0])
                i += hit[1]
        return hits

    def _longest_label(self, segment: list[_Token], i: int) -> tuple[_Hit, int] | None:
        index = self._index
        first = segment[i]
        # A match starts and ends with a content word: "and Python" is "Python", and
        # "be responsible" (a label) is not read into "will be responsible for".
        if first.key in STOP_WORDS:
            return None
        # Only as many tokens as the longest label starting with this word (usually none).
        reach = max(index.reach.get(first.key, 0), index.loose_reach.get(first.loose, 0))
        for n in range(min(reach, len(segment) - i), 0, -1):
            window = segment[i : i + n]
            if window[-1].key in STOP_WORDS:
                continue
            key = " ".join(t.key for t in window)
            method, found = "exact", index.exact.get(key)
            if found is None:
                loose_key = " ".join(t.loose for t in window if t.loose)
                method, found = "normalised", index.loose.get(loose_key)
            if found is None:
                continue
            if n == 1 and key in index.cased and window[0].text not in index.cased[key]:
                continue
            skill, label = found
            return _Hit(skill, window[0].start, window[-1].end, 1.0, method, label), n
        return None

    def _candidates(
        self, text: str, tokens: list[_Token], gaps: list[int], hits: list[_Hit]
    ) -> list[tuple[int, int, str]]:
        """Candidate phrases (start, end, phrase) not already covered by a label match."""
        covered = sorted((h.start, h.end) for h in hits)
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
                        piece = piece[:MAX_CANDIDATE_TOKENS]
                        piece = _trim(piece)
                        if not piece:
                            continue
                    if not any(t.key in self._index.vocabulary for t in piece):
                        continue
                    span = (piece[0].start, piece[-1].end)
                    if _inside(span, covered):
                        continue
                    found[span] = normalise(text[span[0] : span[1]])
        return [(s, e, p) for (s, e), p in found.items()]

    def _semantic_hits(
        self,
        candidates: list[list[tuple[int, int, str]]],
        per_text: list[list[_Hit]],
        persist: bool,
    ) -> None:
        phrases = sorted({p for c in candidates for _, _, p in c})
        if not phrases:
            return
        results: dict[str, tuple[int, float]] = {}
        with self._lock:
            if persist:
                for p in phrases:
                    cached = self._results.get(p)
                    if cached is not None:
                        results[p] = cached
            todo = [p for p in phrases if p not in results]
            if todo:
                vectors = self.cache.embed(todo, persist=persist)
                rows, scores = self.space.best(vectors)
                fresh = {p: (int(r), float(s)) for p, r, s in zip(todo, rows, scores, strict=True)}
                results.update(fresh)
                if persist:
                    self._results.update(fresh)
                    while len(self._results) > self.result_cache_size:
                        self._results.popitem(last=False)
        for hits, cands in zip(per_text, candidates, strict=True):
            for start, end, phrase in cands:
                row, score = results[phrase]
                needed = self.word_threshold if _one_word(phrase) else self.threshold
                if score >= needed:
                    skill = int(self.space.label_skill_[row])
                    hits.append(_Hit(skill, start, end, score, "semantic", self.space.labels_[row]))

    def _finish(
        self, texts: Sequence[str], per_text: list[list[_Hit]]
    ) -> list[list[ExtractedSkill]]:
        best_per_text: list[list[_Hit]] = []
        for hits in per_text:
            best: dict[int, _Hit] = {}
            for hit in hits:
                kept = best.get(hit.skill)
                if kept is None or _better(hit, kept):
                    best[hit.skill] = hit
            best_per_text.append(sorted(best.values(), key=lambda h: (h.start, h.end)))
        ids = {self.space.ids_[h.skill] for hits in best_per_text for h in hits}
        with self._lock:
            levels = self.store.skill_levels(ids) if ids else {}
        out: list[list[ExtractedSkill]] = []
        for text, hits in zip(texts, best_per_text, strict=True):
            out.append(
                [
                    ExtractedSkill(
                        skill_id=self.space.ids_[h.skill],
                        label=self.space.skill_labels_[h.skill],
                        level=self._level(h.skill, levels),
                        is_digital=bool(self.space.is_digital_[h.skill]),
                        start=h.start,
                        end=h.end,
                        text=text[h.start : h.end],
                        score=round(h.score, 4),
                        method=h.method,
                        matched_label=h.matched_label,
                    )
                    for h in hits
                ]
            )
        return out

    def _level(self, skill: int, levels: dict[str, str | None]) -> str | None:
        skill_id = self.space.ids_[skill]
        level = levels.get(skill_id)
        if level is None and self.space.is_digital_[skill]:
            level = _predicted_level(self.space.skill_labels_[skill])
        return level


# -- the label dictionary -----------------------------------------------------------------


@dataclass(frozen=True)
class LabelIndex:
    """Every taxonomy label by match key, for the exact and normalised passes."""

    exact: dict[str, tuple[int, str]]  # key -> (skill row in the space, label as written)
    loose: dict[str, tuple[int, str]]
    cased: dict[str, frozenset[str]]  # short labels (acronyms) and the casings that match
    vocabulary: frozenset[str]  # content words of all labels: a candidate needs one
    reach: dict[str, int]  # first word of an exact key -> most tokens of such a label
    loose_reach: dict[str, int]  # the same for normalised keys


_indexes: weakref.WeakKeyDictionary[SkillSpace, LabelIndex] = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def label_index(store: Any, space: SkillSpace) -> LabelIndex:
    """The label index of a skill space, built once per space (~100k labels)."""
    with _indexes_lock:
        index = _indexes.get(space)
        if index is None:
            index = _indexes[space] = _build_label_index(store, space)
    return index


def _build_label_index(store: Any, space: SkillSpace) -> LabelIndex:
    exact: dict[str, tuple[int, str, tuple[int, int, int]]] = {}
    loose: dict[str, tuple[int, str, tuple[int, int, int]]] = {}
    cased: dict[str, frozenset[str]] = {}
    vocabulary: set[str] = set()
    reach: dict[str, int] = {}
    loose_reach: dict[str, int] = {}
    rows = store.db.execute(
        "SELECT l.skill_id, l.label, l.label_type, l.normalised, "
        "s.occupations_essential + s.occupations_optional "
        "FROM skill_labels l JOIN skills s ON s.id = l.skill_id"
    )
    find_tokens = _TOKEN.findall
    for skill_id, label, label_type, normalised, uses in rows:
        skill = space.index_.get(skill_id)
        if skill is None:
            continue
        tokens = find_tokens(normalised)
        if not tokens or len(tokens) > MAX_LABEL_TOKENS:
            continue
        if all(t in STOP_WORDS for t in tokens):
            continue
        key = " ".join(tokens)
        label = label.strip()
        vocabulary.update(t for t in tokens if t not in STOP_WORDS)
        if len(tokens) == 1 and not _name_like(label):
            # One ordinary word ("data", "design", "communication") names many things; on
            # the SkillSkape training split 2% of such matches were right. Names (Python,
            # SQL, Excel, C#, e-mail) are matched; plain words are left to the semantic pass.
            continue
        if len(tokens) == 1 and len(key) <= 3:
            # Short names are acronyms (R, C#, SQL, PHP): match them only as written, in
            # capitals, never a lower-case word ("try", "re") by accident.
            cased[key] = cased.get(key, frozenset()) | {label}
        # When labels collide, a skill's preferred label beats another's synonym, a
        # digital skill beats a non-digital one, then the skill more occupations use.
        rank = (
            0 if label_type == "preferred" else 1,
            0 if space.is_digital_[skill] else 1,
            -(uses or 0),
        )
        entry = (skill, label, rank)
        if key not in exact or rank < exact[key][2]:
            exact[key] = entry
            reach[tokens[0]] = max(reach.get(tokens[0], 0), len(tokens))
        if "(" in normalised:
            tokens = find_tokens(_QUALIFIER.sub(" ", normalised))
        words = [w for w in map(_loose_word, tokens) if w]
        loose_key = " ".join(words)
        if loose_key and (loose_key not in loose or rank < loose[loose_key][2]):
            loose[loose_key] = entry
            loose_reach[words[0]] = max(loose_reach.get(words[0], 0), len(tokens))
    return LabelIndex(
        exact={k: (v[0], v[1]) for k, v in exact.items()},
        loose={k: (v[0], v[1]) for k, v in loose.items()},
        cased=cased,
        vocabulary=frozenset(vocabulary),
        reach=reach,
        loose_reach=loose_reach,
    )


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


def tokenise(text: str) -> list[_Token]:
    """Word tokens with character offsets and their two match forms."""
    return [
        _Token(m.start(), m.end(), word, *_forms(word))
        for m in _TOKEN.finditer(text)
        for word in (m.group(),)
    ]


@functools.lru_cache(maxsize=200_000)
def _forms(word: str) -> tuple[str, str, bool]:
    # Words repeat across texts: their match forms are worked out once per process.
    key = normalise(word)
    return key, _loose_word(key), any(ch.isalpha() for ch in key)


_SOFT, _HARD = 1, 2


def _gaps(text: str, tokens: list[_Token]) -> list[int]:
    """For each token, the strongest break in the gap before it: 0, _SOFT or _HARD."""
    gaps = [0] * len(tokens)
    for i in range(1, len(tokens)):
        gap = text[tokens[i - 1].end : tokens[i].start]
        if gap == " ":
            continue  # by far the most common gap
        if _HARD_BREAK.search(gap):
            gaps[i] = _HARD
        elif _SOFT_BREAK.search(gap):
            gaps[i] = _SOFT
    return gaps


def _segments(tokens: list[_Token], gaps: list[int], at: int) -> Iterable[list[_Token]]:
    """Runs of tokens with no break of strength ``at`` or more between them."""
    segment: list[_Token] = []
    for token, gap in zip(tokens, gaps, strict=True):
        if segment and gap >= at:
            yield segment
            segment = []
        segment.append(token)
    if segment:
        yield segment


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


def _loose_word(word: str) -> str:
    """A word's 'normalised' match form: no hyphen, apostrophe or plural s; "and" is ""."""
    if word == "and":
        return ""
    word = word.replace("-", "").replace("'", "").replace("’", "")
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def _name_like(label: str) -> bool:
    """A capital, digit or symbol marks a name (Python, SQL, C#, e-mail), not a plain word."""
    return any(ch.isupper() or ch.isdigit() or not ch.isalnum() for ch in label.strip())


def _one_word(phrase: str) -> bool:
    """Whether a candidate phrase is a single token (held to the higher threshold)."""
    return len(_TOKEN.findall(phrase)) == 1


def _inside(span: tuple[int, int], covered: Sequence[tuple[int, int]]) -> bool:
    """Whether a span lies within one of the sorted, non-overlapping label-match spans."""
    # Only the last match starting at or before the span can contain it.
    i = bisect.bisect_right(covered, (span[0], float("inf"))) - 1
    return i >= 0 and covered[i][1] >= span[1]


def _better(hit: _Hit, kept: _Hit) -> bool:
    return (_METHOD_RANK[hit.method], -hit.score, hit.start) < (
        _METHOD_RANK[kept.method],
        -kept.score,
        kept.start,
    )


@functools.lru_cache(maxsize=4096)
def _predicted_level(label: str) -> str | None:
    """The level classifier's guess for a digital skill the taxonomy has no level for yet."""
    try:
        from skills_match.levels import predict_level
    except ImportError:
        return None
    try:
        return predict_level(label)
    except SkillsMatchError:
        return None
