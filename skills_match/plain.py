"""Plain data (dicts, lists, scalars) from result dataclasses, for JSON output."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copy of every leaf (a match answer has ~2k).

    Containers are rebuilt, so the caller may change the result freely; leaves are shared,
    which is safe because they are immutable (str, numbers, None, bool).
    """
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(type(value))}
    return value
