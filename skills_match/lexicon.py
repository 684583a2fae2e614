"""Everything lexical about finding skills: tokens, taxonomy labels, aliases, typos, ambiguity.

``Lexicon(store, space).hits(text)`` finds, without any model:

- **label** matches (method ``exact`` / ``normalised``): n-grams equal to an ESCO label
  (the longest-match pass moved here from extract.py);
- **alias** matches (method ``alias``): the words people write for tools, brands and
  acronyms (``data/reference/aliases.csv`` via the store; "Power BI", "IT support",
  "TCP/IP", "PowerBI"), longest match, case-sensitive where the table says so;
- **fuzzy** matches (method ``fuzzy``): a token that is neither a label word nor an English
  word, one or two edits from a single-word name ("Exel" -> Excel, "Pyhton" -> Python),
  scored with rapidfuzz.

Each hit says whether its text is **ambiguous**: a single word that is also an everyday
English word (by wordfreq's Zipf frequency, in ``data/reference/everyday_words.csv``, derived
by scripts/derive_data.py), so the extractor needs agreement from the context before linking
it. Case counts as evidence only where it can be: a capital mid-sentence ("we use Python") or
an acronym in capitals marks a name; a capital at the start of a sentence or bullet does not.
Words at or above ``AMBIGUOUS_ZIPF`` ("access", "word", "teams", "call") stay ambiguous however
they are written.

>>> lexicon = get_lexicon(store, space)
>>> [(h.matched_label, h.method, h.ambiguous) for h in lexicon.hits("Access in Power BI")]
[('Access', 'exact', True), ('Power BI', 'alias', False), ('Power BI', 'alias', False)]
"""

from __future__ import annotations

import csv
import functools
import re
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .config import REPO_ROOT
from .skillspace import SkillSpace
from .text import normalise

ALIASES_CSV = REPO_ROOT / "data" / "reference" / "aliases.csv"
EVERYDAY_WORDS_CSV = REPO_ROOT / "data" / "reference" / "everyday_words.csv"

# Longest label looked up verbatim: 99.5% of taxonomy labels have at most 8 tokens.
MAX_LABEL_TOKENS = 8
# English Zipf frequency (log10 per billion words, wordfreq 3.1.1) at or above which a
# single-word match is ambiguous however it is written: the everyday words of the issue
# (email 4.68, planning 4.90, teams 4.97, access 5.05, source 5.15, word 5.26, less 5.49,
# call 5.51) lie above it, every tool name we checked below (database 4.31, unity 4.22,
# react 4.16, outlook 4.07, java 4.00, linux 3.99). See scripts/derive_data.py.
AMBIGUOUS_ZIPF = 4.5
# At or above this a single word is ambiguous unless written as a name (capital
# mid-sentence, or an acronym in capitals): zoom 3.83, python 3.78, excel 3.73, sage 3.83,
# angular 3.51, agile 3.41 are words too in lower case; sql 3.38 is above it but only
# matches in capitals; docker 2.98, tableau 2.92, kubernetes 2.25, canva 1.81 are below.
NAME_ZIPF = 3.3
# Tokens at least this frequent are English words and never typo-corrected (excels 2.93,
# solidify 2.99, oracles 2.64); it is also the floor of the word list in everyday_words.csv.
# Misspellings common on the web lie below it (exel 1.74, excelent 1.94).
FUZZY_MAX_ZIPF = 2.5
# rapidfuzz fuzz.ratio (0-100) a typo needs with a name, besides the same first letter and
# at most 1 edit (Damerau, optimal string alignment) for names up to 7 letters, 2 for longer
# ones. Typos pass (Pyhton/python 83.3, Exel/excel 88.9, Javascipt/javascript 94.7); over
# the 11,153 SkillSpan + SkillSkape training sentences the only other fire at 80 was
# PostGIS -> Postgres (80.0), a different product.
FUZZY_CUTOFF = 82.0
FUZZY_MIN_TOKEN = 4  # shorter tokens are too often abbreviations of something else
FUZZY_MIN_NAME = 5

