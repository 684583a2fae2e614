"""Look-ups the web pages need for their forms: area choices and job title suggestions."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from ..text import normalise
from .db import like_escape

# Rows of local_authorities that group others rather than being a place a person lives in.
GROUPING_TYPES = ("County", "Combined authority", "Strategic Regional Authority")
MAX_SEARCH_WORDS = 6


class PagesMixin:
    """Queries behind the pages' select lists and suggestion boxes."""

    db: sqlite_utils.Database

    def area_options(self) -> list[dict[str, Any]]:
        """Every district and unitary authority with its county, combined authority and region."""
        marks = ",".join("?" * len(GROUPING_TYPES))
        return list(
            self.db.query(
                f"""SELECT gss_code, name, type, nation, region, county_gss, county_name,
                           combined_authority_gss, combined_authority_name
                    FROM local_authorities
                    WHERE coalesce(type, '') NOT IN ({marks})
                    ORDER BY name COLLATE NOCASE, gss_code""",
                list(GROUPING_TYPES),
            )
        )

    def search_occupations(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        """ESCO occupations whose preferred or alternative label holds every word typed.

        Best first: a label equal to the text, then one starting with it, then the rest; a
        preferred label before an alternative one; then shorter labels. Each result is
        ``{"id", "label", "matched"}`` where ``matched`` is the label that matched.
        """
        words = normalise(text).split()[:MAX_SEARCH_WORDS]
        if not words:
            return []
        phrase = " ".join(words)
        contains = " AND ".join(f"lower(l.text) LIKE :w{i} ESCAPE '\\'" for i in range(len(words)))
        params: dict[str, Any] = {
            "phrase": phrase,
            "prefix": like_escape(phrase) + "%",
            "limit": limit,
            **{f"w{i}": f"%{like_escape(w)}%" for i, w in enumerate(words)},
        }
        # ~3,000 occupations with ~10 labels each: a scan of the JSON lists is a few ms.
        rows = self.db.execute(
            f"""WITH labels AS (
                    SELECT o.id, o.label, o.label AS text, 0 AS alt FROM occupations o
                    UNION ALL
                    SELECT o.id, o.label, a.value AS text, 1 AS alt
                    FROM occupations o, json_each(o.alt_labels) a
                ),
                scored AS (
                    SELECT l.id, l.label, l.text,
                           (CASE WHEN lower(l.text) = :phrase THEN 0
                                 WHEN lower(l.text) LIKE :prefix ESCAPE '\\' THEN 1 ELSE 2 END) * 2
                           + l.alt AS score
                    FROM labels l WHERE {contains}
                )
                SELECT id, label, text, min(score) AS best FROM scored
                GROUP BY id ORDER BY best, length(text), label COLLATE NOCASE, id LIMIT :limit""",
            params,
        ).fetchall()
        return [{"id": r[0], "label": r[1], "matched": r[2]} for r in rows]
