"""Extraction throughput on real ~300-word job adverts, memory per worker, and re-import cost.

    .venv/bin/python -m bench.extraction_throughput [--adverts N] [--courses 500] [--no-write]

1. **Adverts.** Real job postings from SkillSpan (train and dev; a posting is a run of
   rows with the same ``idx`` and ``source``), detokenised one sentence a line and cut at
   the sentence nearest every 300 words, so each advert is consecutive real text (chunks
   under 150 words are dropped). No headings are added: the text is as posted.
   They are measured in a **separate worker process** (what a serving worker is): engine
   start, model load, then *cold* (batches of 50 through ``extract_many``, persisted as
   catalogue text: none of these sentences or phrases were ever seen by the database or the
   process), *warm* (the same adverts again), and one advert per call as the API serves:
   cold on held-out adverts never seen, warm on seen ones (median / p95 latency). Resident
   memory (``VmRSS``, ``VmHWM`` from ``/proc/self/status``) is read after the imports,
   after the engine is built and the model loaded, and after the run.
2. **Re-import.** ``--courses`` generated courses *without* explicit skills (so extraction
   runs), imported through ``skills_match.importer.import_courses`` with the extractor as
   linker; then the same file again. The importer skips unchanged records by digest before
   any extraction; the linker counts the texts it is asked for, to prove it.

Runs on a fresh copy of a scratch template (``var/bench/reference.db``: reference data and
taxonomy vectors only, built with ``initialise(seed=False)`` when missing), so the cold
figures are cold on every run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.extraction_quality import open_parts, product_extractor, scratch_database, skillspan_rows
from bench.results import machine, today, write_section
from skills_match.config import REPO_ROOT, Settings
from skills_match.store.courses import SkillLink

SEED = REPO_ROOT / "data" / "seed"
TEMPLATE = REPO_ROOT / "var" / "bench" / "reference.db"
TARGET_WORDS = 300
MIN_WORDS = 150
BATCH = 50
HELD_OUT = 0.2  # share of adverts kept unseen for the one-at-a-time cold latency
_NO_SPACE_BEFORE = re.compile(r" ([,.;:!?%)\]}]|'s\b|n't\b|'re\b|'ll\b|'ve\b|'d\b|'m\b)")
_NO_SPACE_AFTER = re.compile(r"([(\[{$£€]) ")


# -- adverts ------------------------------------------------------------------------------


def detokenise(tokens: Sequence[str]) -> str:
    """Tokens back to written text: no space before closing punctuation or after opening."""
    text = " ".join(tokens)
    return _NO_SPACE_AFTER.sub(r"\1", _NO_SPACE_BEFORE.sub(r"\1", text))


def postings() -> list[list[str]]:
    """Every SkillSpan posting (train, then dev) as its detokenised sentences, in order."""
    out: list[list[str]] = []
    for split in ("train", "dev"):
        previous = None
        for row in skillspan_rows(split):
            key = (row["source"], row["idx"])
            if key != previous:
                out.append([])
                previous = key
            sentence = detokenise(row["tokens"]).strip()
            if sentence:
                out[-1].append(sentence)
    return out


def make_adverts(limit: int | None = None) -> list[str]:
    """Real adverts of about 300 words: each posting cut at the sentence nearest 300 words."""
    adverts = []
    for sentences in postings():
        kept: list[str] = []
        words = 0
        for sentence in sentences:
            n = len(sentence.split())
            # Close the advert here if adding the sentence would land further from 300.
            if words >= MIN_WORDS and abs(TARGET_WORDS - words) < abs(TARGET_WORDS - words - n):
                adverts.append("\n".join(kept))
                kept, words = [], 0
            kept.append(sentence)
            words += n
        if words >= MIN_WORDS:
            adverts.append("\n".join(kept))
    return adverts[:limit]


# -- the worker ---------------------------------------------------------------------------


def memory() -> dict[str, float]:
    """Resident memory now and at its peak (MiB), from /proc/self/status."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of calling fn."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def serving_extractor(parts: Any) -> tuple[str, Any]:
    """The product extractor and its name; the frozen v1 if the product's cannot be imported."""
    try:
        extractor = product_extractor(parts)
    except ImportError as error:
        from bench.baselines import extract_v1

        return f"frozen v1 (the product extractor did not import: {error})", extract_v1.Extractor(
            parts.store, parts.space, parts.cache
        )
    version = getattr(sys.modules[type(extractor).__module__], "EXTRACTOR_VERSION", "?")
    return f"skills_match.extract {version}", extractor


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(database: Path, limit: int | None) -> dict[str, Any]:
    """Everything measured in the worker process, as plain data."""
    rss_imports = memory()
    adverts = make_adverts(limit)
    split = len(adverts) - max(1, round(len(adverts) * HELD_OUT))
    batch, held_out = adverts[:split], adverts[split:]
    engine_seconds, parts = timed(lambda: open_parts(database))
    extractor_seconds, (name, extractor) = timed(lambda: serving_extractor(parts))
    loaded_before = parts.cache.encoder.loaded
    start_embedded = parts.cache.encoded  # taxonomy texts the template lacked, if any
    model_seconds, _ = timed(lambda: parts.cache.encoder.encode(["model load"]))
    rss_engine = memory()

    def run(texts: Sequence[str]) -> tuple[float, int]:
        found = 0
        started = time.perf_counter()
        for start in range(0, len(texts), BATCH):
            for skills in extractor.extract_many(texts[start : start + BATCH], persist=True):
                found += len(skills)
        return time.perf_counter() - started, found

    encoded = parts.cache.encoded
    cold, found = run(batch)
    cold_embedded = parts.cache.encoded - encoded
    warm, found_warm = run(batch)
    if found_warm != found:
        raise SystemExit("a warm pass must find exactly what the cold pass found")

    def latencies(texts: Sequence[str]) -> list[float]:
        out = []
        for text in texts:
            seconds, _ = timed(lambda text=text: extractor.extract(text, persist=True))
            out.append(seconds * 1000)
        return out

    single_cold = latencies(held_out)
    single_warm = latencies(batch[: len(held_out)])
    return {
        "extractor": name,
        "backend": parts.cache.encoder.backend,
        "adverts": len(batch),
        "held_out": len(held_out),
        "words": statistics.mean(len(a.split()) for a in adverts),
        "words_min": min(len(a.split()) for a in adverts),
        "words_max": max(len(a.split()) for a in adverts),
        "engine_seconds": engine_seconds + extractor_seconds,
        "model_seconds": model_seconds if not loaded_before else 0.0,
        "model_loaded_at_start": loaded_before,
        "start_embedded": start_embedded,
        "cold": cold,
        "warm": warm,
        "found": found,
        "cold_embedded": cold_embedded,
        "single_cold": single_cold,
        "single_warm": single_warm,
        "rss_imports": rss_imports,
        "rss_engine": rss_engine,
        "rss_end": memory(),
    }


