"""Exceptions of the core library. No HTTP here: `api/errors.py` maps them to status codes."""

from __future__ import annotations

from typing import Any


class SkillsMatchError(Exception):
    """Base class of every error the core raises on purpose."""

    def __init__(self, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class ConfigurationError(SkillsMatchError):
    """A setting is missing or malformed."""


class InvalidInput(SkillsMatchError):
    """Input failed validation; ``errors`` holds field-level detail."""


class NotFound(SkillsMatchError):
    """The named record does not exist."""


class Conflict(SkillsMatchError):
    """The change clashes with the current state (duplicate key, stale write)."""


class PermissionDenied(SkillsMatchError):
    """The caller may not act on this record."""


class ImportRejected(InvalidInput):
    """A bulk file had invalid rows; nothing was written. ``errors`` lists row, field, reason."""
