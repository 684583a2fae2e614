"""Job-advert feeds as they arrive: schema.org JobPosting (JSON, JSON lines, JSON-LD in
HTML pages) and CSV exports with a column mapping, turned into demand rows.

The rows this module returns use DemandSchema's field names and still hold the feed's own
values where a value needs checking (dates, numbers): validation happens once, in the
importer, so every problem is reported with its row, field and the value received.
Nothing here touches the database.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

from .errors import InvalidInput
from .sections import html_to_text

# Fields a CSV column can be mapped to (DemandSchema's names, plus salary as one text).
MAPPABLE_FIELDS = (
    "source",
    "source_ref",
    "job_title",
    "employer",
    "description",
    "posted_date",
    "closing_date",
    "vacancies",
    "salary",
    "salary_min",
    "salary_max",
    "salary_unit",
    "salary_currency",
    "employment_type",
    "hours_per_week",
    "town",
    "region",
    "postcode",
    "latitude",
    "longitude",
    "remote",
    "industry",
    "occupational_category",
    "soc_code",
    "source_url",
    "local_authority",
    "sector",
)
# JobPosting text properties appended to the description under their own heading, so the
# section splitter knows which lines are requirements and which are duties.
SECTION_PROPERTIES = (
    ("responsibilities", "Responsibilities"),
    ("qualifications", "Qualifications"),
    ("skills", "Skills"),
    ("experienceRequirements", "Experience"),
    ("educationRequirements", "Education"),
)
_UNITS = {
    "HOUR": "hour",
    "DAY": "day",
    "WEEK": "week",
    "MONTH": "month",
    "YEAR": "year",
    "ANNUM": "year",
    "ANNUAL": "year",
}
_UNIT_WORDS = [
    (r"per\s+annum|p\.?\s?a\.?|a\s+year|per\s+year|annual(?:ly)?|yearly|pro\s+rata", "year"),
    (r"per\s+hour|an\s+hour|p/?h|hourly|/\s*hr|/\s*hour", "hour"),
    (r"per\s+day|a\s+day|daily|/\s*day", "day"),
    (r"per\s+week|a\s+week|weekly|/\s*week", "week"),
    (r"per\s+month|a\s+month|monthly|/\s*month", "month"),
]
_CURRENCIES = {"£": "GBP", "GBP": "GBP", "€": "EUR", "EUR": "EUR", "$": "USD", "USD": "USD"}
_AMOUNT = re.compile(r"(£|€|\$|GBP|EUR|USD)?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(k\b)?", re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:hours?|hrs?)\b", re.I)


# -- reading ----------------------------------------------------------------------------


def read_feed(
    text: str,
    fmt: str,
    *,
    mapping: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Demand rows from a feed's text.

    ``fmt``: 'json' (a JobPosting, a list of them, an ``@graph`` or an ``ItemList``; plain
    demand rows pass through), 'jsonl', 'html' (JobPosting JSON-LD in ``<script>`` blocks;
    several pages may be concatenated) or 'csv' (``mapping`` maps our field names to the
    file's column names; unmapped columns that already carry our names are kept).
    A posting's ``source`` is its identifier's name; the importer fills in the rest.
    """
    if fmt == "csv":
        return read_csv_feed(text, mapping or {})
    if mapping:
        raise InvalidInput("A column mapping applies to CSV files only.")
    if fmt == "json":
        try:
            items = list(_postings(json.loads(text)))
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"Malformed JSON at line {exc.lineno}: {exc.msg}.") from exc
    elif fmt == "jsonl":
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.extend(_postings(json.loads(line)))
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"Malformed JSON on line {number}: {exc.msg}.") from exc
    elif fmt == "html":
        items = list(json_ld_postings(text))
        if not items:
            raise InvalidInput("The HTML holds no schema.org JobPosting in JSON-LD.")
    else:
        raise InvalidInput(f"Unknown feed format {fmt!r}: use json, jsonl, html or csv.")
    rows = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidInput("A feed item is not a JSON object.")
        rows.append(from_job_posting(item) if is_job_posting(item) else item)
    return rows


def is_job_posting(item: Mapping[str, Any]) -> bool:
    """Whether a JSON object is a schema.org JobPosting (by its @type)."""
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1] == "JobPosting" for k in kinds)


