"""The skills taxonomy: levels, human level overrides, label search and training labels."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from .db import like_escape, utcnow

# Columns the level rule reads (see skills_match.taxonomy).
_RULE_COLUMNS = (
    "id, label, source, skill_type, reuse_level, is_digital, in_digcomp, is_transversal, in_eds, "
    "broader_labels, hierarchy_codes, occupations_essential, occupations_optional, "
    "ict_occupations, non_ict_occupations"
)
# A skill is in the digital taxonomy if ESCO marks it digital, DigComp lists it, or it is
# an Essential Digital Skills area (those rows carry is_digital = 1).
DIGITAL_SQL = "(s.is_digital = 1 OR s.in_digcomp = 1)"


class SkillMixin:
    """Queries behind the taxonomy build, level overrides and the skills API."""

    db: sqlite_utils.Database

    # -- the level build ------------------------------------------------------------------

    def skills_for_levelling(self, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every skill (or the named ones) with the columns the level rule reads."""
        sql = f"SELECT {_RULE_COLUMNS} FROM skills"
        if ids is None:
            return list(self.db.query(sql + " ORDER BY id"))
        rows: list[dict[str, Any]] = []
        ids = sorted(set(ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows += self.db.query(f"{sql} WHERE id IN ({marks}) ORDER BY id", chunk)
        return rows

    def skill_non_ict_major_groups(
        self, ict_prefixes: Sequence[str], skill_ids: Iterable[str] | None = None
    ) -> dict[str, set[str]]:
        """Per skill: ISCO major groups (first digit) of the non-ICT occupations requiring it."""
        not_ict = " AND ".join("substr(o.isco_code, 1, 2) != ?" for _ in ict_prefixes)
        sql = (
            "SELECT DISTINCT os.skill_id, substr(o.isco_code, 1, 1) FROM occupation_skills os "
            "JOIN occupations o ON o.id = os.occupation_id "
            f"WHERE o.isco_code IS NOT NULL AND o.isco_code != '' AND {not_ict or '1=1'}"
        )
        params: list[Any] = list(ict_prefixes)
        groups: dict[str, set[str]] = defaultdict(set)
        if skill_ids is None:
            for skill_id, major in self.db.execute(sql, params):
                groups[skill_id].add(major)
            return dict(groups)
        ids = sorted(set(skill_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for skill_id, major in self.db.execute(
                f"{sql} AND os.skill_id IN ({marks})", params + chunk
            ):
                groups[skill_id].add(major)
        return dict(groups)

    def set_skill_levels(
        self, updates: Iterable[tuple[str | None, str | None, str | None, str]]
    ) -> int:
        """Write (level, level_source, level_reason, skill_id) rows; return how many changed."""
        before = self.db.conn.total_changes
        # Only rows whose level actually changes are touched, so a rebuild is a cheap no-op.
        self.db.conn.executemany(
            "UPDATE skills SET level = ?1, level_source = ?2, level_reason = ?3 "
            "WHERE id = ?4 AND (level IS NOT ?1 OR level_source IS NOT ?2 "
            "OR level_reason IS NOT ?3)",
            list(updates),
        )
        return self.db.conn.total_changes - before

    def level_distribution(self) -> list[dict[str, Any]]:
        """Count of skills per (level, level_source)."""
        return list(
            self.db.query(
                "SELECT level, level_source, count(*) AS skills FROM skills "
                "WHERE level IS NOT NULL GROUP BY level, level_source ORDER BY level, level_source"
            )
        )

    # -- overrides --------------------------------------------------------------------------

    def level_overrides(self) -> list[dict[str, Any]]:
        """Every level override with the skill's label, newest first."""
        return list(
            self.db.query(
                "SELECT o.skill_id, s.label, o.level, o.reason, o.changed_by, o.changed_at "
                "FROM level_overrides o JOIN skills s ON s.id = o.skill_id "
                "ORDER BY o.changed_at DESC, o.skill_id"
            )
        )

    def level_override(self, skill_id: str) -> dict[str, Any] | None:
        """One skill's level override, or None."""
        rows = list(self.db.query("SELECT * FROM level_overrides WHERE skill_id = ?", [skill_id]))
        return rows[0] if rows else None

    def put_level_override(
        self, skill_id: str, level: str, reason: str, changed_by: str
    ) -> dict[str, Any]:
        """Insert or replace a skill's override (the caller validates); return it."""
        row = {
            "skill_id": skill_id,
            "level": level,
            "reason": reason,
            "changed_by": changed_by,
            "changed_at": utcnow(),
        }
        self.db["level_overrides"].upsert(row, pk="skill_id")
        return row

    def delete_level_override(self, skill_id: str) -> bool:
        """Delete a skill's override; return whether there was one."""
        cursor = self.db.execute("DELETE FROM level_overrides WHERE skill_id = ?", [skill_id])
        return cursor.rowcount > 0

    # -- aliases ----------------------------------------------------------------------------

    def skill_aliases(self) -> list[dict[str, Any]]:
        """Every alias as a dict of the lexicon's Alias fields: alias, skill_id,
        case_sensitive (bool), source ('reference' or 'partnership')."""
        return [
            {"alias": a, "skill_id": s, "case_sensitive": bool(c), "source": src}
            for a, s, c, src in self.db.execute(
                "SELECT alias, skill_id, case_sensitive, source FROM skill_aliases "
                "ORDER BY alias, skill_id"
            )
        ]

    def alias_rows(self, source: str | None = None) -> list[dict[str, Any]]:
        """Aliases in full (with the skill's label, note, who and when), by alias."""
        where, params = ("WHERE a.source = ?", [source]) if source else ("", [])
        rows = list(
            self.db.query(
                "SELECT a.id, a.alias, a.skill_id, s.label, a.case_sensitive, a.source, a.note, "
                "a.changed_by, a.changed_at FROM skill_aliases a "
                f"JOIN skills s ON s.id = a.skill_id {where} "
                "ORDER BY a.alias COLLATE NOCASE, a.alias, a.skill_id",
                params,
            )
        )
        for row in rows:
            row["case_sensitive"] = bool(row["case_sensitive"])
        return rows

    def alias_row(self, alias: str, skill_id: str) -> dict[str, Any] | None:
        """One alias of one skill (exact text), in full, or None."""
        return next((r for r in self.alias_rows_for(skill_id) if r["alias"] == alias), None)

    def alias_by_id(self, alias_id: int) -> dict[str, Any] | None:
        """One alias row by id, in full, or None."""
        row = self.db.execute(
            "SELECT alias, skill_id FROM skill_aliases WHERE id = ?", [alias_id]
        ).fetchone()
        return self.alias_row(row[0], row[1]) if row else None

    def alias_rows_for(self, skill_id: str) -> list[dict[str, Any]]:
        """Every alias of one skill, in full."""
        rows = list(
            self.db.query(
                "SELECT a.id, a.alias, a.skill_id, s.label, a.case_sensitive, a.source, a.note, "
                "a.changed_by, a.changed_at FROM skill_aliases a "
                "JOIN skills s ON s.id = a.skill_id WHERE a.skill_id = ? ORDER BY a.alias",
                [skill_id],
            )
        )
        for row in rows:
            row["case_sensitive"] = bool(row["case_sensitive"])
        return rows

    def insert_alias(
        self, alias: str, skill_id: str, case_sensitive: bool, note: str, changed_by: str
    ) -> None:
        """Add a partnership alias (the caller validates). Call inside ``write()``."""
        self.db.execute(
            "INSERT INTO skill_aliases (alias, skill_id, case_sensitive, source, note, "
            "changed_by, changed_at) VALUES (?, ?, ?, 'partnership', ?, ?, ?)",
            [alias, skill_id, int(case_sensitive), note, changed_by, utcnow()],
        )

    def delete_alias(self, alias_id: int) -> bool:
        """Delete one alias row by id; return whether there was one. Call inside ``write()``."""
        return self.db.execute("DELETE FROM skill_aliases WHERE id = ?", [alias_id]).rowcount > 0

    def load_reference_aliases(self, rows: Iterable[tuple[str, str, bool, str]]) -> tuple[int, int]:
        """Make the reference aliases exactly ``rows`` (alias, skill_id, case_sensitive, note).

        Partnership aliases are never touched; a row naming a skill not on file is skipped.
        Only rows that differ are written, so a re-run changes nothing (and the taxonomy
        version, which running engines watch, does not move). Returns (loaded, skipped).
        Call inside ``write()``.
        """
        wanted: dict[tuple[str, str], tuple[int, str]] = {}
        skipped = 0
        rows = list(rows)
        known = self.existing_skill_ids(r[1] for r in rows)  # type: ignore[attr-defined]
        for alias, skill_id, case_sensitive, note in rows:
            if skill_id not in known:
                skipped += 1
                continue
            wanted[(alias, skill_id)] = (int(bool(case_sensitive)), note)
        current = {
            (a, s): (i, src, c, n)
            for i, a, s, src, c, n in self.db.execute(
                "SELECT id, alias, skill_id, source, case_sensitive, note FROM skill_aliases"
            )
        }
        stale = [
            (i,)
            for key, (i, src, c, n) in current.items()
            if src == "reference" and wanted.get(key) != (c, n)
        ]
        self.db.conn.executemany("DELETE FROM skill_aliases WHERE id = ?", stale)
        gone = {i for (i,) in stale}
        fresh = [
            (a, s, c, n)
            for (a, s), (c, n) in wanted.items()
            if (a, s) not in current or current[(a, s)][0] in gone
        ]
        # A partnership row with the same (alias, skill) stays: it was added on purpose.
        self.db.conn.executemany(
            "INSERT INTO skill_aliases (alias, skill_id, case_sensitive, source, note) "
            "VALUES (?, ?, ?, 'reference', ?) ON CONFLICT (alias, skill_id) DO NOTHING",
            fresh,
        )
        return len(wanted), skipped

    # -- search and detail ------------------------------------------------------------------

    def search_skills(
        self,
        normalised_query: str | None = None,
        level: str | None = None,
        digital: bool | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Skills whose labels contain the (normalised) query, best first; and the total.

        Ranked exact label match, then prefix, then contains; a preferred label beats an
        alternative label of the same rank; then shorter labels first.
        """
        where: list[str] = ["1=1"]
        named: dict[str, Any] = {"limit": limit, "offset": offset}
        if level:
            where.append("s.level = :level")
            named["level"] = level
        if digital is True:
            where.append(DIGITAL_SQL)
        elif digital is False:
            where.append(f"NOT {DIGITAL_SQL}")
        filters = " AND ".join(where)
        columns = "s.id, s.label, s.level, s.level_source, s.is_digital, s.in_digcomp, s.source"
        if not normalised_query:
            total = self.db.execute(f"SELECT count(*) FROM skills s WHERE {filters}", named)
            rows = self.db.query(
                f"SELECT {columns}, NULL AS matched_label, NULL AS rank FROM skills s "
                f"WHERE {filters} ORDER BY s.label COLLATE NOCASE, s.id "
                "LIMIT :limit OFFSET :offset",
                named,
            )
            return list(rows), total.fetchone()[0]
        escaped = like_escape(normalised_query)
        named.update(q=normalised_query, prefix=escaped + "%", contains="%" + escaped + "%")
        # Score = 2 x rank (0 exact, 1 prefix, 2 contains) + 1 for an alternative label.
        # SQLite returns the bare column (label) of the row holding each group's MIN().
        best = (
            "SELECT l.skill_id, l.label AS matched_label, "
            "MIN((CASE WHEN l.normalised = :q THEN 0 "
            "WHEN l.normalised LIKE :prefix ESCAPE '\\' THEN 1 ELSE 2 END) * 2 "
            "+ (l.label_type = 'alt')) AS score "
            "FROM skill_labels l WHERE l.normalised LIKE :contains ESCAPE '\\' "
            "GROUP BY l.skill_id"
        )
        base = f"FROM ({best}) b JOIN skills s ON s.id = b.skill_id WHERE {filters}"
        # One scan of the labels gives the page and (as a window count) the total.
        rows = list(
            self.db.query(
                f"SELECT {columns}, b.matched_label, b.score / 2 AS rank, "
                f"count(*) OVER () AS total {base} "
                "ORDER BY b.score, length(s.label), s.label COLLATE NOCASE, s.id "
                "LIMIT :limit OFFSET :offset",
                named,
            )
        )
        if rows:
            total = rows[0]["total"]
            for row in rows:
                del row["total"]
        else:  # a page past the end: count separately
            total = self.db.execute(f"SELECT count(*) {base}", named).fetchone()[0]
        return rows, total

    def skill_detail(self, skill_id: str) -> dict[str, Any] | None:
        """One skill with decoded alt labels and how many occupations require it."""
        rows = list(self.db.query("SELECT * FROM skills WHERE id = ?", [skill_id]))
        if not rows:
            return None
        skill = rows[0]
        skill["alt_labels"] = json.loads(skill["alt_labels"])
        counts = dict(
            self.db.execute(
                "SELECT importance, count(*) FROM occupation_skills WHERE skill_id = ? "
                "GROUP BY importance",
                [skill_id],
            ).fetchall()
        )
        skill["occupations_essential_count"] = counts.get("essential", 0)
        skill["occupations_optional_count"] = counts.get("optional", 0)
        skill["occupation_count"] = sum(counts.values())
        return skill

    # -- training data for the level classifier ------------------------------------------

    def level_training_labels(
        self, sources: Sequence[str] = ("rule", "override")
    ) -> list[dict[str, Any]]:
        """(skill_id, label, label_type, level) for every label of every levelled skill."""
        marks = ",".join("?" * len(sources))
        return list(
            self.db.query(
                "SELECT l.skill_id, l.label, l.label_type, s.level FROM skill_labels l "
                "JOIN skills s ON s.id = l.skill_id "
                f"WHERE s.level IS NOT NULL AND s.level_source IN ({marks}) "
                "ORDER BY l.skill_id, l.label_type DESC, l.label",
                list(sources),
            )
        )
