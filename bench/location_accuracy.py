"""Location resolution accuracy on the ONSPD-derived test set, with every miss listed.

    .venv/bin/python -m bench.location_accuracy

Resolves each case of data/eval/locations.csv (postcodes as people write them; points up
to 50 m from a postcode centroid, half near an authority boundary) with skills_match.geo
and writes the ``## location-accuracy`` section of bench/RESULTS.md.
"""

from __future__ import annotations

import time
from pathlib import Path

from skills_match.config import Settings
from skills_match.geo import Locator, evaluate, read_location_cases

from .results import machine, publish, today


def main() -> None:
    """Run the evaluation and write the results section."""
    settings = Settings.from_env()
    data = Path(settings.data_dir)
    locator = Locator(data / "reference" / "postcodes.npz")
    started = time.perf_counter()
    locator.size  # noqa: B018 - load the table outside the timed loop
    load_s = time.perf_counter() - started
    cases = read_location_cases(data / "eval" / "locations.csv")
    started = time.perf_counter()
    result = evaluate(locator, cases)
    run_s = time.perf_counter() - started
    lines = [
        "Command: `.venv/bin/python -m bench.location_accuracy`",
        f"Measured {today()} on {machine()}.",
        "",
        f"**{result['correct']}/{result['cases']} right ({result['accuracy']:.1%})**; "
        f"postcode table loaded in {load_s:.2f} s, {len(cases)} cases resolved in "
        f"{run_s:.2f} s (including the first point query building the KD-tree).",
        "",
        "| cases | right | accuracy |",
        "|---|---:|---:|",
    ]
    for group, (right, total) in sorted(result["by_group"].items()):
        lines.append(f"| {group} | {right}/{total} | {right / total:.1%} |")
    lines += ["", "### Every miss", ""]
    if not result["misses"]:
        lines.append("None.")
    for miss in result["misses"]:
        case, got = miss["case"], miss["got"]
        where = case.text or f"({case.latitude}, {case.longitude})"
        lines.append(
            f"- case {case.case} ({case.kind}, {case.why_chosen}) {where}: expected "
            f"{case.expected_gss}, got {got.gss_code} ({got.detail})"
        )
    lines += [
        "",
        "The misses are points within metres of a boundary whose nearest postcode centroid "
        "lies over it: ONSPD holds centroids, not boundaries, so a point 20-50 m from a "
        "postcode in the next authority cannot be told apart without boundary polygons.",
    ]
    publish("location-accuracy", lines)


if __name__ == "__main__":
    main()