# -- re-import ----------------------------------------------------------------------------


def make_courses(count: int) -> list[dict]:
    """``count`` seed-like courses with no skills: each seed course's text plus an advert's."""
    courses = [json.loads(line) for line in (SEED / "courses.jsonl").open(encoding="utf-8")]
    demand = [json.loads(line) for line in (SEED / "demand.jsonl").open(encoding="utf-8")]
    rows = []
    for i in range(count):
        row = dict(courses[i % len(courses)])
        row.pop("skills", None)
        row["provider_ref"] = f"BENCH-{i:05d}"
        row["title"] = f"{row['title']} ({i // len(courses) + 1})"
        # A different advert paragraph per course, so extraction has new text to read.
        extra = demand[i % len(demand)]["description"].split("\n\n")[1:2]
        row["description"] = "\n\n".join([row["description"], *extra])
        rows.append(row)
    return rows


class CountingLinker:
    """Wraps the extractor to count the texts the importer asks it to link."""

    def __init__(self, extractor: Any) -> None:
        self.extractor = extractor
        self.texts = 0

    def link(self, texts: Sequence[str]) -> list[list[SkillLink]]:
        self.texts += len(texts)
        return self.extractor.link(texts)


def reimport(database: Path, count: int) -> dict[str, Any]:
    """Import ``count`` generated courses twice; seconds, texts extracted, outcome."""
    from skills_match.importer import import_courses
    from skills_match.schemas import ProviderSchema

    parts = open_parts(database)
    _, extractor = serving_extractor(parts)
    store = parts.store
    schema = ProviderSchema()
    with store.write():
        for raw in json.loads((SEED / "providers.json").read_text(encoding="utf-8")):
            store.upsert_provider(schema.load(raw))
    rows = make_courses(count)
    linker = CountingLinker(extractor)

    def run() -> Any:
        return import_courses(
            store, [dict(r) for r in rows], source_name="bench", actor="bench", linker=linker
        )

    first_s, first = timed(run)
    first_texts = linker.texts
    second_s, second = timed(run)
    second_texts = linker.texts - first_texts
    links = store.db.execute("SELECT count(*) FROM course_skills").fetchone()[0]
    if first.inserted != len(rows) or second.unchanged != len(rows) or second_texts:
        raise SystemExit("an unchanged re-import must not extract")
    store.close()
    return {
        "rows": len(rows),
        "first_s": first_s,
        "first_texts": first_texts,
        "inserted": first.inserted,
        "links": links,
        "second_s": second_s,
        "second_texts": second_texts,
        "unchanged": second.unchanged,
    }


