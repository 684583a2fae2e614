"""The gap report's cell arithmetic in numpy: local gaps, roll-ups to the area tree, top lists.

SQL adds the demand up into cells (one per skill, level, authority and period) and builds the
supply and the area tree; the hundreds of thousands of cells are then taken through the gap
rules here, on whole-number int64 arrays, instead of four more SQL passes that each sort or
upsert every cell (about 3 s of a 296-authority report, measured; this takes a tenth of it).
Every sum is an exact integer sum, so the figures are those the SQL gave, to the unit.

Keys are the packed integers of :mod:`skills_match.store.reports`: a cell is
``(skill << 20) | (level << 17) | (authority << 1) | period`` and a node cell
``(node << 32) | (skill << 4) | (level << 1) | period``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import numpy as np

AN_BITS = 65535 << 1  # the authority's bits in a cell key


def fetch_int_columns(conn: sqlite3.Connection, sql: str, width: int, params: Any = ()) -> list:
    """Run ``sql`` (``width`` integer columns) and return one int64 array per column."""
    rows = conn.execute(sql, params).fetchall()
    table = np.array(rows, dtype=np.int64).reshape(len(rows), width)
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


def node_cells(
    cells: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    leaf_share: np.ndarray,
    leaf_nodes: tuple[np.ndarray, np.ndarray],
    node_share: np.ndarray,
    supply: KeyedTable,
    node_supply: KeyedTable,
    weights: tuple[int, int],
    scale: int,
) -> NodeCells:
    """Take demand cells through the gap rules and roll them up to every node.

    ``cells``: (key, essential vacancies, vacancies, records) per cell, each key once.
    ``leaf_share`` / ``node_share``: population share (ppm) by authority number / node id.
    ``leaf_nodes``: (authority, node) pairs, each authority with itself and its ancestors.
    ``supply``: twelfths of a place per cell key (authority 0: national delivery);
    ``node_supply``: local twelfths per node cell key. ``weights``: units per essential and
    per optional vacancy; ``scale``: the share denominator (a local place's multiplier).
    """
    key, ev, v, n = cells
    we, wo = weights
    an = (key >> 1) & 65535
    d = ev * we + (v - ev) * wo
    # An authority's supply of a skill: its own places plus its share of national places.
    s = supply.get(key) * scale + supply.get(key & ~AN_BITS) * leaf_share[an]
    unmet = np.maximum(d - s, 0)
    # Every cell counts once in its authority and once in each ancestor: repeat each cell
    # once per node it belongs to, then add up by node cell key.
    leaves, nodes = leaf_nodes
    order = np.argsort(leaves, kind="stable")
    leaves, nodes = leaves[order], nodes[order]
    width = int(max(an.max(initial=0), leaves.max(initial=0))) + 1
    per_leaf = np.bincount(leaves, minlength=width)
    first = np.concatenate(([0], np.cumsum(per_leaf)[:-1]))
    repeats = per_leaf[an]
    cell = np.repeat(np.arange(len(key)), repeats)
    within = np.arange(len(cell)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    nid = nodes[first[an[cell]] + within]
    skill_bits = ((key >> 17) << 1) | (key & 1)  # (skill << 4) | (level << 1) | period
    node_key, (nd, nn, nunmet) = group_sums(
        (nid << 32) | skill_bits[cell], d[cell], n[cell], unmet[cell]
    )
    # A node's supply of a skill: local places in its authorities plus its national share.
    national = ((node_key >> 4) & 268435455) << 20 | ((node_key >> 1) & 7) << 17 | (node_key & 1)
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
    rows = []
    for i, r, had, p in zip(
        pick.tolist(), rank.tolist(), found.tolist(), before.tolist(), strict=True
    ):
        d_i, s_i = int(cells.d[i]), int(cells.s[i])
        rows.append(
            {
                "nid": int(cells.key[i] >> 32),
                "lv": int((cells.key[i] >> 1) & 7),
                "rank": r,
                "sn": int((cells.key[i] >> 4) & 268435455),
                "demand_u": d_i,
                "supply_u": s_i,
                "unmet_u": int(cells.unmet[i]),
                "net_u": max(d_i - s_i, 0),
                "records": int(cells.n[i]),
                "previous_demand_u": int(cells.d[p]) if had else None,
                "previous_supply_u": int(cells.s[p]) if had else None,
                "previous_unmet_u": int(cells.unmet[p]) if had else None,
            }
        )
    return rows


def _previous(cells: NodeCells, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For current-period node cell keys: whether the previous period has the cell, where."""
    return KeyedTable(cells.key, cells.key).find(keys & ~1)