def _postings(data: Any) -> Iterator[Any]:
    """The JobPosting-or-row objects inside a parsed JSON value."""
    if isinstance(data, list):
        for item in data:
            yield from _postings(item)
    elif isinstance(data, dict) and "@graph" in data:
        yield from _postings(data["@graph"])
    elif isinstance(data, dict) and _type_is(data, "ItemList"):
        for element in data.get("itemListElement") or []:
            # A ListItem wraps its posting in "item"; some feeds list postings directly.
            yield from _postings(
                element.get("item", element) if isinstance(element, dict) else element
            )
    else:
        yield data


def _type_is(item: Mapping[str, Any], name: str) -> bool:
    kind = item.get("@type")
    return isinstance(kind, str) and kind.rsplit("/", 1)[-1] == name


class _JsonLdParser(HTMLParser):
    """Collects the text of every <script type="application/ld+json"> block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self._inside = False
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and (dict(attrs).get("type") or "").strip().lower().startswith(
            "application/ld+json"
        ):
            self._inside, self._parts = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._inside:
            self.blocks.append("".join(self._parts))
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self._parts.append(data)


def json_ld_postings(html: str) -> Iterator[dict[str, Any]]:
    """Every JobPosting in an HTML page's JSON-LD (script contents are raw JSON)."""
    parser = _JsonLdParser()
    parser.feed(html)
    parser.close()
    for number, block in enumerate(parser.blocks, start=1):
        try:
            data = json.loads(block)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                f"JSON-LD block {number} is malformed at line {exc.lineno}: {exc.msg}."
            ) from exc
        for item in _postings(data):
            if isinstance(item, dict) and is_job_posting(item):
                yield item


# -- JobPosting -> demand row -----------------------------------------------------------


def from_job_posting(item: Mapping[str, Any]) -> dict[str, Any]:
    """One demand row from a schema.org JobPosting; keys absent when the posting lacks them."""
    identifier = item.get("identifier")
    ident_name, ident_value = None, None
    if isinstance(identifier, dict):
        ident_name, ident_value = identifier.get("name"), identifier.get("value")
    elif isinstance(identifier, str | int):
        ident_value = identifier
    organisation = item.get("hiringOrganization")
    employer = organisation.get("name") if isinstance(organisation, dict) else organisation
    place = _first(item.get("jobLocation"))
    address = place.get("address") if isinstance(place, dict) else None
    if isinstance(address, str):
        address = {"streetAddress": address}
    geo = place.get("geo") if isinstance(place, dict) else None
    row: dict[str, Any] = {
        "source": _text(ident_name),
        "source_ref": _text(ident_value) or _text(item.get("url")),
        "job_title": _plain(item.get("title")),
        "employer": _plain(employer),
        "description": posting_text(item),
        "posted_date": item.get("datePosted"),
        "closing_date": item.get("validThrough"),
        "vacancies": item.get("totalJobOpenings"),
        "employment_type": employment_types(item.get("employmentType")),
        "hours_per_week": hours_per_week(item.get("workHours")),
        "industry": _category(item.get("industry")),
        "occupational_category": _category(item.get("occupationalCategory")),
        "source_url": _text(item.get("url")),
    }
    if isinstance(address, dict):
        row["town"] = _text(address.get("addressLocality"))
        row["region"] = _text(address.get("addressRegion"))
        row["postcode"] = _text(address.get("postalCode"))
        if not row["postcode"]:
            # Some feeds put the whole address, postcode included, in one line.
            from .geo import find_postcodes  # here: geo loads numpy, the CLI's --help need not

            found = find_postcodes(" ".join(filter(None, map(_text, address.values()))))
            row["postcode"] = found[0] if found else None
    if isinstance(geo, dict):
        row["latitude"] = geo.get("latitude")
        row["longitude"] = geo.get("longitude")
    if str(item.get("jobLocationType") or "").upper().endswith("TELECOMMUTE"):
        row["remote"] = True
    row.update(salary_fields(item.get("baseSalary"), item.get("salaryCurrency")))
    code = soc_code_of(item.get("occupationalCategory"))
    if code:
        row["soc_code"] = code
    if not row["source_ref"]:
        row["source_ref"] = derived_ref(row)
    return {k: v for k, v in row.items() if v not in (None, "", [])}


