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

from .errors import ImportRejected, InvalidInput
from .schemas import CourseImportRow, CourseSchema, DemandSchema
from .store import Store, utcnow
from .store.courses import SkillLink, record_digest

MAX_ROWS = 10_000
# CSV cells that hold lists: values are separated by "|".
LIST_COLUMNS = {"start_dates", "employment_statuses", "skills"}


class SkillLinker(Protocol):
    """Finds the taxonomy skills in texts (the extraction engine implements this)."""

    def link(self, texts: Sequence[str]) -> list[list[SkillLink]]:
        """One list of skill links per text."""
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
    fmt = (fmt or _format_from_name(name) or _sniff(text)).lower()
    if fmt == "csv":
        rows = _read_csv(text)
    elif fmt == "json":
        rows = _read_json(text)
    elif fmt == "jsonl":
        rows = _read_jsonl(text)
    else:
        raise InvalidInput(f"Unknown file format {fmt!r}: use csv, json or jsonl.")
    if not rows:
        raise InvalidInput("The file has no rows.")
    if max_rows is not None and len(rows) > max_rows:
        raise InvalidInput(f"The file has {len(rows)} rows; at most {max_rows} are accepted.")
    return rows


def _format_from_name(name: str) -> str | None:
    for suffix, fmt in (
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "json"),
    ):
        if name.lower().endswith(suffix):
            return fmt
    return None


def _sniff(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        return "jsonl"
    return "csv"


def _read_json(text: str) -> list[dict[str, Any]]:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"Malformed JSON at line {exc.lineno}: {exc.msg}.") from exc
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidInput("A JSON import file must be a list of objects.")
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
    return [{"skill_id": item} for item in items] if key == "skills" else items


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
                RowError(number, f, m, value=_received(row, f))
                for f, m in flatten_messages(exc.messages)
            )
    return records, errors


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
            errors.append(RowError(number, "provider_ukprn", "Missing data for required field."))
            owners.append(None)
            continue
        if ukprn not in ukprn_ids:
            provider = store.provider_by_ukprn(ukprn)
            ukprn_ids[ukprn] = provider["id"] if provider else None
        if ukprn_ids[ukprn] is None:
            errors.append(RowError(number, "provider_ukprn", f"No provider with UKPRN {ukprn}."))
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
        if dry_run:  # a check writes nothing, so it extracts (and stores) nothing either
            report.inserted = sum((o, r["provider_ref"]) not in prior for _, o, r in todo)
            report.updated = len(todo) - report.inserted
            return
        links = links_for(linker, [r for _, _, r in todo], course_text)
        with store.write():
            for (_, owner, record), skill_links in _progress(
                progress, zip(todo, links, strict=True)
            ):
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
    dry_run: bool = False,
    illustrative: bool = False,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> ImportReport:
    """Validate and upsert demand records on (source, source_ref), all or nothing."""
    report = ImportReport("demand", source_name, rows_total=len(raw_rows), dry_run=dry_run)
    records, errors = _validate(_demand_schema, raw_rows)
    errors += check_references(store, records)
    keys = [(r["source"], r["source_ref"]) if r is not None else None for r in records]
    errors += _check_duplicates(keys, "source_ref")

    def prior_digests() -> dict[Any, str]:
        return store.demand_digests([k for k in keys if k is not None])

    def write(prior: dict[Any, str]) -> None:
        todo = [
            r
            for r in records
            if prior.get((r["source"], r["source_ref"])) != record_digest(r, illustrative)
        ]
        report.unchanged = len(records) - len(todo)
        if dry_run:
            report.inserted = sum((r["source"], r["source_ref"]) not in prior for r in todo)
            report.updated = len(todo) - report.inserted
            return
        links = links_for(linker, todo, demand_text)
        with store.write():
            for record, skill_links in _progress(progress, zip(todo, links, strict=True)):
                demand_id, outcome = store.upsert_demand(record, skill_links, illustrative)
                setattr(report, outcome, getattr(report, outcome) + 1)
                report.ids.append(demand_id)

    return _finish(store, report, errors, actor, None, prior_digests, write)


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
        s["skill_id"] for r in valid for s in (r.get("skills") or [])
    )
    occupations = store.existing_occupation_ids(r.get("occupation_id") for r in valid)
    errors = []
    for number, record in enumerate(records, start=1):
        if record is None:
            continue
        area = record.get("local_authority")
        if area and area not in areas:
            errors.append(RowError(number, "local_authority", f"Unknown GSS code {area}."))
        for index, skill in enumerate(record.get("skills") or []):
            if skill["skill_id"] not in skill_ids:
                errors.append(
                    RowError(
                        number, f"skills.{index}.skill_id", f"Unknown skill {skill['skill_id']}."
                    )
                )
        occupation = record.get("occupation_id")
        if occupation and occupation not in occupations:
            errors.append(
                RowError(number, "occupation_id", f"Unknown ESCO occupation {occupation}.")
            )
    return errors


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


def links_for(
    linker: SkillLinker | None,
    records: Sequence[dict[str, Any]],
    text_of: Callable[[dict[str, Any]], str],
) -> list[list[SkillLink]]:
    """Skill links per record: the ones given, else those extracted from its text."""
    needs_extraction = [i for i, r in enumerate(records) if not r.get("skills")]
    extracted: dict[int, list[SkillLink]] = {}
    if linker is not None and needs_extraction:
        found = linker.link([text_of(records[i]) for i in needs_extraction])
        extracted = dict(zip(needs_extraction, found, strict=True))
    result = []
    for i, record in enumerate(records):
        if record.get("skills"):
            result.append(
                [
                    SkillLink(
                        skill_id=s["skill_id"],
                        # Only an explicit level is stored; otherwise the taxonomy's current
                        # level applies when read, so a later correction reaches every course.
                        level=s.get("level"),
                        importance=s.get("importance", "essential"),
                    )
                    for s in record["skills"]
                ]
            )
        else:
            result.append(extracted.get(i, []))
    return result


def _progress(
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None, items: Iterable[Any]
) -> Iterable[Any]:
    return progress(items) if progress else items