METHODS = ("exact", "normalised", "alias", "fuzzy")

# Letters/digits with the inner symbols that make names of skills: C++, C#, .NET, Node.js,
# e-mail, CI/CD is two tokens. A token never ends in "." so sentence stops stay outside.
_TOKEN = re.compile(r"\.?\w(?:[\w'’\-.+#]*[\w+#])?")
# A gap between tokens containing any of these ends a clause (and bounds label matches).
_HARD_BREAK = re.compile(r"[.;:!?,()\[\]{}|•·▪●◦■*\n\r\t\"“”]|\s-\s|–|—")
# Within a label match a "/" or "&" joins ("TCP/IP", "R&D"); for candidates it splits.
_SOFT_BREAK = re.compile(r"[/&+]")
# A gap after which the next word starts a sentence or a list item (its capital is no
# evidence of a name).
_SENTENCE_BREAK = re.compile(r"[.!?:;\n\r•·▪●◦■*]|\s-\s|–|—")
# A bracketed qualifier of a label: "Python (computer programming)" is also "Python".
_QUALIFIER = re.compile(r"\s*\([^)]*\)")
# Characters ignored when comparing a word with a name written with or without them
# ("PowerBI" / "Power BI", "Node.js" / "NodeJS", "e-commerce" / "ecommerce").
_COMPACT = re.compile(r"[\s\-.'’/]")

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


class _Token(NamedTuple):
    start: int
    end: int
    text: str
    key: str  # case-folded: the exact-match form
    loose: str  # the normalised-match form ("" for "and")
    alpha: bool  # has a letter (a number or symbol alone never starts or ends a phrase)


class Alias(NamedTuple):
    """A word people write for a skill (a tool, brand, acronym or phrase)."""

    alias: str
    skill_id: str
    case_sensitive: bool
    source: str  # "reference" (shipped table) or "partnership" (added by the partnership)


@dataclass(frozen=True)
class LexicalHit:
    """One span of text that names a skill of the space, and how it was matched."""

    skill: int  # row in the SkillSpace (space.index_[skill_id])
    start: int
    end: int
    method: str  # "exact" | "normalised" | "alias" | "fuzzy"
    matched_label: str  # the label or alias as written in the taxonomy / alias table
    score: float  # 1.0 for exact and alias, fuzz.ratio / 100 for fuzzy
    ambiguous: bool  # also an everyday word: needs agreement from the context


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
SOFT, HARD = _SOFT, _HARD


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


def _acronym(word: str) -> bool:
    """Written in capitals as an acronym ("IT", "SQL", "CALL"), not a capitalised word."""
    return len(word) > 1 and word.isupper()


def is_stop(token: _Token) -> bool:
    """A stop word, unless written in capitals: "IT" (support) is not the pronoun "it"."""
    return token.key in STOP_WORDS and not _acronym(token.text)


_is_stop = is_stop


def _compact(text: str) -> str:
    return _COMPACT.sub("", text)


# -- everyday words ----------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def everyday_words(path: Path = EVERYDAY_WORDS_CSV) -> dict[str, float]:
    """English Zipf frequency by lower-case word (data/reference/everyday_words.csv)."""
    try:
        with Path(path).open(encoding="utf-8", newline="") as fh:
            return {row["word"]: float(row["zipf"]) for row in csv.DictReader(fh)}
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path} is missing: run `python scripts/derive_data.py`."
        ) from None


def zipf(word: str) -> float:
    """English Zipf frequency of a word (0 if rarer than the list): hyphens ignored."""
    words = everyday_words()
    key = normalise(word)
    return max(words.get(key, 0.0), words.get(key.replace("-", ""), 0.0))


def ambiguous_word(word: str, written_as_name: bool = False) -> bool:
    """Whether one word matched as a skill is also an everyday English word.

    ``written_as_name``: capitalised mid-sentence or an acronym in capitals; it clears
    words of middling frequency ("Python", "Zoom"), never the commonest ("Access", "CALL").
    """
    z = zipf(word)
    return z >= AMBIGUOUS_ZIPF or (z >= NAME_ZIPF and not written_as_name)


