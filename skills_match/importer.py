"""Bulk import of courses and demand: validate every row, then write all or nothing.

The same path serves `skills-match import-courses`, the API's bulk upload and the seed
loader, so a file is judged the same way wherever it arrives.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from marshmallow import Schema, ValidationError

from . import feeds
from .errors import ImportRejected, InvalidInput
from .geo import Locator, Resolution
from .occupations import index_for as occupation_index
from .schemas import CourseImportRow, CourseSchema, DemandSchema, field_hint
from .soc import index_for as soc_index
from .store import Store, utcnow
from .store.courses import SkillLink, record_digest

MAX_ROWS = 10_000
# The duplicate rule: an advert is a repost of a kept record when both name the same
# employer and job title (compared lower-cased, punctuation ignored) in the same local
# authority and were posted at most this many days apart. It then counts once, as the kept
# record (the earliest posted); an advert without an employer is never judged a repost.
DUPLICATE_WINDOW_DAYS = 14
# CSV cells that hold lists: values are separated by "|".
LIST_COLUMNS = {"start_dates", "employment_statuses", "skills"}


class SkillLinker(Protocol):
    """Finds the taxonomy skills in texts (the extraction engine implements this)."""

    def link(self, texts: Sequence[str]) -> list[list[SkillLink]]:
        """One list of skill links per text."""
        ...

    def read_phrases(self, phrases: Sequence[str], persist: bool = True) -> list[str | None]:
        """The skill id each phrase names ("Docker", "MS Teams"), None where it names none."""
        ...


@dataclass
class RowError:
    """One problem in one row of an import file."""

    row: int
    field: str
    message: str
    # What the row held, what is accepted and an example, so a fix needs no guessing.
    value: Any = None
    expected: str | None = None
    example: str | None = None

    def __str__(self) -> str:
        text = f"row {self.row}: {self.field}: {self.message}"
        if self.value is not None:
            text += f" (received {_shown(self.value)})"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.example:
            text += f", e.g. {self.example}"
        return text


def _shown(value: Any) -> str:
    """A received value as an error message quotes it: repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class ImportReport:
    """What an import did, or would do (dry run), or why it was rejected."""

    kind: str
    source_name: str
    rows_total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    status: str = "running"
    ids: list[int] = field(default_factory=list)
    # Adverts kept out of the figures, each listed: where they could not be placed, and
    # reposts of another advert (counted once, as that one).
    unplaced: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    # Skill phrases that name no skill we know: {"row", "phrase"}; the rest of the row is
    # imported (its skills then come from the phrases that were read, else its text).
    unlinked_skills: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON output and the import_runs table."""
        return {
            "kind": self.kind,
            "source_name": self.source_name,
            "status": self.status,
            "dry_run": self.dry_run,
            "rows_total": self.rows_total,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.__dict__ for e in self.errors],
            "unlinked_skills": self.unlinked_skills,
            # Only adverts are placed and de-duplicated.
            **(
                {"unplaced": self.unplaced, "duplicates": self.duplicates}
                if self.kind == "demand"
                else {}
            ),
        }


# -- reading files ----------------------------------------------------------------------


def read_rows(
    data: bytes | str | Path, fmt: str | None = None, max_rows: int | None = MAX_ROWS
) -> list[dict[str, Any]]:
    """Parse a CSV, JSON (list of objects) or JSON-lines file into raw row dicts.

    ``fmt`` is 'csv', 'json' or 'jsonl'; when None it is taken from the file name or sniffed.
    ``max_rows`` caps untrusted uploads; operators' CLI imports pass None.
    Raises InvalidInput for undecodable or malformed files, with the line where possible.
    """
    text, fmt = _decoded(data, fmt)
    if fmt == "csv":
        rows = _read_csv(text)
    elif fmt == "json":
        rows = _read_json(text)
    elif fmt == "jsonl":
        rows = _read_jsonl(text)
    else:
        raise InvalidInput(f"Unknown file format {fmt!r}: use csv, json or jsonl.")
    return _capped(rows, max_rows)


def read_demand_rows(
    data: bytes | str | Path,
    fmt: str | None = None,
    max_rows: int | None = MAX_ROWS,
    *,
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Demand rows from our own format or a job feed (skills_match.feeds).

    JSON and JSON lines may hold schema.org JobPostings (one, a list, an @graph or an
    ItemList) or demand rows; 'html' reads the JobPosting JSON-LD of pages; CSV is read as
    our columns, or through ``mapping`` {field: column} when given.
    """
    text, fmt = _decoded(data, fmt)
    if fmt == "csv" and not mapping:
        rows = _read_csv(text)
    else:
        rows = feeds.read_feed(text, fmt, mapping=mapping)
    if source:  # the feed's name, for the records that do not carry one
        for row in rows:
            row.setdefault("source", source)
    return _capped(rows, max_rows)


