"""The gap report's arithmetic in numpy, and each month's demand held in memory.

A report needs demand per cell (skill, level, authority, period). Without sector or
occupation filters the cells and the record counts come from each month's arrays, which
:class:`MonthCache` holds until the month's version token changes (m012); otherwise SQL adds
the demand-skill rows up (skills_match.store.reports). Either way the cells are then taken
through the gap rules here on int64 arrays: local gaps, roll-ups to every node of the area
tree, node supply, per-area sums and top lists. Four SQL passes that each sorted or
upserted every cell took about 3 s of a 296-authority report; this takes about 0.4 s
(measured). Every sum is an exact integer sum, so the figures are those SQL gave, to the unit.

Keys are packed integers: a cell is ``(skill << 20) | (level << 17) | (authority << 1) |
period`` and a node cell ``(node << 32) | (skill << 4) | (level << 1) | period``.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

AN_BITS = 65535 << 1  # the authority's bits in a cell key


def fetch_int_columns(
    conn: sqlite3.Connection, sql: str, width: int, params: Any = ()
) -> list[np.ndarray]:
    """Run ``sql`` (``width`` integer columns, no NULLs) and return one int64 array per
    column."""
    # Streamed from the cursor into one flat array: no list of row tuples (twice as fast
    # as np.array over fetchall for a million rows, measured).
    flat = np.fromiter(itertools.chain.from_iterable(conn.execute(sql, params)), dtype=np.int64)
    table = flat.reshape(len(flat) // width, width)
    return [np.ascontiguousarray(table[:, i]) for i in range(width)]


@dataclass(frozen=True)
class KeyedTable:
    """Integer values by sorted integer key: the lookup side of a join (missing keys: 0)."""

    keys: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, values: np.ndarray) -> KeyedTable:
        """The table of ``keys`` (any order, each once) and their ``values``."""
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], values[order])

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, 0 where the key is absent (SQL's COALESCE(u, 0))."""
        if len(self.keys) == 0:
            return np.zeros(len(keys), dtype=np.int64)
        found, at = self.find(keys)
        return np.where(found, self.values[at], 0)

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(whether each key is present, its index where it is)."""
        if len(self.keys) == 0:
            return np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return self.keys[at] == keys, at


def group_sums(keys: np.ndarray, *values: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct keys in order and, for each values array, its sum per key (exact)."""
    if len(keys) == 0:
        return keys, [v[:0] for v in values]
    # Stable: timsort runs through the presorted stretches (months, nodes), 2x quicksort.
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
    return ordered[starts], [np.add.reduceat(v[order], starts) for v in values]


@dataclass(frozen=True)
class NodeCells:
    """Per node of the area tree, skill, level and period: demand, records, unmet, supply."""

    key: np.ndarray  # node cell keys, ascending
    d: np.ndarray
    n: np.ndarray
    unmet: np.ndarray
    s: np.ndarray

    @property
    def nid(self) -> np.ndarray:
        return self.key >> 32

    @property
    def sn(self) -> np.ndarray:
        return (self.key >> 4) & 268435455

    @property
    def lv(self) -> np.ndarray:
        return (self.key >> 1) & 7

    @property
    def period(self) -> np.ndarray:
        return self.key & 1


