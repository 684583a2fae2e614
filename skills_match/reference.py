"""Load the reference data shipped in ``data/reference/`` into the store; alias corrections."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import ConfigurationError, Conflict, InvalidInput, NotFound
from .store import Store

LIST_SEPARATOR = " | "


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.exists():
        raise ConfigurationError(
            f"Reference file {path} is missing: run `python scripts/derive_data.py`."
        )
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(LIST_SEPARATOR) if v.strip()]


def _int(value: str | None) -> int | None:
    return int(float(value)) if value not in (None, "") else None


def _float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def load_reference(store: Store, data_dir: str | Path) -> dict[str, int]:
    """Upsert areas, skills (ESCO + Essential Digital Skills areas), labels and occupations.

    Safe to re-run: every table is upserted or replaced as a whole, in one transaction.
    """
    ref = Path(data_dir) / "reference"
    counts: dict[str, int] = {}
    with store.write():
        counts["local_authorities"] = store.load_local_authorities(
            {
                "gss_code": r["gss_code"],
                "code": r.get("code"),
                "name": r["name"],
                "official_name": r.get("official_name"),
                "nation": r.get("nation"),
                "region": r.get("region"),
                "type": r.get("type"),
                "county_gss": r.get("county_gss") or None,
                "county_name": r.get("county_name") or None,
                "combined_authority_gss": r.get("combined_authority_gss") or None,
                "combined_authority_name": r.get("combined_authority_name") or None,
                "population": _int(r.get("population")),
                "lat": _float(r.get("lat")),
                "long": _float(r.get("long")),
            }
            for r in _rows(ref / "local_authorities.csv")
        )
        known_areas = {r[0] for r in store.db.execute("SELECT gss_code FROM local_authorities")}
        names = [
            {"name": r["name"], "gss_code": r["gss_code"]}
            for r in _rows(ref / "local_authority_names.csv")
            if r["gss_code"] in known_areas
        ]
        # A council's own names must resolve too, even if the lookup file lacks them.
        names += [
            {"name": n, "gss_code": code}
            for code, name, official in store.db.execute(
                "SELECT gss_code, name, official_name FROM local_authorities"
            )
            for n in (name, official)
            if n
        ]
        counts["local_authority_names"] = store.load_local_authority_names(names)

        eds_areas = list(_rows(ref / "eds_areas.csv"))
        eds_scope = {s for r in eds_areas for s in _split(r.get("esco_equivalents"))}
        skills = [_esco_skill(r, eds_scope) for r in _rows(ref / "esco_skills.csv")]
        skills += [_eds_area(r) for r in eds_areas]
        counts["skills"] = store.load_skills(skills)

        labels = [
            (r["skill_id"], r["label"], "preferred" if r["label_type"] == "preferred" else "alt")
            for r in _rows(ref / "esco_skill_labels.csv")
        ]
        for skill in skills:
            if skill["source"] != "esco":
                labels.append((skill["id"], skill["label"], "preferred"))
                labels += [(skill["id"], alt, "alt") for alt in skill["alt_labels"]]
        counts["skill_labels"] = store.load_skill_labels(labels)

        occupations, links = [], []
        for r in _rows(ref / "esco_occupations.csv"):
            occupations.append(
                {
                    "id": r["id"],
                    "uri": r["uri"],
                    "label": r["label"],
                    "alt_labels": _split(r.get("alt_labels")),
                    "description": r.get("description") or "",
                    "isco_code": r.get("isco_code") or None,
                    "isco_group_label": r.get("isco_group_label") or None,
                    "digitalization_level": _int(r.get("digitalization_level")),
                }
            )
            links += [(r["id"], s, "essential") for s in _split(r.get("essential_skills"))]
            links += [(r["id"], s, "optional") for s in _split(r.get("optional_skills"))]
        counts["occupations"] = store.load_occupations(occupations, links)

        counts["skill_aliases"], counts["skill_aliases_skipped"] = store.load_reference_aliases(
            (
                clean_alias(r["alias"]),
                r["skill_id"],
                r.get("case_sensitive", "").strip() in TRUE,
                r.get("provenance") or "",
            )
            for r in _rows(ref / "aliases.csv")
        )
    return counts


def _esco_skill(r: dict[str, str], eds_scope: set[str]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "uri": r.get("uri") or None,
        "label": r["preferred_label"],
        "alt_labels": _split(r.get("alt_labels")),
        "description": r.get("description") or "",
        "source": "esco",
        "skill_type": r.get("skill_type") or None,
        "reuse_level": r.get("reuse_level") or None,
        "is_digital": _int(r.get("is_digital")) or 0,
        "in_digcomp": _int(r.get("in_digcomp")) or 0,
        "is_transversal": _int(r.get("is_transversal")) or 0,
        "broader_labels": r.get("broader_labels") or "",
        "hierarchy_codes": r.get("hierarchy_codes") or "",
        "occupations_essential": _int(r.get("occupations_essential")) or 0,
        "occupations_optional": _int(r.get("occupations_optional")) or 0,
        "ict_occupations": _int(r.get("ict_occupations")) or 0,
        "non_ict_occupations": _int(r.get("non_ict_occupations")) or 0,
        # An EDS area lists it as its ESCO equivalent: within the essential skills standard.
        "in_eds": int(r["id"] in eds_scope),
    }


def _eds_area(r: dict[str, str]) -> dict[str, Any]:
    # The Essential Digital Skills areas are skills in their own right: the entitlement
    # is taught and assessed by these areas, so courses and people are described by them.
    return {
        "id": r["id"],
        "uri": None,
        "label": r["label"],
        "alt_labels": _split(r.get("alt_labels")),
        "description": r.get("description") or "",
        "source": r["id"].split(":", 1)[0],
        "skill_type": "skill/competence",
        "reuse_level": "transversal",
        "is_digital": 1,
        "in_digcomp": 0,
        "is_transversal": 1,
        "broader_labels": r.get("framework") or "",
        "hierarchy_codes": "",
        "occupations_essential": 0,
        "occupations_optional": 0,
        "ict_occupations": 0,
        "non_ict_occupations": 0,
        "in_eds": 1,
    }


# -- aliases: the partnership's audited corrections ---------------------------------------

TRUE = {"1", "true", "True", "yes"}
MAX_ALIAS = 100
MAX_NOTE = 500
MAX_NAME = 100
ALIAS_SOURCES = ("reference", "partnership")


def clean_alias(text: str) -> str:
    """An alias as stored: runs of whitespace become one space, ends trimmed."""
    return " ".join((text or "").split())


def _check_who(changed_by: str, note: str, errors: dict[str, list[str]]) -> tuple[str, str]:
    changed_by = (changed_by or "").strip()
    if not changed_by:
        errors["changed_by"] = ["Say who is making the change."]
    elif len(changed_by) > MAX_NAME:
        errors["changed_by"] = [f"At most {MAX_NAME} characters."]
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = [f"At most {MAX_NOTE} characters."]
    return changed_by, note


def add_alias(
    store: Store,
    alias: str,
    skill_id: str,
    changed_by: str,
    note: str = "",
    case_sensitive: bool = False,
) -> dict[str, Any]:
    """Add a partnership alias for a skill, audited; return it.

    Bad input (empty or over-long alias, unknown skill, missing name) raises InvalidInput;
    an alias the skill already has (case aside, unless both are case-sensitive) raises
    Conflict. Either way nothing changes. Running engines rebuild their lexicon (the
    insert bumps the taxonomy version).
    """
    errors: dict[str, list[str]] = {}
    text = clean_alias(alias) if isinstance(alias, str) else ""
    if not text:
        errors["alias"] = ["Give the word or phrase people write."]
    elif len(text) > MAX_ALIAS:
        errors["alias"] = [f"At most {MAX_ALIAS} characters."]
    changed_by, note = _check_who(changed_by, note, errors)
    with store.write():
        if store.skill(skill_id) is None:
            errors["skill_id"] = [f"No skill with id {skill_id!r}."]
        if errors:
            raise InvalidInput("The alias is invalid.", errors)
        for row in store.alias_rows_for(skill_id):
            same = row["alias"] == text or (
                row["alias"].casefold() == text.casefold()
                and not (row["case_sensitive"] and case_sensitive)
            )
            if same:
                raise Conflict(
                    f"Skill {skill_id} already has the alias {row['alias']!r} ({row['source']}).",
                    {"alias": ["Already an alias of this skill."]},
                )
        store.insert_alias(text, skill_id, case_sensitive, note, changed_by)
        store.audit(changed_by, "add-alias", "ok", target=f"skill:{skill_id}={text}")
        added = store.alias_row(text, skill_id)
    assert added is not None
    return added


def remove_alias(
    store: Store, alias: str, skill_id: str, changed_by: str, note: str = ""
) -> dict[str, Any]:
    """Remove a partnership alias, audited; return the row removed.

    NotFound if the skill has no such alias; InvalidInput for a shipped (reference) alias,
    which `init` would restore: those change in data/reference/aliases.csv.
    """
    errors: dict[str, list[str]] = {}
    text = clean_alias(alias) if isinstance(alias, str) else ""
    changed_by, note = _check_who(changed_by, note, errors)
    if errors:
        raise InvalidInput("The alias removal is invalid.", errors)
    with store.write():
        row = store.alias_row(text, skill_id)
        if row is None:
            raise NotFound(f"Skill {skill_id!r} has no alias {text!r}.")
        if row["source"] != "partnership":
            raise InvalidInput(
                "Shipped aliases are changed in data/reference/aliases.csv, not here.",
                {"alias": ["A reference alias; only partnership aliases can be removed."]},
            )
        store.delete_alias(row["id"])
        target = f"skill:{skill_id}={text}" + (f" ({note})" if note else "")
        store.audit(changed_by, "remove-alias", "ok", target=target)
    return row


def list_aliases(store: Store, source: str | None = None) -> list[dict[str, Any]]:
    """Every alias (or those of one source) with the skill's label, note, who and when."""
    if source is not None and source not in ALIAS_SOURCES:
        raise InvalidInput(
            "Unknown alias source.", {"source": [f"One of: {', '.join(ALIAS_SOURCES)}."]}
        )
    return store.alias_rows(source)
