"""The gap report's SQL: demand and course places aggregated by skill, level, area and month.

Every figure is computed in SQL, in whole numbers of small units, so that a total is exactly
the sum of its parts whatever order the rows were stored in (floating-point sums are not):

- a *unit* is 1/12,000,000 of a vacancy or of a course place (:data:`UNITS_PER_PLACE`);
- a course run of ``p`` places is ``12 * p`` twelfths of a place; a flexible-start course
  adds ``p`` twelfths (``p / 12`` places) each month from the one it first took learners;
- a national course's twelfths are multiplied by each authority's population share in
  parts per million (:data:`SHARE_SCALE`), a local course's by 1,000,000;
- a demand requirement is ``vacancies * weight * UNITS_PER_PLACE``, the weight rounded to
  a whole number of units.

:mod:`skills_match.report` holds the rules and turns these integers into figures. The work
happens in temporary tables on the store's connection, inside one read transaction, so a
report is one consistent snapshot even while imports run. For a large report on a machine
with a core to spare, a second connection that provably reads the same snapshot takes a
share of the demand records (see :class:`_SiblingPass`); the results are identical either way.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from ..text import normalise
from . import report_cells
from .migrations import LEVEL_COUNT_BITS, LEVELS

SHARE_SCALE = 1_000_000
TWELFTHS = 12
UNITS_PER_PLACE = TWELFTHS * SHARE_SCALE
# Levels in report order; a skill without a level (the taxonomy has not levelled it, or it
# is not digital) is reported as "unlevelled" rather than dropped.
REPORT_LEVELS = (*LEVELS, "unlevelled")
UNLEVELLED = len(LEVELS)
# local_authorities rows that are aggregates of other rows: their population is already
# counted in their members', so they never take a share of national places.
AGGREGATE_AREA_TYPES = ("County", "Combined authority", "Strategic Regional Authority")
_AGGREGATE_TYPES_SQL = ", ".join(f"'{t}'" for t in AGGREGATE_AREA_TYPES)
# Per-record skill counts by level are packed _MASK_BITS bits per level (see _pass_records),
# the layout of the counts stored on each demand record (migration m005).
_MASK_BITS = LEVEL_COUNT_BITS
_MASK = (1 << _MASK_BITS) - 1
# With at least this many demand-skill rows a second connection takes a share of the records
# (2 cores); below it the thread costs more than it saves.
PARALLEL_MIN_ROWS = 50_000
# What the second connection takes: a fixed share of the records by id, so the two parts
# are disjoint and together hold everything. The main connection also reads the monthly
# cells, builds the supply and the area tree while the sibling works, so the sibling takes
# the larger share (13/20, measured).
_SIBLING_SHARE = 13


def _part_filter(part: str | None, number: str) -> str:
    """SQL keeping the rows of one connection's share (all rows for part None)."""
    if part is None:
        return "1 = 1"
    sibling = f"{number} % 20 < {_SIBLING_SHARE}"
    return sibling if part == "sibling" else f"NOT ({sibling})"


_CELLK_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS gr_cellk "
    "(k INTEGER PRIMARY KEY, ev INTEGER, v INTEGER, n INTEGER)"
)
# Accumulate into the cells table: the passes may run over several parts of the records.
_CELLK_UPSERT = """ON CONFLICT (k) DO UPDATE SET
    ev = ev + excluded.ev, v = v + excluded.v, n = n + excluded.n"""
# Cells are keyed by one packed integer, (skill << 20) | (level << 17) | (authority << 1) |
# period (node cells: see report_cells): joins and upserts then seek one integer key,
# several times cheaper than grouping or joining on four columns (measured).


# How long the report waits for its second connection to open or finish before doing the
# work itself.
_SIBLING_TIMEOUT_S = 60
log = logging.getLogger(__name__)
_TEMP_TABLES = (
    "gr_month",
    "gr_level",
    "gr_leaf",
    "gr_skill",
    "gr_rec",
    "gr_cellk",
    "gr_recm",
    "gr_am",
    "gr_so",
    "gr_cmon",
    "gr_cflex",
    "gr_cper",
    "gr_csk",
    "gr_clv",
    "gr_ssk",
    "gr_node",
    "gr_leafnode",
    "gr_nsk",
    "gr_ndem",
    "gr_gskill",
    "gr_gla",
)


@dataclass(frozen=True)
class ReportQuery:
    """What to aggregate: the resolved filters of one gap report (built by the core)."""

    months: Sequence[str]  # the report period, 'YYYY-MM', oldest first
    previous_months: Sequence[str]  # the period of equal length just before it
    leaves: Sequence[str] | None = None  # GSS codes in scope; None: authorities with data
    levels: Sequence[str] | None = None
    sectors: Sequence[str] | None = None
    occupations: Sequence[str] | None = None  # ISCO code prefixes (1-4 digits)
    skill_ids: Sequence[str] | None = None
    digital_only: bool = True
    weight_essential: int = UNITS_PER_PLACE  # units per vacancy of an essential requirement
    weight_optional: int = UNITS_PER_PLACE // 2
    national_nation: str = "England"
    top_n: int = 10


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _level_case(expression: str) -> str:
    """SQL turning a level name (or NULL) into its index in REPORT_LEVELS."""
    whens = " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(LEVELS))
    return f"(CASE {expression} {whens} ELSE {UNLEVELLED} END)"


def _effective_level(row_alias: str) -> str:
    # A record or course may override a skill's taxonomy level for itself.
    override = _level_case(f"{row_alias}.level")
    return f"(CASE WHEN {row_alias}.level IS NULL THEN s.lv ELSE {override} END)"