def _decoded(data: bytes | str | Path, fmt: str | None) -> tuple[str, str]:
    """A file's text and its format (given, from its name, or sniffed)."""
    name = ""
    if isinstance(data, Path):
        name = data.name
        try:
            data = data.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"Cannot read {name}: {exc.strerror}.") from exc
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"The file is not UTF-8 text (byte {exc.start} cannot be decoded)."
            ) from exc
    else:
        text = data
    return text, (fmt or format_from_name(name) or _sniff(text)).lower()


def _capped(rows: list[dict[str, Any]], max_rows: int | None) -> list[dict[str, Any]]:
    if not rows:
        raise InvalidInput("The file has no rows.")
    if max_rows is not None and len(rows) > max_rows:
        raise InvalidInput(f"The file has {len(rows)} rows; at most {max_rows} are accepted.")
    return rows


def format_from_name(name: str) -> str | None:
    """The import format a file name's suffix says (csv, json, jsonl, html), else None."""
    for suffix, fmt in (
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "json"),
        (".html", "html"),
        (".htm", "html"),
    ):
        if name.lower().endswith(suffix):
            return fmt
    return None


def _sniff(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return "html"
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        # One (possibly pretty-printed) object is JSON; one object per line is JSON lines.
        try:
            json.loads(stripped)
        except json.JSONDecodeError:
            return "jsonl"
        return "json"
    return "csv"


def _read_json(text: str) -> list[dict[str, Any]]:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"Malformed JSON at line {exc.lineno}: {exc.msg}.") from exc
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidInput("A JSON import file must be an object or a list of objects.")
    return rows


def _read_jsonl(text: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"Malformed JSON on line {number}: {exc.msg}.") from exc
        if not isinstance(row, dict):
            raise InvalidInput(f"Line {number} is not a JSON object.")
        rows.append(row)
    return rows


def _read_csv(text: str) -> list[dict[str, Any]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        raw = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"Malformed CSV: {exc}.") from exc
    if reader.fieldnames is None:
        return []
    if len(set(reader.fieldnames)) != len(reader.fieldnames):
        raise InvalidInput("The CSV header names a column twice.")
    rows = []
    for number, row in enumerate(raw, start=1):
        if None in row:
            raise InvalidInput(f"CSV row {number} has more cells than the header has columns.")
        # An empty cell means "not given", so defaults apply as they would for JSON.
        rows.append(
            {key: _csv_cell(key, value) for key, value in row.items() if value not in ("", None)}
        )
    return rows


def _csv_cell(key: str, value: str) -> Any:
    if key not in LIST_COLUMNS:
        return value
    if key == "skills" and value.lstrip().startswith("["):
        # Full form, for levels or importance: a JSON list of {"skill_id": ..., ...}.
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value  # the schema then reports "Not a valid list."
    items = [item.strip() for item in value.split("|") if item.strip()]
    return items  # a skill item is an id when shaped like one, else a phrase (SkillItem)


# -- validating -------------------------------------------------------------------------


