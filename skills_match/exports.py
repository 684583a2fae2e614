"""The gap report as files: CSV, XLSX and a self-contained HTML report with SVG charts.

Every text cell a spreadsheet could read as a formula (starting ``=``, ``+``, ``-``, ``@``,
tab or carriage return) is prefixed with an apostrophe, in CSV and XLSX alike: employer
names, job titles and skill labels come from imported files and are untrusted. Numbers are
written as numbers. Withheld (suppressed) figures are written as ``[c]``.

The HTML report needs no JavaScript, fonts or network: charts are SVG drawn here, each with
a title, a description and a data table beside it.

>>> report = build_gap_report(store, GapReportFilters())
>>> Path("gap-report.html").write_text(to_html(report), encoding="utf-8")
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from .report import ALL_LEVELS, RULES, SUPPRESSED, GapReport

FORMATS = ("json", "csv", "xlsx", "html")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The flat layout shared by the CSV file and the XLSX sheets: one column set for every table,
# each row naming its table in `section`.
COLUMNS = (
    "section",
    "area_code",
    "area_name",
    "area_kind",
    "parent_code",
    "authorities",
    "authorities_total",
    "level",
    "month",
    "code",
    "label",
    "rank",
    "skill_id",
    "skill_label",
    "demand",
    "supply",
    "unmet",
    "net_unmet",
    "ratio",
    "records",
    "vacancies",
    "previous_demand",
    "previous_supply",
    "previous_unmet",
    "unmet_change",
    "demand_change",
    "small",
    "suppressed",
)
SECTIONS = (
    ("areas", "Areas by level"),
    ("top_skills", "Top unmet skills"),
    ("trend", "Trend by month"),
    ("sectors", "Demand by sector"),
    ("occupations", "Demand by occupation"),
    ("soc_groups", "Demand by SOC major group"),
)


def escape_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula; other values pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _published(report: GapReport, suppress: bool | None) -> dict[str, Any]:
    return report.to_dict(suppress=suppress, marker=SUPPRESSED)


def _about(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Key/value lines describing the report: period, scope, filters, rules."""
    period, rules = data["period"], data["rules"]
    lines: list[tuple[str, Any]] = [
        ("report", "Digital skills gap report (skills-match)"),
        ("generated_at", data["generated_at"]),
        ("period", f"{period['from']} to {period['to']} ({period['months']} months)"),
        ("previous_period", f"{period['previous_from']} to {period['previous_to']}"),
        ("scope", data["scope"]["label"]),
        ("authorities", " ".join(data["scope"]["authorities"])),
        # Adverts of the period outside the figures (reposts counted once; unplaced).
        ("reposts_merged", data.get("left_out", {}).get("reposts_merged", 0)),
        ("unplaced_adverts", data.get("left_out", {}).get("unplaced", 0)),
    ]
    for key, values in data["filters"].items():
        lines.append((f"filter_{key}", values if isinstance(values, bool) else " ".join(values)))
    for key in RULES:
        lines.append((f"rule_{key}", rules[key]))
    lines += [
        ("importance_weights", json.dumps(rules["importance_weights"])),
        ("small_cell_threshold", rules["small_cell_threshold"]),
        ("suppressed", rules["suppressed"]),
        ("suppressed_marker", rules["suppressed_marker"]),
    ]
    return lines