class ReportMixin:
    """Aggregations behind the gap report and its drill-down."""

    db: sqlite_utils.Database
    # The node cells of the report being read (see _build_gaps), between build and drop.
    _gap_cells: report_cells.NodeCells | None = None

    # -- areas ------------------------------------------------------------------------

    def report_area_leaves(self, value: str) -> tuple[str, str, list[str]] | None:
        """Resolve an area to (kind, name, member GSS codes), or None when unknown.

        ``value`` is a GSS code or name of a local authority, county or combined authority,
        or an English region / nation name. A county or combined authority stands for its
        member authorities and itself (records may be placed at either).
        """
        text = value.strip()
        region = self.db.execute(
            "SELECT region FROM local_authorities WHERE lower(region) = lower(?) LIMIT 1", [text]
        ).fetchone()
        if region:
            codes = [
                r[0]
                for r in self.db.execute(
                    "SELECT gss_code FROM local_authorities WHERE region = ? ORDER BY gss_code",
                    [region[0]],
                )
            ]
            return "region", region[0], codes
        row = self.db.execute(
            "SELECT gss_code, name, type FROM local_authorities WHERE gss_code = upper(?)", [text]
        ).fetchone()
        if row is None:
            row = self.db.execute(
                """SELECT la.gss_code, la.name, la.type FROM local_authority_names n
                   JOIN local_authorities la ON la.gss_code = n.gss_code WHERE n.name = ?""",
                [normalise(text)],
            ).fetchone()
        if row is None:
            return None
        code, name, area_type = row
        codes = [
            r[0]
            for r in self.db.execute(
                """SELECT gss_code FROM local_authorities
                   WHERE gss_code = ? OR county_gss = ? OR combined_authority_gss = ?
                   ORDER BY gss_code""",
                [code, code, code],
            )
        ]
        if area_type in ("Combined authority", "Strategic Regional Authority"):
            kind = "combined_authority"
        elif area_type == "County":
            kind = "county"
        else:
            kind = "local_authority"
        return kind, name, codes

    def adverts_left_out(
        self, first_month: str, last_month: str, areas: Sequence[str]
    ) -> dict[str, int]:
        """Reposts merged (in ``areas``) and adverts unplaced (anywhere), posted in the months."""
        span = [f"{first_month}-01", f"{last_month}-31"]
        marks = ",".join("?" * len(areas))
        reposts = self.db.execute(
            f"SELECT count(*) FROM demand_duplicates WHERE posted_date BETWEEN ? AND ? "
            f"AND local_authority IN ({marks})",
            [*span, *areas],
        ).fetchone()[0]
        unplaced = self.db.execute(
            "SELECT count(*) FROM demand_unplaced WHERE posted_date BETWEEN ? AND ?", span
        ).fetchone()[0]
        return {"reposts_merged": reposts, "unplaced": unplaced}

    def demand_month_range(self) -> tuple[str, str] | None:
        """The first and last month ('YYYY-MM') holding demand records, or None if none."""
        row = self.db.execute(
            "SELECT substr(min(posted_date), 1, 7), substr(max(posted_date), 1, 7) FROM demand"
        ).fetchone()
        return (row[0], row[1]) if row and row[0] else None

    # -- the report -------------------------------------------------------------------

    def gap_report_rows(
        self, q: ReportQuery, parallel: bool | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """Every table of the gap report as integer rows (units, counts), one snapshot.

        ``parallel``: None decides by data size; True / False force the two-connection
        plan or the single-connection one (they give identical results). The plan applies
        only where the records are read row by row (sector or occupation filters, or a
        report over all skills); otherwise every month comes from the month cache.
        """
        with self._report_tables(q, parallel):
            return {
                "nodes": self._rows(
                    """SELECT nid, kind, code, name, parent, leaves, leaves_all
                       FROM gr_node ORDER BY nid"""
                ),
                "areas": self._area_rows(),
                "trend": self._trend_rows(),
                "breakdown": self._breakdown_rows(),
                "top_skills": self._top_skill_rows(q.top_n),
            }

    def gap_drilldown_rows(
        self, q: ReportQuery, limit: int | None = None, offset: int = 0
    ) -> dict[str, Any]:
        """The skill rows, demand records and course runs behind one cell of the report.

        The figures are those of the report's scope total for the skills in ``q``; the
        records and courses are every row that contributed to them in the report period,
        each with the units it contributed (so they add up to the figures exactly).
        """
        with self._report_tables(q):
            scope = self.db.execute("SELECT share FROM gr_node WHERE nid = 1").fetchone()[0]
            figures = self._rows(
                """SELECT s.id AS skill_id, sk.label, n.lv, n.d AS demand_u, n.s AS supply_u,
                          n.unmet AS unmet_u, n.n AS records, n.period
                   FROM gr_nsk n JOIN gr_skill s ON s.sn = n.sn JOIN skills sk ON sk.id = s.id
                   WHERE n.nid = 1 ORDER BY n.period DESC, s.id, n.lv"""
            )
            page = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
            records_sql = f"""
                SELECT d.id, d.source, d.source_ref, d.employer, d.job_title,
                       d.local_authority, la.name AS local_authority_name, d.posted_date,
                       d.sector, r.occ AS occupation_group, d.vacancies, ds.skill_id,
                       ds.importance, {_effective_level("ds")} AS lv,
                       d.vacancies * (CASE WHEN ds.importance = 'essential' THEN :we
                                      ELSE :wo END) AS demand_u
                FROM gr_rec r
                CROSS JOIN demand_skills ds ON ds.demand_id = r.id
                JOIN gr_skill s ON s.id = ds.skill_id
                JOIN demand d ON d.id = r.id
                JOIN local_authorities la ON la.gss_code = d.local_authority
                WHERE r.period = 1 AND {self._level_filter(q, "ds")}
                ORDER BY d.posted_date, d.source, d.source_ref, ds.skill_id {page}"""
            params = {"we": q.weight_essential, "wo": q.weight_optional, **self._level_params(q)}
            records = self._rows(records_sql, params)
            total_records = self.db.execute(
                f"""SELECT count(*) FROM gr_rec r
                    CROSS JOIN demand_skills ds ON ds.demand_id = r.id
                    JOIN gr_skill s ON s.id = ds.skill_id
                    WHERE r.period = 1 AND {self._level_filter(q, "ds")}""",
                self._level_params(q),
            ).fetchone()[0]
            # The vacancies of the cell, each period: the records' own, all pages of them.
            vacancies = dict(
                self.db.execute(
                    f"""SELECT r.period, sum(r.vac) FROM gr_rec r
                        CROSS JOIN demand_skills ds ON ds.demand_id = r.id
                        JOIN gr_skill s ON s.id = ds.skill_id
                        WHERE {self._level_filter(q, "ds")} GROUP BY r.period""",
                    self._level_params(q),
                ).fetchall()
            )
            courses = self._rows(
                f"""SELECT c.id, c.provider_ref, c.title, p.name AS provider_name,
                           p.ukprn AS provider_ukprn, c.national_delivery,
                           c.local_authority, la.name AS local_authority_name,
                           c.flexible_start, c.places, c.delivery_mode,
                           s.id AS skill_id, k.lv, cp.period, cp.u AS twelfths, cp.runs,
                           cp.run_dates,
                           cp.u * (CASE WHEN cp.an = 0 THEN :scope ELSE {SHARE_SCALE} END)
                               AS supply_u
                    FROM gr_cper cp JOIN gr_csk k ON k.cid = cp.cid
                    JOIN gr_skill s ON s.sn = k.sn
                    JOIN courses c ON c.id = cp.cid
                    JOIN providers p ON p.id = c.provider_id
                    LEFT JOIN local_authorities la ON la.gss_code = c.local_authority
                    ORDER BY cp.period DESC, c.national_delivery, c.local_authority, p.ukprn,
                             c.provider_ref, s.id""",
                {"scope": scope},
            )
            return {
                "scope_share": scope,
                "figures": figures,
                "records": records,
                "records_total": total_records,
                "vacancies": vacancies,
                "courses": courses,
            }

    # -- building the temporary tables --------------------------------------------------

    @contextmanager
    def _report_tables(self, q: ReportQuery, parallel: bool | None = None) -> Iterator[None]:
        conn = self.db.conn
        own_transaction = not conn.in_transaction
        cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
        # Temporary tables and the sorters behind GROUP BY stay in memory (tens of MB for a
        # million demand rows) instead of spilling to temporary files. Changing temp_store
        # drops existing temporary objects, so it is left alone if anyone else has some.
        if conn.execute("PRAGMA temp_store").fetchone()[0] != 2:
            others = conn.execute(
                "SELECT count(*) FROM temp.sqlite_master WHERE substr(name, 1, 3) != 'gr_'"
            ).fetchone()[0]
            if not others:
                conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -131072")
        self._drop_temp()
        helper = None
        try:
            if own_transaction and self._use_parallel(q, parallel):
                helper = _SiblingPass(self._open_sibling, q)
            if own_transaction:
                # One read snapshot for all the statements below (writes go only to temp
                # tables, which take no lock on the main database).
                conn.execute("BEGIN")
                conn.execute("SELECT 1 FROM demand LIMIT 1")
            if helper is not None:
                helper.go()
            self._build(q, helper)
            yield
        finally:
            if helper is not None:
                helper.cancel()
            self._gap_cells = None
            self._drop_temp()
            if own_transaction and conn.in_transaction:
                conn.execute("COMMIT")
            conn.execute(f"PRAGMA cache_size = {int(cache_size)}")

    def _use_parallel(self, q: ReportQuery, parallel: bool | None) -> bool:
        """Split the work over two connections? Only for a whole report on a file database,
        and (unless forced) only when there is enough demand for it to pay off and a core
        to spare: on a busy machine the second thread only adds its overhead."""
        path = getattr(self, "path", ":memory:")
        if parallel is False or q.skill_ids or path == ":memory:" or path.startswith("file:"):
            return False
        if _months_serve(q):  # no pass over the demand to share
            return False
        if parallel:
            return True
        cores = os.cpu_count() or 1
        if cores < 2 or os.getloadavg()[0] > cores - 1:
            return False
        rows = self.db.execute("SELECT coalesce(max(rowid), 0) FROM demand_skills").fetchone()[0]
        return rows >= PARALLEL_MIN_ROWS

    def _open_sibling(self) -> ReportMixin:
        """A second store on the same file (for the parallel pass)."""
        return type(self)(self.path)  # type: ignore[call-arg,attr-defined]

    def _drop_temp(self) -> None:
        for table in _TEMP_TABLES:
            self.db.execute(f"DROP TABLE IF EXISTS temp.{table}")

    def _rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    @staticmethod
    def _level_filter(q: ReportQuery, alias: str) -> str:
        if not q.levels:
            return "1 = 1"
        names = ", ".join(f":lv{i}" for i in range(len(q.levels)))
        return f"{_effective_level(alias)} IN ({names})"

    @staticmethod
    def _level_params(q: ReportQuery) -> dict[str, int]:
        return {f"lv{i}": REPORT_LEVELS.index(name) for i, name in enumerate(q.levels or ())}

    def _build(self, q: ReportQuery, helper: _SiblingPass | None = None) -> None:
        # Without sector or occupation filters, over digital skills, every month's cells and
        # records come from the month cache (or one read of the month): no pass over the
        # demand at all. Otherwise, with a helper, the sibling runs the record passes over
        # its share of the records while this connection runs them over the rest, then
        # builds the supply and the area tree. The passes accumulate, so the parts add up.
        part = None if helper is None else "main"
        from_months = _months_serve(q)
        start, end = self._build_prelude(q, part, records=not from_months)
        summary = _summary_serves_cells(q)
        numbering = report_cells.Numbering.read(self.db.conn) if summary else None
        area_number = None if numbering is None else self._area_numbers(numbering)
        if not summary:
            self._pass_cells(q)
        if from_months:
            assert numbering is not None and area_number is not None
            self._records_from_months(q, numbering, area_number)
        else:
            self._pass_records(q)
        self._build_supply(q, start, end)
        self._build_nodes()
        sibling_cells: list[tuple[Any, ...]] = []
        if helper is not None:
            tables = helper.result()
            if tables is None:  # the sibling could not share this snapshot: do its part here
                self.db.execute("DROP TABLE temp.gr_rec")
                self._build_records(q, start, end, "sibling")
                if not summary:
                    self._pass_cells(q)
                self._pass_records(q)
            else:
                sibling_cells = self._merge_sibling(tables)
        if numbering is not None and area_number is not None:
            cells = self._cells_from_months(q, numbering, area_number)
        else:
            cells = report_cells.fetch_int_columns(
                self.db.conn, "SELECT k, ev, v, n FROM gr_cellk", 4
            )
            if sibling_cells:
                # The sibling took a share of the records: its cells overlap these.
                theirs = np.array(sibling_cells, dtype=np.int64).reshape(len(sibling_cells), 4)
                merged = [np.concatenate((mine, theirs[:, i])) for i, mine in enumerate(cells)]
                key, sums = report_cells.group_sums(merged[0], *merged[1:])
                cells = [key, *sums]
        self._build_gaps(q, cells)

    # -- each month's demand, from the month cache ------------------------------------------

    def _months(
        self, q: ReportQuery, numbering: report_cells.Numbering, kind: str
    ) -> list[tuple[tuple[np.ndarray, ...], int, int]]:
        """Each month of the report's periods as arrays of ``kind`` ("cells", "records"),
        with its month index and period: from the process's month cache unless the month
        changed since it was read (an in-memory database is read every time)."""
        conn = self.db.conn
        path = str(getattr(self, "path", ":memory:"))
        cache = report_cells.MONTHS
        if path == ":memory:" or path.startswith("file:"):
            cache = report_cells.MonthCache(max_bytes=0)  # nothing kept
        all_months = [*q.previous_months, *q.months]

        def read(month: str) -> tuple[np.ndarray, ...]:
            self._numbering_tables()
            if kind == "cells":
                return tuple(_fetch_cells(conn, month))
            return _fetch_records(conn, month)

        held = cache.months(
            conn, (path, kind, numbering.token), all_months, read, 4 if kind == "cells" else 7
        )
        first_current = len(q.previous_months)
        return [(held[m], i, int(i >= first_current)) for i, m in enumerate(all_months)]

    def _numbering_tables(self) -> None:
        """Numbering.read's numbers in SQL (same snapshot, same order), to read months with."""
        if self._temp_table_exists("gr_gla"):
            return
        run = self.db.execute
        run("CREATE TEMP TABLE gr_gskill (id TEXT PRIMARY KEY, g INTEGER) WITHOUT ROWID")
        run("INSERT INTO gr_gskill SELECT id, row_number() OVER (ORDER BY id) FROM skills")
        run("CREATE TEMP TABLE gr_gla (gss TEXT PRIMARY KEY, g INTEGER) WITHOUT ROWID")
        run(
            """INSERT INTO gr_gla
               SELECT gss_code, row_number() OVER (ORDER BY gss_code) FROM local_authorities"""
        )

    def _area_numbers(self, numbering: report_cells.Numbering) -> np.ndarray:
        """By global authority number, the report's authority number (0: out of scope)."""
        area_number = np.zeros(len(numbering.areas) + 1, dtype=np.int64)
        for gss, an in self.db.execute("SELECT gss, an FROM gr_leaf"):
            if gss in numbering.areas:
                area_number[numbering.areas[gss]] = an
        return area_number

    def _cells_from_months(
        self, q: ReportQuery, numbering: report_cells.Numbering, area_number: np.ndarray
    ) -> list[np.ndarray]:
        """The report's cells from each month's cells in demand_skill_cells (m006);
        ``area_number``: see _area_numbers."""
        skill_number = np.zeros(len(numbering.skills) + 1, dtype=np.int64)
        skill_level = np.zeros(len(numbering.skills) + 1, dtype=np.int64)
        for skill_id, sn, lv in self.db.execute("SELECT id, sn, lv FROM gr_skill"):
            skill_number[numbering.skills[skill_id]] = sn
            skill_level[numbering.skills[skill_id]] = lv
        levels = np.array([REPORT_LEVELS.index(name) for name in q.levels]) if q.levels else None
        months = [(arrays, period) for arrays, _, period in self._months(q, numbering, "cells")]
        return list(
            report_cells.report_cells_from_months(
                months, skill_number, skill_level, area_number, levels
            )
        )

    def _records_from_months(
        self, q: ReportQuery, numbering: report_cells.Numbering, area_number: np.ndarray
    ) -> None:
        """gr_am and gr_so (see _pass_records) from each month's records with digital skills."""
        by_area, by_sector = report_cells.record_counts(
            self._months(q, numbering, "records"),
            area_number,
            keep_bits=_level_fields(q),
            levels=len(REPORT_LEVELS),
            bits=_MASK_BITS,
            weights=(q.weight_essential, q.weight_optional),
        )
        for name, keys, rows in (
            ("gr_am", ["an", "mi", "period"], by_area),
            ("gr_so", ["sector", "occ", "soc", "period"], by_sector),
        ):
            columns = [*keys, *_RECORD_SUMS]
            self.db.execute(f"CREATE TEMP TABLE {name} ({', '.join(columns)})")
            marks = ", ".join("?" * len(columns))
            self.db.conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)

    def _merge_sibling(
        self, tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]]
    ) -> list[tuple[Any, ...]]:
        """Add the sibling's record aggregates to this connection's; return its cells."""
        # gr_am and gr_so may hold several rows per key: every reader sums them.
        for name in ("gr_am", "gr_so"):
            columns, rows = tables[name]
            marks = ", ".join("?" * len(columns))
            self.db.conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
        return tables["gr_cellk"][1]

    def _build_prelude(
        self, q: ReportQuery, part: str | None = None, records: bool = True
    ) -> tuple[str, str]:
        """Months, levels, authorities, skills and (``records``) records in scope;
        (start, end) dates.

        ``part``: None for every record, or "main" / "sibling" for one connection's share.
        """
        run = self.db.execute
        all_months = [*q.previous_months, *q.months]
        start = f"{all_months[0]}-01"
        end = _next_month(all_months[-1]) + "-01"
        run("CREATE TEMP TABLE gr_month (month TEXT PRIMARY KEY, mi INTEGER, period INTEGER)")
        self.db.conn.executemany(
            "INSERT INTO gr_month VALUES (?, ?, ?)",
            [(m, i, 0) for i, m in enumerate(q.previous_months)]
            + [(m, len(q.previous_months) + i, 1) for i, m in enumerate(q.months)],
        )
        run("CREATE TEMP TABLE gr_level (lv INTEGER PRIMARY KEY)")
        self.db.conn.executemany(
            "INSERT INTO gr_level VALUES (?)", [(i,) for i in range(len(REPORT_LEVELS))]
        )
        self._build_leaves(q, start, end)
        self._build_skills(q)
        if records:
            self._build_records(q, start, end, part)
        return start, end

    def _build_leaves(self, q: ReportQuery, start: str, end: str) -> None:
        run = self.db.execute
        run(
            """CREATE TEMP TABLE gr_leaf (an INTEGER PRIMARY KEY, gss TEXT UNIQUE NOT NULL,
                                          share INTEGER NOT NULL DEFAULT 0)"""
        )
        if q.leaves is not None:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO gr_leaf (gss) VALUES (?)", [(g,) for g in sorted(q.leaves)]
            )
        else:
            # Default scope: every authority with demand, or a local course, in either period.
            run(
                """INSERT INTO gr_leaf (gss)
                   SELECT local_authority FROM demand WHERE posted_date >= ? AND posted_date < ?
                   UNION
                   SELECT local_authority FROM courses
                   WHERE status = 'active' AND national_delivery = 0
                     AND local_authority IS NOT NULL
                     AND (flexible_start = 1 OR (last_start_date >= ? AND first_start_date < ?))
                   ORDER BY 1""",
                [start, end, start, end],
            )
        aggregates = _AGGREGATE_TYPES_SQL
        # Population share of the nation, in parts per million (see the module docstring).
        run(
            f"""UPDATE gr_leaf SET share = COALESCE((
                   SELECT CAST(round(la.population * {SHARE_SCALE}.0 / t.population) AS INTEGER)
                   FROM local_authorities la,
                        (SELECT sum(population) AS population FROM local_authorities
                         WHERE nation = ? AND type NOT IN ({aggregates})) t
                   WHERE la.gss_code = gr_leaf.gss AND la.nation = ?
                     AND la.type NOT IN ({aggregates}) AND la.population > 0), 0)""",
            [q.national_nation, q.national_nation],
        )

    def _build_skills(self, q: ReportQuery) -> None:
        where, params = ["1 = 1"], []
        if q.digital_only:
            where.append("is_digital = 1")
        if q.skill_ids:
            where.append(f"id IN ({_marks(q.skill_ids)})")
            params += list(q.skill_ids)
        # Keyed by the text id every demand and course row carries, WITHOUT ROWID so one
        # B-tree descent per row yields the skill's number and level (sn: 1, 2, ... by id),
        # and sk, the skill and level bits of a cell key (see _pass_cells), precomputed.
        self.db.execute(
            """CREATE TEMP TABLE gr_skill (id TEXT PRIMARY KEY, sn INTEGER NOT NULL,
                                           lv INTEGER NOT NULL, sk INTEGER NOT NULL)
               WITHOUT ROWID"""
        )
        self.db.execute(
            f"""INSERT INTO gr_skill (id, sn, lv, sk)
                SELECT id, sn, lv, (sn << 20) | (lv << 17)
                FROM (SELECT id, row_number() OVER (ORDER BY id) AS sn,
                             {_level_case("level")} AS lv FROM skills
                      WHERE {" AND ".join(where)})""",
            params,
        )
        self.db.execute("CREATE UNIQUE INDEX temp.gr_skill_sn ON gr_skill (sn)")

    def _build_records(self, q: ReportQuery, start: str, end: str, part: str | None) -> None:
        run = self.db.execute
        where, params = ["d.posted_date >= ?", "d.posted_date < ?"], [start, end]
        where.append(_part_filter(part, "d.id"))
        if q.sectors:
            where.append(f"d.sector IN ({_marks(q.sectors)})")
            params += list(q.sectors)
        occ = "COALESCE(d.isco_code, o.isco_code)"
        if q.occupations:
            where.append("(" + " OR ".join(f"substr({occ}, 1, ?) = ?" for _ in q.occupations) + ")")
            for prefix in q.occupations:
                params += [len(prefix), prefix]
        # Records in scope: one row each, with the keys every later step groups by (rk: the
        # authority and period bits of a cell key, see _pass_cells) and, when the stored
        # counts serve this query, the record's skill counts by level (see _pass_records).
        run(
            """CREATE TEMP TABLE gr_rec (id INTEGER PRIMARY KEY, an INTEGER, mi INTEGER,
               period INTEGER, sector TEXT, occ TEXT, soc TEXT, vac INTEGER, rk INTEGER,
               tmask INTEGER, emask INTEGER)"""
        )
        keep = _level_fields(q)
        counts = (
            f"d.skill_level_counts & {keep}, d.essential_level_counts & {keep}"
            if _stored_counts_serve(q)
            else "0, 0"
        )
        # The month index is arithmetic on the date (months since the period's first), not a
        # lookup: gr_month numbers the months 0, 1, ... from the previous period's first.
        first_year, first_month = int(start[:4]), int(start[5:7])
        mi = (
            "(CAST(substr(d.posted_date, 1, 4) AS INTEGER) * 12"
            f" + CAST(substr(d.posted_date, 6, 2) AS INTEGER) - {first_year * 12 + first_month})"
        )
        run(
            f"""INSERT INTO gr_rec
                SELECT id, an, mi, period, sector, occ, soc, vac, (an << 1) | period, tmask,
                       emask
                FROM (SELECT d.id AS id, l.an AS an, {mi} AS mi,
                             {mi} >= {len(q.previous_months)} AS period, d.sector AS sector,
                             substr({occ}, 1, 2) AS occ, d.soc_major AS soc,
                             d.vacancies AS vac,
                             {counts.replace(",", " AS tmask,", 1)} AS emask
                FROM demand d
                JOIN gr_leaf l ON l.gss = d.local_authority
                LEFT JOIN occupations o ON o.id = d.occupation_id
                WHERE {" AND ".join(where)})""",
            params,
        )

    def _pass_cells(self, q: ReportQuery) -> None:
        """Pass 1 when sector or occupation filters need each record: demand per (skill,
        level, authority, period), the cells gaps are taken in, from the demand-skill rows
        of the records in gr_rec (all of them, or one connection's share).

        Without those filters the cells come from the monthly summary (_summary_cells).
        """
        run = self.db.execute
        params: dict[str, Any] = self._level_params(q)
        where = self._level_filter(q, "ds")
        if q.skill_ids:
            source = """gr_skill s CROSS JOIN demand_skills ds ON ds.skill_id = s.id
                        CROSS JOIN gr_rec r ON r.id = ds.demand_id"""
        else:
            # Records first: the covering index idx_demand_skills_report (m004) turns each
            # record's skills into one contiguous index range, with no table lookups.
            source = """gr_rec r CROSS JOIN demand_skills ds ON ds.demand_id = r.id
                        CROSS JOIN gr_skill s ON s.id = ds.skill_id"""
        # Sector or occupation filters need each record: one row per demand-skill row.
        run(_CELLK_TABLE)
        run(
            f"""INSERT INTO gr_cellk
                SELECT {self._cell_key("ds.level")} | r.rk,
                       r.vac * (ds.importance = 'essential'), r.vac, 1
                FROM {source}
                WHERE {where}
                {_CELLK_UPSERT}""",
            params,
        )

    @staticmethod
    def _cell_key(level: str) -> str:
        """SQL: the skill and level bits of a cell key, from gr_skill s and a row's override.

        Cells are aggregated by upsert into gr_cellk, keyed by one packed integer (see
        the module notes): each row is a seek in a small in-memory B-tree of cells, about a third of
        the cost of sorting the rows for GROUP BY (measured). gr_skill.sk holds these bits
        precomputed for rows that do not override the skill's level.
        """
        override = _level_case(level)
        return f"(CASE WHEN {level} IS NULL THEN s.sk ELSE (s.sn << 20) | ({override} << 17) END)"

    def _pass_records(self, q: ReportQuery) -> None:
        """Pass 2: per record its skill counts by level, summed by area and month (gr_am) and
        by sector, occupation group and SOC major group (gr_so); accumulates like pass 1."""
        run = self.db.execute
        lv = _effective_level("ds")
        # Per record, how many of its skills fall at each level (all, and essential),
        # packed _MASK_BITS bits per level into one integer. For a report over digital
        # skills those are the counts stored on the record (m005), read into gr_rec;
        # otherwise they come from the record's skills, grouped by record id in gr_rec's key
        # order (streams, no sort), a join over every demand-skill row.
        run("DROP TABLE IF EXISTS temp.gr_recm")
        if _stored_counts_serve(q):
            # Records without a digital skill (at the levels asked for) count nowhere.
            source, m = "gr_rec r WHERE r.tmask != 0", "r"
        else:
            source, m = "gr_recm m JOIN gr_rec r ON r.id = m.id", "m"
            run(
                f"""CREATE TEMP TABLE gr_recm AS
                    SELECT r.id AS id, sum(1 << ({_MASK_BITS} * {lv})) AS tmask,
                           sum((ds.importance = 'essential') << ({_MASK_BITS} * {lv})) AS emask
                    FROM gr_rec r
                    CROSS JOIN demand_skills ds ON ds.demand_id = r.id
                    CROSS JOIN gr_skill s ON s.id = ds.skill_id
                    WHERE {self._level_filter(q, "ds")}
                    GROUP BY r.id""",
                self._level_params(q),
            )
        # Unpacked inside the sums, per level l: n<l> (records needing a skill at l), v<l>
        # (their vacancies) and d<l> (the weighted vacancies they add at l). Two small
        # aggregates of the records serve every count and breakdown: by authority and month
        # (areas, trend) and by sector and occupation group (breakdowns). Both may hold
        # several rows per key (one per part of the records): every reader sums them.
        needs, vacancies, weighted = [], [], []
        for i in range(len(REPORT_LEVELS)):
            shift = _MASK_BITS * i
            total, essential = (f"(({m}.{c} >> {shift}) & {_MASK})" for c in ("tmask", "emask"))
            optional = f"((({m}.tmask - {m}.emask) >> {shift}) & {_MASK})"
            needs.append(f"sum({total} > 0) AS n{i}")
            vacancies.append(f"sum(({total} > 0) * r.vac) AS v{i}")
            weighted.append(f"sum(r.vac * ({essential} * :we + {optional} * :wo)) AS d{i}")
        sums = ", ".join((*needs, *vacancies, *weighted))
        weights = {"we": q.weight_essential, "wo": q.weight_optional}
        # (A month lies in one period, so gr_am's period needs no grouping of its own.)
        for name, keys, groups in (
            ("gr_am", "r.an, r.mi, r.period", "r.an, r.mi"),
            ("gr_so", "r.sector, r.occ, r.soc, r.period", "r.sector, r.occ, r.soc, r.period"),
        ):
            select = f"""SELECT {keys}, count(*) AS n_all, sum(r.vac) AS v_all, {sums}
                         FROM {source} GROUP BY {groups}"""
            if self._temp_table_exists(name):
                run(f"INSERT INTO {name} {select}", weights)
            else:
                run(f"CREATE TEMP TABLE {name} AS {select}", weights)

    def _temp_table_exists(self, name: str) -> bool:
        return bool(
            self.db.execute(
                "SELECT 1 FROM temp.sqlite_master WHERE type = 'table' AND name = ?", [name]
            ).fetchone()
        )

    def _build_supply(self, q: ReportQuery, start: str, end: str) -> None:
        run = self.db.execute
        # Course contributions per month, in twelfths of a place. an = 0: national delivery.
        run(
            """CREATE TEMP TABLE gr_cmon (cid INTEGER, an INTEGER, mi INTEGER, u INTEGER,
                                          runs INTEGER, run_dates TEXT)"""
        )
        # A run is a distinct start date in the period: p places, all in its month.
        run(
            f"""INSERT INTO gr_cmon
                SELECT x.cid, x.an, m.mi, {TWELFTHS} * x.places * count(*), count(*),
                       group_concat(x.day, ' ')
                FROM (SELECT DISTINCT c.id AS cid, c.places AS places,
                             CASE WHEN c.national_delivery = 1 THEN 0 ELSE l.an END AS an,
                             j.value AS day
                      FROM courses c
                      JOIN json_each(c.start_dates) j
                      LEFT JOIN gr_leaf l ON l.gss = c.local_authority
                      WHERE c.status = 'active' AND c.flexible_start = 0
                        AND c.last_start_date >= ? AND c.first_start_date < ?
                        AND (c.national_delivery = 1 OR l.an IS NOT NULL)
                        AND j.value >= ? AND j.value < ?
                      ORDER BY 1, 4) x
                JOIN gr_month m ON m.month = substr(x.day, 1, 7)
                GROUP BY x.cid, m.mi""",
            [start, end, start, end],
        )
        # A flexible-start course's places are a year's intake: p / 12 places each month, so
        # p twelfths a month, from the month it first took learners (available_from, else
        # the month it was listed): never in months before it existed.
        run(
            """CREATE TEMP TABLE gr_cflex AS
               SELECT c.id AS cid, CASE WHEN c.national_delivery = 1 THEN 0 ELSE l.an END AS an,
                      c.places AS u,
                      substr(COALESCE(c.available_from, c.created_at), 1, 7) AS first_month
               FROM courses c
               LEFT JOIN gr_leaf l ON l.gss = c.local_authority
               WHERE c.status = 'active' AND c.flexible_start = 1
                 AND (c.national_delivery = 1 OR l.an IS NOT NULL)"""
        )
        run(
            """CREATE TEMP TABLE gr_cper AS
               SELECT c.cid AS cid, c.an AS an, m.period AS period, sum(c.u) AS u,
                      sum(c.runs) AS runs, group_concat(c.run_dates, ' ') AS run_dates
               FROM gr_cmon c JOIN gr_month m ON m.mi = c.mi
               GROUP BY c.cid, m.period
               UNION ALL
               SELECT f.cid, f.an, m.period, f.u * count(*), 0, NULL
               FROM gr_cflex f JOIN gr_month m ON m.month >= f.first_month
               GROUP BY f.cid, m.period"""
        )
        run("CREATE INDEX temp.gr_cper_cid ON gr_cper (cid)")
        run(
            f"""CREATE TEMP TABLE gr_csk AS
                SELECT cs.course_id AS cid, s.sn AS sn, {_effective_level("cs")} AS lv
                FROM (SELECT DISTINCT cid FROM gr_cper) c
                CROSS JOIN course_skills cs ON cs.course_id = c.cid
                CROSS JOIN gr_skill s ON s.id = cs.skill_id
                WHERE {self._level_filter(q, "cs")}""",
            self._level_params(q),
        )
        run("CREATE INDEX temp.gr_csk_cid ON gr_csk (cid)")
        # Skills per course and level: a course teaching k skills of a level adds k times its
        # places to that level's supply (figures are per skill, like demand).
        run(
            """CREATE TEMP TABLE gr_clv AS
               SELECT cid, lv, count(*) AS k FROM gr_csk GROUP BY cid, lv"""
        )
        # Places per cell (twelfths of a place; authority 0: national delivery).
        run("CREATE TEMP TABLE gr_ssk (k INTEGER PRIMARY KEY, u INTEGER)")
        run(
            """INSERT INTO gr_ssk
               SELECT (k.sn << 20) | (k.lv << 17) | (c.an << 1) | c.period, c.u
               FROM gr_cper c JOIN gr_csk k ON k.cid = c.cid WHERE 1
               ON CONFLICT (k) DO UPDATE SET u = u + excluded.u"""
        )

    def _build_nodes(self) -> None:
        """The area tree of the scope: authority -> combined authority or county -> region."""
        run = self.db.execute
        run(
            """CREATE TEMP TABLE gr_node (nid INTEGER PRIMARY KEY, kind TEXT, code TEXT,
               name TEXT, parent INTEGER, share INTEGER, leaves INTEGER, leaves_all INTEGER,
               UNIQUE (kind, code))"""
        )
        run("CREATE TEMP TABLE gr_leafnode (an INTEGER, nid INTEGER, PRIMARY KEY (an, nid))")
        aggregates = _AGGREGATE_TYPES_SQL
        # A member of both a combined authority and a county rolls up to the combined
        # authority: it holds the devolved adult skills budget, so it is the body a gap
        # report informs. A record placed at a county or combined authority's own code sits
        # under that county or combined authority.
        group_of = f"""CASE WHEN la.type IN ({aggregates}) THEN la.gss_code
                            ELSE COALESCE(la.combined_authority_gss, la.county_gss) END"""
        run(
            f"""CREATE TEMP VIEW gr_leafinfo AS
                SELECT l.an, l.gss, l.share, la.name, COALESCE(la.region, 'Unknown') AS region,
                       {group_of} AS grp,
                       CASE WHEN la.type IN ({aggregates}) THEN la.name
                            WHEN la.combined_authority_gss IS NOT NULL
                                THEN la.combined_authority_name
                            ELSE la.county_name END AS grp_name,
                       CASE WHEN la.type = 'County' THEN 'county'
                            WHEN la.type IN ({aggregates}) THEN 'combined_authority'
                            WHEN la.combined_authority_gss IS NOT NULL
                                THEN 'combined_authority'
                            WHEN la.county_gss IS NOT NULL THEN 'county' END AS grp_kind
                FROM gr_leaf l JOIN local_authorities la ON la.gss_code = l.gss"""
        )
        leaf_types = f"type NOT IN ({aggregates})"
        run(
            """INSERT INTO gr_node (nid, kind, code, name, parent, share, leaves, leaves_all)
               SELECT 1, 'total', 'all', 'All areas in the report', NULL, sum(share), count(*),
                      count(*) FROM gr_leafinfo"""
        )
        run(
            f"""INSERT INTO gr_node (kind, code, name, parent, share, leaves, leaves_all)
                SELECT 'region', region, region, 1, sum(share), count(*),
                       (SELECT count(*) FROM local_authorities x
                        WHERE COALESCE(x.region, 'Unknown') = i.region AND x.{leaf_types})
                FROM gr_leafinfo i GROUP BY region ORDER BY region"""
        )
        run(
            f"""INSERT INTO gr_node (kind, code, name, parent, share, leaves, leaves_all)
                SELECT i.grp_kind, i.grp, max(i.grp_name), r.nid, sum(i.share), count(*),
                       (SELECT count(*) FROM local_authorities x
                        WHERE (x.combined_authority_gss = i.grp OR x.county_gss = i.grp)
                          AND x.{leaf_types})
                FROM gr_leafinfo i JOIN gr_node r ON r.kind = 'region' AND r.code = i.region
                WHERE i.grp IS NOT NULL GROUP BY i.grp ORDER BY i.grp"""
        )
        run(
            """INSERT INTO gr_node (kind, code, name, parent, share, leaves, leaves_all)
               SELECT 'local_authority', i.gss, i.name,
                      COALESCE(g.nid, r.nid), i.share, 1, 1
               FROM gr_leafinfo i
               JOIN gr_node r ON r.kind = 'region' AND r.code = i.region
               LEFT JOIN gr_node g ON g.code = i.grp AND g.kind = i.grp_kind
               ORDER BY i.gss"""
        )
        # Each authority belongs to itself and every ancestor: one row per (leaf, node).
        run(
            """INSERT INTO gr_leafnode
               WITH RECURSIVE up (an, nid) AS (
                   SELECT l.an, n.nid FROM gr_leaf l
                   JOIN gr_node n ON n.kind = 'local_authority' AND n.code = l.gss
                   UNION ALL
                   SELECT up.an, n.parent FROM up JOIN gr_node n ON n.nid = up.nid
                   WHERE n.parent IS NOT NULL)
               SELECT an, nid FROM up"""
        )
        run("DROP VIEW temp.gr_leafinfo")

    def _build_gaps(self, q: ReportQuery, cells: Sequence[np.ndarray]) -> None:
        """Gaps per authority and skill, rolled up to every node (report_cells, in numpy).

        ``cells``: (key, essential vacancies, vacancies, records) per cell, each key once.

        Leaves gr_ndem (per node, level and period: demand, sum of gaps, net gap) and
        gr_nsk's rows for the whole scope (node 1, for the drill-down) in SQL, and every
        node cell in ``_gap_cells`` for the top lists.
        """
        conn = self.db.conn

        def by_number(sql: str) -> np.ndarray:
            # A (number, value) table as an array indexed by the number (0 where absent).
            number, value = report_cells.fetch_int_columns(conn, sql, 2)
            out = np.zeros(int(number.max(initial=0)) + 1, dtype=np.int64)
            out[number] = value
            return out

        def keyed(table: str) -> report_cells.KeyedTable:
            return report_cells.KeyedTable.of(
                *report_cells.fetch_int_columns(conn, f"SELECT k, u FROM {table}", 2)
            )

        gaps = report_cells.node_cells(
            (cells[0], cells[1], cells[2], cells[3]),
            leaf_share=by_number("SELECT an, share FROM gr_leaf"),
            tree=report_cells.AreaTree(
                *report_cells.fetch_int_columns(conn, "SELECT an, nid FROM gr_leafnode", 2)
            ),
            node_share=by_number("SELECT nid, COALESCE(share, 0) FROM gr_node"),
            supply=keyed("gr_ssk"),
            weights=(q.weight_essential, q.weight_optional),
            scale=SHARE_SCALE,
        )
        run = self.db.execute
        run(
            """CREATE TEMP TABLE gr_ndem (nid INTEGER, lv INTEGER, period INTEGER, d INTEGER,
               unmet INTEGER, net INTEGER, PRIMARY KEY (nid, lv, period))"""
        )
        conn.executemany(
            "INSERT INTO gr_ndem VALUES (?, ?, ?, ?, ?, ?)", report_cells.area_demand(gaps)
        )
        run(
            """CREATE TEMP TABLE gr_nsk (nid INTEGER, sn INTEGER, lv INTEGER, period INTEGER,
               d INTEGER, n INTEGER, unmet INTEGER, s INTEGER)"""
        )
        scope = np.flatnonzero(gaps.nid == 1)
        conn.executemany(
            "INSERT INTO gr_nsk VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
            zip(
                *(
                    a[scope].tolist()
                    for a in (gaps.sn, gaps.lv, gaps.period, gaps.d, gaps.n, gaps.unmet, gaps.s)
                ),
                strict=True,
            ),
        )
        self._gap_cells = gaps

    # -- reading the tables -------------------------------------------------------------

    def _area_rows(self) -> list[dict[str, Any]]:
        """Per node, level (NULL: all levels) and period: demand, supply, gaps, counts."""
        counts = _level_sums("n{i}") + ", " + _level_sums("v{i}", "v")
        return self._rows(
            f"""
            WITH
            dem AS (SELECT nid, lv, period, d, unmet, net FROM gr_ndem),
            loc AS (SELECT c.an, k.lv, c.period, sum(c.u * k.k) AS u
                    FROM gr_cper c JOIN gr_clv k ON k.cid = c.cid GROUP BY 1, 2, 3),
            sup AS (SELECT ln.nid, loc.lv, loc.period, sum(loc.u) AS u
                    FROM loc JOIN gr_leafnode ln ON ln.an = loc.an
                    WHERE loc.an > 0 GROUP BY 1, 2, 3),
            nat AS (SELECT lv, period, u FROM loc WHERE an = 0),
            recs AS (SELECT an, period, sum(n_all) AS n_all, sum(v_all) AS v_all, {counts}
                     FROM gr_am GROUP BY 1, 2),
            nrecs AS (SELECT ln.nid, r.period, {_roll_sums(("n_all", "v_all"), "r")}
                      FROM recs r JOIN gr_leafnode ln ON ln.an = r.an GROUP BY 1, 2),
            grid AS (SELECT n.nid, n.share, v.lv, p.period
                     FROM gr_node n CROSS JOIN gr_level v
                     CROSS JOIN (SELECT 0 AS period UNION ALL SELECT 1) p),
            cells AS (
                SELECT g.nid, g.lv, g.period,
                       COALESCE(dem.d, 0) AS demand_u,
                       COALESCE(sup.u, 0) * {SHARE_SCALE} + COALESCE(nat.u, 0) * g.share
                           AS supply_u,
                       COALESCE(dem.unmet, 0) AS unmet_u, COALESCE(dem.net, 0) AS net_u,
                       COALESCE({_pick("r.n", "g.lv")}, 0) AS records,
                       COALESCE({_pick("r.v", "g.lv")}, 0) AS vacancies
                FROM grid g
                LEFT JOIN dem ON dem.nid = g.nid AND dem.lv = g.lv AND dem.period = g.period
                LEFT JOIN sup ON sup.nid = g.nid AND sup.lv = g.lv AND sup.period = g.period
                LEFT JOIN nat ON nat.lv = g.lv AND nat.period = g.period
                LEFT JOIN nrecs r ON r.nid = g.nid AND r.period = g.period)
            SELECT nid, lv, period, demand_u, supply_u, unmet_u, net_u, records, vacancies
            FROM cells
            UNION ALL
            SELECT c.nid, NULL, c.period, sum(c.demand_u), sum(c.supply_u), sum(c.unmet_u),
                   sum(c.net_u), COALESCE(max(r.n_all), 0), COALESCE(max(r.v_all), 0)
            FROM cells c LEFT JOIN nrecs r ON r.nid = c.nid AND r.period = c.period
            GROUP BY c.nid, c.period
            ORDER BY 1, 2, 3"""
        )

    def _trend_rows(self) -> list[dict[str, Any]]:
        """Per month of both periods and level (NULL: all levels): demand, supply, counts."""
        sums = _level_sums("d{i}", "d") + ", " + _level_sums("n{i}")
        share = f"(CASE WHEN c.an = 0 THEN :scope ELSE {SHARE_SCALE} END)"
        return self._rows(
            f"""
            WITH
            dem AS (SELECT mi, sum(n_all) AS n_all, {sums} FROM gr_am GROUP BY mi),
            runs AS (SELECT c.mi, k.lv, sum(c.u * k.k * {share}) AS s
                     FROM gr_cmon c JOIN gr_clv k ON k.cid = c.cid GROUP BY 1, 2),
            flex AS (SELECT m.mi, k.lv, sum(c.u * k.k * {share}) AS s
                     FROM gr_cflex c JOIN gr_clv k ON k.cid = c.cid
                     JOIN gr_month m ON m.month >= c.first_month GROUP BY 1, 2),
            cells AS (SELECT m.month, m.mi, m.period, v.lv,
                             COALESCE({_pick("dem.d", "v.lv")}, 0) AS demand_u,
                             COALESCE(runs.s, 0) + COALESCE(flex.s, 0) AS supply_u,
                             COALESCE({_pick("dem.n", "v.lv")}, 0) AS records
                      FROM gr_month m CROSS JOIN gr_level v
                      LEFT JOIN dem ON dem.mi = m.mi
                      LEFT JOIN runs ON runs.mi = m.mi AND runs.lv = v.lv
                      LEFT JOIN flex ON flex.mi = m.mi AND flex.lv = v.lv)
            SELECT month, period, lv, demand_u, supply_u, records FROM cells
            UNION ALL
            SELECT c.month, c.period, NULL, sum(c.demand_u), sum(c.supply_u),
                   COALESCE(max(dem.n_all), 0)
            FROM cells c LEFT JOIN dem ON dem.mi = c.mi GROUP BY c.mi
            ORDER BY 1, 3""",
            {"scope": self.db.execute("SELECT share FROM gr_node WHERE nid = 1").fetchone()[0]},
        )

    def _breakdown_rows(self) -> list[dict[str, Any]]:
        """Demand by SIC section, ISCO sub-major and SOC major group, per level, both periods."""
        sums = ", ".join((_level_sums("d{i}", "d"), _level_sums("n{i}"), _level_sums("v{i}", "v")))
        levels = range(len(REPORT_LEVELS))
        rows: list[dict[str, Any]] = []
        for dimension, column in (("sector", "sector"), ("occupation", "occ"), ("soc", "soc")):
            rows += self._rows(
                f"""
                WITH agg AS (SELECT {column} AS code, period, sum(n_all) AS n_all,
                                    sum(v_all) AS v_all, {sums}
                             FROM gr_so GROUP BY 1, 2)
                SELECT '{dimension}' AS dimension, a.code, v.lv, a.period,
                       {_pick("a.d", "v.lv")} AS demand_u, {_pick("a.n", "v.lv")} AS records,
                       {_pick("a.v", "v.lv")} AS vacancies
                FROM agg a CROSS JOIN gr_level v
                WHERE {_pick("a.n", "v.lv")} > 0
                UNION ALL
                SELECT '{dimension}', a.code, NULL, a.period,
                       {" + ".join(f"a.d{i}" for i in levels)}, a.n_all, a.v_all
                FROM agg a
                ORDER BY 2, 3, 4"""
            )
        return rows

    def _top_skill_rows(self, top_n: int) -> list[dict[str, Any]]:
        """The skills with the largest sum of gaps per node and level, current period."""
        assert self._gap_cells is not None, "read inside _report_tables"
        names = {
            sn: (skill_id, label)
            for sn, skill_id, label in self.db.execute(
                "SELECT s.sn, s.id, sk.label FROM gr_skill s JOIN skills sk ON sk.id = s.id"
            )
        }
        rows = []
        for row in report_cells.top_skills(self._gap_cells, top_n):
            skill_id, label = names[row.pop("sn")]
            rows.append(
                {
                    "nid": row.pop("nid"),
                    "lv": row.pop("lv"),
                    "rank": row.pop("rank"),
                    "skill_id": skill_id,
                    "label": label,
                    **row,
                }
            )
        return rows