def posting_text(item: Mapping[str, Any]) -> str:
    """The description as plain text, with the posting's requirement fields as sections."""
    parts = [_plain(item.get("description"))]
    for key, heading in SECTION_PROPERTIES:
        value = item.get(key)
        if isinstance(value, list):
            value = "\n".join(f"• {_plain(v)}" for v in value if _plain(v))
        elif isinstance(value, dict):  # e.g. OccupationalExperienceRequirements
            value = _plain(value.get("description") or value.get("name"))
        text = _plain(value)
        if text:
            parts.append(f"{heading}\n{text}")
    return "\n\n".join(p for p in parts if p)


def derived_ref(row: Mapping[str, Any]) -> str:
    """A stable reference for a posting without identifier or URL (hash of what it says)."""
    key = "\x1f".join(
        str(row.get(k) or "") for k in ("employer", "job_title", "posted_date", "postcode", "town")
    )
    return "sha1:" + hashlib.sha1(key.encode()).hexdigest()[:16]


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = " ".join(html.unescape(str(value)).split())
    return text or None


def _plain(value: Any) -> str:
    """Plain text of an HTML-or-text field: tags become line breaks, entities decoded."""
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value)
    if "<" in text or "&" in text:
        text = html_to_text(text)
        if _TAG.search(text):
            # Escaped twice by the feed ("&lt;p&gt;"): the first pass only revealed the tags.
            text = html_to_text(text)
    return text.strip()


def _category(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):  # a CategoryCode
        parts = [_text(value.get("codeValue")), _text(value.get("name"))]
        return " ".join(p for p in parts if p) or None
    return _text(value)


def soc_code_of(value: Any) -> str | None:
    """A SOC 2020 unit-group code from an occupationalCategory, when it states one."""
    value = _first(value)
    if isinstance(value, dict):
        code, code_set = _text(value.get("codeValue")), str(value.get("inCodeSet") or "")
        if code and re.fullmatch(r"\d{4}", code) and "soc" in code_set.lower():
            return code
        return None
    match = re.match(r"\s*(?:SOC(?:\s*2020)?\s*[:\-]?\s*)(\d{4})\b", str(value or ""), re.I)
    return match[1] if match else None


def employment_types(value: Any) -> str | None:
    """schema.org employment types, lower case, '|'-joined (FULL_TIME -> full_time)."""
    values = value if isinstance(value, list) else [value]
    found = []
    for v in values:
        for part in re.split(r"[,;/|]", str(v or "")):
            word = re.sub(r"[\s-]+", "_", part.strip().lower())
            if word and word not in found:
                found.append(word)
    return "|".join(found) or None