# -- the label dictionary -----------------------------------------------------------------


@dataclass(frozen=True)
class LabelIndex:
    """Every taxonomy label by match key, for the exact and normalised passes."""

    exact: dict[str, tuple[int, str]]  # key -> (skill row in the space, label as written)
    loose: dict[str, tuple[int, str]]
    cased: dict[str, frozenset[str]]  # one-word labels and the casings that match
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
        label = label.strip()
        written = find_tokens(label)
        if len(written) != len(tokens):
            written = tokens
        # A label word in capitals that is a stop word in lower case ("IT security") is
        # an acronym: the label is kept, and the word matches only in capitals.
        if all(t in STOP_WORDS and not _acronym(w) for t, w in zip(tokens, written, strict=True)):
            continue
        key = " ".join(tokens)
        vocabulary.update(t for t in tokens if t not in STOP_WORDS)
        if len(tokens) == 1 and not _name_like(label):
            # One ordinary word ("data", "design", "communication") names many things; on
            # the SkillSkape training split 2% of such matches were right. Names (Python,
            # SQL, Excel, C#, e-mail) are matched; plain words are left to the semantic pass.
            continue
        if len(tokens) == 1:
            casings = _casings(label, key)
            if casings:
                cased[key] = cased.get(key, frozenset()) | casings
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


def _casings(label: str, key: str) -> frozenset[str]:
    """How a one-word name label may be written, or empty for any casing."""
    if len(key) <= 3:
        # Short names are acronyms (R, C#, SQL, PHP): match them only as written, in
        # capitals, never a lower-case word ("try", "re") by accident.
        return frozenset({label})
    z = zipf(key)
    if _acronym(label) and z >= NAME_ZIPF:
        # An acronym that is also a word (CALL, LESS): only in capitals.
        return frozenset({label})
    if z >= AMBIGUOUS_ZIPF and label != key:
        # A capitalised name that is one of the commonest words ("Access", "Source",
        # "Email"): never from the lower-case word ("access to training").
        return frozenset({label, label.upper()})
    return frozenset()


def _longest_label(
    index: LabelIndex, segment: list[_Token], i: int
) -> tuple[LexicalHit, int] | None:
    """The longest label starting at token ``i`` of a segment, with its length in tokens."""
    first = segment[i]
    # A match starts and ends with a content word: "and Python" is "Python", and
    # "be responsible" (a label) is not read into "will be responsible for".
    if is_stop(first):
        return None
    # Only as many tokens as the longest label starting with this word (usually none).
    reach = max(index.reach.get(first.key, 0), index.loose_reach.get(first.loose, 0))
    for n in range(min(reach, len(segment) - i), 0, -1):
        window = segment[i : i + n]
        if is_stop(window[-1]):
            continue
        key = " ".join(t.key for t in window)
        method, found = "exact", index.exact.get(key)
        if found is None:
            loose_key = " ".join(t.loose for t in window if t.loose)
            method, found = "normalised", index.loose.get(loose_key)
        if found is None:
            continue
        if n == 1:
            casings = index.cased.get(key if method == "exact" else _label_key(found[1]))
            # A cased name matches only as written; not as a plural or other variant.
            if casings is not None and (method != "exact" or window[0].text not in casings):
                continue
        elif any(t.key in STOP_WORDS and not _acronym(t.text) for t in window) and any(
            _acronym(w) and w.lower() in STOP_WORDS for w in _TOKEN.findall(found[1])
        ):
            # "it security" is not "IT security": the acronym must be written in capitals.
            continue
        skill, label = found
        hit = LexicalHit(skill, window[0].start, window[-1].end, method, label, 1.0, False)
        return hit, n
    return None


@functools.lru_cache(maxsize=20_000)
def _label_key(label: str) -> str:
    return " ".join(_TOKEN.findall(normalise(label)))


