"""Create, replace, update and withdraw courses and demand records one at a time.

The one write path the API and the web pages share. Records are validated by the shared
schemas (:mod:`skills_match.schemas`), their references checked and their skills linked
exactly as the bulk importer does it, ownership is enforced, and each change is made inside
one ``store.write()`` transaction. Bulk files go through :mod:`skills_match.importer`. Pass
``skills_match.engine.EngineLinker(settings)`` as ``linker`` to link records that name no
skills by extraction (the model loads only when one needs it).

>>> course_id = create_course(store, provider_id, {"provider_ref": "C-1", ...})
>>> update_course(store, provider_id, course_id, {"places": 12})
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from marshmallow import Schema, ValidationError

from .errors import Conflict, InvalidInput, PermissionDenied
from .geo import Locator
from .importer import (
    MAX_ROWS,
    ImportReport,
    SkillLinker,
    check_references,
    course_text,
    demand_text,
    flatten_messages,
    import_courses,
    import_demand,
    infer_occupations,
    links_for,
    place_records,
    read_demand_rows,
    read_rows,
)
from .schemas import CourseSchema, DemandSchema
from .store import Store
from .store.courses import SkillLink

_course_schema = CourseSchema()
_demand_schema = DemandSchema()


# -- validation -------------------------------------------------------------------------


def field_errors(messages: Any) -> dict[str, list[str]]:
    """marshmallow's nested messages as {dotted field path: [messages]}."""
    errors: dict[str, list[str]] = {}
    for path, message in flatten_messages(messages):
        errors.setdefault(path, []).append(message)
    return errors


def _load(schema: Schema, raw: Any, store: Store) -> dict[str, Any]:
    """Validate a raw record (as sent) and the reference data it names."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(
            "The record must be a JSON object.", {"_schema": ["Expected a JSON object."]}
        )
    try:
        record = schema.load(dict(raw))
    except ValidationError as exc:
        raise InvalidInput(
            "The record is invalid; see errors for each field.", field_errors(exc.messages)
        ) from None
    problems = check_references(store, [record])
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise InvalidInput("The record names unknown reference data; see errors.", errors)
    return record


def _load_demand(store: Store, raw: Any, locator: Locator | None) -> dict[str, Any]:
    """A demand record validated and placed; InvalidInput when it cannot be placed."""
    record = _load(_demand_schema, raw, store)
    unplaced = place_records(store, [record], locator)
    infer_occupations(store, [record])
    if unplaced:
        raise InvalidInput(
            "The record's location could not be resolved to a local authority; give "
            "local_authority, a postcode or coordinates.",
            {"local_authority": [unplaced[0]]},
        )
    return record


def _keep_identity(record: Mapping[str, Any], state: Mapping[str, Any], keys: Sequence[str]):
    """A record's natural key may not change: it is how re-imports find the record."""
    errors = {
        key: [f"Cannot be changed (it is {state[key]!r}); create a new record instead."]
        for key in keys
        if record[key] != state[key]
    }
    if errors:
        raise InvalidInput("A record's identifying reference cannot be changed.", errors)


def _link_one(
    linker: SkillLinker | None, record: dict[str, Any], text_of: Callable[[dict], str]
) -> list[SkillLink]:
    return links_for(linker, [record], text_of)[0]


def _links(
    linker: SkillLinker | None,
    record: dict[str, Any],
    state: Mapping[str, Any],
    text_of: Callable[[Mapping[str, Any]], str],
    derived: Callable[[], list[SkillLink]],
    extracted: dict[str, list[SkillLink]],
) -> list[SkillLink]:
    """A record's skill links: those it names, else those found in its text (cached by text)."""
    if record.get("skills"):
        return _link_one(linker, record, text_of)  # named skills: no extraction
    text = text_of(record)
    if text == text_of(state):
        # Same text, so extraction would find the same skills: keep what it found.
        return derived()
    if text not in extracted:
        extracted[text] = _link_one(linker, record, text_of)
    return extracted[text]


def area_codes(store: Store, names: Sequence[str]) -> list[str]:
    """GSS codes to search for areas named by code or name, counties and combined
    authorities expanded to their districts; InvalidInput names any unknown area."""
    codes: list[str] = []
    for name in names:
        code = store.resolve_area(name)
        if code is None:
            raise InvalidInput(
                f"Unknown area {name!r}.", {"area": [f"No area with the code or name {name!r}."]}
            )
        codes += store.area_members(code)
    return sorted(set(codes))


# -- courses ----------------------------------------------------------------------------


def course_input(state: Mapping[str, Any]) -> dict[str, Any]:
    """A stored course (``store.course_record_state``) back in its input form."""
    raw = {name: state[name] for name in _course_schema.fields if name in state}
    raw["start_dates"] = json.loads(state["start_dates"])
    raw["employment_statuses"] = json.loads(state["employment_statuses"])
    raw["national_delivery"] = bool(state["national_delivery"])
    raw["flexible_start"] = bool(state["flexible_start"])
    if state["cost_pence"]:
        raw["cost"] = Decimal(state["cost_pence"]) / 100
    # (A free course leaves cost to its default, as it arrived, so its digest is unchanged.)
    raw["skills"] = [_skill_input(s) for s in state["provided_skills"]] or None
    return raw


