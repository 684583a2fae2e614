"""Build a ready database: migrate, load reference data, load the seed catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .config import Settings
from .store import Store

Progress = Callable[[Iterable[Any], str], Iterable[Any]]
Echo = Callable[[str], None]


def initialise(
    settings: Settings, seed: bool = True, echo: Echo = lambda _: None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Create or migrate the database and load everything it needs; safe to re-run."""
    from .reference import load_reference
    from .seed import load_seed

    result: dict[str, Any] = {}
    with Store(settings.database, settings.busy_timeout_ms) as store:
        applied = store.migrate()
        echo(f"Database {settings.database}: {len(applied)} migration(s) applied.")
        result["reference"] = load_reference(store, settings.data_dir)
        echo("Reference data: " + ", ".join(f"{v:,} {k}" for k, v in result["reference"].items()))
        if seed:
            result["seed"] = load_seed(store, settings.data_dir, progress=progress)
        result["counts"] = store.counts()
    return result
