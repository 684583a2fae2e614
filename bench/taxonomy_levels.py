"""Level distribution over the digital skills taxonomy, and the level classifier's CV figures.

    .venv/bin/python -m bench.taxonomy_levels [--database PATH] [--compare-features]

Rebuilds the levels in the database (rule -> model -> overrides; idempotent), then writes
the ``## taxonomy-levels`` section of bench/RESULTS.md: counts per level, per level source,
per skill source and per rule clause; the named examples; and the committed classifier's
cross-validated accuracy, macro-F1 and confusion matrix (from models/level_classifier.json).
``--compare-features`` also cross-validates each feature set (a few minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

from skills_match.config import Settings
from skills_match.levels import (
    FEATURES,
    LevelClassifier,
    confusion_table,
    cross_validate,
    read_metadata,
)
from skills_match.schemas import LEVELS
from skills_match.store import Store
from skills_match.taxonomy import RULE_VERSION, build_taxonomy

from .results import machine, today, write_section

NAMED = [
    "use spreadsheets software",
    "use word processing software",
    "Python (computer programming)",
    "use CAD software",
    "use a warehouse management system",
    "health informatics",
    "digital marketing techniques",
    "protect personal data and privacy",
    "interact through digital technologies",
    "being safe and legal online",
    "apply basic programming skills",
]


def _kind(row: dict[str, Any]) -> str:
    if row["source"] != "esco":
        return "EDS area"
    return "ESCO digital" if row["is_digital"] else "DigComp area (not in ESCO digital)"


def distribution_by_kind(store: Store) -> str:
    """Levels per kind of skill (ESCO digital collection, DigComp areas, EDS areas)."""
    counts: Counter[tuple[str, str]] = Counter()
    for row in store.db.query(
        "SELECT source, is_digital, level FROM skills WHERE level IS NOT NULL"
    ):
        counts[(_kind(row), row["level"])] += 1
    kinds = sorted({k for k, _ in counts}, key=lambda k: -sum(counts[(k, lv)] for lv in LEVELS))
    lines = ["| skills | " + " | ".join(LEVELS) + " | all |", "|---|" + "---:|" * 5]
    for kind in kinds:
        per = [counts[(kind, lv)] for lv in LEVELS]
        lines.append(f"| {kind} | " + " | ".join(f"{n:,}" for n in per) + f" | {sum(per):,} |")
    return "\n".join(lines)


def named_examples(store: Store) -> str:
    """The issue's named examples with the level and the clause that decided it."""
    lines = ["| skill | level | why |", "|---|---|---|"]
    for label in NAMED:
        row = store.db.execute(
            "SELECT level, level_reason FROM skills WHERE label = ? ORDER BY id LIMIT 1", [label]
        ).fetchone()
        if row:
            lines.append(f"| {label} | {row[0]} | {row[1]} |")
    return "\n".join(lines)


def compare_features(store: Store, folds: int) -> str:
    """Cross-validate each feature set on the same grouped folds."""
    rows = store.level_training_labels(("rule", "override"))
    texts = [r["label"] for r in rows]
    levels = [r["level"] for r in rows]
    groups = [r["skill_id"] for r in rows]
    lines = ["| features | accuracy | macro-F1 | seconds |", "|---|---:|---:|---:|"]
    from skills_match.embeddings import EmbeddingCache, get_encoder

    cache = EmbeddingCache(get_encoder(), store)
    cache.embed(texts)  # once, so the timings compare the learners, not the encoder
    for features in ("embedding", "tfidf", "both"):
        started = time.perf_counter()
        cv = cross_validate(LevelClassifier(features=features), texts, levels, groups, folds, cache)
        seconds = time.perf_counter() - started
        lines.append(
            f"| {features}: {FEATURES[features]} | {cv['accuracy']:.3f} | "
            f"{cv['macro_f1']:.3f} | {seconds:.0f} |"
        )
    return "\n".join(lines)


def classifier_section(settings: Settings) -> str:
    """The committed model's metadata: CV figures and confusion matrix."""
    meta = read_metadata(settings.models_dir)
    cv = meta["cross_validation"]
    per_class = "\n".join(
        f"| {lv} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']:,} |"
        for lv, c in cv["per_class"].items()
    )
    return f"""
Model `models/level_classifier.joblib`, version {meta["model_version"]} (trained
{meta["trained_at"]}, scikit-learn {meta["sklearn_version"]}, rule version
{meta["rule_version"]}, {meta["model_bytes"] / 1024:.0f} KiB). Features: {meta["features"]}.
Trained on {meta["n_samples"]:,} labels (preferred + alternative) of {meta["n_skills"]:,}
levelled skills; {cv["folds"]}-fold GroupKFold grouped by skill, so no skill's alternative
labels are split between training and test folds.

**Accuracy {cv["accuracy"]:.3f}, macro-F1 {cv["macro_f1"]:.3f}** (always-"fusion" baseline
accuracy {cv["baseline_accuracy"]:.3f}). Rows: the rule's level; columns: the model's.

{confusion_table(cv["confusion_matrix"], cv["labels"])}

| level | precision | recall | F1 | labels |
|---|---:|---:|---:|---:|
{per_class}
"""


def main() -> None:
    """Rebuild the levels, then write the taxonomy-levels section of RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="Database built by `skills-match init`.")
    parser.add_argument("--compare-features", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    settings = Settings.from_env(**({"database": args.database} if args.database else {}))
    with Store(settings.database, settings.busy_timeout_ms) as store:
        if store.pending_migrations():
            raise SystemExit(f"{settings.database} is not initialised: run `skills-match init`.")
        started = time.perf_counter()
        report = build_taxonomy(store, models_dir=settings.models_dir)
        build_seconds = time.perf_counter() - started
        by_kind = distribution_by_kind(store)
        examples = named_examples(store)
        comparison = compare_features(store, args.folds) if args.compare_features else ""
    command = ".venv/bin/python -m bench.taxonomy_levels" + (
        " --compare-features" if args.compare_features else ""
    )
    markdown = f"""
Command: `{command}` ({today()}, {machine()}). The rule (version {RULE_VERSION}) is written
out in `skills_match/taxonomy.py`; a rebuild of all {report.total:,} levels took
{build_seconds:.1f} s and changed {report.changed:,}.

### Level distribution (level source: rule, model, override)

{report.table()}

### By kind of skill

{by_kind}

### By rule clause (first clause that applies decides)

{report.clause_table()}

### Named examples

{examples}

### Level classifier (a level for phrases outside the taxonomy)
{classifier_section(settings)}"""
    if comparison:
        markdown += f"""
Feature sets compared on the same folds (`--compare-features`):

{comparison}
"""
    path = write_section("taxonomy-levels", markdown)
    print(markdown)
    print(f"Wrote the taxonomy-levels section of {path}.")


if __name__ == "__main__":
    main()