def _months_serve(q: ReportQuery) -> bool:
    """Do each month's cells and record counts (the month cache) answer this query?"""
    return _summary_serves_cells(q) and _stored_counts_serve(q)


_CELL_OVERRIDE = f"CASE WHEN ds.level = '' THEN 0 ELSE 1 + {_level_case('ds.level')} END"
_MONTH_CELLS_SQL = f"""
    SELECT (g.g << 24) | (a.g << 4) | ({_CELL_OVERRIDE}), ds.essential_vacancies,
           ds.vacancies, ds.records
    FROM demand_skill_cells ds
    JOIN gr_gskill g ON g.id = ds.skill_id
    JOIN gr_gla a ON a.gss = ds.local_authority
    WHERE ds.month = :month"""
# Records without a digital skill count nowhere (see _pass_records), so they are not read.
_MONTH_RECORDS_SQL = """
    SELECT a.g, d.sector, substr(COALESCE(d.isco_code, o.isco_code), 1, 2), d.soc_major,
           d.vacancies, d.skill_level_counts, d.essential_level_counts
    FROM demand d
    JOIN gr_gla a ON a.gss = d.local_authority
    LEFT JOIN occupations o ON o.id = d.occupation_id
    WHERE d.posted_date >= :start AND d.posted_date < :end AND d.skill_level_counts != 0"""