def _skill_input(link: Mapping[str, Any]) -> dict[str, Any]:
    """A given skill link back in its input form: the provider's phrase where it gave one
    (read again on a change, so a new alias reaches it), else the id."""
    named = {"phrase": link["evidence"]} if link.get("evidence") else {"skill_id": link["skill_id"]}
    return {**named, "level": link["level"]}


def check_course_owner(store: Store, course_id: int, provider_id: int) -> None:
    """NotFound if the course does not exist; PermissionDenied if another provider owns it."""
    if store.course_owner(course_id) != provider_id:
        raise PermissionDenied(
            f"Course {course_id} belongs to another provider: you can read it but not change it."
        )


def create_course(
    store: Store, provider_id: int, raw: Any, linker: SkillLinker | None = None
) -> int:
    """Create a course for a provider; Conflict if its provider_ref is already used."""
    record = _load(_course_schema, raw, store)

    def refuse_duplicate() -> None:
        existing = store.course_id_by_ref(provider_id, record["provider_ref"])
        if existing is not None:
            raise Conflict(
                f"You already have a course with provider_ref {record['provider_ref']!r} "
                f"(id {existing}): replace or update it instead.",
                {"provider_ref": [f"Already used by course {existing}."]},
            )

    refuse_duplicate()  # before linking: a refused write does no extraction work
    links = _link_one(linker, record, course_text)
    with store.write():
        refuse_duplicate()  # again under the write lock, against a concurrent create
        course_id, _ = store.upsert_course(provider_id, record, links)
    return course_id


def replace_course(
    store: Store, provider_id: int, course_id: int, raw: Any, linker: SkillLinker | None = None
) -> int:
    """Replace every field of the provider's own course (absent fields take their defaults)."""

    def build(state: Mapping[str, Any]) -> dict[str, Any]:
        record = _load(_course_schema, raw, store)
        _keep_identity(record, state, ["provider_ref"])
        return record

    return _save_course(store, provider_id, course_id, build, linker)


def update_course(
    store: Store,
    provider_id: int,
    course_id: int,
    changes: Any,
    linker: SkillLinker | None = None,
) -> int:
    """Change some fields of the provider's own course; the result is validated as a whole."""
    check_course_owner(store, course_id, provider_id)
    if not isinstance(changes, Mapping):
        raise InvalidInput(
            "The changes must be a JSON object.", {"_schema": ["Expected a JSON object."]}
        )

    def build(state: Mapping[str, Any]) -> dict[str, Any]:
        record = _load(_course_schema, {**course_input(state), **changes}, store)
        _keep_identity(record, state, ["provider_ref"])
        return record

    return _save_course(store, provider_id, course_id, build, linker)


def withdraw_course(
    store: Store, provider_id: int, course_id: int, linker: SkillLinker | None = None
) -> int:
    """Withdraw the provider's own course: it stays on record but is no longer offered.

    Done as a change to the record (status 'withdrawn'), so a later upload of the course
    as active reinstates it, and an upload of the same withdrawn record changes nothing.
    """
    return update_course(store, provider_id, course_id, {"status": "withdrawn"}, linker)


def _save_course(
    store: Store,
    provider_id: int,
    course_id: int,
    build: Callable[[Mapping[str, Any]], dict[str, Any]],
    linker: SkillLinker | None,
) -> int:
    """Write the record ``build`` makes from the stored course, read under the write lock.

    A PATCH merges into the stored record, so reading that record, merging and writing must
    be one transaction: built from a state read before the lock, two concurrent PATCHes of
    different fields would each write back the other's old value. Extraction (the model)
    is too slow to hold the lock for, so it runs first on a state read without the lock;
    under the lock the record is built again from the state as it is now, and reuses the
    links found for its text (the usual case), or is linked again if a concurrent write
    changed that text meanwhile (rare).
    """
    extracted: dict[str, list[SkillLink]] = {}
    derived = partial(store.course_derived_links, course_id)

    def current() -> tuple[dict[str, Any], dict[str, Any], list[SkillLink]]:
        check_course_owner(store, course_id, provider_id)
        state = store.course_record_state(course_id)
        record = build(state)
        return record, state, _links(linker, record, state, course_text, derived, extracted)

    current()  # outside the lock: validates, and extracts any new text's skills
    with store.write():
        record, state, links = current()
        store.upsert_course(provider_id, record, links, bool(state["illustrative"]))
    return course_id