def _table_rows(data: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    for section, _ in SECTIONS:
        for row in data[section]:
            yield {"section": section, **row}


def to_json(report: GapReport, suppress: bool | None = None) -> dict[str, Any]:
    """The report as JSON-ready data (withheld figures are null)."""
    return report.to_dict(suppress=suppress)


def to_csv(report: GapReport, suppress: bool | None = None) -> str:
    """The report as one CSV table: ``about`` rows (key in `code`, value in `label`), then
    every table of the report, each row naming its table in `section`."""
    data = _published(report, suppress)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for key, value in _about(data):
        writer.writerow({"section": "about", "code": key, "label": escape_cell(str(value))})
    for row in _table_rows(data):
        writer.writerow({k: _csv_value(escape_cell(v)) for k, v in row.items()})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def to_xlsx(report: GapReport, suppress: bool | None = None) -> bytes:
    """The report as an XLSX workbook: an About sheet and one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    data = _published(report, suppress)
    book = Workbook()
    about = book.active
    about.title = "About"
    about.append(["key", "value"])
    for key, value in _about(data):
        about.append([key, _xlsx_value(value)])
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 100
    for section, title in SECTIONS:
        rows = data[section]
        sheet = book.create_sheet(title)
        columns = [c for c in COLUMNS if c != "section" and any(c in r for r in rows)] or ["empty"]
        sheet.append(columns)
        for row in rows:
            sheet.append([_xlsx_value(row.get(c)) for c in columns])
        for index, column in enumerate(columns, start=1):
            width = 40 if column in ("area_name", "label", "skill_label") else 14
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        # openpyxl stores any text starting with "=" as a formula; text must stay text.
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return escape_cell(value)
    return value


# -- HTML -------------------------------------------------------------------------------

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
DEMAND_COLOUR = "#0072B2"
SUPPLY_COLOUR = "#009E73"
UNMET_COLOUR = "#D55E00"
# Heatmap bins from no gap to the largest gap (light to dark vermillion), and the text
# colour drawn on each: near-black but on the darkest, where white reads better. Each pair
# keeps WCAG AA's 4.5:1 (white on #d55e00 gave only 3.9:1; near-black gives 4.9:1).
HEAT_COLOURS = ("#ffffff", "#fde0c5", "#f9b98a", "#f08c4f", "#d55e00", "#8f3f00")
HEAT_INK = ("#111111", "#111111", "#111111", "#111111", "#111111", "#ffffff")
LEVEL_NAMES = {
    "essential": "Essential",
    "general": "General",
    "specialist": "Specialist",
    "fusion": "Fusion",
    "unlevelled": "Unlevelled",
    ALL_LEVELS: "All levels",
}


def number(value: Any, decimals: int = 1) -> str:
    """A figure for people: thousands separators, one decimal only when it matters."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or abs(value - round(value)) < 0.05:
        return f"{round(value):,}"
    return f"{value:,.{decimals}f}"


def signed(value: Any) -> str:
    """A change, with its sign."""
    if value is None or isinstance(value, str):
        return number(value)
    return ("+" if value > 0 else "") + number(value)


def _svg_open(width: int, height: int, ident: str, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart" id="{ident}" '
        f'aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
    )


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def bar_chart(rows: Sequence[Mapping[str, Any]], levels: Sequence[str]) -> Markup:
    """Demand, supply and unmet demand per level, as grouped horizontal bars."""
    series = (
        ("demand", "Demand", DEMAND_COLOUR),
        ("supply", "Supply", SUPPLY_COLOUR),
        ("unmet", "Unmet", UNMET_COLOUR),
    )
    by_level = {r["level"]: r for r in rows}
    values = [
        by_level[lv][key]
        for lv in levels
        for key, _, _ in series
        if isinstance(by_level[lv][key], int | float)
    ]
    top = _nice_max(max(values, default=0))
    label_w, plot_w, bar_h, group_gap = 110, 520, 14, 14
    group_h = bar_h * len(series) + group_gap
    height = 40 + group_h * len(levels) + 40
    width = label_w + plot_w + 90
    parts = [
        _svg_open(
            width,
            height,
            "chart-levels",
            "Demand, supply and unmet demand by level",
            "Horizontal bars for each digital skill level: vacancies needing the level's "
            "skills (demand), course places teaching them (supply) and the sum of local gaps "
            "(unmet). The table 'Key figures by level' holds the same numbers.",
        )
    ]
    for tick in range(5):
        x = label_w + plot_w * tick / 4
        parts.append(
            f'<line x1="{x:.1f}" y1="30" x2="{x:.1f}" y2="{height - 36}" '
            'stroke="#d0d0d0" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 22}" text-anchor="middle" '
            f'fill="#333">{escape(number(top * tick / 4))}</text>'
        )
    parts.append(
        f'<text x="{label_w + plot_w / 2}" y="{height - 6}" text-anchor="middle" '
        'fill="#333">Vacancies or places (counted per skill)</text>'
    )
    for i, level in enumerate(levels):
        y0 = 34 + i * group_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * 1.5 + 4}" text-anchor="end" '
            f'font-weight="bold" fill="#111">{escape(LEVEL_NAMES[level])}</text>'
        )
        for j, (key, name, colour) in enumerate(series):
            value = by_level[level][key]
            y = y0 + j * bar_h
            if not isinstance(value, int | float):
                parts.append(
                    f'<text x="{label_w + 4}" y="{y + bar_h - 3}" fill="#333">'
                    f"{escape(name)}: {escape(number(value))} (withheld)</text>"
                )
                continue
            w = max(plot_w * value / top, 0.5 if value else 0)
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{colour}"><title>{escape(LEVEL_NAMES[level])} {escape(name.lower())}: '
                f"{escape(number(value))}</title></rect>"
            )
            parts.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}" fill="#111">'
                f"{escape(name)} {escape(number(value))}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def heatmap(
    rows: Sequence[Mapping[str, Any]], areas: Sequence[Mapping[str, Any]], levels: Sequence[str]
) -> Markup:
    """Unmet demand for each local authority (rows) at each level (columns)."""
    cell = {(r["area_code"], r["area_kind"], r["level"]): r for r in rows}
    columns = [*levels, ALL_LEVELS]
    # Each level is shaded against its own largest gap: levels differ in size by an order
    # of magnitude, and the question a column answers is where that level's gap lies.
    tops = {
        lv: max(
            (
                cell[a["code"], a["kind"], lv]["unmet"]
                for a in areas
                if isinstance(cell[a["code"], a["kind"], lv]["unmet"], int | float)
            ),
            default=0,
        )
        for lv in levels
    }
    label_w, col_w, row_h = 230, 96, 24
    width = label_w + col_w * len(columns) + 10
    height = 56 + row_h * len(areas) + 36
    parts = [
        _svg_open(
            width,
            height,
            "chart-heatmap",
            "Unmet demand by area and level",
            "A grid with one row per local authority and one column per level; each cell "
            "shows the unmet demand (sum of skill gaps) and is shaded darker the nearer it is "
            "to the largest gap at that level. Withheld cells show [c]. The table 'Areas' "
            "holds the same numbers.",
        )
    ]
    for j, level in enumerate(columns):
        x = label_w + j * col_w + col_w / 2
        parts.append(
            f'<text x="{x}" y="40" text-anchor="middle" font-weight="bold" '
            f'fill="#111">{escape(LEVEL_NAMES[level])}</text>'
        )
    for i, area in enumerate(areas):
        y = 50 + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row_h / 2 + 4}" text-anchor="end" '
            f'fill="#111">{escape(_short(area["name"], 34))}</text>'
        )
        for j, level in enumerate(columns):
            value = cell[area["code"], area["kind"], level]["unmet"]
            x = label_w + j * col_w
            if isinstance(value, int | float):
                top = tops.get(level, 0)
                if level == ALL_LEVELS or not top:
                    shade = 0
                else:
                    shade = 0 if value <= 0 else min(5, 1 + int(4 * value / top))
                fill = "#f4f4f4" if level == ALL_LEVELS else HEAT_COLOURS[shade]
                ink = "#111111" if level == ALL_LEVELS else HEAT_INK[shade]
                text = number(value)
            else:
                fill, ink, text = "#e0e0e0", "#111111", SUPPRESSED
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{col_w - 2}" height="{row_h - 2}" '
                f'fill="{fill}" stroke="#bdbdbd"><title>{escape(area["name"])}, '
                f"{escape(LEVEL_NAMES[level])}: {escape(text)}</title></rect>"
            )
            parts.append(
                f'<text x="{x + col_w / 2}" y="{y + row_h / 2 + 4}" '
                f'text-anchor="middle" fill="{ink}">{escape(text)}</text>'
            )
    legend_y = height - 22
    parts.append(f'<text x="{label_w}" y="{legend_y + 12}" fill="#333">No gap</text>')
    for k, colour in enumerate(HEAT_COLOURS):
        parts.append(
            f'<rect x="{label_w + 50 + k * 26}" y="{legend_y}" width="24" '
            f'height="14" fill="{colour}" stroke="#bdbdbd"/>'
        )
    parts.append(
        f'<text x="{label_w + 50 + len(HEAT_COLOURS) * 26 + 6}" y="{legend_y + 12}" '
        'fill="#333">Largest gap at the level</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(points: Sequence[Mapping[str, Any]], levels: Sequence[str]) -> Markup:
    """Monthly demand (solid) and supply (dashed) lines, one small panel per level."""
    months = sorted({p["month"] for p in points})
    by_key = {(p["month"], p["level"]): p for p in points}
    panel_w, panel_h, left, gap = 330, 170, 58, 30
    cols = 2
    rows_n = (len(levels) + cols - 1) // cols
    width = cols * (panel_w + left) + gap
    height = 40 + rows_n * (panel_h + 70)
    parts = [
        _svg_open(
            width,
            height,
            "chart-trend",
            "Demand and supply by month and level",
            "One small line chart per level: the solid line is monthly demand (vacancies "
            "needing the level's skills), the dashed line monthly course places. The table "
            "'Trend by month' holds the same numbers.",
        ),
        f'<line x1="20" y1="18" x2="44" y2="18" stroke="{DEMAND_COLOUR}" stroke-width="3"/>'
        f'<text x="50" y="22" fill="#111">Demand</text>'
        f'<line x1="130" y1="18" x2="154" y2="18" stroke="{SUPPLY_COLOUR}" stroke-width="3" '
        f'stroke-dasharray="6 4"/><text x="160" y="22" fill="#111">Supply</text>',
    ]
    for index, level in enumerate(levels):
        ox = (index % cols) * (panel_w + left) + left
        oy = 40 + (index // cols) * (panel_h + 70) + 20
        values = [
            v
            for m in months
            for v in (by_key[m, level]["demand"], by_key[m, level]["supply"])
            if isinstance(v, int | float)
        ]
        top = _nice_max(max(values, default=0))
        parts.append(
            f'<text x="{ox}" y="{oy - 8}" font-weight="bold" fill="#111">'
            f"{escape(LEVEL_NAMES[level])}</text>"
        )
        parts.append(
            f'<rect x="{ox}" y="{oy}" width="{panel_w}" height="{panel_h}" '
            'fill="none" stroke="#bdbdbd"/>'
        )
        for tick in range(3):
            y = oy + panel_h - panel_h * tick / 2
            parts.append(
                f'<line x1="{ox}" y1="{y}" x2="{ox + panel_w}" y2="{y}" stroke="#e6e6e6"/>'
            )
            parts.append(
                f'<text x="{ox - 6}" y="{y + 4}" text-anchor="end" fill="#333">'
                f"{escape(number(top * tick / 2))}</text>"
            )

        def xy(i: int, value: float, ox: float = ox, oy: float = oy, top: float = top) -> str:
            step = panel_w / max(len(months) - 1, 1)
            return f"{ox + i * step:.1f},{oy + panel_h - panel_h * value / top:.1f}"

        for key, colour, dash in (
            ("demand", DEMAND_COLOUR, ""),
            ("supply", SUPPLY_COLOUR, ' stroke-dasharray="6 4"'),
        ):
            coords = [
                xy(i, by_key[m, level][key])
                for i, m in enumerate(months)
                if isinstance(by_key[m, level][key], int | float)
            ]
            if coords:
                parts.append(
                    f'<polyline points="{" ".join(coords)}" fill="none" '
                    f'stroke="{colour}" stroke-width="2.5"{dash}/>'
                )
                for c in coords:
                    x, y = c.split(",")
                    parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/>')
        step = 1 if len(months) <= 6 else 2 if len(months) <= 13 else 3
        for i, m in enumerate(months):
            if i % step == 0:
                x = ox + i * panel_w / max(len(months) - 1, 1)
                parts.append(
                    f'<text x="{x:.1f}" y="{oy + panel_h + 16}" text-anchor="middle" '
                    f'fill="#333" font-size="10">{escape(m[2:])}</text>'
                )
        parts.append(
            f'<text x="{ox + panel_w / 2}" y="{oy + panel_h + 32}" '
            'text-anchor="middle" fill="#333" font-size="11">Month (YY-MM)</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


_TEMPLATE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Digital skills gap report: {{ data.scope.label }},
{{ data.period.from }} to {{ data.period.to }}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111;
       margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; }
.lede { color: #333; margin-top: 0; }
table { border-collapse: collapse; margin: .8rem 0 1.2rem; font-size: .92rem; }
caption { text-align: left; font-weight: bold; padding-bottom: .4rem; }
th, td { border: 1px solid #bdbdbd; padding: .3rem .55rem; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.small { background: #fff4d6; }
.chart { max-width: 100%; height: auto; display: block; margin: .6rem 0; }
.note { color: #333; font-size: .9rem; }
details { margin: .4rem 0; } summary { cursor: pointer; font-weight: bold; }
dl.rules dt { font-weight: bold; margin-top: .5rem; } dl.rules dd { margin-left: 1rem; }
</style>
</head>
<body>
<header>
<h1>Digital skills gap report</h1>
<p class="lede"><strong>{{ data.scope.label }}</strong>,
{{ data.period.from }} to {{ data.period.to }} ({{ data.period.months }} months),
compared with {{ data.period.previous_from }} to {{ data.period.previous_to }}.
Generated {{ data.generated_at }}.</p>
{% if data.period.previous_months_with_demand < data.period.months_with_demand %}
<p class="note"><strong>Note:</strong> demand records cover
{{ data.period.months_with_demand }} of the {{ data.period.months }} months of this period but
only {{ data.period.previous_months_with_demand }} of the previous period, so changes against
it are not like for like.</p>{% endif %}
<p class="note">Figures count vacancies and course places <em>per skill</em>, at each of the four
digital skill levels. Unmet demand is the sum, over skills and local authorities, of demand the
courses in that authority do not cover. Cells resting on fewer than
{{ data.rules.small_cell_threshold }} demand records are
{% if data.rules.suppressed %}withheld and shown as {{ data.rules.suppressed_marker }}
{%- else %}highlighted (<span class="small">like this</span>){% endif %}:
too few adverts to rely on. Method notes are at the end.</p>
{% if data.left_out and (data.left_out.reposts_merged or data.left_out.unplaced) %}
<p class="note">Not in the figures: {{ data.left_out.reposts_merged }} repost(s) of an advert
already counted (same employer, title and authority within 14 days), and
{{ data.left_out.unplaced }} advert(s) posted in the period whose location could not be
resolved to a local authority.</p>{% endif %}
</header>

<main>
<section aria-labelledby="key-figures">
<h2 id="key-figures">Key figures by level</h2>
<table>
<caption>Key figures by level: {{ data.scope.label }}</caption>
<thead><tr><th scope="col">Level</th><th scope="col">Demand</th><th scope="col">Supply</th>
<th scope="col">Unmet</th><th scope="col">Net gap</th><th scope="col">Demand per place</th>
<th scope="col">Records</th><th scope="col">Unmet, previous period</th>
<th scope="col">Change</th></tr></thead>
<tbody>
{% for r in summary %}<tr{% if r.small %} class="small"{% endif %}>
<th scope="row">{{ level_names[r.level] }}</th><td class="n">{{ number(r.demand) }}</td>
<td class="n">{{ number(r.supply) }}</td><td class="n">{{ number(r.unmet) }}</td>
<td class="n">{{ number(r.net_unmet) }}</td><td class="n">{{ number(r.ratio, 2) }}</td>
<td class="n">{{ number(r.records) }}</td><td class="n">{{ number(r.previous_unmet) }}</td>
<td class="n">{{ signed(r.unmet_change) }}</td></tr>
{% endfor %}</tbody></table>
{{ bar }}
</section>

<section aria-labelledby="areas">
<h2 id="areas">Unmet demand by area</h2>
{{ heat }}
<table>
<caption>Areas: unmet demand by level (net gap in brackets), with roll-ups</caption>
<thead><tr><th scope="col">Area</th><th scope="col">Kind</th>
{% for lv in columns %}<th scope="col">{{ level_names[lv] }}</th>{% endfor %}
<th scope="col">Records</th></tr></thead>
<tbody>
{% for a in area_list %}<tr>
<th scope="row">{{ a.name }}{% if a.authorities < a.authorities_total %}
<span class="note">({{ a.authorities }} of {{ a.authorities_total }} authorities)</span>
{%- endif %}</th>
<td>{{ a.kind|replace("_", " ") }}</td>
{% for lv in columns %}{% set c = cells[(a.code, a.kind, lv)] %}
<td class="n{% if c.small %} small{% endif %}">{{ number(c.unmet) }}
({{ number(c.net_unmet) }})</td>{% endfor %}
<td class="n">{{ number(cells[(a.code, a.kind, "all")].records) }}</td></tr>
{% endfor %}</tbody></table>
</section>

<section aria-labelledby="trend">
<h2 id="trend">Trend</h2>
{{ trend }}
<table>
<caption>Trend by month: demand / supply</caption>
<thead><tr><th scope="col">Month</th>
{% for lv in columns %}<th scope="col">{{ level_names[lv] }}</th>{% endfor %}</tr></thead>
<tbody>
{% for m in months %}<tr><th scope="row">{{ m }}</th>
{% for lv in columns %}{% set p = points[(m, lv)] %}
<td class="n{% if p.small %} small{% endif %}">{{ number(p.demand) }} /
{{ number(p.supply) }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
</section>

<section aria-labelledby="top-skills">
<h2 id="top-skills">Top unmet skills</h2>
{% for lv in levels %}{% set rows = top[("total", "all", lv)] %}
<table>
<caption>{{ level_names[lv] }}: skills with the most unmet demand, {{ data.scope.label }}</caption>
<thead><tr><th scope="col">#</th><th scope="col">Skill</th><th scope="col">Demand</th>
<th scope="col">Supply</th><th scope="col">Unmet</th><th scope="col">Records</th>
<th scope="col">Change in unmet</th></tr></thead>
<tbody>
{% for t in rows %}<tr{% if t.small %} class="small"{% endif %}>
<td class="n">{{ t.rank }}</td><td>{{ t.skill_label }}</td>
<td class="n">{{ number(t.demand) }}</td><td class="n">{{ number(t.supply) }}</td>
<td class="n">{{ number(t.unmet) }}</td><td class="n">{{ number(t.records) }}</td>
<td class="n">{{ signed(t.unmet_change) }}</td></tr>
{% else %}<tr><td colspan="7">No unmet demand at this level.</td></tr>{% endfor %}
</tbody></table>
{% endfor %}
{% for a in area_list if a.kind != "total" %}
<details><summary>{{ a.name }}</summary>
{% for lv in levels %}{% set rows = top[(a.kind, a.code, lv)] %}{% if rows %}
<table><caption>{{ level_names[lv] }}, {{ a.name }}</caption>
<thead><tr><th scope="col">#</th><th scope="col">Skill</th><th scope="col">Demand</th>
<th scope="col">Supply</th><th scope="col">Unmet</th><th scope="col">Records</th></tr></thead>
<tbody>{% for t in rows %}<tr{% if t.small %} class="small"{% endif %}>
<td class="n">{{ t.rank }}</td><td>{{ t.skill_label }}</td>
<td class="n">{{ number(t.demand) }}</td><td class="n">{{ number(t.supply) }}</td>
<td class="n">{{ number(t.unmet) }}</td><td class="n">{{ number(t.records) }}</td></tr>
{% endfor %}</tbody>
</table>{% endif %}{% endfor %}
</details>
{% endfor %}
</section>

<section aria-labelledby="sectors">
<h2 id="sectors">Demand by sector and occupation</h2>
{% for title, rows in breakdowns %}
<table>
<caption>{{ title }} (all levels; sector and occupation filters do not narrow supply)</caption>
<thead><tr><th scope="col">Group</th><th scope="col">Demand</th><th scope="col">Records</th>
<th scope="col">Vacancies</th><th scope="col">Change in demand</th></tr></thead>
<tbody>{% for r in rows %}<tr{% if r.small %} class="small"{% endif %}><td>{{ r.label }}</td>
<td class="n">{{ number(r.demand) }}</td><td class="n">{{ number(r.records) }}</td>
<td class="n">{{ number(r.vacancies) }}</td><td class="n">{{ signed(r.demand_change) }}</td></tr>
{% else %}<tr><td colspan="5">No demand records.</td></tr>{% endfor %}</tbody></table>
{% endfor %}
</section>

<section aria-labelledby="method">
<h2 id="method">How the figures are made</h2>
<dl class="rules">
{% for key, text in rules %}<dt>{{ key|replace("_", " ")|capitalize }}</dt><dd>{{ text }}</dd>
{% endfor %}<dt>Weights</dt><dd>Essential requirement {{ data.rules.importance_weights.essential }},
optional requirement {{ data.rules.importance_weights.optional }} of a vacancy.</dd>
<dt>Scope</dt><dd>{{ data.scope.authorities|length }} local authorities:
{{ data.scope.authorities|join(", ") }}.</dd>
</dl>
<p class="note">Every figure can be traced to its demand records and courses with the
drill-down (<code>GET /api/v1/gap-report/drilldown?skill=...</code>).</p>
</section>
</main>
</body>
</html>
"""

_environment = Environment(autoescape=True, trim_blocks=False, lstrip_blocks=False)
_template = _environment.from_string(_TEMPLATE)
_STYLE = _TEMPLATE.split("<style>", 1)[1].split("</style>", 1)[0]
# For serving the page: nothing may load, and the one inline stylesheet is allowed by its
# hash (the page has no scripts and no style attributes; SVG uses presentation attributes).
HTML_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_STYLE.encode("utf-8")).digest()).decode("ascii")
    + "'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def to_html(report: GapReport, suppress: bool | None = None) -> str:
    """A self-contained HTML report: tables, SVG charts, method notes; no scripts."""
    data = _published(report, suppress)
    levels = report.levels_present()
    columns = [*levels, ALL_LEVELS]
    cells = {(r["area_code"], r["area_kind"], r["level"]): r for r in data["areas"]}
    area_list = [
        {
            "code": a.code,
            "kind": a.kind,
            "name": a.name,
            "authorities": a.authorities,
            "authorities_total": a.authorities_total,
        }
        for a in _tree_order(report)
    ]
    leaves = [a for a in area_list if a["kind"] == "local_authority"]
    points = {(p["month"], p["level"]): p for p in data["trend"]}
    top: dict[tuple[str, str, str], list[dict[str, Any]]] = {
        (a["kind"], a["code"], level): [] for a in area_list for level in levels
    }
    for row in data["top_skills"]:
        top.setdefault((row["area_kind"], row["area_code"], row["level"]), []).append(row)
    summary = [r for r in data["summary"] if r["level"] in columns]
    return _template.render(
        data=data,
        summary=summary,
        levels=levels,
        columns=columns,
        cells=cells,
        area_list=area_list,
        months=sorted({p["month"] for p in data["trend"]}),
        points=points,
        top=top,
        breakdowns=[
            (
                "Demand by sector (SIC 2007 section)",
                [r for r in data["sectors"] if r["level"] == ALL_LEVELS],
            ),
            (
                "Demand by occupation (ISCO-08 sub-major group)",
                [r for r in data["occupations"] if r["level"] == ALL_LEVELS],
            ),
            (
                "Demand by SOC major group (from the job title, ONS coding index)",
                [r for r in data["soc_groups"] if r["level"] == ALL_LEVELS],
            ),
        ],
        rules=[(k, data["rules"][k]) for k in RULES],
        level_names=LEVEL_NAMES,
        number=number,
        signed=signed,
        bar=bar_chart(summary, levels),
        heat=heatmap(data["areas"], leaves, levels),
        trend=trend_chart(data["trend"], levels),
    )


def _tree_order(report: GapReport) -> list[Any]:
    """Areas depth-first: all areas, then each region, its groups and their authorities."""
    children: dict[int | None, list[Any]] = {}
    for area in report.areas:
        children.setdefault(area.parent, []).append(area)
    ordered: list[Any] = []

    def walk(parent: int | None) -> None:
        for area in children.get(parent, []):
            ordered.append(area)
            walk(area.nid)

    walk(None)
    return ordered


def render(report: GapReport, fmt: str, suppress: bool | None = None) -> str | bytes:
    """The report in one of :data:`FORMATS` (JSON as indented text)."""
    if fmt == "json":
        return json.dumps(to_json(report, suppress), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return to_csv(report, suppress)
    if fmt == "xlsx":
        return to_xlsx(report, suppress)
    if fmt == "html":
        return to_html(report, suppress)
    raise ValueError(f"Unknown format {fmt!r}; choose from {', '.join(FORMATS)}.")


def filename(report: GapReport, fmt: str) -> str:
    """A download name naming the period: gap-report-2025-04-to-2026-03.csv."""
    return f"gap-report-{report.period.months[0]}-to-{report.period.months[-1]}.{fmt}"
