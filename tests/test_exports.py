"""The gap report's charts: text on every heatmap shade keeps WCAG AA contrast."""

from __future__ import annotations

import re

from skills_match.exports import HEAT_COLOURS, heatmap
from skills_match.report import ALL_LEVELS
from tests.colours import contrast


def test_contrast_matches_known_wcag_ratios() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#ffffff", "#d55e00"), 1) == 3.9  # the pair that failed


def test_text_on_every_heatmap_shade_has_at_least_4_5_to_1_contrast() -> None:
    # One area per shade: no gap, then gaps up to the level's largest, and a withheld cell.
    gaps = [0, 1, 30, 55, 80, 100, None]
    areas = [{"code": f"A{i}", "kind": "la", "name": f"Area {i}"} for i in range(len(gaps))]
    rows = [
        {"area_code": a["code"], "area_kind": "la", "level": level, "unmet": gap}
        for a, gap in zip(areas, gaps, strict=True)
        for level in ("essential", ALL_LEVELS)
    ]
    svg = str(heatmap(rows, areas, ["essential"]))
    # Each cell is a rect (its shade) followed by a text (drawn in the cell's ink).
    cells = re.findall(
        r'<rect [^>]*fill="(#\w+)"[^>]*><title>.*?</title></rect><text [^>]*fill="(#\w+)"', svg
    )
    assert len(cells) == 2 * len(gaps)
    assert set(HEAT_COLOURS) <= {fill for fill, _ in cells}  # every shade is drawn
    for fill, ink in cells:
        assert contrast(ink, fill) >= 4.5, (fill, ink, round(contrast(ink, fill), 2))