def _label_hits(index: LabelIndex, tokens: list[_Token], gaps: list[int]) -> list[LexicalHit]:
    """Longest, non-overlapping label matches, left to right, never across a hard break."""
    hits: list[LexicalHit] = []
    for segment in _segments(tokens, gaps, _HARD):
        i = 0
        while i < len(segment):
            hit = _longest_label(index, segment, i)
            if hit is None:
                i += 1
                continue
            hits.append(hit[0])
            i += hit[1]
    return hits


# -- aliases -----------------------------------------------------------------------------


def reference_aliases(path: Path | str = ALIASES_CSV) -> list[Alias]:
    """The shipped alias table (data/reference/aliases.csv) as Alias rows."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return [
            Alias(
                alias=" ".join(row["alias"].split()),
                skill_id=row["skill_id"],
                case_sensitive=row["case_sensitive"].strip() in {"1", "true", "True"},
                source="reference",
            )
            for row in csv.DictReader(fh)
        ]


def _as_alias(row: Any) -> Alias:
    """An Alias from a store row (an Alias, a mapping or an object with those fields)."""
    if isinstance(row, Alias):
        return row
    get = row.__getitem__ if hasattr(row, "keys") else functools.partial(getattr, row)
    return Alias(
        alias=" ".join(str(get("alias")).split()),
        skill_id=str(get("skill_id")),
        case_sensitive=bool(int(get("case_sensitive"))),
        source=str(get("source") or "reference"),
    )


class _AliasEntry(NamedTuple):
    skill: int
    alias: str
    written: tuple[str, ...]  # the alias's tokens as written
    case_sensitive: bool
    cased: tuple[int, ...]  # positions of tokens that must be written as in the alias


# -- the lexicon -------------------------------------------------------------------------


class Lexicon:
    """Label, alias and typo-tolerant matching over one skill space; build once per space.

    ``aliases``: None reads them from the store (``store.skill_aliases()``, the shipped
    table plus the partnership's additions); a store without that method falls back to the
    shipped table (``reference_aliases()``).
    """

    def __init__(self, store: Any, space: SkillSpace, aliases: Iterable[Any] | None = None):
        self.space = space
        self.index = label_index(store, space)
        if aliases is None:
            getter = getattr(store, "skill_aliases", None)
            aliases = getter() if callable(getter) else reference_aliases()
        self.aliases: tuple[Alias, ...] = tuple(_as_alias(a) for a in aliases)
        self._exact: dict[str, list[_AliasEntry]] = {}
        self._compact: dict[str, list[_AliasEntry]] = {}
        self._reach: dict[str, int] = {}
        alias_words: set[str] = set()
        for alias in self.aliases:
            skill = space.index_.get(alias.skill_id)
            if skill is None:
                continue  # a skill outside this space (or since removed from ESCO)
            written = tuple(_TOKEN.findall(alias.alias))
            keys = tuple(_forms(w)[0] for w in written)
            if not keys:
                continue
            # An acronym that is a stop word in lower case ("IT support") matches only in
            # capitals, even in a case-insensitive alias: "it" is the pronoun.
            cased = tuple(
                range(len(written))
                if alias.case_sensitive
                else (i for i, w in enumerate(written) if _acronym(w) and keys[i] in STOP_WORDS)
            )
            entry = _AliasEntry(skill, alias.alias, written, alias.case_sensitive, cased)
            key = " ".join(keys)
            if entry not in self._exact.get(key, ()):
                self._exact.setdefault(key, []).append(entry)
            self._reach[keys[0]] = max(self._reach.get(keys[0], 0), len(keys))
            compact = _compact(key)
            if len(compact) >= 4 and entry not in self._compact.get(compact, ()):
                self._compact.setdefault(compact, []).append(entry)
            alias_words.update(keys)
        self.vocabulary: frozenset[str] = self.index.vocabulary | frozenset(
            w for w in alias_words if w not in STOP_WORDS
        )
        self._names, self._name_entries = self._fuzzy_names()
        self._fuzzy = functools.lru_cache(maxsize=100_000)(self._fuzzy_uncached)

    # -- public API ---------------------------------------------------------------------

    def hits(self, text: str, start: int = 0, end: int | None = None) -> list[LexicalHit]:
        """Label, alias and fuzzy matches in ``text[start:end]``, with absolute offsets.

        Longest match first, left to right; spans never overlap, except that an alias
        linked to several skills gives one hit per skill on the same span.
        """
        end = len(text) if end is None else end
        tokens = [
            t._replace(start=t.start + start, end=t.end + start) for t in tokenise(text[start:end])
        ]
        gaps = _gaps(text, tokens)
        initial = self._initial(text, tokens, gaps, start)
        out: list[LexicalHit] = []
        first = 0  # position of the segment's first token in ``tokens``
        for segment in _segments(tokens, gaps, _HARD):
            i = 0
            while i < len(segment):
                found, n = self._at(segment, i, initial, first)
                out.extend(found)
                i += max(n, 1)
            first += len(segment)
        return out

    def ambiguous(self, word: str, sentence_start: bool = False) -> bool:
        """Whether a single word (as written) found as a skill needs context to be trusted."""
        return ambiguous_word(word, _written_as_name(word, sentence_start))

    # -- matching -----------------------------------------------------------------------

    def _at(
        self, segment: list[_Token], i: int, initial: list[bool], offset: int
    ) -> tuple[list[LexicalHit], int]:
        aliases, n_alias = self._alias_at(segment, i)
        label = _longest_label(self.index, segment, i)
        n_label = label[1] if label else 0
        if aliases and n_alias >= n_label:
            hits, n = aliases, n_alias
        elif label is not None:
            hits, n = [label[0]], n_label
        else:
            fuzzy = self._fuzzy_at(segment[i])
            if fuzzy is None:
                return [], 1
            hits, n = [fuzzy], 1
        if n == 1:
            flag = self._ambiguous_at(segment, i, initial[offset + i])
            hits = [h if h.ambiguous == flag else _flagged(h, flag) for h in hits]
        return hits, n

    @staticmethod
    def _ambiguous_at(segment: list[_Token], i: int, sentence_start: bool) -> bool:
        token = segment[i]
        # Text in capitals throughout ("CALL US NOW") says nothing about names.
        shouting = any(
            _acronym(segment[j].text) and segment[j].alpha
            for j in (i - 1, i + 1)
            if 0 <= j < len(segment)
        )
        if token.key in STOP_WORDS and _acronym(token.text) and not shouting:
            return False  # "IT": the function word is never written in capitals
        return ambiguous_word(
            token.text, not shouting and _written_as_name(token.text, sentence_start)
        )

    def _alias_at(self, segment: list[_Token], i: int) -> tuple[list[LexicalHit], int]:
        first = segment[i]
        reach = min(self._reach.get(first.key, 0), len(segment) - i)
        for n in range(reach, 0, -1):
            window = segment[i : i + n]
            entries = self._exact.get(" ".join(t.key for t in window))
            if entries:
                found = [e for e in entries if _written_ok(e, window)]
                if found:
                    return [_alias_hit(e, window) for e in found], n
        # One token written without the alias's spaces or hyphens: "PowerBI", "Power-BI".
        if first.alpha and len(first.key) >= 4:
            entries = self._compact.get(_compact(first.key))
            if entries:
                found = [
                    e
                    for e in entries
                    if not e.case_sensitive or _compact(first.text) == _compact(e.alias)
                ]
                if found:
                    return [_alias_hit(e, [first]) for e in found], 1
        return [], 0

    def _fuzzy_names(self) -> tuple[list[str], dict[str, list[tuple[int, str]]]]:
        """One-word names a typo may be corrected to: aliases and name-like labels."""
        entries: dict[str, list[tuple[int, str]]] = {}
        for key, found in self._exact.items():
            if " " not in key:
                for e in found:
                    entries.setdefault(key, []).append((e.skill, e.alias))
        for key, (skill, label) in self.index.exact.items():
            if " " not in key and key not in entries:
                entries[key] = [(skill, label)]
        names = sorted(
            k for k in entries if len(k) >= FUZZY_MIN_NAME and k.isalpha() and k.isascii()
        )
        return names, entries

    def _fuzzy_at(self, token: _Token) -> LexicalHit | None:
        key = token.key
        if (
            len(key) < FUZZY_MIN_TOKEN
            or not key.isalpha()
            or key in self.vocabulary
            or zipf(key) >= FUZZY_MAX_ZIPF
        ):
            return None
        found = self._fuzzy(key)
        if found is None:
            return None
        skill, label, score = found
        return LexicalHit(skill, token.start, token.end, "fuzzy", label, score, False)

    def _fuzzy_uncached(self, key: str) -> tuple[int, str, float] | None:
        found = process.extract(
            key, self._names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, processor=None, limit=5
        )
        best: tuple[tuple[float, int, float], str] | None = None
        for name, score, _ in found:
            # A typo keeps the first letter and is one edit away (two for a long name):
            # "Exel", "Pyhton", "Javascipt"; not a word that merely shares a stem.
            allowed = 1 if len(name) <= 7 else 2
            if name[0] != key[0] or OSA.distance(key, name) > allowed:
                continue
            if key.startswith(name) or name.startswith(key):
                continue  # an inflection or a clipping ("excels", "agil"), not a typo
            # Ties ("pyhton": Python or Pyston) go to an alias (the names people write),
            # then to the name more often written.
            rank = (score, int(name in self._exact), zipf(name))
            if best is None or rank > best[0]:
                best = rank, name
        if best is None:
            return None
        skill, label = self._name_entries[best[1]][0]
        return skill, label, round(best[0][0] / 100.0, 4)

    @staticmethod
    def _initial(text: str, tokens: list[_Token], gaps: list[int], start: int) -> list[bool]:
        """Whether each token starts a sentence or list item (its capital is no evidence)."""
        initial = [False] * len(tokens)
        for i, token in enumerate(tokens):
            before = text[tokens[i - 1].end if i else max(0, start - 8) : token.start]
            if i == 0:
                initial[i] = (
                    start == 0 or not before.strip(" ") or bool(_SENTENCE_BREAK.search(before))
                )
            elif gaps[i] and _SENTENCE_BREAK.search(before):
                initial[i] = True
        return initial


def _written_as_name(word: str, sentence_start: bool) -> bool:
    """Whether the writing marks a name: an acronym, a symbol inside, a capital mid-sentence."""
    if _acronym(word) or any(not ch.isalpha() for ch in word):
        # Capitals, or a symbol or digit inside ("e-commerce", "C#", "Node.js", "365").
        return True
    return not sentence_start and any(ch.isupper() for ch in word)


def _written_ok(entry: _AliasEntry, window: Sequence[_Token]) -> bool:
    return all(window[i].text == entry.written[i] for i in entry.cased)


def _alias_hit(entry: _AliasEntry, window: Sequence[_Token]) -> LexicalHit:
    return LexicalHit(
        entry.skill, window[0].start, window[-1].end, "alias", entry.alias, 1.0, False
    )


def _flagged(hit: LexicalHit, ambiguous: bool) -> LexicalHit:
    return LexicalHit(
        hit.skill, hit.start, hit.end, hit.method, hit.matched_label, hit.score, ambiguous
    )


_lexicons: weakref.WeakKeyDictionary[SkillSpace, Lexicon] = weakref.WeakKeyDictionary()
_lexicons_lock = threading.Lock()


def get_lexicon(store: Any, space: SkillSpace) -> Lexicon:
    """The lexicon of a skill space with the store's aliases, built once per space."""
    with _lexicons_lock:
        lexicon = _lexicons.get(space)
        if lexicon is None:
            lexicon = _lexicons[space] = Lexicon(store, space)
    return lexicon


def clear_lexicons() -> None:
    """Forget cached lexicons (after the partnership changes the alias table)."""
    with _lexicons_lock:
        _lexicons.clear()
