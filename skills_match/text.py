"""Small text helpers shared by the store, extraction and import."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

_SPACE = re.compile(r"\s+")
# Wrapping punctuation only: "C++", "C#" and ".NET" keep the symbols that make them skills.
_PUNCT_EDGE = re.compile(r"^[\s(\[{\"'“‘•·*\-–—]+|[\s)\]}\"'”’,.;:!?]+$")


def normalise(text: str) -> str:
    """Case-fold, NFKC, collapse white space and trim edge punctuation: the label match key."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SPACE.sub(" ", text).strip()
    stripped = _PUNCT_EDGE.sub("", text)
    return stripped if stripped else text


def sha256_text(text: str) -> str:
    """Hex SHA-256 of UTF-8 text: the key of every cached vector."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(record: dict[str, Any]) -> str:
    """Stable hash of a record's content, so an unchanged re-import is detected and skipped."""
    canonical = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)
    return sha256_text(canonical)
