"""What the course and demand write views share: the skill linker and bulk uploads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from werkzeug.exceptions import UnsupportedMediaType

from skills_match.engine import EngineLinker
from skills_match.errors import InvalidInput
from skills_match.geo import Locator, locator_for
from skills_match.importer import MAX_ROWS, ImportReport, format_from_name

from .auth import actor
from .db import get_store, settings

# Upload types a bulk route accepts, and the importer format each means.
BULK_TYPES = {
    "text/csv": "csv",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
}
# Job feeds may also arrive as web pages carrying JobPosting JSON-LD.
FEED_TYPES = {"text/html": "html", "application/ld+json": "json"}


def linker() -> EngineLinker:
    """The skill linker for records written through the API."""
    # Records that name their skills never load the model; the others are linked on write.
    return EngineLinker(settings())


def bulk_doc(row_schema: Any, what: str, max_rows: int = MAX_ROWS) -> dict[str, Any]:
    """OpenAPI requestBody of a bulk upload: CSV, a JSON list, JSON lines, or a form file."""
    return {
        "requestBody": {
            "required": True,
            "description": f"Up to {max_rows:,} {what}: CSV with a header row (list cells "
            "separated by `|`), a JSON list of objects, JSON lines, or any of those as the "
            "`file` field of a multipart form.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {"type": "array", "maxItems": max_rows, "items": row_schema}
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    }


def uploaded_file(extra_types: dict[str, str] | None = None) -> tuple[bytes, str | None, str]:
    """The uploaded bytes, their format (None: sniff) and a name for the import log."""
    types = {**BULK_TYPES, **(extra_types or {})}
    if request.mimetype == "multipart/form-data":
        file = request.files.get("file")
        if file is None:
            raise InvalidInput(
                "Send the file as the 'file' field of the form.", {"file": ["Missing file."]}
            )
        name = file.filename or "upload"
        fmt = format_from_name(name) or types.get(file.mimetype)
        return file.read(), fmt, name
    fmt = types.get(request.mimetype)
    if fmt is None:
        raise UnsupportedMediaType(
            "Send text/csv, application/json (a list of objects), application/x-ndjson, "
            "or multipart/form-data with the file in a 'file' field."
        )
    return request.get_data(), fmt, f"upload.{fmt}"


def locator() -> Locator:
    """The process's postcode locator, for demand records written through the API."""
    return locator_for(settings().data_dir)


def import_upload(
    import_file: Callable[..., ImportReport], *owner: int, dry_run: bool, **options: Any
) -> dict[str, Any]:
    """Import the upload with ``import_file(store, *owner, data, fmt, ...)``; its report."""
    data, fmt, name = uploaded_file(extra_types=FEED_TYPES if "locator" in options else None)
    report = import_file(
        get_store(),
        *owner,
        data,
        fmt,
        source_name=f"api:{name}",
        actor=actor(),
        dry_run=dry_run,
        linker=linker(),
        **options,
    )
    return report.as_dict()
