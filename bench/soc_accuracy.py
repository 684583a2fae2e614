"""SOC major group from job titles: accuracy on ONS-coded titles, coverage on real adverts.

    .venv/bin/python -m bench.soc_accuracy

Two measures, written to the ``## soc-accuracy`` section of bench/RESULTS.md:
- data/eval/soc_titles.csv (1 in 5 titles of the ONS SOC 2010 coding index, the answer
  ONS's own) guessed by an index with those titles taken out: how often an unseen title is
  answered, and how often the answer is one of the groups ONS codes it to; every miss listed.
- tests/data/occupation_titles.csv (252 real UK advert titles): how many get a group from
  the full index, exactly or by a near title.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

from skills_match.config import Settings
from skills_match.occupations import clean_title
from skills_match.soc import MIN_CONFIDENCE, SocIndex, evaluate, read_soc_cases

from .results import machine, publish, today

ADVERT_TITLES = Path(__file__).resolve().parent.parent / "tests" / "data" / "occupation_titles.csv"


def main() -> None:
    """Run both measures and write the results section."""
    data = Path(Settings.from_env().data_dir)
    started = time.perf_counter()
    index = SocIndex.from_csv(data / "reference" / "soc_index.csv")
    load_s = time.perf_counter() - started
    cases = read_soc_cases(data / "eval" / "soc_titles.csv")
    unseen = index.without(clean_title(c.title) for c in cases)
    started = time.perf_counter()
    held = evaluate(unseen, cases)
    held_s = time.perf_counter() - started
    with ADVERT_TITLES.open(newline="", encoding="utf-8") as handle:
        titles = [r["title"] for r in csv.DictReader(handle)]
    how: Counter[str] = Counter()
    unanswered = []
    for title in titles:
        guess = index.guess(title)
        if guess.major is None:
            how["unknown"] += 1
            unanswered.append(title)
        else:
            how[guess.match] += 1
    tally = held["tally"]
    lines = [
        "Command: `.venv/bin/python -m bench.soc_accuracy`",
        f"Measured {today()} on {machine()}. Index: {len(index):,} titles of the ONS SOC 2010 "
        f"coding index V5.1 (loaded in {load_s:.2f} s); an answer needs confidence "
        f">= {MIN_CONFIDENCE}.",
        "",
        "| test set | titles | answered | right | precision | coverage |",
        "|---|---:|---:|---:|---:|---:|",
        f"| ONS-coded titles unseen by the lookup (`data/eval/soc_titles.csv`) | {held['cases']:,} "
        f"| {held['answered']:,} | {held['right']:,} | **{held['precision']:.1%}** "
        f"| {held['coverage']:.1%} |",
        f"| real UK advert titles (`tests/data/occupation_titles.csv`), full index | {len(titles)} "
        f"| {len(titles) - how['unknown']} (exact {how['exact']}, near {how['near']}) | - | - "
        f"| **{(len(titles) - how['unknown']) / len(titles):.1%}** |",
        "",
        f"The unseen titles are guessed in {held_s:.1f} s; an unseen index title can only be "
        f"answered by a near spelling (rapidfuzz token-sort >= 95): exact answers "
        f"{tally.get('exact_right', 0)}, near right {tally.get('near_right', 0)}, near wrong "
        f"{tally.get('near_wrong', 0)}, unknown {tally.get('unknown', 0)}.",
        "",
        "On real advert titles the answer is ONS's own coding of the title, so there is no "
        "separate precision to measure; SOC 2010 unit groups are evidence only (many were "
        "renumbered in SOC 2020, the nine major groups were not).",
        "",
        "### Every miss on the unseen titles",
        "",
        "| title | answered | ONS codes | evidence |",
        "|---|---|---|---|",
        *(f"| {t} | {m} | {c} | {e} |" for t, m, c, e in held["misses"]),
        "",
        "### Real advert titles left unknown",
        "",
        ", ".join(unanswered),
    ]
    publish("soc-accuracy", lines)


if __name__ == "__main__":
    main()
