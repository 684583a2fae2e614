"""Reference data: local authorities, the skills taxonomy and its labels, ESCO occupations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from ..text import normalise


class ReferenceMixin:
    """Queries over reference tables; loaded by `skills-match init`, read everywhere."""

    db: sqlite_utils.Database

    # -- loading (all upserts, so `init` can run again) -------------------------------

    def load_local_authorities(self, rows: Iterable[dict[str, Any]]) -> int:
        """Upsert local authorities keyed by GSS code; return how many rows were given."""
        rows = list(rows)
        self.db["local_authorities"].upsert_all(rows, pk="gss_code")
        return len(rows)

    def load_local_authority_names(self, rows: Iterable[dict[str, str]]) -> int:
        """Upsert the name -> GSS code lookup used to resolve typed area names."""
        rows = [{"name": normalise(r["name"]), "gss_code": r["gss_code"]} for r in rows]
        self.db["local_authority_names"].upsert_all(rows, pk="name")
        return len(rows)

    def load_skills(self, rows: Iterable[dict[str, Any]]) -> int:
        """Upsert taxonomy skills (levels are set separately by the level rule)."""
        # Copies: the caller reuses its rows (EDS alt labels) after this call.
        rows = [dict(row) for row in rows]
        for row in rows:
            if isinstance(row.get("alt_labels"), list):
                row["alt_labels"] = json.dumps(row["alt_labels"], ensure_ascii=False)
        self.db["skills"].upsert_all(rows, pk="id")
        return len(rows)

    def load_skill_labels(self, rows: Iterable[tuple[str, str, str]]) -> int:
        """Replace the label list: (skill_id, label, 'preferred'|'alt') triples."""
        records = [
            {"skill_id": s, "label": label, "label_type": t, "normalised": normalise(label)}
            for s, label, t in rows
        ]
        self.db.execute("DELETE FROM skill_labels")
        self.db["skill_labels"].insert_all(records, pk=("skill_id", "label"), ignore=True)
        return len(records)

    def load_occupations(
        self, rows: Iterable[dict[str, Any]], skills: Iterable[tuple[str, str, str]]
    ) -> int:
        """Upsert occupations and replace their (occupation_id, skill_id, importance) links."""
        rows = list(rows)
        self.db["occupations"].upsert_all(rows, pk="id")
        self.db.execute("DELETE FROM occupation_skills")
        self.db["occupation_skills"].insert_all(
            ({"occupation_id": o, "skill_id": s, "importance": i} for o, s, i in skills),
            pk=("occupation_id", "skill_id"),
            ignore=True,
        )
        return len(rows)

    # -- areas ------------------------------------------------------------------------

    def local_authority(self, gss_code: str) -> dict[str, Any] | None:
        """One local authority by GSS code, or None."""
        rows = list(self.db.query("SELECT * FROM local_authorities WHERE gss_code = ?", [gss_code]))
        return rows[0] if rows else None

    def existing_gss_codes(self, codes: Iterable[str]) -> set[str]:
        """Which of these GSS codes name a known local authority."""
        codes = sorted({c for c in codes if c})
        found: set[str] = set()
        for chunk in _chunks(codes, 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.db.execute(
                    f"SELECT gss_code FROM local_authorities WHERE gss_code IN ({marks})", chunk
                )
            )
        return found

    def resolve_area(self, name_or_code: str) -> str | None:
        """GSS code for a GSS code or a local authority name as people type it."""
        value = name_or_code.strip()
        if self.local_authority(value.upper()):
            return value.upper()
        row = self.db.execute(
            "SELECT gss_code FROM local_authority_names WHERE name = ?", [normalise(value)]
        ).fetchone()
        return row[0] if row else None

    # -- skills -----------------------------------------------------------------------

    def skill(self, skill_id: str) -> dict[str, Any] | None:
        """One taxonomy skill with decoded alt labels, or None."""
        rows = list(self.db.query("SELECT * FROM skills WHERE id = ?", [skill_id]))
        if not rows:
            return None
        row = rows[0]
        row["alt_labels"] = json.loads(row["alt_labels"])
        return row

    def existing_skill_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these ids name a taxonomy skill."""
        ids = sorted(set(ids))
        found: set[str] = set()
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0] for r in self.db.execute(f"SELECT id FROM skills WHERE id IN ({marks})", chunk)
            )
        return found

    def skill_levels(self, ids: Iterable[str]) -> dict[str, str | None]:
        """Current level of each named skill (None for skills without one)."""
        ids = sorted(set(ids))
        levels: dict[str, str | None] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            levels.update(
                self.db.execute(f"SELECT id, level FROM skills WHERE id IN ({marks})", chunk)
            )
        return levels

    def occupation(self, occupation_id: str) -> dict[str, Any] | None:
        """One ESCO occupation with its skills (id, label, importance, level), or None."""
        rows = list(self.db.query("SELECT * FROM occupations WHERE id = ?", [occupation_id]))
        if not rows:
            return None
        occupation = rows[0]
        occupation["alt_labels"] = json.loads(occupation["alt_labels"])
        occupation["skills"] = list(
            self.db.query(
                """SELECT s.id AS skill_id, s.label, s.level, s.is_digital, os.importance
                   FROM occupation_skills os JOIN skills s ON s.id = os.skill_id
                   WHERE os.occupation_id = ? ORDER BY os.importance, s.label""",
                [occupation_id],
            )
        )
        return occupation

    def existing_occupation_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these ids name an ESCO occupation."""
        ids = sorted({i for i in ids if i})
        found: set[str] = set()
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.db.execute(f"SELECT id FROM occupations WHERE id IN ({marks})", chunk)
            )
        return found


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