def _fetch_cells(conn: Any, month: str) -> list[np.ndarray]:
    """One month's cells: (skill << 24 | authority << 4 | override), ev, v, n (global numbers)."""
    return report_cells.fetch_int_columns(conn, _MONTH_CELLS_SQL, 4, {"month": month})


def _fetch_records(conn: Any, month: str) -> tuple[np.ndarray, ...]:
    """One month's records with digital skills: authority, sector, occupation group, SOC
    group (code numbers), vacancies and the two packed counts."""
    rows = conn.execute(
        _MONTH_RECORDS_SQL, {"start": f"{month}-01", "end": f"{_next_month(month)}-01"}
    ).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7
    numbers = [np.array(columns[i], dtype=np.int64) for i in (0, 4, 5, 6)]
    codes = [report_cells.CODES.numbers(list(columns[i])) for i in (1, 2, 3)]
    return (numbers[0], *codes, *numbers[1:])


def _level_fields(q: ReportQuery) -> int:
    """The bits of the packed per-level counts (m005) that a level filter keeps."""
    fields = [REPORT_LEVELS.index(name) for name in q.levels or REPORT_LEVELS]
    return sum(_MASK << (_MASK_BITS * i) for i in fields)


# The sums gr_am and gr_so hold per key, in column order, however they were built: records,
# vacancies, then per level records needing a skill there, their vacancies, weighted demand.
_RECORD_SUMS = (
    "n_all",
    "v_all",
    *(f"{p}{i}" for p in ("n", "v", "d") for i in range(len(REPORT_LEVELS))),
)


