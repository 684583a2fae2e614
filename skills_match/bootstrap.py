"""Build a ready database: migrate, load reference data, load the seed catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .config import Settings
from .store import Store

Progress = Callable[[Iterable[Any], str], Iterable[Any]]
Echo = Callable[[str], None]


def initialise(
    settings: Settings,
    seed: bool = True,
    echo: Echo = lambda _: None,
    progress: Progress | None = None,
    seed_courses: bool = True,
    seed_demand: bool = True,
) -> dict[str, Any]:
    """Create or migrate the database and load everything it needs; safe to re-run.

    ``seed`` False loads no seed data; ``seed_courses`` / ``seed_demand`` leave out one part.
    """
    from .engine import EngineLinker, build_skill_space
    from .reference import load_reference
    from .seed import issue_try_out_keys, load_seed
    from .taxonomy import build_taxonomy

    result: dict[str, Any] = {}
    with Store(settings.database, settings.busy_timeout_ms) as store:
        applied = store.migrate()
        echo(f"Database {settings.database}: {len(applied)} migration(s) applied.")
        result["reference"] = load_reference(store, settings.data_dir)
        echo("Reference data: " + ", ".join(f"{v:,} {k}" for k, v in result["reference"].items()))
        # Levels next: extraction and seed linking read them. Rule -> model -> overrides.
        taxonomy = build_taxonomy(store, models_dir=settings.models_dir)
        result["taxonomy"] = taxonomy
        echo(f"Taxonomy: {taxonomy.total:,} digital skills levelled, {taxonomy.changed:,} changed.")
        # Every taxonomy label's vector, cached now so no request or import waits for them.
        result["skill_space"] = build_skill_space(settings, echo, show_progress=bool(progress))
        if seed and (seed_courses or seed_demand):
            # Seed rows name their skills; any that did not would be linked by extraction.
            linker = EngineLinker(settings)
            result["seed"] = load_seed(
                store,
                settings.data_dir,
                linker,
                progress=progress,
                courses=seed_courses,
                demand=seed_demand,
            )
            # A first seeded install gets a key per role to sign in with (printed once).
            result["keys"] = issue_try_out_keys(store, settings.api_key_pepper, settings.data_dir)
        result["counts"] = store.counts()
    return result