class AreaTree:
    """Each authority's nodes (itself and every ancestor), for repeating a cell per node."""

    def __init__(self, leaves: np.ndarray, nodes: np.ndarray) -> None:
        """``leaves`` / ``nodes``: the (authority number, node id) pairs, in any order."""
        order = np.argsort(leaves, kind="stable")
        self._nodes = nodes[order]
        self._count = np.bincount(leaves, minlength=1)
        self._first = np.concatenate(([0], np.cumsum(self._count)[:-1]))

    def spread(self, an: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For cells in authorities ``an``: (cell index, node id), one row per node of each."""
        if len(an) and an.max() >= len(self._count):
            raise ValueError("a cell's authority is not in the area tree")
        repeats = self._count[an]
        cell = np.repeat(np.arange(len(an)), repeats)
        within = np.arange(len(cell)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
        return cell, self._nodes[self._first[an[cell]] + within]


def _node_key(nid: np.ndarray, cell_key: np.ndarray) -> np.ndarray:
    """Node cell keys of nodes and cell keys (their skill, level and period)."""
    return (nid << 32) | ((cell_key >> 17) << 1) | (cell_key & 1)


def node_cells(
    cells: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    leaf_share: np.ndarray,
    tree: AreaTree,
    node_share: np.ndarray,
    supply: KeyedTable,
    weights: tuple[int, int],
    scale: int,
) -> NodeCells:
    """Take demand cells through the gap rules and roll them up to every node.

    ``cells``: (key, essential vacancies, vacancies, records) per cell, each key once.
    ``leaf_share`` / ``node_share``: population share (ppm) by authority number / node id.
    ``supply``: twelfths of a place per cell key (authority 0: national delivery).
    ``weights``: units per essential and per optional vacancy; ``scale``: the share
    denominator (what a local place is multiplied by).
    """
    key, ev, v, n = cells
    we, wo = weights
    an = (key >> 1) & 65535
    d = ev * we + (v - ev) * wo
    # An authority's supply of a skill: its own places plus its share of national places.
    s = supply.get(key) * scale + supply.get(key & ~AN_BITS) * leaf_share[an]
    unmet = np.maximum(d - s, 0)
    # Every cell counts once in its authority and once in each ancestor.
    cell, nid = tree.spread(an)
    node_key, (nd, nn, nunmet) = group_sums(
        _node_key(nid, key[cell]), d[cell], n[cell], unmet[cell]
    )
    # A node's supply of a skill: the local places in its authorities plus its national share.
    local = np.flatnonzero((supply.keys >> 1) & 65535)
    place, place_nid = tree.spread((supply.keys[local] >> 1) & 65535)
    supply_key, (supply_u,) = group_sums(
        _node_key(place_nid, supply.keys[local][place]), supply.values[local][place]
    )
    node_supply = KeyedTable(supply_key, supply_u)
    # The national cell of the node cell's skill, level and period (authority 0).
    national = (
        (((node_key >> 4) & 268435455) << 20) | (((node_key >> 1) & 7) << 17) | (node_key & 1)
    )
    ns = node_supply.get(node_key) * scale + supply.get(national) * node_share[node_key >> 32]
    return NodeCells(node_key, nd, nn, nunmet, ns)


def area_demand(cells: NodeCells) -> list[tuple[int, int, int, int, int, int]]:
    """Per node, level and period: (nid, lv, period, demand, sum of gaps, net gap)."""
    group = (cells.nid << 4) | (cells.lv << 1) | cells.period
    groups, (d, unmet, net) = group_sums(
        group, cells.d, cells.unmet, np.maximum(cells.d - cells.s, 0)
    )
    return list(
        zip(
            (groups >> 4).tolist(),
            ((groups >> 1) & 7).tolist(),
            (groups & 1).tolist(),
            d.tolist(),
            unmet.tolist(),
            net.tolist(),
            strict=True,
        )
    )


def top_skills(cells: NodeCells, top_n: int) -> list[dict[str, int | None]]:
    """The ``top_n`` skills by sum of gaps per node and level in the current period.

    Ties go to the larger demand, then the lower skill number (skills are numbered in id
    order). Each row carries the skill's previous-period figures (None where it had none).
    """
    pick = np.flatnonzero((cells.period == 1) & (cells.unmet > 0))
    nid, lv, sn = cells.nid[pick], cells.lv[pick], cells.sn[pick]
    d, unmet = cells.d[pick], cells.unmet[pick]
    order = np.lexsort((sn, -d, -unmet, lv, nid))
    pick, nid, lv = pick[order], nid[order], lv[order]
    group = (nid << 4) | lv
    starts = np.concatenate(([0], np.flatnonzero(group[1:] != group[:-1]) + 1))
    sizes = np.diff(np.concatenate((starts, [len(group)])))
    rank = np.arange(len(group)) - np.repeat(starts, sizes) + 1
    keep = rank <= top_n
    pick, rank = pick[keep], rank[keep]
    found, before = _previous(cells, cells.key[pick])
    d, supplied = cells.d[pick], cells.s[pick]
    columns = {
        "nid": cells.nid[pick],
        "lv": cells.lv[pick],
        "rank": rank,
        "sn": cells.sn[pick],
        "demand_u": d,
        "supply_u": supplied,
        "unmet_u": cells.unmet[pick],
        "net_u": np.maximum(d - supplied, 0),
        "records": cells.n[pick],
    }
    lists = {name: values.tolist() for name, values in columns.items()}
    for name, values in (("demand", cells.d), ("supply", cells.s), ("unmet", cells.unmet)):
        lists[f"previous_{name}_u"] = [
            value if had else None
            for value, had in zip(values[before].tolist(), found.tolist(), strict=True)
        ]
    names = list(lists)
    return [dict(zip(names, row, strict=True)) for row in zip(*lists.values(), strict=True)]


def _previous(cells: NodeCells, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For current-period node cell keys: whether the previous period has the cell, where."""
    return KeyedTable(cells.key, cells.key).find(keys & ~1)


# -- each month's demand, kept in memory ------------------------------------------------------

# Memory the month cache may hold per process: 24 months of 1M demand-skill rows over 296
# authorities (877k cells, 116k records) take 34 MB.
MONTH_CACHE_BYTES = 256 * 1024 * 1024
_SKILL_SHIFT, _AREA_SHIFT = 24, 4  # a cached cell: (skill << 24) | (authority << 4) | level


@dataclass(frozen=True)
class Numbering:
    """Every skill id and authority code numbered 1, 2, ... in id order, in one snapshot.

    ``token`` also covers the occupations' ISCO codes, which cached records were read with.
    """

    skills: dict[str, int]
    areas: dict[str, int]
    token: int  # equal for equal numberings (within this process)

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> Numbering:
        """The numbering of the skills and authorities the connection sees now."""
        skills = tuple(r[0] for r in conn.execute("SELECT id FROM skills ORDER BY id"))
        areas = tuple(
            r[0] for r in conn.execute("SELECT gss_code FROM local_authorities ORDER BY gss_code")
        )
        occupations = tuple(conn.execute("SELECT id, isco_code FROM occupations ORDER BY id"))
        return cls(
            {s: i for i, s in enumerate(skills, 1)},
            {a: i for i, a in enumerate(areas, 1)},
            hash((skills, areas, occupations)),
        )


class Codes:
    """Text codes (sectors, occupation groups, SOC groups) as numbers 1, 2, ... (None: 0).

    Append-only for the life of the process, so numbers in cached months stay valid.
    """

    def __init__(self) -> None:
        self._numbers: dict[str | None, int] = {None: 0}
        self._codes: list[str | None] = [None]
        self._lock = threading.Lock()

    def numbers(self, codes: list[str | None]) -> np.ndarray:
        """The number of each code, numbering new ones."""
        with self._lock:
            known = self._numbers
            for code in set(codes) - known.keys():
                known[code] = len(self._codes)
                self._codes.append(code)
            return np.fromiter((known[c] for c in codes), dtype=np.int64, count=len(codes))

    def code(self, number: int) -> str | None:
        """The code of a number."""
        return self._codes[number]


CODES = Codes()


class MonthCache:
    """Each month's demand (cells, records) as arrays, per database, until the month changes.

    A report over 24 months reads them from memory instead of the tables (reading and
    converting them was most of a 296-authority report); a month is read again only when
    demand_cell_versions (m012, kept by triggers) says its demand changed. Least recently
    used months go first beyond ``max_bytes``. Thread-safe.
    """

    def __init__(self, max_bytes: int = MONTH_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Any, ...], tuple[np.ndarray, ...]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def months(
        self,
        conn: sqlite3.Connection,
        what: tuple[str, str, int],
        months: list[str],
        read: Callable[[str], tuple[np.ndarray, ...]],
        width: int,
    ) -> dict[str, tuple[np.ndarray, ...]]:
        """The arrays of each month; ``read(month)`` gives them when none are held or stale.

        ``what``: (database, kind of table, numbering token); ``read`` runs on ``conn``,
        inside the caller's snapshot, as does the version check. A month that never had
        demand is ``width`` empty arrays.
        """
        marks = ",".join("?" * len(months))
        versions = dict(
            conn.execute(
                f"SELECT month, version FROM demand_cell_versions WHERE month IN ({marks})", months
            )
        )
        out = {}
        for month in months:
            if month not in versions:  # no demand was ever written for the month
                out[month] = tuple(np.zeros(0, dtype=np.int64) for _ in range(width))
                continue
            key = (*what, month, versions[month])
            with self._lock:
                found = self._entries.get(key)
                if found is not None:
                    self._entries.move_to_end(key)
            if found is None:
                found = read(month)
                self._keep(key, found)
            out[month] = found
        return out

    def held(self, database: str, kind: str) -> dict[str, tuple[np.ndarray, ...]]:
        """The months held for one database and kind now (for tests and diagnostics)."""
        with self._lock:
            return {
                k[3]: arrays
                for k, arrays in self._entries.items()
                if k[0] == database and k[1] == kind
            }

    def clear(self) -> None:
        """Forget every month (tests; a process that knows its data were replaced)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _keep(self, key: tuple[Any, ...], arrays: tuple[np.ndarray, ...]) -> None:
        size = sum(a.nbytes for a in arrays)
        with self._lock:
            if key in self._entries or size > self.max_bytes or self.max_bytes <= 0:
                return
            # Older versions of the month can never be asked for again.
            for stale in [k for k in self._entries if k[:-1] == key[:-1]]:
                self._bytes -= sum(a.nbytes for a in self._entries.pop(stale))
            self._entries[key] = arrays
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._bytes -= sum(a.nbytes for a in self._entries.popitem(last=False)[1])


MONTHS = MonthCache()


def report_cells_from_months(
    months: list[tuple[tuple[np.ndarray, ...], int]],
    skill_number: np.ndarray,
    skill_level: np.ndarray,
    area_number: np.ndarray,
    levels: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A report's cells, (key, essential vacancies, vacancies, records), from month cells.

    ``months``: each month's cells, (packed key, essential vacancies, vacancies, records),
    with its period (0 previous, 1 current).
    ``skill_number`` / ``skill_level``: by global skill number, the report's skill number
    (0: not in the report) and level; ``area_number``: by global authority number, the
    report's authority number (0: out of scope). ``levels``: the levels kept (None: all).
    A cell's own level override (1 + level, 0 for none) wins over its skill's level.
    """
    keys, evs, vs, ns = [], [], [], []
    for (cell_key, cell_ev, cell_v, cell_n), period in months:
        g_skill = cell_key >> _SKILL_SHIFT
        g_area = (cell_key >> _AREA_SHIFT) & ((1 << (_SKILL_SHIFT - _AREA_SHIFT)) - 1)
        override = cell_key & ((1 << _AREA_SHIFT) - 1)
        sn, an = skill_number[g_skill], area_number[g_area]
        lv = np.where(override == 0, skill_level[g_skill], override - 1)
        keep = (sn > 0) & (an > 0)
        if levels is not None:
            keep &= np.isin(lv, levels)
        keys.append((sn[keep] << 20) | (lv[keep] << 17) | (an[keep] << 1) | period)
        evs.append(cell_ev[keep])
        vs.append(cell_v[keep])
        ns.append(cell_n[keep])
    if not keys:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    key, (ev, v, n) = group_sums(
        np.concatenate(keys), np.concatenate(evs), np.concatenate(vs), np.concatenate(ns)
    )
    return key, ev, v, n


def record_counts(
    months: list[tuple[tuple[np.ndarray, ...], int, int]],
    area_number: np.ndarray,
    keep_bits: int,
    levels: int,
    bits: int,
    weights: tuple[int, int],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Records needing a skill at each level, by area and month and by sector / occupation.

    ``months``: each month's records, (authority, sector, occupation group, SOC group,
    vacancies, skill counts, essential counts) in global numbers and codes (see Codes),
    with the month's index and period. The counts pack ``levels`` fields of ``bits`` bits;
    ``keep_bits`` keeps the fields of the levels asked for. Returns the rows of gr_am
    (authority, month index, period, sums) and gr_so (sector, occupation, SOC, period, sums),
    the sums being n_all, v_all, then n<l>, v<l>, d<l> for each level (see _pass_records).
    """
    if not months:
        return [], []
    columns = [np.concatenate([arrays[i] for arrays, _, _ in months]) for i in range(7)]
    g_area, sector, occupation, soc, vac, tmask, emask = columns
    sizes = [len(arrays[0]) for arrays, _, _ in months]
    mi = np.repeat(np.array([m for _, m, _ in months], dtype=np.int64), sizes)
    period = np.repeat(np.array([p for _, _, p in months], dtype=np.int64), sizes)
    an = area_number[g_area]
    tmask, emask = tmask & keep_bits, emask & keep_bits
    keep = np.flatnonzero((an > 0) & (tmask != 0))  # a record with none counts nowhere
    an, mi, period, vac, tmask, emask = (a[keep] for a in (an, mi, period, vac, tmask, emask))
    sector, occupation, soc = sector[keep], occupation[keep], soc[keep]
    we, wo = weights
    mask = (1 << bits) - 1
    needs, vacancies, weighted = [], [], []
    for level in range(levels):
        shift = bits * level
        total = (tmask >> shift) & mask
        essential, optional = (emask >> shift) & mask, ((tmask - emask) >> shift) & mask
        needs.append((total > 0).astype(np.int64))
        vacancies.append((total > 0) * vac)
        weighted.append(vac * (essential * we + optional * wo))
    values = (np.ones(len(an), dtype=np.int64), vac, *needs, *vacancies, *weighted)

    def rows(key: np.ndarray, head: Callable[[np.ndarray], list[list[Any]]]) -> list[tuple]:
        keys, sums = group_sums(key, *values)
        return list(zip(*head(keys), *(s.tolist() for s in sums), strict=True))

    by_area = rows(
        (an << 17) | (mi << 1) | period,
        lambda k: [(k >> 17).tolist(), ((k >> 1) & 65535).tolist(), (k & 1).tolist()],
    )
    by_sector = rows(
        (sector << 41) | (occupation << 21) | (soc << 1) | period,
        lambda k: [
            [CODES.code(c) for c in (k >> 41).tolist()],
            [CODES.code(c) for c in ((k >> 21) & 1048575).tolist()],
            [CODES.code(c) for c in ((k >> 1) & 1048575).tolist()],
            (k & 1).tolist(),
        ],
    )
    return by_area, by_sector
