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


# The name of each key `init` issues for trying out a seeded install; remove-seed revokes them.
TRY_OUT_KEY_NAME = "seed: try-out {role}"
TRY_OUT_ROLES = ("adviser", "provider", "partnership", "admin")


def issue_try_out_keys(store: Store, pepper: str, data_dir: str | Path) -> list[dict[str, Any]]:
    """One key per role for signing in to a freshly seeded install, if it has no key at all.

    The provider key belongs to the first seed provider. Each plain key is returned once
    (only its hash is kept); a database that already has keys gets none, so re-running
    ``init`` never issues more. ``remove-seed`` revokes them with the seed records.
    """
    from .apikeys import create_key

    if store.keys():
        return []
    first = json.loads((Path(data_dir) / "seed" / "providers.json").read_text("utf-8"))[0]
    provider = store.provider_by_ukprn(first["ukprn"])
    if provider is None:  # the seed providers were not loaded
        return []
    issued = []
    for role in TRY_OUT_ROLES:
        provider_id = provider["id"] if role == "provider" else None
        name = TRY_OUT_KEY_NAME.format(role=role)
        _, key = create_key(store, pepper, name, role, provider_id)
        issued.append(
            {
                "role": role,
                "key": key,
                "provider": {"ukprn": provider["ukprn"], "name": provider["name"]}
                if provider_id
                else None,
            }
        )
    return issued


def remove_seed(store: Store, courses: bool = True, demand: bool = True) -> dict[str, int]:
    """Delete the illustrative (seed) courses and/or demand, and revoke the try-out keys;
    real records and keys are untouched."""
    removed = {"try-out keys revoked": store.revoke_keys_named(TRY_OUT_KEY_NAME.format(role="%"))}
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