def hours_per_week(value: Any) -> float | None:
    """Weekly hours from workHours ("37.5 hours per week", 37.5).

    workHours that states no hours ("6 sessions", "flexible") leaves it empty: it is free
    text in schema.org, so it cannot be wrong, only silent about the figure.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _HOURS.search(str(value))
    return float(match[1]) if match else None


def salary_fields(salary: Any, currency: Any = None) -> dict[str, Any]:
    """salary_min/max/unit/currency from a MonetaryAmount, a number or a salary text."""
    if salary is None or salary == "":
        return {}
    if isinstance(salary, dict):
        value = salary.get("value")
        unit = salary.get("unitText")
        currency = salary.get("currency") or currency
        if isinstance(value, dict):  # QuantitativeValue
            unit = value.get("unitText") or unit
            low = value.get("minValue", value.get("value"))
            high = value.get("maxValue", value.get("value"))
        else:
            low = high = value
        if isinstance(low, str) or isinstance(high, str):
            parsed = parse_salary(f"{low} - {high}" if low != high else str(low))
            low, high = parsed.get("salary_min"), parsed.get("salary_max")
        fields = {
            "salary_min": low,
            "salary_max": high,
            "salary_unit": _unit(unit),
            "salary_currency": _text(currency),
        }
        return {k: v for k, v in fields.items() if v is not None}
    if isinstance(salary, int | float):
        return {"salary_min": salary, "salary_max": salary, "salary_currency": _text(currency)}
    parsed = parse_salary(str(salary))
    if currency and "salary_currency" not in parsed:
        parsed["salary_currency"] = _text(currency)
    return parsed


def _unit(value: Any) -> str | None:
    text = str(value or "").strip().upper()
    if not text:
        return None
    return _UNITS.get(text, text.lower())


def parse_salary(text: str) -> dict[str, Any]:
    """Parse a salary as feeds write it.

    >>> parse_salary("GBP 21,892 - 24,157 per annum")
    {'salary_min': 21892.0, 'salary_max': 24157.0, 'salary_unit': 'year', 'salary_currency': 'GBP'}
    >>> parse_salary("15.95 per hour")
    {'salary_min': 15.95, 'salary_max': 15.95, 'salary_unit': 'hour'}

    Text with no amount ("Competitive") gives {} and keeps its words in salary_text.
    """
    result: dict[str, Any] = {}
    clean = text.replace("\u2013", "-").replace("\u2014", "-").replace("\xa0", " ")
    amounts = []
    currency = None
    for match in _AMOUNT.finditer(clean):
        symbol, whole, fraction, thousands = match.groups()
        if not symbol and not fraction and not thousands and len(whole.replace(",", "")) < 2:
            continue  # a lone digit ("Band 5", "1 year") is not an amount
        amount = float(whole.replace(",", "") + (fraction or ""))
        if thousands:
            amount *= 1000
        amounts.append(amount)
        currency = currency or (symbol and _CURRENCIES[symbol.upper()])
    if not amounts:
        return {"salary_text": " ".join(text.split())} if text.strip() else {}
    result["salary_min"], result["salary_max"] = min(amounts[:2]), max(amounts[:2])
    for pattern, unit in _UNIT_WORDS:
        if re.search(rf"(?<![A-Za-z])(?:{pattern})(?![A-Za-z])", clean, re.I):
            result["salary_unit"] = unit
            break
    if currency:
        result["salary_currency"] = currency
    return result


# -- CSV with a column mapping ----------------------------------------------------------


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``--map field=Column Name`` items (or a mapping file's lines) as {field: column}."""
    mapping: dict[str, str] = {}
    for item in items:
        if not item.strip() or item.lstrip().startswith("#"):
            continue
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise InvalidInput(f"Mapping {item!r} is not field=Column Name.")
        if field not in MAPPABLE_FIELDS:
            raise InvalidInput(
                f"Mapping names unknown field {field!r}; fields: {', '.join(MAPPABLE_FIELDS)}."
            )
        if field in mapping:
            raise InvalidInput(f"Mapping names field {field!r} twice.")
        mapping[field] = column
    return mapping


def read_mapping_file(text: str) -> dict[str, str]:
    """A saved mapping: JSON {field: column} or lines of field=Column Name."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"Malformed mapping JSON: {exc.msg}.") from exc
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise InvalidInput("A JSON mapping must be an object of field: column name.")
        return parse_mapping([f"{k}={v}" for k, v in data.items()])
    return parse_mapping(stripped.splitlines())


def read_csv_feed(text: str, mapping: Mapping[str, str]) -> list[dict[str, Any]]:
    """Demand rows from a CSV export; ``mapping`` renames its columns to our fields."""
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        raw = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"Malformed CSV: {exc}.") from exc
    header = reader.fieldnames or []
    missing = [column for column in mapping.values() if column not in header]
    if missing:
        raise InvalidInput(
            f"Mapped column(s) not in the CSV header: {', '.join(map(repr, missing))}; "
            f"the header has: {', '.join(map(repr, header))}."
        )
    by_column = {column: field for field, column in mapping.items()}
    rows = []
    for number, cells in enumerate(raw, start=1):
        if None in cells:
            raise InvalidInput(f"CSV row {number} has more cells than the header has columns.")
        row: dict[str, Any] = {}
        for column, value in cells.items():
            # A mapped column takes its field's name; an unmapped one is kept only when it
            # already bears the name of a field nothing else is mapped to.
            field = by_column.get(column)
            if field is None and column in MAPPABLE_FIELDS and column not in mapping:
                field = column
            if field is None or value in ("", None):
                continue  # an empty cell is "not given", so defaults apply
            row[field] = value
        if "salary" in row:
            row.update({k: v for k, v in parse_salary(row.pop("salary")).items() if k not in row})
        if "description" in row:
            row["description"] = _plain(row["description"])
        if "source_ref" not in row and row:
            row["source_ref"] = _text(row.get("source_url")) or derived_ref(row)
        rows.append(row)
    return rows
