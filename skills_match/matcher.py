"""Rank courses against a person's digital skill gap, explain every match, build pathways.

The matcher is fitted once per process over the active catalogue (``fit(store)``) and
answers requests statelessly (``rank``, ``pathway``): nothing about the person is stored
or logged. Their phrases are embedded with ``persist=False`` and live only in memory.

How a request is answered:

1. **Target skills** come from an ESCO occupation, a stored demand record, the text of a
   job advert (extracted), a list of skill ids, or an area's largest unmet demand.
2. **Gap**: a target skill is *held* when one of the person's skills (a phrase they typed,
   a skill id, or an Essential Digital Skills area self-assessed at Level 1) reaches
   ``person_threshold`` cosine with it in the skill space; the rest is the gap. EDS areas
   self-assessed below Level 1 join the gap as essential skills.
3. **Coverage**: the similarity of every digital gap skill to every skill the catalogue
   teaches is computed once (gap x catalogue skills, a few thousand numbers); a course's
   credit for a gap skill is its best course skill's similarity if that reaches
   ``course_threshold``. Per-course aggregation walks only the catalogue columns that
   cover something, through a CSC course x skill matrix, so 100k courses cost little.
4. **Score** = coverage x level fit x outcomes (see :class:`Matcher`), after hard filters.

>>> matcher = Matcher(get_engine(settings)).fit(store)
>>> result = matcher.rank({"current_skills": ["MS Excel"],
...                        "target": {"occupation": "office clerk"},
...                        "local_authority": "Knowsley"}, store)
>>> result.results[0].explanation
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import math
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from scipy import sparse

from .errors import InvalidInput
from .geo import EARTH_RADIUS_M, find_postcodes, locator_for, normalise_postcode, unit_xyz
from .phrases import PERSON_THRESHOLD
from .plain import plain
from .schemas import (
    ATTENDANCE_PATTERNS,
    DELIVERY_MODES,
    EMPLOYMENT_STATUSES,
    QUALIFICATION_LEVELS,
    SKILL_ID,
    STUDY_MODES,
    qualification_rank,
)
from .text import normalise

# -- parameters of the ranking (documented in the README and bench/RESULTS.md) ---------

# Cosine at which one of the person's skills counts as holding a target skill. Tuned on
# ESCO's own synonyms (bench/match_quality.py, leave-one-label-out: an alternative label
# must reach its own skill and no other; F1 plateau 0.76-0.84, best at 0.80-0.82).
# "MS Excel" reaches 0.92 with "use spreadsheets software" (via its synonym "Microsoft
# Office Excel"), "HTML" 0.90 with "use markup languages"; "networking basics" (0.69 with
# "network engineering") does not.
# Cosine at which a course skill counts as teaching a gap skill (both taxonomy skills).
# Tuned on the development half of bench/eval/scenarios.jsonl (0.68-0.72 equal, 0.76 worse).
COURSE_THRESHOLD = 0.72
LEVEL_RANK = {"essential": 0, "general": 1, "specialist": 2, "fusion": 2}
LEVEL_NAMES = ("essential", "general", "specialist")
# Essential gaps weigh most: they come first in any route into work.
LEVEL_WEIGHT = {"essential": 1.5, "general": 1.25, "specialist": 1.0, "fusion": 1.0}
IMPORTANCE_WEIGHT = {"essential": 1.0, "optional": 0.5}
# Level fit factors (see Matcher.level_rule).
PENALTY_SPECIALIST_WITHOUT_ESSENTIAL = 0.4
PENALTY_MISSING_LOWER_LEVEL = 0.8
# How central a target skill is to the role: cosine of the skill with the role's title
# (occupation label, the demand record's job title, an advert's first line), floored so
# no required skill is ignored. ESCO profiles list many peripheral skills (a network
# engineer's optional COBOL); weighting by centrality keeps courses on the role's core.
CENTRALITY_FLOOR = 0.1
# Exponent of a course's focus (the mean cosine of its skills with the role's title; in
# area mode with the centre of the unmet demand; 1 for a chosen list of skills). Coverage
# says how much of the gap a course covers, focus how much of the course is about the
# target: a broad course touching many gap skills in passing ranks below one about the
# role. Tuned on the dev half of bench/eval (plateau 3-6; the low end keeps coverage
# the larger part of the score).
FOCUS_WEIGHT = 3.0
# Published outcomes move a score by at most +-5%: a nudge, never the reason to rank.
OUTCOME_WEIGHT = 0.1
# How far (km, straight line) a person is assumed to travel to a course by default
# (SKILLS_MATCH_TRAVEL_KM overrides it; a request's max_travel_km too).
TRAVEL_KM = 20
# A course at the edge of the travel distance scores this much less than one next door
# (online courses: nothing less): distance orders courses that teach as well, and never
# outweighs what a course teaches. The dev half of bench/eval is indifferent to it (nDCG@10
# 0.824-0.837 for 0-0.5: its judges grade what a course teaches, not how far it is), so
# the weight is a choice, kept small: nearer first among equals.
TRAVEL_WEIGHT = 0.2
MAX_TRAVEL_KM = 300
# Closeness words an adviser can read out, by similarity.
CLOSENESS = ((0.999, "same skill"), (0.85, "close match"), (0.0, "related skill"))

EDS_CHOICES = ("none", "entry3", "level1")
# The published Essential Digital Skills areas, by the names people use, mapped to the
# taxonomy ids of both lists (DfE 2019 first: its standards are behind the qualifications).
EDS_AREAS: dict[str, tuple[str, ...]] = {
    "foundation-skills": ("eds-2018:foundation-skills",),
    "communicating": ("eds-2019:communicating", "eds-2018:communicating"),
    "handling-information-and-content": ("eds-2018:handling-information-and-content",),
    "transacting": ("eds-2019:transacting", "eds-2018:transacting"),
    "problem-solving": ("eds-2018:problem-solving",),
    "being-safe-and-legal-online": ("eds-2018:being-safe-and-legal-online",),
    "being-safe-and-responsible-online": ("eds-2019:being-safe-and-responsible-online",),
    "creating-and-editing": ("eds-2019:creating-and-editing",),
    "using-devices-and-handling-information": ("eds-2019:using-devices-and-handling-information",),
}
EDS_KEYS = tuple(EDS_AREAS) + tuple(i for ids in EDS_AREAS.values() for i in ids)
AGE_BANDS = {"16-18": (16, 18), "19-23": (19, 23), "24+": (24, 120)}
# Constraints that only mean something once the person's place is known.
PLACE_CONSTRAINTS = ("max_travel_km", "only_my_authority", "include_nearby")

# Request caps: one adviser's request, never a bulk job.
MAX_SKILL_IDS = 50
MAX_TARGET_SKILL_IDS = 100
MAX_TARGET_SKILL_PHRASES = MAX_TARGET_SKILL_IDS
MAX_PHRASES = 50
MAX_PHRASE_CHARS = 200
MAX_TEXT_CHARS = 5_000
MAX_ADVERT_CHARS = 20_000
MAX_LIMIT = 50
DEFAULT_LIMIT = 10
PATHWAY_STEPS = 3
# A pathway step must add at least this share of the weighted gap to be worth a course.
PATHWAY_MIN_GAIN = 0.02
PATHWAY_CANDIDATES = 300
AREA_TOP_SKILLS = 15
AREA_DAYS = 365
# Phrases longer than this (words) go through extraction only: a whole sentence as one
# vector resembles too many skills a little.
PHRASE_MAX_WORDS = 6
# Words in a sentence of a job advert that make the skills in it optional.
_OPTIONAL_MARKERS = re.compile(
    r"\b(desirable|nice to have|would be (an )?(advantage|a plus|beneficial)|advantageous|"
    r"bonus|preferred|ideally|not essential|an advantage)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?\n;•]")
_SPLIT_PHRASES = re.compile(r"[\n\r;,•·|]+|\s+and\s+|\s+&\s+|\s+/\s+")


def split_phrases(text: str) -> list[str]:
    """Short phrases of a list someone typed ("Excel, email and Teams"), in order."""
    return [p for p in (s.strip(" .:-\t") for s in _SPLIT_PHRASES.split(text)) if p]


# The note of a match or pathway when the filters leave no course that teaches the gap.
_NO_COURSE_NOTE = "No active course that fits the constraints teaches the skills in the gap."


# -- request schema ---------------------------------------------------------------------


def _skill_ids(max_items: int, **kwargs: Any) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Regexp(SKILL_ID, error="Not a skill id.")),
        validate=validate.Length(max=max_items),
        **kwargs,
    )


class TargetSchema(Schema):
    """What the person is aiming for: exactly one kind of target."""

    occupation = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={"description": "ESCO occupation id, URI or name (e.g. 'office clerk')."},
    )
    demand_id = fields.Integer(
        validate=validate.Range(min=1), metadata={"description": "A stored demand record id."}
    )
    advert_text = fields.String(
        validate=validate.Length(min=1, max=MAX_ADVERT_CHARS),
        metadata={"description": "The text of a job advert; its skills are extracted."},
    )
    skill_ids = _skill_ids(
        MAX_TARGET_SKILL_IDS, metadata={"description": "Skills the target needs (essential)."}
    )
    optional_skill_ids = _skill_ids(
        MAX_TARGET_SKILL_IDS, metadata={"description": "Skills the target would like."}
    )
    skill_phrases = fields.List(
        fields.String(validate=validate.Length(min=1, max=MAX_PHRASE_CHARS)),
        validate=validate.Length(min=1, max=MAX_TARGET_SKILL_PHRASES),
        metadata={
            "description": "Skills the target needs, in words (e.g. 'Power BI', 'SQL'); "
            "each is linked to its closest digital skill, and phrases that link to none "
            "are listed back in the target's 'unlinked'."
        },
    )
    area_demand = fields.Boolean(
        metadata={"description": "Area mode: the largest unmet digital demand of local_authority."}
    )

    @validates_schema
    def _exactly_one(self, data: dict[str, Any], **kwargs: Any) -> None:
        kinds = [
            k
            for k in ("occupation", "demand_id", "advert_text", "skill_phrases", "area_demand")
            if data.get(k) not in (None, False)
        ]
        if data.get("skill_ids") or data.get("optional_skill_ids"):
            kinds.append("skill_ids")
        if len(kinds) != 1:
            raise ValidationError(
                "Give exactly one of occupation, demand_id, advert_text, skill_ids "
                "(with optional_skill_ids), skill_phrases or area_demand."
                + (f" Got: {', '.join(kinds)}." if kinds else "")
            )
        ids = list(data.get("skill_ids") or []) + list(data.get("optional_skill_ids") or [])
        if len(ids) != len(set(ids)):
            raise ValidationError("A skill is listed more than once.", "skill_ids")


class ConstraintsSchema(Schema):
    """Hard filters: a course that fails any of them is never shown."""

    delivery_modes = fields.List(
        fields.String(validate=validate.OneOf(DELIVERY_MODES)),
        validate=validate.Length(min=1, max=len(DELIVERY_MODES)),
    )
    study_modes = fields.List(
        fields.String(validate=validate.OneOf(STUDY_MODES)),
        validate=validate.Length(min=1, max=len(STUDY_MODES)),
    )
    attendance_patterns = fields.List(
        fields.String(validate=validate.OneOf(ATTENDANCE_PATTERNS)),
        validate=validate.Length(min=1, max=len(ATTENDANCE_PATTERNS)),
    )
    max_duration_weeks = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=520))
    start_from = fields.Date(metadata={"description": "Earliest start (default: today)."})
    start_before = fields.Date(metadata={"description": "Latest acceptable start date."})
    funded_only = fields.Boolean(
        metadata={"description": "Only courses that are free to the learner."}
    )
    max_cost = fields.Decimal(
        places=2, as_string=False, validate=validate.Range(min=0, max=1_000_000)
    )
    age = fields.Integer(validate=validate.Range(min=14, max=120))
    age_band = fields.String(validate=validate.OneOf(tuple(AGE_BANDS)))
    employment_status = fields.String(validate=validate.OneOf(EMPLOYMENT_STATUSES))
    min_qualification_level = fields.String(validate=validate.OneOf(QUALIFICATION_LEVELS))
    max_qualification_level = fields.String(validate=validate.OneOf(QUALIFICATION_LEVELS))
    include_nearby = fields.Boolean(
        metadata={
            "description": "Also courses anywhere in the same county or combined authority, "
            "however far."
        }
    )
    max_travel_km = fields.Float(
        validate=validate.Range(min=0, min_inclusive=False, max=MAX_TRAVEL_KM),
        metadata={
            "description": "How far (km, straight line) the person can travel to a course "
            f"(default {TRAVEL_KM}, or SKILLS_MATCH_TRAVEL_KM). Online courses are always in "
            "reach; so are courses in the person's own council area."
        },
    )
    only_my_authority = fields.Boolean(
        metadata={
            "description": "Only courses in the person's own council area (and online or "
            "national ones), however near another area's course is."
        }
    )

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        low, high = data.get("min_qualification_level"), data.get("max_qualification_level")
        if low and high and qualification_rank(low) > qualification_rank(high):
            errors["max_qualification_level"] = ["Must not be below min_qualification_level."]
        first, last = data.get("start_from"), data.get("start_before")
        if first and last and last < first:
            errors["start_before"] = ["Must not be before start_from."]
        if data.get("age") is not None and data.get("age_band"):
            errors["age_band"] = ["Give age or age_band, not both."]
        if data.get("only_my_authority"):
            for name in ("max_travel_km", "include_nearby"):
                if data.get(name):
                    errors[name] = [
                        f"Give only_my_authority or {name}, not both: one keeps to the "
                        "person's own council area, the other reaches beyond it."
                    ]
        if errors:
            raise ValidationError(errors)


class MatchRequestSchema(Schema):
    """One adviser's question: this person, this target, these constraints."""

    current_skills = fields.List(
        fields.String(validate=validate.Length(min=1, max=MAX_PHRASE_CHARS)),
        validate=validate.Length(max=MAX_PHRASES),
        metadata={"description": "Skills in the person's own words, one per item."},
    )
    current_skills_text = fields.String(
        validate=validate.Length(max=MAX_TEXT_CHARS),
        metadata={"description": "Free text about the person's skills and experience."},
    )
    current_skill_ids = _skill_ids(MAX_SKILL_IDS)
    not_held_skill_ids = _skill_ids(
        MAX_SKILL_IDS,
        metadata={
            "description": "Corrections: skills we read from the person's words (or took "
            "as held) that the adviser says they do not have. They count as missing."
        },
    )
    target = fields.Nested(TargetSchema, required=True)
    eds = fields.Dict(
        keys=fields.String(validate=validate.OneOf(EDS_KEYS)),
        values=fields.String(validate=validate.OneOf(EDS_CHOICES)),
        metadata={
            "description": "Essential Digital Skills self-assessment: area -> "
            "none / entry3 / level1."
        },
    )
    local_authority = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Where the person lives: a postcode, a council name or GSS code, "
            "or a town."
        },
    )
    constraints = fields.Nested(ConstraintsSchema, load_default=dict)
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        target = data.get("target") or {}
        if target.get("area_demand") and not data.get("local_authority"):
            raise ValidationError(
                "Area mode needs the area: give local_authority.", "local_authority"
            )
        constraints = data.get("constraints") or {}
        placed = [k for k in PLACE_CONSTRAINTS if constraints.get(k) not in (None, False)]
        if placed and not data.get("local_authority"):
            raise ValidationError(
                f"{placed[0]} needs to know where the person is: give local_authority "
                "(a postcode, a town, or a council name or GSS code).",
                "local_authority",
            )
        phrases = data.get("current_skills") or []
        if len({p.strip().casefold() for p in phrases}) != len(phrases):
            raise ValidationError("A skill is listed more than once.", "current_skills")