def _summary_serves_cells(q: ReportQuery) -> bool:
    """Do the monthly cells (m006) answer this query? Not when records must be filtered."""
    return not (q.sectors or q.occupations)


def _stored_counts_serve(q: ReportQuery) -> bool:
    """Do the per-record counts stored by level (m005: digital skills) answer this query?"""
    return q.digital_only and not q.skill_ids


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return f"{year:04d}-{number:02d}"


def _level_sums(expression: str, prefix: str = "n") -> str:
    """``sum(expr_0) AS <prefix>0, ...`` over the per-level columns of gr_am / gr_so."""
    return ", ".join(
        f"sum({expression.format(i=i)}) AS {prefix}{i}" for i in range(len(REPORT_LEVELS))
    )


def _roll_sums(extra: Sequence[str], alias: str) -> str:
    """Sums of a per-level count table's columns, for rolling authorities up to nodes."""
    names = [*extra] + [f"{p}{i}" for p in ("n", "v") for i in range(len(REPORT_LEVELS))]
    return ", ".join(f"sum({alias}.{n}) AS {n}" for n in names)


def _pick(prefix: str, level: str) -> str:
    """SQL choosing column ``<prefix><level>`` of a per-level row: an unpivot."""
    whens = " ".join(f"WHEN {i} THEN {prefix}{i}" for i in range(len(REPORT_LEVELS)))
    return f"(CASE {level} {whens} END)"