def flatten_messages(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested error dict into (dotted field path, message) pairs."""
    pairs: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            pairs.extend(flatten_messages(value, path))
    elif isinstance(messages, list):
        for message in messages:
            pairs.extend(flatten_messages(message, prefix))
    else:
        pairs.append((prefix or "_schema", str(messages)))
    return pairs


def _validate(schema: Schema, raw: Sequence[dict[str, Any]]) -> tuple[list[Any], list[RowError]]:
    records: list[Any] = []
    errors: list[RowError] = []
    for number, row in enumerate(raw, start=1):
        try:
            records.append(schema.load(row))
        except ValidationError as exc:
            records.append(None)
            errors.extend(
                _row_error(schema, number, row, f, m) for f, m in flatten_messages(exc.messages)
            )
    return records, errors


def _row_error(schema: Schema, number: int, row: Any, path: str, message: str) -> RowError:
    """A validation error with the value received, what the field accepts and an example."""
    # An unknown field has nothing to accept: its message already says so.
    expected, example = (None, None) if message == "Unknown field." else field_hint(schema, path)
    return RowError(number, path, message, _received(row, path), expected, example)


def _received(row: Any, path: str) -> Any:
    """The value a row held at a dotted field path, or None when it held none there."""
    value = row
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    # Containers are not quoted back: the message names the field inside them.
    return None if isinstance(value, dict | list) else value


_course_schema = CourseSchema()
_course_row_schema = CourseImportRow()
_demand_schema = DemandSchema()


# -- importing --------------------------------------------------------------------------


def import_courses(
    store: Store,
    raw_rows: Sequence[dict[str, Any]],
    *,
    source_name: str,
    actor: str,
    provider_id: int | None = None,
    linker: SkillLinker | None = None,
    dry_run: bool = False,
    illustrative: bool = False,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> ImportReport:
    """Validate and upsert courses on (provider, provider_ref), all or nothing.

    With ``provider_id`` every row belongs to that provider and may not name one (the API
    path); without it each row must carry ``provider_ukprn`` (the operator's CLI path).
    Raises ImportRejected, carrying the report, when any row is invalid.
    """
    report = ImportReport("courses", source_name, rows_total=len(raw_rows), dry_run=dry_run)
    schema = _course_schema if provider_id is not None else _course_row_schema
    records, errors = _validate(schema, raw_rows)

    owners: list[int | None] = []
    ukprn_ids: dict[str, int | None] = {}
    for number, record in enumerate(records, start=1):
        if record is None:
            owners.append(None)
            continue
        if provider_id is not None:
            owners.append(provider_id)
            continue
        ukprn = record.pop("provider_ukprn", None)
        if not ukprn:
            errors.append(
                _reference_error(number, "provider_ukprn", "Missing data for required field.")
            )
            owners.append(None)
            continue
        if ukprn not in ukprn_ids:
            provider = store.provider_by_ukprn(ukprn)
            ukprn_ids[ukprn] = provider["id"] if provider else None
        if ukprn_ids[ukprn] is None:
            errors.append(
                _reference_error(
                    number, "provider_ukprn", f"No provider with UKPRN {ukprn}.", ukprn
                )
            )
        owners.append(ukprn_ids[ukprn])

    errors += check_references(store, records)
    keys = [
        (owner, r["provider_ref"]) if r is not None and owner is not None else None
        for owner, r in zip(owners, records, strict=True)
    ]
    errors += _check_duplicates(keys, "provider_ref")

    def write(prior: dict[Any, str]) -> None:
        todo = [
            (i, owner, r)
            for i, (owner, r) in enumerate(zip(owners, records, strict=True))
            if prior.get((owner, r["provider_ref"])) != record_digest(r, illustrative)
        ]
        report.unchanged = len(records) - len(todo)
        if dry_run:
            # A check writes nothing, so it extracts (and stores) nothing either; it does
            # read every row's skill phrases, so the provider sees which name no skill.
            report.inserted = sum((o, r["provider_ref"]) not in prior for _, o, r in todo)
            report.updated = len(todo) - report.inserted
            readings = read_phrases(linker, records, persist=False)
            rows = range(1, len(records) + 1)
            report.unlinked_skills = unlinked_phrases(records, readings, rows)
            return
        changed = [r for _, _, r in todo]
        readings = read_phrases(linker, changed)
        report.unlinked_skills = unlinked_phrases(changed, readings, [i + 1 for i, _, _ in todo])
        links = links_for(linker, changed, course_text, progress, readings)
        with store.write():
            for (_, owner, record), skill_links in zip(todo, links, strict=True):
                course_id, outcome = store.upsert_course(owner, record, skill_links, illustrative)
                setattr(report, outcome, getattr(report, outcome) + 1)
                report.ids.append(course_id)

    def prior_digests() -> dict[Any, str]:
        prior: dict[Any, str] = {}
        for owner in sorted({o for o in owners if o is not None}):
            refs = [r["provider_ref"] for o, r in zip(owners, records, strict=True) if o == owner]
            for ref, digest in store.course_digests(owner, refs).items():
                prior[(owner, ref)] = digest
        return prior

    return _finish(store, report, errors, actor, provider_id, prior_digests, write)


def import_demand(
    store: Store,
    raw_rows: Sequence[dict[str, Any]],
    *,
    source_name: str,
    actor: str,
    linker: SkillLinker | None = None,
    locator: Locator | None = None,
    dry_run: bool = False,
    illustrative: bool = False,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> ImportReport:
    """Validate and upsert demand records on (source, source_ref), all or nothing.

    A record without ``local_authority`` is placed by ``locator`` from its postcode,
    coordinates or town; one that cannot be placed is kept aside (unplaced), not guessed.
    Reposts (DUPLICATE_WINDOW_DAYS) are noted against the record they repeat.
    """
    report = ImportReport("demand", source_name, rows_total=len(raw_rows), dry_run=dry_run)
    records, errors = _validate(_demand_schema, raw_rows)
    errors += check_references(store, records)
    keys = [(r["source"], r["source_ref"]) if r is not None else None for r in records]
    errors += _check_duplicates(keys, "source_ref")
    reasons: dict[int, str] = {}
    if not errors:
        reasons = place_records(store, records, locator)
        infer_occupations(store, records)

    def prior_digests() -> dict[Any, str]:
        return store.demand_digests([k for k in keys if k is not None])

    def write(prior: dict[Any, str]) -> None:
        todo = [
            (i, r)
            for i, r in enumerate(records)
            if prior.get((r["source"], r["source_ref"])) != record_digest(r, illustrative)
        ]
        report.unchanged = len(records) - len(todo)
        unplaced = [(i, r) for i, r in todo if i in reasons]
        report.unplaced = [
            {"row": i + 1, "source_ref": r["source_ref"], "reason": reasons[i]} for i, r in unplaced
        ]
        placed = [(i, r) for i, r in todo if i not in reasons]
        if dry_run:
            report.inserted = sum((r["source"], r["source_ref"]) not in prior for _, r in placed)
            report.updated = len(todo) - report.inserted
            readings = read_phrases(linker, records, persist=False)
            rows = range(1, len(records) + 1)
            report.unlinked_skills = unlinked_phrases(records, readings, rows)
            return
        # Earliest first, so a repost is always the later advert of a pair.
        placed.sort(key=lambda item: (item[1]["posted_date"], item[0]))
        changed = [r for _, r in placed]
        readings = read_phrases(linker, changed)
        report.unlinked_skills = unlinked_phrases(changed, readings, [i + 1 for i, _ in placed])
        # Extraction is the slow part: it runs before the write lock, with the progress.
        links = links_for(linker, changed, demand_text, progress, readings)
        kept: dict[tuple[str, str, str], list[tuple[Any, int]]] = {}
        with store.write():
            for i, record in unplaced:
                store.upsert_unplaced(record, reasons[i], illustrative)
            for (i, record), skill_links in zip(placed, links, strict=True):
                original = _repost_of(store, record, kept, prior)
                if original is not None:
                    store.record_duplicate(record, original, illustrative)
                    report.duplicates.append(
                        {"row": i + 1, "source_ref": record["source_ref"], "duplicate_of": original}
                    )
                    continue
                demand_id, outcome = store.upsert_demand(record, skill_links, illustrative)
                setattr(report, outcome, getattr(report, outcome) + 1)
                report.ids.append(demand_id)
                key = repost_key(record)
                if key is not None:
                    kept.setdefault(key, []).append((record["posted_date"], demand_id))

    return _finish(store, report, errors, actor, None, prior_digests, write)


def place_records(
    store: Store, records: Sequence[dict[str, Any] | None], locator: Locator | None
) -> dict[int, str]:
    """Fill local_authority and location_method/detail in place; {index: reason} unplaced."""
    unplaced: dict[int, str] = {}
    for i, record in enumerate(records):
        if record is None:
            continue
        if record.get("local_authority"):
            found = Resolution(record["local_authority"], "given", "local_authority given")
        elif locator is None:
            found = Resolution(None, "unresolved", "local_authority is required here")
        else:
            found = locator.resolve(
                postcode=record.get("postcode"),
                latitude=record.get("latitude"),
                longitude=record.get("longitude"),
                places=(record.get("town"), record.get("region")),
                place_lookup=store.resolve_area,
            )
        record["location_method"] = found.method
        record["location_detail"] = found.detail
        if found.resolved:
            record["local_authority"] = found.gss_code
        else:
            unplaced[i] = found.detail
    return unplaced


def infer_occupations(store: Store, records: Sequence[dict[str, Any] | None]) -> None:
    """Fill occupation_id / isco_code and the SOC major group from the title where not given.

    Below the index's confidence the occupation stays unknown (NULL); either way
    occupation_method and occupation_confidence say what was decided. The SOC major
    group comes from a given ``soc_code``, else from the ONS coding index (skills_match/soc.py),
    with soc_method, soc_confidence and soc_evidence saying how.
    """
    todo = [r for r in records if r is not None]
    if not todo:
        return
    index = None
    for record in todo:
        _infer_soc(record)
        if record.get("occupation_id"):
            record["occupation_method"] = "given"
            continue
        if index is None:
            index = occupation_index(store)
        guess = index.guess(record["job_title"])
        record["occupation_confidence"] = guess.confidence
        if guess.occupation_id is None:
            record["occupation_method"] = "unknown"
            continue
        record["occupation_id"] = guess.occupation_id
        record["occupation_method"] = "inferred"
        if not record.get("isco_code") and guess.isco_code:
            record["isco_code"] = guess.isco_code


def _infer_soc(record: dict[str, Any]) -> None:
    if record.get("soc_code"):
        record.update(
            soc_major=record["soc_code"][0],
            soc_method="given",
            soc_confidence=1.0,
            soc_evidence=f"SOC 2020 unit group {record['soc_code']} given",
        )
        return
    guess = soc_index().guess(record["job_title"])
    record.update(
        soc_major=guess.major,
        soc_method="inferred" if guess.major else "unknown",
        soc_confidence=guess.confidence,
        soc_evidence=guess.evidence,
    )


def repost_key(record: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """What two adverts must share to be one vacancy posted twice; None without employer."""
    employer, title = _words(record.get("employer")), _words(record.get("job_title"))
    if not employer or not title:
        return None
    return employer, title, record["local_authority"]


def _words(text: Any) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in str(text or "").lower()).split())


def _repost_of(
    store: Store,
    record: dict[str, Any],
    kept: dict[tuple[str, str, str], list[tuple[Any, int]]],
    prior: Mapping[Any, str],
) -> int | None:
    """The id of the record this advert reposts (in this file or on file), or None."""
    key = repost_key(record)
    identity = (record["source"], record["source_ref"])
    if key is None:
        return None
    if identity in prior and store.demand_id_by_ref(*identity) is not None:
        return None  # a record already kept stays kept: a re-import never demotes it
    posted = record["posted_date"]
    for when, demand_id in kept.get(key, []):
        if abs((posted - when).days) <= DUPLICATE_WINDOW_DAYS:
            return demand_id
    for row in store.find_repost(
        key[2], posted.isoformat(), DUPLICATE_WINDOW_DAYS, exclude=identity
    ):
        if (_words(row["employer"]), _words(row["job_title"])) == key[:2]:
            return row["id"]
    return None


def _finish(
    store: Store,
    report: ImportReport,
    errors: list[RowError],
    actor: str,
    provider_id: int | None,
    prior_digests: Callable[[], dict[Any, str]],
    write: Callable[[dict[Any, str]], None],
) -> ImportReport:
    started = utcnow()
    report.errors = sorted(errors, key=lambda e: (e.row, e.field))
    if report.errors:
        report.status = "rejected"
    else:
        write(prior_digests())
        report.status = "checked" if report.dry_run else "committed"
    store.record_import_run(
        {
            **report.as_dict(),
            # The run log keeps counts; the lists are in the report the caller gets.
            "unplaced": len(report.unplaced),
            "duplicates": len(report.duplicates),
            "unlinked_skills": len(report.unlinked_skills),
            "actor": actor,
            "provider_id": provider_id,
            "started_at": started,
        }
    )
    if report.errors:
        shown = "; ".join(str(e) for e in report.errors[:5])
        more = f" (and {len(report.errors) - 5} more)" if len(report.errors) > 5 else ""
        raise ImportRejected(
            f"{report.source_name}: {len(report.errors)} problem(s), nothing was imported: "
            f"{shown}{more}",
            errors=report,
        )
    return report


def check_references(store: Store, records: Sequence[dict[str, Any] | None]) -> list[RowError]:
    """Errors for each area, skill and occupation the records name that is not on file."""
    valid = [r for r in records if r is not None]
    areas = store.existing_gss_codes(r.get("local_authority") for r in valid)
    skill_ids = store.existing_skill_ids(
        s["skill_id"] for r in valid for s in (r.get("skills") or []) if "skill_id" in s
    )
    occupations = store.existing_occupation_ids(r.get("occupation_id") for r in valid)
    errors = []
    for number, record in enumerate(records, start=1):
        if record is None:
            continue
        area = record.get("local_authority")
        if area and area not in areas:
            errors.append(
                _reference_error(number, "local_authority", f"Unknown GSS code {area}.", area)
            )
        for index, skill in enumerate(record.get("skills") or []):
            if "skill_id" in skill and skill["skill_id"] not in skill_ids:
                errors.append(
                    _reference_error(
                        number,
                        f"skills.{index}.skill_id",
                        f"Unknown skill {skill['skill_id']}.",
                        skill["skill_id"],
                    )
                )
        occupation = record.get("occupation_id")
        if occupation and occupation not in occupations:
            errors.append(
                _reference_error(
                    number, "occupation_id", f"Unknown ESCO occupation {occupation}.", occupation
                )
            )
    return errors


def _reference_error(number: int, path: str, message: str, value: Any = None) -> RowError:
    """A row naming something not on file: with the value and what would be accepted."""
    # These fields' hints are in FIELD_HINTS, which field_hint reads before any schema.
    expected, example = field_hint(_demand_schema, path)
    return RowError(number, path, message, value, expected, example)


def _check_duplicates(keys: Sequence[Any], field_name: str) -> list[RowError]:
    seen: dict[Any, int] = {}
    errors = []
    for number, key in enumerate(keys, start=1):
        if key is None:
            continue
        if key in seen:
            errors.append(
                RowError(number, field_name, f"Duplicate of row {seen[key]} in the same file.")
            )
        else:
            seen[key] = number
    return errors


def course_text(record: Mapping[str, Any]) -> str:
    """The text of a course (record or stored row) that skills are extracted from."""
    return "\n".join(filter(None, [record.get("title"), record.get("description")]))


def demand_text(record: Mapping[str, Any]) -> str:
    """The text of a demand record (record or stored row) that skills are extracted from."""
    return "\n".join(filter(None, [record.get("job_title"), record.get("description")]))


EXTRACT_BATCH = 32  # records per extraction call: the progress moves at least this often


def read_phrases(
    linker: SkillLinker | None, records: Sequence[dict[str, Any]], persist: bool = True
) -> dict[tuple[int, int], str | None]:
    """The skill id of every phrase the records list, keyed (record, item), in one batch."""
    where = [
        (i, j)
        for i, r in enumerate(records)
        for j, s in enumerate(r.get("skills") or [])
        if "phrase" in s
    ]
    if not where:
        return {}
    phrases = [records[i]["skills"][j]["phrase"] for i, j in where]
    # A linker without a phrase reader (none configured) reads nothing: all are reported.
    reader = getattr(linker, "read_phrases", None)
    ids = reader(phrases, persist=persist) if reader is not None else [None] * len(phrases)
    return dict(zip(where, ids, strict=True))


def unlinked_phrases(
    records: Sequence[dict[str, Any]],
    readings: Mapping[tuple[int, int], str | None],
    rows: Sequence[int],
) -> list[dict[str, Any]]:
    """The report's list of phrases that named no skill, with their file row numbers."""
    return [
        {"row": rows[i], "phrase": records[i]["skills"][j]["phrase"]}
        for (i, j), skill_id in sorted(readings.items())
        if skill_id is None
    ]


def links_for(
    linker: SkillLinker | None,
    records: Sequence[dict[str, Any]],
    text_of: Callable[[dict[str, Any]], str],
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
    readings: Mapping[tuple[int, int], str | None] | None = None,
) -> list[list[SkillLink]]:
    """Skill links per record: the ones given (by id, or by a phrase that was read), else
    those extracted from its text.

    ``readings`` are the records' phrases already read (:func:`read_phrases`), else they
    are read here. ``progress`` wraps the records as extraction reaches them.
    """
    if readings is None:
        readings = read_phrases(linker, records)
    given = [_given_links(r, i, readings) for i, r in enumerate(records)]
    needs_extraction = {i for i, links in enumerate(given) if not links}
    extracted: dict[int, list[SkillLink]] = {}
    batch: list[int] = []

    def flush() -> None:
        if batch and linker is not None:
            found = linker.link([text_of(records[j]) for j in batch])
            extracted.update(zip(batch, found, strict=True))
        batch.clear()

    for i in _progress(progress, range(len(records))):
        if i in needs_extraction:
            batch.append(i)
            if len(batch) >= EXTRACT_BATCH:
                flush()
    flush()
    return [links or extracted.get(i, []) for i, links in enumerate(given)]


def _given_links(
    record: dict[str, Any], index: int, readings: Mapping[tuple[int, int], str | None]
) -> list[SkillLink]:
    links: dict[str, SkillLink] = {}
    for j, skill in enumerate(record.get("skills") or []):
        skill_id = skill["skill_id"] if "skill_id" in skill else readings.get((index, j))
        if skill_id is None or skill_id in links:  # two phrases may name one skill
            continue
        links[skill_id] = SkillLink(
            skill_id=skill_id,
            # Only an explicit level is stored; otherwise the taxonomy's current level
            # applies when read, so a later correction reaches every course.
            level=skill.get("level"),
            importance=skill.get("importance", "essential"),
            # A phrase is kept as the link's evidence: the record keeps the provider's words.
            evidence=skill.get("phrase", ""),
        )
    return list(links.values())


def _progress(
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None, items: Iterable[Any]
) -> Iterable[Any]:
    return progress(items) if progress else items