def copy(source: Path, target: Path) -> Path:
    """Copy a SQLite database with the backup API."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


# -- report -------------------------------------------------------------------------------


def report(m: dict[str, Any], r: dict[str, Any], args: argparse.Namespace) -> str:
    """The markdown section from the worker's and the re-import's figures."""
    n = m["adverts"]
    sc, sw = m["single_cold"], m["single_warm"]
    cold_rate, warm_rate = n / m["cold"], n / m["warm"]
    mem = [
        ("after imports (Python, numpy, the package)", m["rss_imports"]),
        ("after engine start and model load", m["rss_engine"]),
        ("after the run (result and vector caches filled)", m["rss_end"]),
    ]
    mem_rows = [f"| {name} | {v['VmRSS']:,.0f} | {v['VmHWM']:,.0f} |" for name, v in mem]
    limit = f" --adverts {args.adverts}" if args.adverts else ""
    threads = Settings.from_env().onnx_threads
    model = (
        f"{m['model_seconds']:.1f} s ({m['backend']})"
        if not m["model_loaded_at_start"]
        else f"loaded during engine start ({m['backend']}), which embedded "
        f"{m['start_embedded']:,} taxonomy texts missing from the database"
    )
    return f"""
Command: `SKILLS_MATCH_ONNX_THREADS={threads} .venv/bin/python -m bench.extraction_throughput{limit} \
--courses {args.courses}` ({today()}; {machine()}, shared with other work while measured;
one process using {threads} encoder thread(s): a batch job or a one-worker service on 2
cores uses both, a service with a worker per core uses 1 each). Extractor:
{m["extractor"]}.

**Adverts.** {n + m["held_out"]:,} real job adverts from SkillSpan postings (train + dev),
cut at the sentence nearest 300 words: {m["words"]:.0f} words on average
({m["words_min"]}-{m["words_max"]}), real vocabulary, text as posted (anonymised names
stay as placeholders). Measured in a fresh worker process over a fresh copy of a database
holding only taxonomy vectors. Engine start (store, skill space, extractor):
{m["engine_seconds"]:.1f} s; model load: {model}.

| pass | adverts | seconds | adverts/s | target |
|---|---:|---:|---:|---:|
| **cold**: batches of {BATCH}, never-seen text ({m["cold_embedded"]:,} texts embedded) | {n:,} | {m["cold"]:.1f} | **{cold_rate:,.1f}** | >= 10 |
| **warm**: the same adverts again | {n:,} | {m["warm"]:.2f} | **{warm_rate:,.0f}** | >= 200 |

One advert per call (`extract(text, persist=True)`, as the API serves):

| per call | adverts | median ms | p95 ms |
|---|---:|---:|---:|
| cold (held-out adverts, never seen) | {len(sc):,} | {statistics.median(sc):.0f} | {percentile(sc, 0.95):.0f} |
| warm (adverts already seen) | {len(sw):,} | {statistics.median(sw):.1f} | {percentile(sw, 0.95):.1f} |

{m["found"]:,} skills found at the default cut-off ({m["found"] / n:.1f} per advert).

**Memory per serving worker** (resident set of the worker process, MiB; peak = VmHWM):

| when | RSS | peak |
|---|---:|---:|
{chr(10).join(mem_rows)}

**Re-import.** {r["rows"]:,} generated courses without explicit skills (seed course texts,
each with a different seed-advert paragraph appended), imported with
`import_courses(..., linker=extractor)`:

| import | seconds | texts extracted | outcome |
|---|---:|---:|---|
| first | {r["first_s"]:.1f} | {r["first_texts"]:,} | {r["inserted"]:,} inserted, {r["links"]:,} skill links |
| second, same file | {r["second_s"]:.2f} | {r["second_texts"]} | {r["unchanged"]:,} unchanged |

The unchanged re-import is **{r["first_s"] / r["second_s"]:,.0f}x** faster than the first
(target: at least 10x): the importer compares each record's digest with the stored one
before any extraction, so the linker is never called for an unchanged record.
"""


def main(argv: Sequence[str] | None = None) -> None:
    """Measure, print and write the extraction-throughput section."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--adverts", type=int, help="Use only the first N adverts.")
    parser.add_argument("--courses", type=int, default=500)
    parser.add_argument("--template", type=Path, default=TEMPLATE, help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="Print, do not update RESULTS.md.")
    args = parser.parse_args(argv)
    if args.worker:  # the measuring process: one JSON line on stdout
        print(json.dumps(measure(args.worker, args.adverts)))
        return

    work = Path(tempfile.mkdtemp(prefix="skills-match-bench-"))
    try:
        database = copy(scratch_database(args.template), work / "bench.db")
        command = [sys.executable, "-m", "bench.extraction_throughput", "--worker", str(database)]
        if args.adverts:
            command += ["--adverts", str(args.adverts)]
        worker = subprocess.run(
            command, capture_output=True, text=True, env=os.environ.copy(), cwd=REPO_ROOT
        )
        if worker.returncode:
            sys.stderr.write(worker.stderr)
            raise SystemExit(f"the worker process failed ({worker.returncode})")
        measured = json.loads(worker.stdout.strip().splitlines()[-1])
        reimported = reimport(
            copy(scratch_database(args.template), work / "import.db"), args.courses
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    markdown = report(measured, reimported, args)
    print(markdown)
    if not args.no_write:
        write_section("extraction-throughput", markdown)


if __name__ == "__main__":
    main()