REQUEST_SCHEMA = MatchRequestSchema()


def load_request(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a raw request; InvalidInput with field-level errors if it is not valid."""
    try:
        return REQUEST_SCHEMA.load(raw)
    except ValidationError as exc:
        # The messages name fields and rules, never echo values back into logs.
        raise InvalidInput(
            "The request is invalid; see errors for each field.", exc.messages
        ) from None


# -- results ----------------------------------------------------------------------------


@dataclass
class TargetSkill:
    """A skill the target needs, with where it came from and whether the person has it."""

    skill_id: str
    label: str
    level: str | None
    importance: str
    is_digital: bool
    source: str = "target"
    weight: float = 1.0
    centrality: float = 1.0
    held_by: str | None = None
    held_similarity: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return plain(self)


@dataclass
class Cover:
    """How one course skill covers one gap skill."""

    gap_skill_id: str
    gap_label: str
    gap_level: str | None
    importance: str
    course_skill_id: str
    course_label: str
    similarity: float
    closeness: str


@dataclass
class CourseMatch:
    """One ranked course: the score, its parts, and the evidence in plain words."""

    course_id: int
    rank: int
    score: float
    coverage: float
    focus: float
    level_fit: float
    outcome_factor: float
    course_level: str | None
    covers: list[Cover]
    # Ids of the gap skills this course does not cover (their labels are in the answer's
    # gap, given once rather than again in every result).
    leaves: list[str]
    penalties: list[str]
    next_start: str | None
    distance_km: float | None
    course: dict[str, Any]
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return plain(self)


@dataclass
class PersonSummary:
    """What the matcher understood of the person (returned, never stored)."""

    recognised: list[dict[str, Any]]
    evident_level: str | None
    has_essential: bool
    has_general: bool
    eds_below_level1: list[str]


@dataclass
class GapAnswer:
    """What a match and a pathway both report first: the target, the person and the gap."""

    target: dict[str, Any]
    area: dict[str, Any] | None
    as_of: str
    person: PersonSummary
    gap: list[TargetSkill]
    held: list[TargetSkill]
    not_digital: list[TargetSkill]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return plain(self)


@dataclass
class MatchResult(GapAnswer):
    """The answer to one match request."""

    results: list[CourseMatch]
    considered: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass
class PathwayStep:
    """One course of a pathway, with when it would run and what it adds."""

    step: int
    start: str
    end: str
    match: CourseMatch
    adds: list[Cover]


@dataclass
class PathwayResult(GapAnswer):
    """Up to three courses in level order, and the gap that is left after them."""

    steps: list[PathwayStep]
    covered_share: float
    remaining_gap: list[TargetSkill]
    explanation: str
    notes: list[str] = field(default_factory=list)


# -- the fitted catalogue ---------------------------------------------------------------


@dataclass
class _Catalogue:
    """The active catalogue as flat arrays: built by fit, read-only afterwards."""

    version: tuple[Any, ...]
    course_ids: np.ndarray
    row_of: dict[int, int]
    area: np.ndarray
    county: np.ndarray
    combined: np.ndarray
    area_codes: dict[str, int]
    national: np.ndarray
    delivery: np.ndarray
    study: np.ndarray
    attendance: np.ndarray
    duration_weeks: np.ndarray
    flexible: np.ndarray
    start_keys: np.ndarray
    start_ptr: np.ndarray
    places: np.ndarray
    cost_pence: np.ndarray
    free: np.ndarray
    age_min: np.ndarray
    age_max: np.ndarray
    employment: np.ndarray
    qual_rank: np.ndarray
    outcome: np.ndarray
    course_level: np.ndarray
    xyz: np.ndarray
    in_person: np.ndarray
    csr: sparse.csr_matrix
    csc: sparse.csc_matrix
    skill_counts: np.ndarray
    skill_ids: list[str]
    column_of: dict[str, int]
    skill_labels: list[str]
    skill_space_rows: np.ndarray
    skill_vectors: np.ndarray
    skill_digital: np.ndarray

    @property
    def n_courses(self) -> int:
        """Active courses in the fit."""
        return len(self.course_ids)


# Start dates are stored as row * _DAY_SPAN + day ordinal, so one searchsorted finds the
# next start of many courses at once (ordinals stay far below the span until year 2700).
_DAY_SPAN = 1_000_000
_NO_CODE = -1


def _codes(values: Sequence[Any], choices: Sequence[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(choices)}
    return np.array([index.get(v, _NO_CODE) for v in values], dtype=np.int16)


def _course_points(
    venues: Sequence[str | None],
    latitudes: Sequence[float | None],
    longitudes: Sequence[float | None],
    locator: Any,
) -> np.ndarray:
    """Where each course is, as unit_xyz points: its venue's postcode when the venue names
    one we know, else the centre of its council area; NaN when neither is known."""
    lat = np.array([np.nan if v is None else v for v in latitudes], dtype=np.float64)
    lon = np.array([np.nan if v is None else v for v in longitudes], dtype=np.float64)
    if locator is not None:
        for i, venue in enumerate(venues):
            for postcode in find_postcodes(venue):
                point = locator.by_postcode(postcode).point
                if point is not None:
                    lat[i], lon[i] = point
                    break
    return unit_xyz(lat, lon).reshape(len(lat), 3)


def _fit_catalogue(store: Any, space: Any, locator: Any = None) -> _Catalogue:
    version = store.catalogue_version()
    rows = list(store.iter_match_courses())
    n = len(rows)
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in range(23)]
    course_ids = np.array(cols[0], dtype=np.int64)
    row_of = {int(c): i for i, c in enumerate(course_ids)}
    area_names = sorted({v for k in (1, 2, 3) for v in cols[k] if v})
    area_codes = {a: i for i, a in enumerate(area_names)}

    def area_array(values: Sequence[str | None]) -> np.ndarray:
        return np.array(
            [area_codes.get(v, _NO_CODE) if v else _NO_CODE for v in values], dtype=np.int32
        )

    start_keys: list[int] = []
    start_ptr = np.zeros(n + 1, dtype=np.int64)
    for i, raw in enumerate(cols[10]):
        days = sorted({date.fromisoformat(d).toordinal() for d in json.loads(raw)})
        start_keys.extend(i * _DAY_SPAN + d for d in days)
        start_ptr[i + 1] = len(start_keys)
    employment = np.zeros(n, dtype=np.uint8)
    for i, raw in enumerate(cols[16]):
        for status in json.loads(raw):
            if status in EMPLOYMENT_STATUSES:
                employment[i] |= 1 << EMPLOYMENT_STATUSES.index(status)
    completion = np.array([np.nan if v is None else v for v in cols[18]], dtype=np.float32)
    positive = np.array([np.nan if v is None else v for v in cols[19]], dtype=np.float32)
    rates = np.vstack([completion, positive])
    known = (~np.isnan(rates)).sum(axis=0)
    outcome = np.where(known > 0, np.nansum(rates, axis=0) / np.maximum(known, 1), np.nan)
    cost = np.array(cols[12], dtype=np.int64)
    funding = list(cols[13])

    # Course x skill links: each active course's skills, as a sparse 0/1 matrix.
    skill_index: dict[str, int] = {}
    link_rows: list[int] = []
    link_cols: list[int] = []
    digital_levels: dict[int, list[int]] = {}
    for course_id, skill_id, level, is_digital, _score in store.iter_match_course_skills():
        r = row_of.get(course_id)
        if r is None or skill_id not in space.index_:
            continue
        c = skill_index.setdefault(skill_id, len(skill_index))
        link_rows.append(r)
        link_cols.append(c)
        if is_digital and level in LEVEL_RANK:
            digital_levels.setdefault(r, []).append(LEVEL_RANK[level])
    skill_ids = list(skill_index)
    m = len(skill_ids)
    csr = sparse.csr_matrix(
        (np.ones(len(link_rows), dtype=np.float32), (link_rows, link_cols)), shape=(n, m)
    )
    csr.sum_duplicates()
    csr.sort_indices()
    csc = csr.tocsc()
    csc.sort_indices()
    space_rows = np.array([space.index_[s] for s in skill_ids], dtype=np.int64)
    vectors = (
        np.ascontiguousarray(space.skill_vectors_[space_rows])
        if m
        else np.zeros((0, space.skill_vectors_.shape[1]), dtype=np.float32)
    )
    course_level = np.full(n, _NO_CODE, dtype=np.int8)
    for r, ranks in digital_levels.items():
        course_level[r] = _dominant_level(ranks)
    delivery = _codes(cols[5], DELIVERY_MODES)
    national = np.array(cols[4], dtype=bool)
    return _Catalogue(
        version=version,
        course_ids=course_ids,
        row_of=row_of,
        area=area_array(cols[1]),
        county=area_array(cols[2]),
        combined=area_array(cols[3]),
        area_codes=area_codes,
        national=national,
        delivery=delivery,
        study=_codes(cols[6], STUDY_MODES),
        attendance=_codes(cols[7], ATTENDANCE_PATTERNS),
        duration_weeks=np.array(cols[8], dtype=np.float64),
        flexible=np.array(cols[9], dtype=bool),
        start_keys=np.array(start_keys, dtype=np.int64),
        start_ptr=start_ptr,
        places=np.array(cols[11], dtype=np.int64),
        cost_pence=cost,
        free=np.array(
            [c == 0 or f == "fully_funded" for c, f in zip(cost, funding, strict=True)], dtype=bool
        ),
        age_min=np.array([0 if v is None else v for v in cols[14]], dtype=np.int16),
        age_max=np.array([999 if v is None else v for v in cols[15]], dtype=np.int16),
        employment=employment,
        qual_rank=_codes(cols[17], QUALIFICATION_LEVELS).astype(np.int8),
        outcome=outcome.astype(np.float32),
        course_level=course_level,
        xyz=_course_points(cols[20], cols[21], cols[22], locator),
        # Online and nationally delivered courses come to the person: distance is moot.
        in_person=~national & (delivery != DELIVERY_MODES.index("online")),
        csr=csr,
        csc=csc,
        skill_counts=np.maximum(np.diff(csr.indptr), 1).astype(np.float32),
        skill_ids=skill_ids,
        column_of=dict(skill_index),
        skill_labels=[space.skill_labels_[i] for i in space_rows],
        skill_space_rows=space_rows,
        skill_vectors=vectors,
        skill_digital=np.array([space.is_digital_[i] for i in space_rows], dtype=bool),
    )


def _dominant_level(ranks: Sequence[int]) -> int:
    """The level a course teaches at: its highest level held by a quarter of its digital
    skills (so one stray specialist skill does not make a basics course 'specialist')."""
    counts = np.bincount(np.asarray(ranks), minlength=3)
    total = counts.sum()
    for rank in (2, 1, 0):
        if counts[rank] and counts[rank] * 4 >= total:
            return rank
    return int(max(ranks))


# -- the person and the target, resolved ------------------------------------------------


@dataclass
class _Person:
    """The person's skills as vectors (held in memory for one request only)."""

    phrase_texts: list[str]
    phrase_display: list[str]
    phrase_vectors: np.ndarray
    skill_ids: list[str]
    skill_sources: list[str]
    eds: dict[str, str]
    not_held: frozenset[str] = frozenset()


@dataclass
class _Prepared:
    """A validated request with every name resolved, ready to rank."""

    request: dict[str, Any]
    as_of: date
    area: str | None
    area_name: str | None
    area_parents: tuple[str | None, str | None]
    # Where the person is (latitude, longitude), and how the point was found, in words.
    point: tuple[float, float] | None
    point_from: str | None
    target: dict[str, Any]
    target_skills: list[TargetSkill]
    person: _Person
    summary: PersonSummary
    notes: list[str]
    anchor: np.ndarray | None = None
    course_cosines: np.ndarray | None = None

    @property
    def has_level(self) -> tuple[bool, bool]:
        """Whether the person has essential, general digital skills (prerequisites)."""
        return self.summary.has_essential, self.summary.has_general


@dataclass
class _Scored:
    """Every candidate course's coverage and score for one request (internal)."""

    rows: np.ndarray
    cov: np.ndarray
    coverage: np.ndarray
    level_fit: np.ndarray
    outcome: np.ndarray
    focus: np.ndarray
    score: np.ndarray
    next_start: np.ndarray
    distance: np.ndarray
    gap: list[TargetSkill]
    weights: np.ndarray
    credit: np.ndarray
    sims: np.ndarray
    considered: dict[str, Any]


_blas: Any = None
_blas_lock = threading.Lock()


@contextlib.contextmanager
def _one_native_thread() -> Iterator[None]:
    """Run numpy's BLAS and OpenMP (the extractor's scorer) on one thread for the duration.

    The matcher's products are small (tens of rows by a few thousand); a second BLAS
    thread buys nothing there, and on a busy machine its spin-waiting made a 10k-course
    request 5x slower (bench/RESULTS.md, match-speed). gunicorn runs one request per
    worker, so one thread per worker is the right shape anyway. OpenMP matters for a
    second reason: GNU OpenMP's thread pool does not survive fork(), so a match answered
    in the gunicorn master (the warm-up) with a pool would hang every worker's first
    prediction.
    """
    global _blas
    if _blas is None:
        with _blas_lock:
            if _blas is None:
                from threadpoolctl import ThreadpoolController

                _blas = ThreadpoolController()
    with _blas.limit(limits=1, user_api=None):
        yield


_torch_users = 0
_torch_saved = 0
_torch_lock = threading.Lock()


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Encode a request's few phrases on one torch thread (restored afterwards).

    Measured on the 2-core machine with other work running (bench/RESULTS.md,
    match-speed): 10 new phrases took ~40 ms on one intra-op thread and 650-830 ms on
    two, which spin against each other and every other process. Big batches (imports,
    `init`) do not pass through here and keep torch's default. Reference-counted, so
    concurrent requests in one process restore the setting only when the last finishes.
    """
    global _torch_users, _torch_saved
    import sys

    torch = sys.modules.get("torch")  # only if the encoder already loaded it
    if torch is None:
        yield
        return
    with _torch_lock:
        if _torch_users == 0:
            _torch_saved = torch.get_num_threads()
            torch.set_num_threads(1)
        _torch_users += 1
    try:
        yield
    finally:
        with _torch_lock:
            _torch_users -= 1
            if _torch_users == 0:
                torch.set_num_threads(_torch_saved)


def _single_threaded(method: Any) -> Any:
    """Decorate a Matcher method to run with one BLAS, OpenMP and torch thread."""
    import functools

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _one_native_thread(), _one_torch_thread():
            return method(*args, **kwargs)

    return wrapper


class Matcher:
    """Ranks the active catalogue against a person's skill gap; fit once, rank many.

    Parameters are the ranking's knobs (defaults tuned as documented above); learned state
    is the catalogue snapshot ``catalogue_`` and the EDS mapping ``eds_equivalents_``.

    The score of a course is ``coverage x focus^3 x level_fit x outcome_factor x travel``:

    - ``coverage`` = sum over digital gap skills g of w(g) * credit(course, g) / sum w(g),
      w(g) = importance weight (essential 1.0, optional 0.5) x level weight (essential
      1.5, general 1.25, specialist/fusion 1.0), credit = the best similarity of any course
      skill to g if it reaches ``course_threshold``, else 0; w(g) also carries the
      skill's centrality to the role (its cosine with the role's title, at least 0.1).
    - ``focus`` = the mean cosine (floored at 0) of the course's skills with the role's
      title (area mode: the weighted centre of the unmet demand; a list of chosen skills:
      1): how much of the course is about the target.
    - ``level_fit`` is :meth:`level_rule`.
    - ``outcome_factor`` = 1 + 0.1 x (mean published completion/positive-outcome rate -
      0.5), 1 when none is published.
    - ``travel`` = 1 - ``travel_weight`` x min(distance / reach, 1) for a course the person
      travels to (1 for online and national ones, or when the person's place is unknown).

    Hard filters (any failure excludes the course): places left; a start on or after the
    start date (or flexible start); within reach of the person (within ``travel_km`` of
    them, or in their own council area, or online or national; ``only_my_authority``
    drops the distance, ``include_nearby`` adds the same county / combined authority);
    and every constraint.
    Ties are broken by course id, so the same request always gives the same list.
    """

    def __init__(
        self,
        engine: Any,
        person_threshold: float = PERSON_THRESHOLD,
        course_threshold: float = COURSE_THRESHOLD,
        data_dir: str | Path | None = None,
        refresh_seconds: float = 1.0,
        focus_weight: float = FOCUS_WEIGHT,
        travel_km: float = TRAVEL_KM,
        travel_weight: float = TRAVEL_WEIGHT,
    ) -> None:
        self.engine = engine
        self.focus_weight = focus_weight
        self.travel_km = travel_km
        self.travel_weight = travel_weight
        self.person_threshold = person_threshold
        self.course_threshold = course_threshold
        self.data_dir = data_dir
        self.refresh_seconds = refresh_seconds

    # -- fitting --------------------------------------------------------------------

    @_single_threaded
    def fit(self, store: Any) -> Matcher:
        """Snapshot the active catalogue into arrays and sparse matrices; return self."""
        space = self.engine.space
        started = time.perf_counter()
        catalogue = _fit_catalogue(store, space, self._locator)
        self.eds_equivalents_ = self._eds_equivalents(store)
        label_skill = np.asarray(space.label_skill_)
        self.label_ptr_ = np.searchsorted(label_skill, np.arange(len(space.ids_) + 1))
        self.catalogue_ = catalogue
        self.checked_at_ = time.monotonic()
        self.fit_seconds_ = time.perf_counter() - started
        self._lock = threading.Lock()
        return self

    def refresh(self, store: Any, force: bool = False) -> bool:
        """Refit if the catalogue changed since the fit (checked at most once a second)."""
        self._check_fitted()
        now = time.monotonic()
        if not force and now - self.checked_at_ < self.refresh_seconds:
            return False
        with self._lock:
            self.checked_at_ = now
            if store.catalogue_version() == self.catalogue_.version and not force:
                return False
            # Build the new snapshot aside and swap it in one assignment: requests being
            # served keep reading the old one.
            self.catalogue_ = _fit_catalogue(store, self.engine.space, self._locator)
        return True

    @functools.cached_property
    def _locator(self) -> Any:
        """The offline postcode and town locator (None without the reference data); looked
        for once per matcher, not on every request."""
        if not self.data_dir or not (Path(self.data_dir) / "reference" / "postcodes.npz").exists():
            return None
        return locator_for(str(self.data_dir))

    def _check_fitted(self) -> None:
        if not hasattr(self, "catalogue_"):
            raise RuntimeError("Matcher is not fitted: call fit(store) first.")

    def _eds_equivalents(self, store: Any) -> dict[str, list[str]]:
        """Each EDS area id -> itself plus its hand-picked ESCO equivalents that exist."""
        equivalents: dict[str, list[str]] = {}
        path = Path(self.data_dir) / "reference" / "eds_areas.csv" if self.data_dir else None
        if path is not None and path.exists():
            with path.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    ids = [s.strip() for s in (row.get("esco_equivalents") or "").split("|")]
                    equivalents[row["id"]] = [s for s in ids if s]
        area_ids = {i for ids in EDS_AREAS.values() for i in ids}
        known = store.existing_skill_ids(
            area_ids | {s for ids in equivalents.values() for s in ids}
        )
        return {
            area: [area] + [s for s in equivalents.get(area, []) if s in known]
            for area in sorted(area_ids & known)
        }

    # -- answering ------------------------------------------------------------------

    @_single_threaded
    def rank(
        self,
        request: Mapping[str, Any],
        store: Any,
        as_of: date | None = None,
        validated: bool = False,
    ) -> MatchResult:
        """Ranked courses for one request, each with its explanation.

        ``request`` is a raw mapping, validated here with :class:`MatchRequestSchema`
        (``validated=True``: it is already that schema's output). ``as_of`` is the day of
        the search (default today): starts before it are in the past.
        """
        prepared = self.prepare(request, store, as_of, validated)
        scored = self._score(prepared, prepared.request["constraints"])
        limit = prepared.request["limit"]
        top = _top(scored.score, limit)
        details = store.match_course_details(self.catalogue_.course_ids[scored.rows[top]])
        results = [
            self._explain(prepared, scored, int(i), rank, details)
            for rank, i in enumerate(top, start=1)
        ]
        notes = list(prepared.notes)
        if not scored.gap:
            notes.append(
                "The client already has every digital skill the target needs: no course "
                "is needed for it."
            )
        elif not results:
            notes.append(_NO_COURSE_NOTE)
        return MatchResult(
            **_gap_answer(prepared, scored.gap),
            results=results,
            considered=scored.considered,
            notes=notes,
        )

    @_single_threaded
    def pathway(
        self,
        request: Mapping[str, Any],
        store: Any,
        as_of: date | None = None,
        validated: bool = False,
    ) -> PathwayResult:
        """Up to three courses that together cover most of the gap, in level order.

        Greedy set cover: each step adds the course with the largest gain in weighted
        coverage (times its level fit given the steps before it) whose dates fit after
        the steps that come before it in level order; it stops when no course adds at
        least 2% of the gap. ``start_before`` applies to the first course only.
        """
        prepared = self.prepare(request, store, as_of, validated)
        constraints = dict(prepared.request["constraints"])
        first_before = constraints.pop("start_before", None)
        scored = self._score(prepared, constraints)
        chosen, schedule = self._greedy(prepared, scored, first_before)
        details = store.match_course_details(self.catalogue_.course_ids[scored.rows[chosen]])
        covered = np.zeros(len(scored.gap), dtype=np.float64)
        path_steps: list[PathwayStep] = []
        for number, (i, (start, end)) in enumerate(zip(chosen, schedule, strict=True), 1):
            match = self._explain(prepared, scored, i, number, details, prior=covered)
            position = {g.skill_id: k for k, g in enumerate(scored.gap)}
            adds = [
                c
                for c in match.covers
                if scored.cov[i, position[c.gap_skill_id]] > covered[position[c.gap_skill_id]]
            ]
            covered = np.maximum(covered, scored.cov[i])
            path_steps.append(
                PathwayStep(
                    step=number,
                    start=start.isoformat(),
                    end=end.isoformat(),
                    match=match,
                    adds=adds,
                )
            )
        total = float(scored.weights.sum())
        share = float((scored.weights * covered).sum() / total) if total else 1.0
        remaining = [g for g, c in zip(scored.gap, covered, strict=True) if c <= 0]
        answer = _gap_answer(prepared, scored.gap)
        notes = list(prepared.notes)
        if scored.gap and not path_steps:
            notes.append(_NO_COURSE_NOTE)
        return PathwayResult(
            **answer,
            steps=path_steps,
            covered_share=round(share, 4),
            remaining_gap=remaining,
            explanation=_pathway_text(path_steps, remaining, scored.gap, answer["not_digital"]),
            notes=notes,
        )

    @_single_threaded
    def feasible(
        self,
        request: Mapping[str, Any],
        store: Any,
        as_of: date | None = None,
        validated: bool = False,
    ) -> np.ndarray:
        """Ids of the active courses that pass every hard filter of the request, by id.

        What a plain course search with the same filters could show, whatever the skills:
        the evaluation's keyword baseline ranks within exactly this set.
        """
        prepared = self.prepare(request, store, as_of, validated)
        constraints = prepared.request["constraints"]
        every = np.ones(self.catalogue_.n_courses, dtype=bool)
        static, _ = self._static_filters(prepared, constraints, every)
        rows = np.flatnonzero(static)
        starts = self._next_starts(rows, constraints.get("start_from") or prepared.as_of)
        ok = starts >= 0
        if constraints.get("start_before") is not None:
            ok &= starts <= constraints["start_before"].toordinal()
        return self.catalogue_.course_ids[rows[ok]]

    # -- preparing a request --------------------------------------------------------

    def prepare(
        self,
        request: Mapping[str, Any],
        store: Any,
        as_of: date | None = None,
        validated: bool = False,
    ) -> _Prepared:
        """Validate the request and resolve its area, target and the person's skills."""
        self._check_fitted()
        data = dict(request) if validated else load_request(request)
        data.setdefault("constraints", {})
        data.setdefault("limit", DEFAULT_LIMIT)
        as_of = as_of or date.today()
        notes: list[str] = []
        errors: dict[str, Any] = {}
        area = area_name = point_from = None
        point: tuple[float, float] | None = None
        parents: tuple[str | None, str | None] = (None, None)
        if data.get("local_authority"):
            area, placed, point = self._person_area(data["local_authority"], store)
            if area is None:
                errors["local_authority"] = [
                    "Not a place we know: give a postcode, a council name or GSS code, or a "
                    f"town ({placed})."
                ]
            else:
                row = store.local_authority(area) or {}
                area_name = row.get("name")
                parents = (row.get("county_gss"), row.get("combined_authority_gss"))
                if placed:
                    notes.append(f"Area: {placed}, in {area_name}.")
                if point is not None:
                    point_from = data["local_authority"].strip()
                elif row.get("lat") is not None and row.get("long") is not None:
                    point = (float(row["lat"]), float(row["long"]))
                    point_from = f"the centre of {area_name}"
                notes.append(self._reach_note(data["constraints"], area_name, point_from))
        else:
            notes.append("No area given: courses anywhere in the catalogue are included.")
        unknown = sorted(
            set(data.get("current_skill_ids") or [])
            - store.existing_skill_ids(data.get("current_skill_ids") or [])
        )
        if unknown:
            errors["current_skill_ids"] = [f"Unknown skill id(s): {', '.join(unknown[:10])}."]
        given = set(data.get("current_skill_ids") or [])
        both = sorted(given & set(data.get("not_held_skill_ids") or []))
        if both:
            errors["not_held_skill_ids"] = [
                "A skill cannot be both held (current_skill_ids) and not held: "
                f"{', '.join(both[:10])}."
            ]
        target, target_skills, target_errors = self._target(data, store, area, as_of)
        if target_errors:
            errors["target"] = target_errors
        if target.get("unlinked"):
            unread = _quote_list(target["unlinked"])
            notes.append(f"Not read as a digital skill, so not in the gap: {unread}.")
        if errors:
            raise InvalidInput("The request is invalid; see errors for each field.", errors)
        person = self._person(data)
        _judge_gap(self, person, target_skills)
        self._centrality(target, target_skills)
        target_skills.extend(self._eds_gaps(person, target_skills, store))
        summary = self._summarise(person, target_skills, store)
        not_digital = [t for t in target_skills if not t.is_digital and t.held_by is None]
        if not_digital:
            notes.append(
                f"The target also needs {len(not_digital)} skill(s) that are not digital (e.g. "
                f"{_quote_list([t.label for t in not_digital], 2)}). They are listed "
                "separately and not matched to courses: matching covers digital skills only."
            )
        if target.get("kind") == "area_demand" and data.get("current_skills_text"):
            notes.append(
                "Area mode ranks for the area's demand: the person's skills are "
                "used only to leave out skills they already hold."
            )
        return _Prepared(
            request=data,
            as_of=as_of,
            area=area,
            area_name=area_name,
            area_parents=parents,
            point=point,
            point_from=point_from,
            target=target,
            target_skills=target_skills,
            person=person,
            summary=summary,
            notes=notes,
            anchor=target.pop("_anchor", None),
        )

    def _person_area(
        self, value: str, store: Any
    ) -> tuple[str | None, str | None, tuple[float, float] | None]:
        """The GSS code of where the person is, how it was found (None for a code or a
        council name; for a postcode or a town, the evidence; unresolved: why not), and
        the point of a postcode or a town."""
        area = store.resolve_area(value)
        if area is not None:
            return area, None, None
        locator = self._locator
        if locator is None:
            return None, "no postcode or town lookup without the reference data", None
        postcode = normalise_postcode(value)
        # Council names were tried above, so the place lookup needs no second try of them.
        found = locator.resolve(postcode=postcode, places=() if postcode else (value,))
        return found.gss_code, found.detail, found.point if found.resolved else None

    def _reach_note(
        self, constraints: dict[str, Any], area_name: str | None, point_from: str | None
    ) -> str:
        """Which courses are within the person's reach, in words."""
        if constraints.get("only_my_authority"):
            return f"Courses in {area_name}, and online or national ones, are included."
        nearby = (
            " and anywhere in the same county or combined authority"
            if constraints.get("include_nearby")
            else ""
        )
        if point_from is None:
            return (
                f"Courses in {area_name}{nearby}, and online or national ones, are included "
                f"(the location of {area_name} is not known, so no distances)."
            )
        km = self._reach_km(constraints)
        return (
            f"Courses within {km:g} km of {point_from} (straight line), in {area_name}{nearby}, "
            "and online or national ones are included; nearer courses rank a little higher."
        )

    def _target(
        self, data: dict[str, Any], store: Any, area: str | None, as_of: date
    ) -> tuple[dict[str, Any], list[TargetSkill], dict[str, list[str]]]:
        spec = data["target"]
        if spec.get("occupation"):
            occupation_id = store.find_occupation(spec["occupation"])
            if occupation_id is None:
                hint = store.occupation_suggestions(spec["occupation"])
                message = "No ESCO occupation with this id or name."
                if hint:
                    message += " Did you mean: " + "; ".join(hint) + "?"
                return {}, [], {"occupation": [message]}
            occupation = store.occupation_target(occupation_id)
            skills = [(s, imp, None) for s, imp in occupation["skills"]]
            target = {"kind": "occupation", "id": occupation["id"], "label": occupation["label"]}
            return target, self._target_skills(store, skills, "occupation"), {}
        if spec.get("demand_id") is not None:
            record = store.demand_target(spec["demand_id"])
            if record is None:
                return {}, [], {"demand_id": ["No demand record with this id."]}
            target = {
                "kind": "demand",
                "id": record["id"],
                "label": record["label"],
                "employer": record["employer"],
            }
            return target, self._target_skills(store, record["skills"], "demand"), {}
        if spec.get("advert_text"):
            text = spec["advert_text"]
            found = self.engine.extractor.extract(text, persist=False)
            if not found:
                return {}, [], {"advert_text": ["No skills were recognised in this text."]}
            skills = []
            seen: set[str] = set()
            for s in found:
                if s.skill_id not in seen:
                    seen.add(s.skill_id)
                    skills.append((s.skill_id, _importance_in(text, s.start, s.end), s.level))
            for s, digital_id in self._digital_readings(found):
                if digital_id not in seen:
                    seen.add(digital_id)
                    skills.append((digital_id, _importance_in(text, s.start, s.end), None))
            target = {
                "kind": "advert",
                "id": None,
                "label": "the job advert",
                "title": _first_line(text),
            }
            return target, self._target_skills(store, skills, "advert"), {}
        if spec.get("skill_ids") or spec.get("optional_skill_ids"):
            skills = [(s, "essential", None) for s in spec.get("skill_ids") or []]
            skills += [(s, "optional", None) for s in spec.get("optional_skill_ids") or []]
            unknown = sorted(
                {s for s, _, _ in skills} - store.existing_skill_ids(s for s, _, _ in skills)
            )
            if unknown:
                return {}, [], {"skill_ids": [f"Unknown skill id(s): {', '.join(unknown[:10])}."]}
            target = {"kind": "skills", "id": None, "label": "the chosen skills"}
            return target, self._target_skills(store, skills, "skills"), {}
        if spec.get("skill_phrases"):
            return self._phrase_target(spec["skill_phrases"], store)
        return self._area_target(store, area, as_of)

    def _phrase_target(
        self, phrases: Sequence[str], store: Any
    ) -> tuple[dict[str, Any], list[TargetSkill], dict[str, list[str]]]:
        """Skills named in words, read by the engine's phrase reader at
        ``person_threshold``; the phrases that reach no skill are reported back rather
        than silently dropped."""
        wanted = list(dict.fromkeys(p.strip() for p in phrases if p.strip()))
        linked: dict[str, str] = {}
        unlinked: list[str] = []
        for reading in self.engine.phrases.read(wanted, threshold=self.person_threshold):
            if reading.skill_id is None:
                unlinked.append(reading.text)
            else:
                linked.setdefault(reading.skill_id, reading.text)
        if not linked:
            return (
                {},
                [],
                {
                    "skill_phrases": [
                        "None of these phrases names a digital skill we know: "
                        + _quote_list(unlinked, 5)
                        + ". Try the name of a tool or task, for example 'Excel' or "
                        "'cyber security'."
                    ]
                },
            )
        skills = [(skill_id, "essential", None) for skill_id in linked]
        target_skills = self._target_skills(store, skills, "skills")
        target = {
            "kind": "skills",
            "id": None,
            "label": "the chosen skills",
            "read_as": [
                {"text": linked[t.skill_id], "skill_id": t.skill_id, "label": t.label}
                for t in target_skills
            ],
            "unlinked": unlinked,
        }
        return target, target_skills, {}

    def _digital_readings(self, found: Sequence[Any]) -> list[tuple[Any, str]]:
        """Digital skills that the words of non-digital extracted skills also name.

        Extraction links each span to its single closest skill, digital or not ("data
        analysis" -> statistics); matching is about digital skills, so a span whose words
        reach a digital skill at ``person_threshold`` (the "this phrase means that skill"
        bar) also counts as that digital skill ("data analysis" -> perform data analysis).
        """
        spans = [s for s in found if not s.is_digital]
        if not spans:
            return []
        space = self.engine.space
        vectors = self.engine.cache.embed([normalise(s.text) for s in spans], persist=False)
        rows, scores = space.best(vectors, digital_only=True)
        return [
            (s, space.ids_[int(space.label_skill_[row])])
            for s, row, score in zip(spans, rows, scores, strict=True)
            if score >= self.person_threshold
        ]

    def _target_skills(
        self, store: Any, skills: Sequence[tuple[str, str, str | None]], source: str
    ) -> list[TargetSkill]:
        facts = store.skill_facts(s for s, _, _ in skills)
        space = self.engine.space
        result = []
        for skill_id, importance, level in skills:
            fact = facts.get(skill_id)
            if fact is None or skill_id not in space.index_:
                continue
            result.append(
                TargetSkill(
                    skill_id=skill_id,
                    label=fact["label"],
                    level=level or fact["level"],
                    importance=importance,
                    is_digital=fact["is_digital"],
                    source=source,
                )
            )
        result.sort(key=lambda t: (t.importance != "essential", t.skill_id))
        return result

    def _area_target(
        self, store: Any, area: str | None, as_of: date
    ) -> tuple[dict[str, Any], list[TargetSkill], dict[str, list[str]]]:
        """The area's largest unmet digital demand as the target: the gap report's top
        skills when that module is present, else demand minus places straight from the
        store (the target's ``method`` says which)."""
        if area is None:
            return {}, [], {"area_demand": ["Give a known local_authority for area mode."]}
        try:
            top, method = self._unmet_from_report(store, area, as_of)
        except ImportError:
            top, method = self._unmet_from_store(store, area, as_of)
        except InvalidInput as exc:
            return {}, [], {"area_demand": [exc.message]}
        top = [t for t in top if t["unmet"] > 0]
        top.sort(key=lambda t: (-t["unmet"], t["skill_id"]))
        top = top[:AREA_TOP_SKILLS]
        if not top:
            return (
                {},
                [],
                {
                    "area_demand": [
                        "No unmet digital demand is recorded for this area in the last "
                        "12 months (no demand, or course places already meet it)."
                    ]
                },
            )
        facts = store.skill_facts(t["skill_id"] for t in top)
        largest = top[0]["unmet"]
        skills = [
            TargetSkill(
                skill_id=t["skill_id"],
                label=t["label"],
                level=facts[t["skill_id"]]["level"],
                importance="essential",
                is_digital=facts[t["skill_id"]]["is_digital"],
                source="area_demand",
                # Weight by the size of the unmet need, relative to the largest.
                weight=round(t["unmet"] / largest, 4),
            )
            for t in top
            if t["skill_id"] in facts
        ]
        target = {
            "kind": "area_demand",
            "id": area,
            "label": "the area's largest unmet digital demand",
            "method": method,
            "skills": top,
        }
        return target, skills, {}

    def _unmet_from_report(
        self, store: Any, area: str, as_of: date
    ) -> tuple[list[dict[str, Any]], str]:
        """Top unmet skills of the area from the gap report (all four levels, 12 months)."""
        from .report import GapReportFilters, GapReportOptions, build_gap_report

        last = f"{as_of.year:04d}-{as_of.month:02d}"
        first_month = as_of.month - 11
        first_year = as_of.year + (first_month - 1) // 12
        first = f"{first_year:04d}-{(first_month - 1) % 12 + 1:02d}"
        report = build_gap_report(
            store,
            GapReportFilters(areas=(area,), period_from=first, period_to=last),
            GapReportOptions(top_n=AREA_TOP_SKILLS),
            data_dir=self.data_dir,
        )
        top = [
            {
                "skill_id": t.skill_id,
                "label": t.label,
                "level": t.level,
                "demand": round(t.current.demand, 1),
                "places": round(t.current.supply, 1),
                "unmet": round(t.current.unmet, 1),
                "records": t.current.records,
                "small": t.current.is_small(report.options.threshold),
            }
            for t in report.top_skills
            if t.area.code == area
        ]
        method = (
            f"the gap report for {report.scope_label}, {first} to {last}: demand (vacancies "
            "weighted 1 where the skill is essential, 0.5 where optional) minus course "
            "places teaching the skill in the same months, per skill, top skills of every "
            "level; 'small' marks figures resting on few demand records"
        )
        return top, method

    def _unmet_from_store(
        self, store: Any, area: str, as_of: date
    ) -> tuple[list[dict[str, Any]], str]:
        """Unmet demand computed directly in the store (used without the gap report)."""
        since = (as_of - timedelta(days=AREA_DAYS)).isoformat()
        demand = store.area_digital_demand(area, since, as_of.isoformat())
        places = store.area_course_places(
            area,
            [d["skill_id"] for d in demand],
            as_of.isoformat(),
            (as_of + timedelta(days=AREA_DAYS)).isoformat(),
        )
        top = []
        for d in demand:
            # Vacancies where the skill is essential count fully, optional ones half.
            need = d["essential_vacancies"] + 0.5 * (d["vacancies"] - d["essential_vacancies"])
            supply = places.get(d["skill_id"], 0)
            top.append(
                {
                    "skill_id": d["skill_id"],
                    "label": d["label"],
                    "level": d["level"],
                    "demand": round(need, 1),
                    "places": supply,
                    "unmet": round(need - supply, 1),
                    "records": d["records"],
                    "small": False,
                }
            )
        method = (
            "computed directly from the store (the gap report module is not installed): "
            "demand records posted in the last 12 months minus places on active courses "
            "(local or national) starting in the next 12 months, per skill"
        )
        return top, method

    def _person(self, data: dict[str, Any]) -> _Person:
        """The person's skills: typed phrases (vectors), extracted skills and given ids."""
        phrases: list[str] = []
        long_texts: list[str] = []
        for item in data.get("current_skills") or []:
            (phrases if len(item.split()) <= PHRASE_MAX_WORDS else long_texts).append(item)
        text = data.get("current_skills_text") or ""
        if text.strip():
            for segment in split_phrases(text)[:MAX_PHRASES]:
                if len(segment.split()) <= PHRASE_MAX_WORDS:
                    phrases.append(segment)
            long_texts.append(text)
        # Normalised as the extractor does, so its phrase vectors are reused, not recomputed.
        display: dict[str, str] = {}
        for phrase in phrases:
            display.setdefault(normalise(phrase), phrase)
        display.pop("", None)
        phrase_texts = list(display)
        skill_ids = list(dict.fromkeys(data.get("current_skill_ids") or []))
        # How the person came to have each skill, in words for ``held_by``.
        sources = ["" for _ in skill_ids]
        if long_texts:
            for skill in self.engine.extractor.extract("\n".join(long_texts), persist=False):
                if skill.skill_id not in skill_ids:
                    skill_ids.append(skill.skill_id)
                    sources.append(f"'{skill.text}'")
        eds = {}
        for key, value in (data.get("eds") or {}).items():
            slug = key.split(":", 1)[1] if ":" in key else key
            eds[slug] = value
        for slug, value in sorted(eds.items()):
            if value != "level1":
                continue
            for area_id in EDS_AREAS.get(slug, ()):
                for skill_id in self.eds_equivalents_.get(area_id, []):
                    if skill_id not in skill_ids:
                        skill_ids.append(skill_id)
                        sources.append(
                            f"Essential Digital Skills Level 1 in {slug.replace('-', ' ')}"
                        )
        vectors = (
            self.engine.cache.embed(phrase_texts, persist=False)
            if phrase_texts
            else np.zeros((0, self.engine.space.skill_vectors_.shape[1]), dtype=np.float32)
        )
        # The adviser's corrections win over every reading of the person's words.
        not_held = frozenset(data.get("not_held_skill_ids") or ())
        kept = [(s, src) for s, src in zip(skill_ids, sources, strict=True) if s not in not_held]
        return _Person(
            phrase_texts,
            list(display.values()),
            vectors,
            [s for s, _ in kept],
            [src for _, src in kept],
            eds,
            not_held,
        )

    def _centrality(self, target: dict[str, Any], targets: list[TargetSkill]) -> None:
        """Weight each target skill by how central it is to the role's title (see
        CENTRALITY_FLOOR); targets without a title (chosen skills, area demand) keep 1."""
        kind = target.get("kind")
        title = target.get("title") or (
            target.get("label") if kind in ("occupation", "demand") else None
        )
        if not title or not targets:
            return
        space = self.engine.space
        # The title may come from the request (an advert): held in memory only.
        anchor = self.engine.cache.embed([title], persist=False)[0]
        target["_anchor"] = anchor
        rows = [space.index_[t.skill_id] for t in targets]
        cosines = space.skill_vectors_[rows] @ anchor
        for t, cos in zip(targets, cosines, strict=True):
            t.centrality = round(float(min(1.0, max(CENTRALITY_FLOOR, cos))), 4)

    def _summarise(self, person: _Person, targets: list[TargetSkill], store: Any) -> PersonSummary:
        """The person's evident digital level and whether they have the prerequisites.

        Essential digital skills are judged by the Essential Digital Skills self-assessment,
        the instrument advisers use for them: any area rated below Level 1 means the person
        lacks essential skills; without a self-assessment they are not presumed to lack them
        (people rarely list "use e-mail" among their skills). General digital skills are
        held when the person shows a general or higher digital skill, or no general skill
        is in the gap. The evident level is the highest level among the digital skills they
        show: their skill ids and extracted skills, each typed phrase's closest digital skill
        when it reaches ``person_threshold``, and target skills they already hold.
        """
        space = self.engine.space
        recognised: list[dict[str, Any]] = []
        shown: set[str] = set(person.skill_ids)
        if len(person.phrase_texts):
            rows, scores = self.engine.phrases.closest_digital(
                person.phrase_texts, person.phrase_vectors
            )
            for phrase, row, score in zip(person.phrase_display, rows, scores, strict=True):
                skill_id = space.ids_[int(space.label_skill_[row])]
                if score >= self.person_threshold and skill_id not in person.not_held:
                    shown.add(skill_id)
                    recognised.append(
                        {"text": phrase, "skill_id": skill_id, "similarity": round(float(score), 3)}
                    )
        shown |= {t.skill_id for t in targets if t.held_by is not None and t.is_digital}
        facts = store.skill_facts(shown)
        for item in recognised:
            item["label"] = facts.get(item["skill_id"], {}).get("label")
            item["level"] = facts.get(item["skill_id"], {}).get("level")
        ranks = [
            LEVEL_RANK[f["level"]]
            for f in facts.values()
            if f["is_digital"] and f["level"] in LEVEL_RANK
        ]
        evident = max(ranks, default=-1)
        below = sorted(slug for slug, value in person.eds.items() if value != "level1")
        gap_levels = {
            LEVEL_RANK.get(t.level or "", 3) for t in targets if t.is_digital and t.held_by is None
        }
        has_essential = not below
        has_general = has_essential and (evident >= 1 or 1 not in gap_levels)
        if not (person.phrase_texts or person.skill_ids or person.eds) and all(
            t.source == "area_demand" for t in targets
        ):
            # Area mode ranks for an area, not a person: no one's prerequisites to check.
            has_essential = has_general = True
        return PersonSummary(
            recognised=recognised,
            evident_level=LEVEL_NAMES[evident] if evident >= 0 else None,
            has_essential=has_essential,
            has_general=has_general,
            eds_below_level1=below,
        )

    def _eds_gaps(
        self, person: _Person, targets: list[TargetSkill], store: Any
    ) -> list[TargetSkill]:
        """EDS areas self-assessed below Level 1 become essential gaps (Entry 3: optional)."""
        present = {t.skill_id for t in targets}
        wanted = []
        for slug, value in sorted(person.eds.items()):
            if value == "level1":
                continue
            area_id = next((a for a in EDS_AREAS[slug] if a in self.eds_equivalents_), None)
            if area_id is None or area_id in present:
                continue
            present.add(area_id)
            wanted.append((area_id, "essential" if value == "none" else "optional", value))
        if not wanted:
            return []
        facts = store.skill_facts(a for a, _, _ in wanted)
        return [
            TargetSkill(
                skill_id=area_id,
                label=facts[area_id]["label"],
                level="essential",
                importance=importance,
                is_digital=True,
                source="eds_self_assessment",
            )
            for area_id, importance, value in wanted
            if area_id in facts
        ]

    # -- scoring --------------------------------------------------------------------

    def _score(self, prepared: _Prepared, constraints: dict[str, Any]) -> _Scored:
        cat = self.catalogue_
        space = self.engine.space
        gap = [t for t in prepared.target_skills if t.is_digital and t.held_by is None]
        weights = np.array(
            [
                t.weight
                * t.centrality
                * IMPORTANCE_WEIGHT[t.importance]
                * LEVEL_WEIGHT.get(t.level or "", 1.0)
                for t in gap
            ],
            dtype=np.float64,
        )
        g = len(gap)
        if g and cat.skill_vectors.shape[0]:
            gap_vectors = space.skill_vectors_[[space.index_[t.skill_id] for t in gap]]
            sims = gap_vectors @ cat.skill_vectors.T
            # An exact id match is the same skill, whatever float rounding says.
            for i, t in enumerate(gap):
                j = cat.column_of.get(t.skill_id)
                if j is not None:
                    sims[i, j] = 1.0
        else:
            sims = np.zeros((g, len(cat.skill_ids)), dtype=np.float32)
        credit = np.where(sims >= self.course_threshold, sims, 0.0).astype(np.float32)

        # Courses teaching anything in the gap: only the catalogue skills (CSC columns)
        # that cover some gap skill are read, so the work follows the gap, not the catalogue.
        cols = np.flatnonzero(credit.any(axis=0))
        sub = cat.csc[:, cols]
        relevant = np.zeros(cat.n_courses, dtype=bool)
        relevant[sub.indices] = True
        static, reasons = self._static_filters(prepared, constraints, relevant)
        rows = np.flatnonzero(relevant & static)
        start_from = constraints.get("start_from") or prepared.as_of
        next_start = self._next_starts(rows, start_from)
        ok = next_start >= 0
        before = constraints.get("start_before")
        if before is not None:
            ok &= next_start <= before.toordinal()
        reasons["no start in the date range"] = int((~ok).sum())
        rows, next_start = rows[ok], next_start[ok]

        cov = _max_credit(sub, credit[:, cols], rows, cat.n_courses)
        total = weights.sum()
        coverage = (cov @ weights) / total if total else np.zeros(len(rows))
        level_fit = self.level_rule(cat.course_level[rows], cov, gap, None, prepared.has_level)
        outcome = np.where(
            np.isnan(cat.outcome[rows]), 1.0, 1.0 + OUTCOME_WEIGHT * (cat.outcome[rows] - 0.5)
        )
        focus = self._focus(prepared, rows, gap, weights)
        distance = self._distances(prepared, rows)
        # Beyond the reach only through the person's own area or include_nearby: the
        # factor stops at the edge, so those courses are not pushed out of sight.
        travel = 1.0 - self.travel_weight * np.nan_to_num(
            np.minimum(distance / self._reach_km(constraints), 1.0), nan=0.0
        )
        score = np.round(coverage * level_fit * outcome * travel * focus**self.focus_weight, 6)
        considered = {
            "active_courses": cat.n_courses,
            "teach_the_gap": int(relevant.sum()),
            "pass_filters": int((score > 0).sum()),
            "excluded": {k: v for k, v in reasons.items() if v},
        }
        return _Scored(
            rows=rows,
            cov=cov,
            coverage=coverage,
            level_fit=level_fit,
            outcome=outcome,
            focus=focus,
            score=score,
            next_start=next_start,
            distance=distance,
            gap=gap,
            weights=weights,
            credit=credit,
            sims=sims,
            considered=considered,
        )

    def _focus(
        self, prepared: _Prepared, rows: np.ndarray, gap: list[TargetSkill], weights: np.ndarray
    ) -> np.ndarray:
        """How much of each course is about the target: the mean cosine of its skills with
        the role's title (area mode: with the weighted centre of the area's unmet demand),
        floored at 0. A list of skills chosen by the adviser has no focus (all 1)."""
        cat = self.catalogue_
        if not len(rows) or not gap or not cat.csr.nnz:
            return np.ones(len(rows))
        space = self.engine.space
        anchor = prepared.anchor
        if anchor is None:
            if prepared.target.get("kind") != "area_demand":
                # An adviser's own list of skills is the target itself: coverage decides.
                return np.ones(len(rows))
            vectors = space.skill_vectors_[[space.index_[t.skill_id] for t in gap]]
            anchor = (weights[:, None] * vectors).sum(axis=0)
            anchor = anchor / (np.linalg.norm(anchor) or 1.0)
        relevance = np.clip(cat.skill_vectors @ anchor, 0.0, 1.0).astype(np.float32)
        # One sparse mat-vec over the whole catalogue is cheaper than slicing rows out.
        means = (cat.csr @ relevance)[rows] / cat.skill_counts[rows]
        return np.clip(means, 0.01, 1.0)

    def level_rule(
        self,
        course_level: np.ndarray,
        cov: np.ndarray,
        gap: Sequence[TargetSkill],
        prior: np.ndarray | None,
        has_level: tuple[bool, bool] = (False, False),
    ) -> np.ndarray:
        """Level fit of each course (its reasons are worded by ``_penalty_reasons``).

        A course's level is the highest level that at least a quarter of its digital skills
        have. Its *prerequisites* are the digital skills of the levels below it. The person
        lacks a prerequisite level when they do not have it (``has_level``: essential,
        general; see ``_summarise``) and some gap skill of that level is covered neither by
        this course nor by an earlier pathway step. Then:

        - specialist/fusion course, essential skills missing: x0.4;
        - specialist/fusion course, general skills missing: x0.8;
        - general course, essential skills missing: x0.8.

        Otherwise (they have the prerequisites, or the course teaches them) x1.0.
        """
        fit = np.ones(len(course_level), dtype=np.float64)
        if not gap:
            return fit
        covered = cov > 0
        if prior is not None:
            covered = covered | (prior > 0)[None, :]
        levels = np.array([LEVEL_RANK.get(t.level or "", 3) for t in gap])
        missing_essential = (~covered[:, levels == 0]).any(axis=1) & (not has_level[0])
        missing_general = (~covered[:, levels == 1]).any(axis=1) & (not has_level[1])
        high = course_level >= 2
        mid = course_level == 1
        fit[high & missing_essential] = PENALTY_SPECIALIST_WITHOUT_ESSENTIAL
        fit[high & ~missing_essential & missing_general] = PENALTY_MISSING_LOWER_LEVEL
        fit[mid & missing_essential] = PENALTY_MISSING_LOWER_LEVEL
        return fit

    def _static_filters(
        self, prepared: _Prepared, c: dict[str, Any], relevant: np.ndarray
    ) -> tuple[np.ndarray, dict[str, int]]:
        """Every hard filter except dates, over the whole catalogue, with exclusion counts."""
        cat = self.catalogue_
        tests: list[tuple[str, np.ndarray]] = [("no places left", cat.places > 0)]
        if prepared.area is not None:
            code = cat.area_codes.get(prepared.area, -2)
            near = (cat.area == code) | ~cat.in_person
            reason = f"outside {prepared.area_name or prepared.area}"
            if c.get("include_nearby"):
                for parent, codes in zip(
                    prepared.area_parents, (cat.county, cat.combined), strict=True
                ):
                    if parent in cat.area_codes:
                        near |= codes == cat.area_codes[parent]
            if prepared.point is not None and not c.get("only_my_authority"):
                km = self._reach_km(c)
                # NaN (a course with no known place) compares False: not within reach.
                near |= self._cosines(prepared) >= math.cos(km * 1000.0 / EARTH_RADIUS_M)
                reason = f"farther than {km:g} km"
            tests.append((reason, near))
        if c.get("delivery_modes"):
            codes = [DELIVERY_MODES.index(m) for m in c["delivery_modes"]]
            tests.append(("delivery mode", np.isin(cat.delivery, codes)))
        if c.get("study_modes"):
            codes = [STUDY_MODES.index(m) for m in c["study_modes"]]
            tests.append(("study mode", np.isin(cat.study, codes)))
        if c.get("attendance_patterns"):
            codes = [ATTENDANCE_PATTERNS.index(m) for m in c["attendance_patterns"]]
            tests.append(("attendance pattern", np.isin(cat.attendance, codes)))
        if c.get("max_duration_weeks") is not None:
            tests.append(("too long", cat.duration_weeks <= c["max_duration_weeks"] + 1e-9))
        if c.get("funded_only"):
            tests.append(("not free to the learner", cat.free))
        if c.get("max_cost") is not None:
            tests.append(("costs too much", cat.cost_pence <= int(c["max_cost"] * 100)))
        if c.get("age") is not None:
            tests.append(("age eligibility", (cat.age_min <= c["age"]) & (cat.age_max >= c["age"])))
        if c.get("age_band"):
            low, high = AGE_BANDS[c["age_band"]]
            tests.append(("age eligibility", (cat.age_min <= high) & (cat.age_max >= low)))
        if c.get("employment_status"):
            bit = 1 << EMPLOYMENT_STATUSES.index(c["employment_status"])
            allowed = (cat.employment == 0) | ((cat.employment & bit) > 0)
            tests.append(("employment status eligibility", allowed))
        if c.get("min_qualification_level"):
            low = qualification_rank(c["min_qualification_level"])
            tests.append(("qualification level", cat.qual_rank >= low))
        if c.get("max_qualification_level"):
            high = qualification_rank(c["max_qualification_level"])
            tests.append(("qualification level", cat.qual_rank <= high))
        passed = np.ones(cat.n_courses, dtype=bool)
        reasons: dict[str, int] = {}
        for name, ok in tests:
            # Count each relevant course under the first filter that excludes it.
            newly = relevant & passed & ~ok
            reasons[name] = reasons.get(name, 0) + int(newly.sum())
            passed &= ok
        return passed, reasons

    def _reach_km(self, constraints: dict[str, Any]) -> float:
        return float(constraints.get("max_travel_km") or self.travel_km)

    def _cosines(self, prepared: _Prepared) -> np.ndarray:
        """Cosine of the angle between the person and each course (NaN: place unknown),
        computed once per request."""
        assert prepared.point is not None
        if prepared.course_cosines is None:
            centre = unit_xyz(np.array([prepared.point[0]]), np.array([prepared.point[1]]))[0]
            prepared.course_cosines = self.catalogue_.xyz @ (centre / EARTH_RADIUS_M**2)
        return prepared.course_cosines

    def _distances(self, prepared: _Prepared, rows: np.ndarray) -> np.ndarray:
        """Straight-line km from the person to each of ``rows``; NaN for courses that come
        to the person (online, national) or whose place, or the person's, is unknown."""
        if prepared.point is None:
            return np.full(len(rows), np.nan)
        cosine = np.clip(self._cosines(prepared)[rows], -1.0, 1.0)
        km = EARTH_RADIUS_M / 1000.0 * np.arccos(cosine)
        return np.where(self.catalogue_.in_person[rows], km, np.nan)

    def _next_starts(self, rows: np.ndarray, start_from: date) -> np.ndarray:
        """Ordinal of each course's first start on/after ``start_from``; -1 if none.

        Flexible-start courses can start on ``start_from`` itself.
        """
        cat = self.catalogue_
        day = start_from.toordinal()
        result = np.full(len(rows), -1, dtype=np.int64)
        if not len(rows):
            return result
        at = np.searchsorted(cat.start_keys, rows * _DAY_SPAN + day)
        found = at < cat.start_ptr[rows + 1]
        safe = np.minimum(at, max(len(cat.start_keys) - 1, 0))
        if len(cat.start_keys):
            result[found] = cat.start_keys[safe[found]] - rows[found] * _DAY_SPAN
        flexible = cat.flexible[rows]
        result[flexible] = day
        return result

    # -- pathways -------------------------------------------------------------------

    def _greedy(
        self, prepared: _Prepared, scored: _Scored, first_before: date | None
    ) -> tuple[list[int], list[tuple[date, date]]]:
        """Indices (into scored.rows) of the chosen courses in order, and their dates."""
        cat = self.catalogue_
        total = float(scored.weights.sum())
        if not total or not len(scored.rows):
            return [], []
        pool = _top(scored.score, PATHWAY_CANDIDATES)
        covered = np.zeros(len(scored.gap), dtype=np.float64)
        chosen: list[int] = []
        schedule: list[tuple[date, date]] = []
        start_from = prepared.request["constraints"].get("start_from") or prepared.as_of
        for _ in range(PATHWAY_STEPS):
            gains = (np.maximum(scored.cov[pool] - covered[None, :], 0) @ scored.weights) / total
            fit = self.level_rule(
                cat.course_level[scored.rows[pool]],
                scored.cov[pool],
                scored.gap,
                covered,
                prepared.has_level,
            )
            value = np.round(
                gains * fit * scored.outcome[pool] * scored.focus[pool] ** self.focus_weight, 6
            )
            best = None
            for j in np.lexsort((cat.course_ids[scored.rows[pool]], -value)):
                if value[j] <= 0:
                    break
                if gains[j] < PATHWAY_MIN_GAIN:
                    continue
                i = int(pool[j])
                if i in chosen:
                    continue
                order = self._level_order(scored, [*chosen, i], covered)
                plan = self._schedule(scored, order, start_from, first_before)
                if plan is not None:
                    best = (i, order, plan)
                    break
            if best is None:
                break
            i, order, plan = best
            covered = np.maximum(covered, scored.cov[i])
            chosen, schedule = order, plan
        return chosen, schedule

    def _level_order(self, scored: _Scored, picks: list[int], covered: np.ndarray) -> list[int]:
        """Order courses essential -> general -> specialist: by the lowest level of gap
        skill each covers, then the course's own level, then course id."""
        levels = np.array([LEVEL_RANK.get(t.level or "", 3) for t in scored.gap])
        cat = self.catalogue_

        def key(i: int) -> tuple[int, int, int]:
            taught = scored.cov[i] > 0
            lowest = int(levels[taught].min()) if taught.any() else 3
            return (
                lowest,
                int(cat.course_level[scored.rows[i]]),
                int(cat.course_ids[scored.rows[i]]),
            )

        return sorted(picks, key=key)

    def _schedule(
        self, scored: _Scored, order: list[int], start_from: date, first_before: date | None
    ) -> list[tuple[date, date]] | None:
        """Dates for courses taken one after another, or None if they cannot follow on."""
        cat = self.catalogue_
        bound = start_from
        plan: list[tuple[date, date]] = []
        for number, i in enumerate(order):
            row = int(scored.rows[i])
            start = self._next_starts(np.array([row]), bound)[0]
            if start < 0:
                return None
            begin = date.fromordinal(int(start))
            if number == 0 and first_before is not None and begin > first_before:
                return None
            end = begin + timedelta(days=max(1, math.ceil(cat.duration_weeks[row] * 7)) - 1)
            plan.append((begin, end))
            bound = end + timedelta(days=1)
        return plan

    # -- explanations ---------------------------------------------------------------

    def _explain(
        self,
        prepared: _Prepared,
        scored: _Scored,
        i: int,
        rank: int,
        details: dict[int, dict[str, Any]],
        prior: np.ndarray | None = None,
    ) -> CourseMatch:
        """One course's result: what it covers with which skill, what it leaves, why."""
        cat = self.catalogue_
        row = int(scored.rows[i])
        course_id = int(cat.course_ids[row])
        skill_cols = cat.csr.indices[cat.csr.indptr[row] : cat.csr.indptr[row + 1]]
        covers: list[Cover] = []
        leaves: list[str] = []
        for gi, gap_skill in enumerate(scored.gap):
            if scored.cov[i, gi] > 0:
                col = int(skill_cols[np.argmax(scored.credit[gi, skill_cols])])
                sim = float(min(1.0, scored.sims[gi, col]))
                covers.append(
                    Cover(
                        gap_skill_id=gap_skill.skill_id,
                        gap_label=gap_skill.label,
                        gap_level=gap_skill.level,
                        importance=gap_skill.importance,
                        course_skill_id=cat.skill_ids[col],
                        course_label=cat.skill_labels[col],
                        similarity=round(sim, 3),
                        closeness=_closeness(sim),
                    )
                )
            else:
                leaves.append(gap_skill.skill_id)
        level_rank = int(cat.course_level[row])
        course_level = LEVEL_NAMES[level_rank] if level_rank >= 0 else None
        # _score fitted every row with no prior (a match); a pathway step has one.
        level_fit = (
            float(scored.level_fit[i])
            if prior is None
            else float(
                self.level_rule(
                    cat.course_level[[row]], scored.cov[[i]], scored.gap, prior, prepared.has_level
                )[0]
            )
        )
        penalties = self._penalty_reasons(scored, i, level_fit, course_level, prior, prepared)
        detail = details.get(course_id, {"id": course_id})
        start = int(scored.next_start[i])
        next_start = date.fromordinal(start).isoformat() if start > 0 else None
        course = _course_summary(detail)
        km = float(scored.distance[i])
        distance_km = round(km, 1) if math.isfinite(km) else None
        return CourseMatch(
            course_id=course_id,
            rank=rank,
            score=float(scored.score[i]),
            coverage=round(float(scored.coverage[i]), 4),
            focus=round(float(scored.focus[i]), 4),
            level_fit=level_fit,
            outcome_factor=round(float(scored.outcome[i]), 4),
            course_level=course_level,
            covers=covers,
            leaves=leaves,
            penalties=penalties,
            next_start=next_start,
            distance_km=distance_km,
            course=course,
            explanation=_course_text(
                prepared,
                detail,
                covers,
                leaves,
                penalties,
                next_start,
                bool(cat.flexible[row]),
                float(scored.focus[i]),
                distance_km,
            ),
        )

    def _penalty_reasons(
        self,
        scored: _Scored,
        i: int,
        fit: float,
        course_level: str | None,
        prior: np.ndarray | None,
        prepared: _Prepared,
    ) -> list[str]:
        """The level penalty of result ``i`` (its level fit ``fit``) in plain words."""
        if fit >= 1.0:
            return []
        has_level = prepared.has_level
        covered = scored.cov[i] > 0
        if prior is not None:
            covered |= prior > 0
        missing = {
            name: [
                g.label
                for g, c in zip(scored.gap, covered, strict=True)
                if not c and LEVEL_RANK.get(g.level or "", 3) == rank and not has_level[rank]
            ]
            for rank, name in enumerate(("essential", "general"))
        }
        if course_level in ("specialist", "fusion") and missing["essential"]:
            return [
                f"Ranked lower: this is a {course_level} course, and it assumes essential "
                "digital skills the client does not have yet "
                f"({_quote_list(missing['essential'])}). An essential digital skills course "
                "first would prepare them for it."
            ]
        lower = "essential" if missing["essential"] else "general"
        return [
            f"Ranked lower: this {course_level} course assumes {lower} digital skills the "
            f"client does not have yet ({_quote_list(missing[lower])})."
        ]


# -- helpers ----------------------------------------------------------------------------


def _judge_gap(matcher: Matcher, person: _Person, targets: list[TargetSkill]) -> None:
    """Mark each target skill the person already holds (similarity >= person_threshold)."""
    if not targets:
        return
    space = matcher.engine.space
    rows = np.array([space.index_[t.skill_id] for t in targets], dtype=np.int64)
    best = np.full(len(targets), -1.0)
    by: list[str | None] = [None] * len(targets)
    if len(person.phrase_texts):
        # A phrase is compared with every label of the target skill (preferred and
        # alternative), so "Excel" meets a synonym even when the preferred label differs.
        ptr = matcher.label_ptr_
        spans = [(int(ptr[r]), int(ptr[r + 1])) for r in rows]
        label_rows = np.concatenate([np.arange(a, b) for a, b in spans])
        scores = person.phrase_vectors @ space.label_matrix_[label_rows].T
        offset = 0
        for k, (a, b) in enumerate(spans):
            block = scores[:, offset : offset + (b - a)]
            offset += b - a
            if block.size:
                p, _ = np.unravel_index(int(np.argmax(block)), block.shape)
                value = float(block.max())
                if value > best[k]:
                    best[k], by[k] = value, person.phrase_display[p]
    known = [
        (s, source)
        for s, source in zip(person.skill_ids, person.skill_sources, strict=True)
        if s in space.index_
    ]
    if known:
        names = [s for s, _ in known]
        sources = [source for _, source in known]
        mine = np.array([space.index_[s] for s in names], dtype=np.int64)
        if len(mine):
            sims = space.skill_vectors_[rows] @ space.skill_vectors_[mine].T
            # The same skill is a perfect match, whatever float rounding says.
            same_id = np.array(names)[None, :] == np.array([t.skill_id for t in targets])[:, None]
            sims[same_id] = 1.0
            for k, t in enumerate(targets):
                j = int(np.argmax(sims[k]))
                if sims[k, j] > best[k]:
                    best[k] = float(sims[k, j])
                    label, source = space.label(names[j]), sources[j]
                    same = names[j] == t.skill_id
                    if not source:
                        by[k] = label
                    else:
                        by[k] = source if same else f"{source} ({label})"
    for k, t in enumerate(targets):
        if best[k] >= matcher.person_threshold and t.skill_id not in person.not_held:
            t.held_by = by[k]
            t.held_similarity = round(min(1.0, best[k]), 3)


def _max_credit(
    sub: sparse.csc_matrix, credit: np.ndarray, rows: np.ndarray, n_courses: int
) -> np.ndarray:
    """For each candidate row and gap skill, the best credit of any skill the course has.

    ``sub`` holds the catalogue's course x skill links for the covering skills only, and
    ``credit`` (gap x those skills) their credits. Every link of a candidate course is
    turned into a column of credits, grouped by course, and reduced with a maximum.
    """
    cov = np.zeros((len(rows), credit.shape[0]), dtype=np.float32)
    if not len(rows) or not sub.nnz:
        return cov
    position = np.full(n_courses, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    at = position[sub.indices]
    link_cols = np.repeat(np.arange(sub.shape[1]), np.diff(sub.indptr))
    keep = at >= 0
    at, link_cols = at[keep], link_cols[keep]
    if not len(at):
        return cov
    order = np.argsort(at, kind="stable")
    at, link_cols = at[order], link_cols[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(at)) + 1))
    cov[at[starts]] = np.maximum.reduceat(credit[:, link_cols], starts, axis=1).T
    return cov


def _first_line(text: str, max_words: int = 12) -> str:
    """An advert's title: its first line or sentence, at most ``max_words`` words."""
    first = re.split(r"[\n.!?]", text.strip(), maxsplit=1)[0]
    return " ".join(first.split()[:max_words])


def _gap_answer(prepared: _Prepared, gap: list[TargetSkill]) -> dict[str, Any]:
    """The :class:`GapAnswer` fields of a match or pathway, as keyword arguments."""
    targets = prepared.target_skills
    return {
        "target": prepared.target,
        "area": _area(prepared),
        "as_of": prepared.as_of.isoformat(),
        "person": prepared.summary,
        "gap": gap,
        "held": [t for t in targets if t.held_by is not None],
        "not_digital": [t for t in targets if not t.is_digital and t.held_by is None],
    }


def _importance_in(text: str, start: int, end: int) -> str:
    """'optional' if the sentence holding a skill says it is desirable, else 'essential'."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    return "optional" if _OPTIONAL_MARKERS.search(text[left:right]) else "essential"


def _top(score: np.ndarray, limit: int) -> list[int]:
    """Indices of the best ``limit`` positive scores; ties by position (= course id order,
    because catalogue rows are sorted by id and candidate rows keep that order)."""
    positive = np.flatnonzero(score > 0)
    if not len(positive):
        return []
    if len(positive) > limit:
        kth = np.partition(score[positive], len(positive) - limit)[len(positive) - limit]
        positive = positive[score[positive] >= kth]
    order = np.lexsort((positive, -score[positive]))
    return [int(i) for i in positive[order][:limit]]


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _closeness(similarity: float) -> str:
    return next(word for bound, word in CLOSENESS if similarity >= bound)


def _quote_list(labels: Sequence[str], limit: int = 4) -> str:
    quoted = [f"'{x}'" for x in labels[:limit]]
    if len(labels) > limit:
        quoted.append(f"{len(labels) - limit} more")
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _area(prepared: _Prepared) -> dict[str, Any] | None:
    if prepared.area is None:
        return None
    return {"gss_code": prepared.area, "name": prepared.area_name}


def _course_summary(detail: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "title",
        "provider_id",
        "provider_name",
        "provider_ukprn",
        "course_type",
        "programme_type",
        "qualification_level",
        "delivery_mode",
        "study_mode",
        "attendance_pattern",
        "venue",
        "national_delivery",
        "local_authority",
        "local_authority_name",
        "flexible_start",
        "start_dates",
        "duration_value",
        "duration_unit",
        "duration_weeks",
        "cost",
        "funding",
        "places",
        "completion_rate",
        "positive_outcome_rate",
        "outcomes_year",
        "url",
        "illustrative",
    )
    return {k: detail.get(k) for k in keys}


def _when(day: str | None) -> str:
    if not day:
        return "no start date"
    d = date.fromisoformat(day)
    return f"{d.day} {d.strftime('%B %Y')}"


def _course_text(
    prepared: _Prepared,
    detail: dict[str, Any],
    covers: list[Cover],
    leaves: list[str],
    penalties: list[str],
    next_start: str | None,
    flexible: bool,
    focus: float,
    distance_km: float | None,
) -> str:
    """The explanation an adviser reads aloud."""
    sources = {t.skill_id: t.source for t in prepared.target_skills}
    labels = {t.skill_id: t.label for t in prepared.target_skills}
    total = len(covers) + len(leaves)
    sentences = [
        f"This course covers {len(covers)} of the {total} digital skill"
        f"{'s' if total != 1 else ''} the client is missing."
    ]
    for c in covers:
        eds = sources.get(c.gap_skill_id) == "eds_self_assessment"
        if c.closeness == "same skill":
            if eds:
                why = "which the client rated below Level 1 in their Essential Digital Skills "
                why += "self-assessment"
            else:
                why = f"which {_need(prepared, c.importance)}"
            level = f" ({_article(c.gap_level)} {c.gap_level} skill)" if c.gap_level else ""
            sentences.append(f"It teaches '{c.course_label}', {why}{level}.")
        else:
            whose = "the client's need for" if eds else _need_possessive(prepared)
            sentences.append(
                f"It teaches '{c.course_label}', which covers {whose} '{c.gap_label}' "
                f"({_article(c.closeness)} {c.closeness})."
            )
    if leaves:
        sentences.append(
            f"It leaves {_quote_list([labels[x] for x in leaves])} for another course."
        )
    kind = prepared.target.get("kind")
    about = "the role" if kind in ("occupation", "demand", "advert") else "local demand"
    if kind == "skills":
        pass  # a chosen list of skills has no focus to report
    elif focus >= 0.5:
        sentences.append(f"What it teaches is closely focused on {about}.")
    elif focus >= 0.35:
        sentences.append(f"Part of what it teaches is about {about}.")
    else:
        sentences.append(f"Much of what it teaches is about other things than {about}.")
    sentences.extend(penalties)
    sentences.append(_practical(detail, next_start, flexible, distance_km))
    return " ".join(sentences)


def _how_far(km: float) -> str:
    """A distance as an adviser would say it."""
    return "under 1 km away" if km < 1 else f"about {km:.0f} km away"


def _practical(
    detail: dict[str, Any], next_start: str | None, flexible: bool, distance_km: float | None
) -> str:
    """Where, how far, when, how long, how much, how many places, and published outcomes."""
    mode = (detail.get("delivery_mode") or "").replace("_", "-")
    if detail.get("delivery_mode") == "online":
        where = "online"
    elif detail.get("local_authority_name"):
        where = f"{mode} in {detail['local_authority_name']}"
        if distance_km is not None:
            where += f", {_how_far(distance_km)}"
    else:
        where = f"{mode}, delivered nationally"
    pattern = (detail.get("study_mode") or "").replace("_", "-")
    if detail.get("attendance_pattern"):
        pattern += f", {detail['attendance_pattern'].replace('_', ' ')}"
    start = "can start at any time" if flexible else f"next starts {_when(next_start)}"
    cost = "free to the learner" if not detail.get("cost") else f"costs £{detail['cost']:,.2f}"
    places = detail.get("places", 0)
    text = (
        f"Practical: {where}, {pattern}, {_duration(detail)}; {start}; {cost}; "
        f"{places} place{'s' if places != 1 else ''}."
    )
    rates = []
    if detail.get("completion_rate") is not None:
        rates.append(f"{detail['completion_rate']:.0%} completed")
    if detail.get("positive_outcome_rate") is not None:
        rates.append(f"{detail['positive_outcome_rate']:.0%} moved into work or further learning")
    if rates:
        year = f" ({detail['outcomes_year']})" if detail.get("outcomes_year") else ""
        text += f" Published outcomes{year}: {', '.join(rates)}."
    return text


def _need(prepared: _Prepared, importance: str) -> str:
    """'the office clerk role requires', 'the advert would value', ..."""
    verb = "requires" if importance == "essential" else "would value"
    kind, label = prepared.target.get("kind"), prepared.target.get("label")
    return {
        "occupation": f"the {label} role {verb}",
        "demand": f"the {label} job {verb}",
        "advert": f"the job advert {'asks for' if importance == 'essential' else 'would value'}",
        "area_demand": "local employers are asking for",
    }.get(kind or "", "is on the list of skills to gain")


def _need_possessive(prepared: _Prepared) -> str:
    """'the role's need for', 'the job's need for', ..."""
    return {
        "occupation": "the role's need for",
        "demand": "the job's need for",
        "advert": "the advert's need for",
        "area_demand": "local employers' demand for",
    }.get(prepared.target.get("kind") or "", "the need for")


def _duration(detail: dict[str, Any]) -> str:
    value, unit = detail.get("duration_value"), detail.get("duration_unit") or ""
    if value is None:
        return "duration not given"
    value_text = f"{value:g}"
    return f"{value_text} {unit[:-1] if value == 1 and unit.endswith('s') else unit}"


def _pathway_text(
    steps: list[PathwayStep],
    remaining: list[TargetSkill],
    gap: list[TargetSkill],
    not_digital: list[TargetSkill],
) -> str:
    if not gap:
        return "The client already has the digital skills the target needs."
    if not steps:
        return "No course that fits the constraints covers the gap."
    parts = []
    for step in steps:
        adds = _quote_list([c.gap_label for c in step.adds]) if step.adds else "nothing new"
        parts.append(
            f"Step {step.step}: '{step.match.course.get('title')}' "
            f"({_when(step.start)} to {_when(step.end)}) adds {adds}."
        )
    text = " ".join(parts)
    if remaining:
        text += f" Still to find after these: {_quote_list([g.label for g in remaining])}."
    else:
        text += " Together these cover every digital skill in the gap."
    if not_digital:
        text += (
            f" The target also needs {len(not_digital)} skill(s) that are not digital (e.g. "
            f"{_quote_list([t.label for t in not_digital], 2)}); courses are matched on "
            "digital skills only."
        )
    return text


# -- one matcher per process ------------------------------------------------------------

_matchers: dict[str, Matcher] = {}
_matchers_lock = threading.Lock()


def get_matcher(settings: Any, store: Any) -> Matcher:
    """The process-wide matcher for this database, refitted when its catalogue changes."""
    from .engine import get_engine

    key = os.path.abspath(settings.database)
    with _matchers_lock:
        matcher = _matchers.get(key)
        engine = get_engine(settings)
        if matcher is None or matcher.engine is not engine:
            matcher = Matcher(engine, data_dir=settings.data_dir, travel_km=settings.travel_km)
            matcher.fit(store)
            _matchers[key] = matcher
            return matcher
    matcher.refresh(store)
    return matcher


# -- the command line's request and report ----------------------------------------------

_FLAG_CONSTRAINTS = {
    "delivery_mode": "delivery_modes",
    "study_mode": "study_modes",
    "attendance": "attendance_patterns",
    "max_weeks": "max_duration_weeks",
    "start_from": "start_from",
    "start_before": "start_before",
    "funded_only": "funded_only",
    "max_cost": "max_cost",
    "age": "age",
    "age_band": "age_band",
    "employment_status": "employment_status",
    "min_level": "min_qualification_level",
    "max_level": "max_qualification_level",
    "nearby": "include_nearby",
    "max_km": "max_travel_km",
    "only_my_authority": "only_my_authority",
}


def request_from_flags(base: Mapping[str, Any], flags: Mapping[str, Any]) -> dict[str, Any]:
    """A raw match request: ``base`` (a JSON request) with `skills-match match` flags on top."""
    request = dict(base)
    if flags.get("skills"):
        request["current_skills_text"] = flags["skills"]
    if flags.get("phrases"):
        request["current_skills"] = list(flags["phrases"])
    if flags.get("skill_ids"):
        request["current_skill_ids"] = list(flags["skill_ids"])
    if flags.get("not_held"):
        request["not_held_skill_ids"] = list(flags["not_held"])
    target: dict[str, Any] = {}
    if flags.get("occupation"):
        target["occupation"] = flags["occupation"]
    if flags.get("demand_id") is not None:
        target["demand_id"] = flags["demand_id"]
    if flags.get("advert") is not None:
        target["advert_text"] = flags["advert"].read()
    if flags.get("target_skill"):
        target["skill_ids"] = list(flags["target_skill"])
    if flags.get("optional_skill"):
        target["optional_skill_ids"] = list(flags["optional_skill"])
    if flags.get("need"):
        target["skill_phrases"] = list(flags["need"])
    if flags.get("area_demand"):
        target["area_demand"] = True
    if target:
        request["target"] = target
    if flags.get("area"):
        request["local_authority"] = flags["area"]
    if flags.get("eds"):
        eds = dict(request.get("eds") or {})
        for item in flags["eds"]:
            area, sep, value = item.partition("=")
            if not sep:
                raise InvalidInput(
                    "Give --eds as AREA=none|entry3|level1.", {"eds": [f"Not AREA=LEVEL: {item}"]}
                )
            eds[area.strip()] = value.strip()
        request["eds"] = eds
    constraints = dict(request.get("constraints") or {})
    for flag, key in _FLAG_CONSTRAINTS.items():
        value = flags.get(flag)
        if value in (None, False, (), []):
            continue
        constraints[key] = list(value) if isinstance(value, tuple) else value
    if constraints:
        request["constraints"] = constraints
    if flags.get("limit") is not None:
        request["limit"] = flags["limit"]
    return request


def render_text(result: MatchResult | PathwayResult) -> str:
    """A match or pathway result as plain text for the terminal."""
    lines = [f"Target: {result.target.get('label')} ({result.target.get('kind')})"]
    if result.area:
        lines.append(f"Area: {result.area['name']} ({result.area['gss_code']})")
    lines.append(f"As of: {result.as_of}")
    if result.held:
        lines.append(
            "Already has: "
            + "; ".join(
                f"{t.label} (via {t.held_by}, {t.held_similarity:.2f})" for t in result.held
            )
        )
    lines.append(f"Digital gap ({len(result.gap)}):")
    lines += [f"  - {t.label} [{t.level or 'no level'}, {t.importance}]" for t in result.gap]
    lines += [f"Note: {note}" for note in result.notes]
    lines.append("")
    if isinstance(result, PathwayResult):
        for step in result.steps:
            course = step.match.course
            lines.append(
                f"Step {step.step}: {course.get('title')} - {course.get('provider_name')}"
                f" (course {step.match.course_id}), {step.start} to {step.end}"
            )
            lines.append(_wrap(step.match.explanation))
            lines.append("")
        lines.append(f"Covers {result.covered_share:.0%} of the weighted gap.")
        lines.append(_wrap(result.explanation, indent=""))
        return "\n".join(lines)
    considered = result.considered
    lines.append(
        f"{considered['teach_the_gap']} of {considered['active_courses']} active courses teach "
        f"the gap; {considered['pass_filters']} fit the constraints."
    )
    if considered.get("excluded"):
        lines.append(
            "Left out: " + ", ".join(f"{n} ({why})" for why, n in considered["excluded"].items())
        )
    lines.append("")
    for match in result.results:
        course = match.course
        lines.append(
            f"{match.rank}. {course.get('title')} - {course.get('provider_name')} "
            f"(course {match.course_id}, score {match.score:.3f})"
        )
        lines.append(_wrap(match.explanation))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _wrap(text: str, indent: str = "   ") -> str:
    import textwrap

    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)
