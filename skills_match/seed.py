"""Load the illustrative seed catalogue (``data/seed/``) through the normal import path."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from .errors import InvalidInput
from .importer import ImportReport, SkillLinker, import_courses, import_demand, read_rows
from .schemas import ProviderSchema
from .store import Store

SEED_ACTOR = "seed"


def load_seed(
    store: Store,
    data_dir: str | Path,
    linker: SkillLinker | None = None,
    progress: Callable[[Iterable[Any], str], Iterable[Any]] | None = None,
    courses: bool = True,
    demand: bool = True,
) -> dict[str, ImportReport | int]:
    """Upsert seed providers, then import seed courses and/or demand (marked illustrative).

    Leaving one out loads none of it; seed records loaded before stay until
    :func:`remove_seed` (``skills-match remove-seed``) takes them out.
    """
    seed = Path(data_dir) / "seed"
    providers = json.loads((seed / "providers.json").read_text(encoding="utf-8"))
    schema = ProviderSchema()
    with store.write():
        for number, raw in enumerate(providers, start=1):
            try:
                store.upsert_provider(schema.load(raw))
            except ValidationError as exc:
                raise InvalidInput(f"Seed provider {number} is invalid.", exc.messages) from exc

    def bar(label: str) -> Callable[[Iterable[Any]], Iterable[Any]] | None:
        return (lambda items: progress(items, label)) if progress else None

    result: dict[str, ImportReport | int] = {"providers": len(providers)}
    for kind, importer, wanted in (
        ("courses", import_courses, courses),
        ("demand", import_demand, demand),
    ):
        if wanted:
            result[kind] = importer(
                store,
                read_rows(seed / f"{kind}.jsonl", max_rows=None),
                source_name=f"data/seed/{kind}.jsonl",
                actor=SEED_ACTOR,
                linker=linker,
                illustrative=True,
                progress=bar(f"seed {kind}"),
            )
    return result


def remove_seed(store: Store, courses: bool = True, demand: bool = True) -> dict[str, int]:
    """Delete the illustrative (seed) courses and/or demand; real records are untouched."""
    removed = {}
    with store.write():
        if demand:
            removed["demand_unplaced"] = store.db.execute(
                "DELETE FROM demand_unplaced WHERE illustrative = 1"
            ).rowcount
            # Reposts noted against a seed advert go with it (ON DELETE CASCADE).
            removed["demand"] = store.db.execute(
                "DELETE FROM demand WHERE illustrative = 1"
            ).rowcount
        if courses:
            removed["courses"] = store.db.execute(
                "DELETE FROM courses WHERE illustrative = 1"
            ).rowcount
    return removed