class _SiblingPass:
    """Both record passes over a share of the records, on a second connection.

    The sibling takes its share (see _part_filter); the main connection takes the rest
    and meanwhile builds the supply and the area tree. Both connections must read the same
    snapshot. The sibling notes ``PRAGMA data_version`` before the main connection opens its
    read transaction and again once its own is open: the value changes only if another
    connection committed in between, in which case the snapshots may differ, the sibling's
    rows are discarded and the main connection does its share too. So the parallel plan is
    never less consistent than the serial one. Only aggregates travel back: the partial
    cells (gr_cellk, tens of thousands of rows) and record counts (gr_am, gr_so).
    """

    TABLES = ("gr_cellk", "gr_am", "gr_so")

    def __init__(self, open_store: Callable[[], Any], q: ReportQuery) -> None:
        self._open = open_store
        self._q = q
        self._ready = threading.Event()
        self._go = threading.Event()
        self._cancelled = False
        self._tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] | None = None
        self._thread = threading.Thread(target=self._run, name="gap-report-sibling", daemon=True)
        self._thread.start()
        self._ready.wait(_SIBLING_TIMEOUT_S)

    def go(self) -> None:
        """The main connection holds its snapshot: start."""
        self._go.set()

    def cancel(self) -> None:
        """Stop waiting (the report failed or is done)."""
        self._cancelled = True
        self._go.set()

    def result(self) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]] | None:
        """Columns and rows of each aggregate, or None when the main connection must
        compute them itself."""
        self._thread.join(_SIBLING_TIMEOUT_S)
        return None if self._thread.is_alive() else self._tables

    def _run(self) -> None:
        store = None
        try:
            store = self._open()
            conn = store.db.conn
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA cache_size = -131072")
            before = conn.execute("PRAGMA data_version").fetchone()[0]
            self._ready.set()
            self._go.wait(_SIBLING_TIMEOUT_S)
            if self._cancelled or not self._go.is_set():
                return
            conn.execute("BEGIN")
            conn.execute("SELECT 1 FROM demand LIMIT 1")
            if conn.execute("PRAGMA data_version").fetchone()[0] != before:
                log.info("Gap report: data changed while starting; running on one connection.")
                return
            store._build_prelude(self._q, "sibling")
            if _summary_serves_cells(self._q):
                conn.execute(_CELLK_TABLE)  # the main connection reads every month's cells
            else:
                store._pass_cells(self._q)
            store._pass_records(self._q)
            tables = {}
            for name in self.TABLES:
                cursor = conn.execute(f"SELECT * FROM {name}")
                tables[name] = ([c[0] for c in cursor.description], cursor.fetchall())
            self._tables = tables
        except Exception:  # the main connection falls back to doing the share itself
            log.exception("Gap report: the second connection failed; running on one.")
            self._tables = None
        finally:
            self._ready.set()
            if store is not None:
                if store.db.conn.in_transaction:
                    store.db.conn.execute("ROLLBACK")
                store.close()