def import_course_file(
    store: Store,
    provider_id: int,
    data: bytes | str,
    fmt: str | None,
    *,
    source_name: str,
    actor: str,
    dry_run: bool = False,
    linker: SkillLinker | None = None,
) -> ImportReport:
    """Import an uploaded course file for one provider: all rows or none (see importer)."""
    rows = read_rows(data, fmt, max_rows=MAX_ROWS)
    return import_courses(
        store,
        rows,
        source_name=source_name,
        actor=actor,
        provider_id=provider_id,
        linker=linker,
        dry_run=dry_run,
    )


# -- demand -----------------------------------------------------------------------------


def demand_input(state: Mapping[str, Any]) -> dict[str, Any]:
    """A stored demand record (``store.demand_record_state``) back in its input form."""
    raw = {name: state[name] for name in _demand_schema.fields if name in state}
    if state.get("location_method") not in (None, "given"):
        # The authority was resolved, not sent: resolve it again from what was sent.
        raw.pop("local_authority", None)
    if state.get("occupation_method") == "inferred":
        # Likewise an inferred occupation: a correction names one, else it is inferred again.
        raw.pop("occupation_id", None)
        raw.pop("isco_code", None)
    raw["skills"] = [
        {**_skill_input(s), "importance": s["importance"]} for s in state["provided_skills"]
    ] or None
    return raw


def create_demand(
    store: Store, raw: Any, linker: SkillLinker | None = None, locator: Locator | None = None
) -> int:
    """Create a demand record; Conflict if its (source, source_ref) is already used."""
    record = _load_demand(store, raw, locator)

    def refuse_duplicate() -> None:
        existing = store.demand_id_by_ref(record["source"], record["source_ref"])
        if existing is not None:
            raise Conflict(
                f"A demand record from {record['source']!r} with source_ref "
                f"{record['source_ref']!r} already exists (id {existing}).",
                {"source_ref": [f"Already used by demand record {existing}."]},
            )

    refuse_duplicate()  # before linking: a refused write does no extraction work
    links = _link_one(linker, record, demand_text)
    with store.write():
        refuse_duplicate()
        demand_id, _ = store.upsert_demand(record, links)
    return demand_id


def replace_demand(
    store: Store,
    demand_id: int,
    raw: Any,
    linker: SkillLinker | None = None,
    locator: Locator | None = None,
) -> int:
    """Replace every field of a demand record (absent fields take their defaults)."""

    def build(state: Mapping[str, Any]) -> dict[str, Any]:
        record = _load_demand(store, raw, locator)
        _keep_identity(record, state, ["source", "source_ref"])
        return record

    return _save_demand(store, demand_id, build, linker)


def update_demand(
    store: Store,
    demand_id: int,
    changes: Any,
    linker: SkillLinker | None = None,
    locator: Locator | None = None,
) -> int:
    """Change some fields of a demand record; the result is validated as a whole."""
    store.demand_record_state(demand_id)  # NotFound before any complaint about the body
    if not isinstance(changes, Mapping):
        raise InvalidInput(
            "The changes must be a JSON object.", {"_schema": ["Expected a JSON object."]}
        )

    def build(state: Mapping[str, Any]) -> dict[str, Any]:
        record = _load_demand(store, {**demand_input(state), **changes}, locator)
        _keep_identity(record, state, ["source", "source_ref"])
        return record

    return _save_demand(store, demand_id, build, linker)


def delete_demand(store: Store, demand_id: int) -> None:
    """Delete a demand record and its skill links."""
    with store.write():
        store.delete_demand(demand_id)


def _save_demand(
    store: Store,
    demand_id: int,
    build: Callable[[Mapping[str, Any]], dict[str, Any]],
    linker: SkillLinker | None,
) -> int:
    """Write the record ``build`` makes from the stored demand record, read under the lock.

    As :func:`_save_course`: extraction runs before the lock, the merge again under it.
    """
    extracted: dict[str, list[SkillLink]] = {}
    derived = partial(store.demand_derived_links, demand_id)

    def current() -> tuple[dict[str, Any], dict[str, Any], list[SkillLink]]:
        state = store.demand_record_state(demand_id)  # NotFound if deleted meanwhile
        record = build(state)
        return record, state, _links(linker, record, state, demand_text, derived, extracted)

    current()  # outside the lock: validates, and extracts any new text's skills
    with store.write():
        record, state, links = current()
        store.upsert_demand(record, links, bool(state["illustrative"]))
    return demand_id


def import_demand_file(
    store: Store,
    data: bytes | str,
    fmt: str | None,
    *,
    source_name: str,
    actor: str,
    dry_run: bool = False,
    linker: SkillLinker | None = None,
    locator: Locator | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> ImportReport:
    """Import an uploaded demand file or job feed: all rows or none (see importer)."""
    rows = read_demand_rows(data, fmt, max_rows=MAX_ROWS)
    return import_demand(
        store,
        rows,
        source_name=source_name,
        actor=actor,
        linker=linker,
        locator=locator,
        dry_run=dry_run,
        progress=progress,
    )
