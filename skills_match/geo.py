"""Where an advert is: postcode, coordinates or place name -> local authority (GSS code).

Offline, from the ONS Postcode Directory derived into ``data/reference/postcodes.npz``
(scripts/derive_data.py writes it; data/README.md describes the arrays). The order of
evidence is fixed and every answer says which evidence gave it:

1. a full postcode found in ONSPD (live or terminated);
2. a postcode ONSPD does not list (new, or mistyped in its last letters): its sector, then
   its district, but only where at least ``UNANIMOUS`` of that area's postcodes lie in
   one authority;
3. coordinates: the authority of the nearest postcode centroid, if one lies within
   ``MAX_POINT_METRES``;
4. a place name that is an authority's name (``local_authority_names.csv``), else a UK town
   or village (``places.csv``, GeoNames) lying in one authority, or whose largest namesake
   has ``DOMINANT`` times the people of every other.

Anything else is unresolved, with the reason: a record is never placed by guesswork.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Postcode keys: base 37 over these characters, outward code padded to 4 (postcode_key).
_ALPHABET = " 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CODE = {c: i for i, c in enumerate(_ALPHABET)}
_BASE = len(_ALPHABET)
# A UK postcode: outward code (area letters, district digit(s), optional letter), then an
# inward code (sector digit, two unit letters). Spaces inside are optional as people type.
_POSTCODE = r"([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})"
_WHOLE = re.compile(rf"\s*{_POSTCODE}\s*", re.IGNORECASE)
_IN_TEXT = re.compile(rf"(?<![A-Z0-9]){_POSTCODE}(?![A-Z0-9])", re.IGNORECASE)
# Crown Dependencies have postcodes but no UK local authority.
_CROWN_DEPENDENCIES = ("GY", "JE", "IM")

# Authority name as people write it -> GSS code, or None (Store.resolve_area).
PlaceLookup = Callable[[str], "str | None"]
# A town or village: (GSS code, population, name, (latitude, longitude) or None).
_Place = tuple[str, int, str, "tuple[float, float] | None"]

UNANIMOUS = 0.95  # share of a sector's / district's postcodes in one authority
DOMINANT = 20  # population ratio that lets the largest of several same-named places answer
RIVAL_TOWN = 10_000  # people a same-named place elsewhere needs to make a council name unclear
MAX_POINT_METRES = 1_000.0  # farther than this from any postcode centroid: unresolved
EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class Resolution:
    """The local authority a location resolved to (None when unresolved), how, and why."""

    gss_code: str | None
    method: str  # postcode | postcode sector | postcode district | coordinates | place | unresolved
    detail: str
    # (latitude, longitude) of the evidence: the postcode's centroid (a sector's or district's
    # mean), the coordinates, the town; None for an authority's name or when unresolved.
    point: tuple[float, float] | None = None

    @property
    def resolved(self) -> bool:
        """Whether an authority was found."""
        return self.gss_code is not None


@functools.cache
def locator_for(data_dir: str) -> Locator:
    """The process's one Locator over ``<data_dir>/reference/postcodes.npz``."""
    return Locator(Path(data_dir) / "reference" / "postcodes.npz")


def normalise_postcode(text: str | None) -> str | None:
    """The postcode in canonical form ("L1 8JQ") if ``text`` is one postcode, else None."""
    if not text:
        return None
    match = _WHOLE.fullmatch(text)
    return f"{match[1]} {match[2]}".upper() if match else None


def find_postcodes(text: str | None) -> list[str]:
    """Every postcode written in a piece of text, canonical, in order, without repeats."""
    found: list[str] = []
    for match in _IN_TEXT.finditer(text or ""):
        code = f"{match[1]} {match[2]}".upper()
        if code not in found:
            found.append(code)
    return found


def postcode_key(postcode: str) -> int:
    """Sortable integer key of a postcode (outward code padded to 4 characters).

    postcodes.npz stores these keys; scripts/derive_data.py writes them with this function.
    """
    compact = postcode.replace(" ", "")
    return _prefix_key(compact[:-3].ljust(4) + compact[-3:])


def postcode_of_key(key: int) -> str:
    """The canonical postcode ("L1 8JQ") a key stands for."""
    chars = []
    for _ in range(7):
        key, digit = divmod(key, _BASE)
        chars.append(_ALPHABET[digit])
    text = "".join(reversed(chars))
    return f"{text[:4].strip()} {text[4:]}"


def _prefix_key(chars: str) -> int:
    key = 0
    for char in chars:
        key = key * _BASE + _CODE[char]
    return key


def place_key(name: str) -> str:
    """How places.csv keys a place name (scripts/derive_data.py writes it with this)."""
    return " ".join(name.casefold().replace("-", " ").split())


def unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the sphere in metres: chord distance ranks neighbours exactly."""
    phi, lam = np.radians(lat), np.radians(lon)
    return EARTH_RADIUS_M * np.column_stack(
        [np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)]
    )


@dataclass(frozen=True)
class PostcodeTable:
    """postcodes.npz decoded: sorted keys, authority index per postcode, WGS84 points."""

    keys: np.ndarray  # int64, sorted (postcode_key)
    authority: np.ndarray  # uint16 index into authorities
    authorities: list[str]  # GSS codes
    lat: np.ndarray  # degrees; 0 where ONSPD has no grid reference
    lon: np.ndarray


def read_postcodes(path: Path) -> PostcodeTable:
    """Decode postcodes.npz (its arrays are delta-encoded; data/README.md describes them)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run scripts/derive_data.py to derive it.")
    with np.load(path, allow_pickle=False) as npz:
        return PostcodeTable(
            keys=np.cumsum(npz["key_delta"], dtype=np.int64),
            authority=npz["authority"],
            authorities=[str(g) for g in npz["authorities"]],
            lat=np.cumsum(npz["lat_delta"], dtype=np.int64) / 1e6,
            lon=np.cumsum(npz["lon_delta"], dtype=np.int64) / 1e6,
        )


class Locator:
    """Resolves locations to local authorities; loads its tables on first use (thread-safe)."""

    def __init__(self, postcodes_path: Path, places_path: Path | None = None):
        self.path = postcodes_path
        self.places_path = places_path or postcodes_path.with_name("places.csv")
        self._places: dict[str, list[_Place]] | None = None
        self._lock = threading.Lock()
        self._keys: np.ndarray | None = None
        self._tree: Any = None

    # -- tables -------------------------------------------------------------------------

    def _load(self) -> None:
        with self._lock:
            if self._keys is not None:
                return
            table = read_postcodes(self.path)
            self._authority, self._authorities = table.authority, table.authorities
            self._lat, self._lon = table.lat, table.lon
            self._has_point = table.lat != 0
            self._keys = table.keys

    def _point_tree(self) -> Any:
        self._load()
        with self._lock:
            if self._tree is None:
                # Imported here: only coordinate lookups need scipy's KD-tree.
                from scipy.spatial import cKDTree

                self._point_index = np.flatnonzero(self._has_point)
                xyz = unit_xyz(self._lat[self._point_index], self._lon[self._point_index])
                self._tree = cKDTree(xyz)
            return self._tree

    @property
    def size(self) -> int:
        """How many postcodes the table holds."""
        self._load()
        assert self._keys is not None
        return len(self._keys)

    # -- single kinds of evidence ---------------------------------------------------------

    def by_postcode(self, text: str) -> Resolution:
        """The authority of a postcode; its sector or district when ONSPD lacks it."""
        postcode = normalise_postcode(text)
        if postcode is None:
            return Resolution(None, "unresolved", f"{text!r} is not a UK postcode")
        if postcode.startswith(_CROWN_DEPENDENCIES) and postcode[2].isdigit():
            return Resolution(
                None,
                "unresolved",
                f"{postcode} is in the Channel Islands or the Isle of Man (no UK authority)",
            )
        self._load()
        assert self._keys is not None
        key = postcode_key(postcode)
        at = int(np.searchsorted(self._keys, key))
        if at < len(self._keys) and self._keys[at] == key:
            point = self._point_at(at)
            return Resolution(self._gss(at), "postcode", f"postcode {postcode} (ONSPD)", point)
        outward, inward = postcode.split(" ")
        for method, chars, label in (
            ("postcode sector", outward.ljust(4) + inward[0], f"{outward} {inward[0]}"),
            ("postcode district", outward.ljust(4), outward),
        ):
            found = self._unanimous_area(chars)
            if found is None:
                continue
            gss, share, count, point = found
            if share >= UNANIMOUS:
                return Resolution(
                    gss,
                    method,
                    f"postcode {postcode} is not in ONSPD; {share:.0%} of the {count} "
                    f"postcodes in {method.split()[1]} {label} lie in {gss}",
                    point,
                )
            return Resolution(
                None,
                "unresolved",
                f"postcode {postcode} is not in ONSPD and {method.split()[1]} {label} is "
                f"split between authorities ({share:.0%} in the largest)",
            )
        return Resolution(None, "unresolved", f"postcode {postcode} is not in ONSPD")

    def _unanimous_area(
        self, chars: str
    ) -> tuple[str, float, int, tuple[float, float] | None] | None:
        """(largest authority, its share, postcode count, mean point) for a key prefix; None
        if no postcode has it."""
        assert self._keys is not None
        width = _BASE ** (7 - len(chars))
        low = _prefix_key(chars) * width
        start, end = np.searchsorted(self._keys, [low, low + width])
        if end <= start:
            return None
        counts = np.bincount(self._authority[start:end])
        top = int(counts.argmax())
        located = np.flatnonzero(self._has_point[start:end]) + start
        point = (
            (float(self._lat[located].mean()), float(self._lon[located].mean()))
            if len(located)
            else None
        )
        return self._authorities[top], float(counts[top] / (end - start)), int(end - start), point

    def by_point(self, latitude: float, longitude: float) -> Resolution:
        """The authority of the nearest postcode centroid within MAX_POINT_METRES."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return Resolution(
                None, "unresolved", f"({latitude}, {longitude}) is not a latitude/longitude"
            )
        tree = self._point_tree()
        distance, nearest = tree.query(unit_xyz(np.array([latitude]), np.array([longitude])))
        metres = float(distance[0])
        if not math.isfinite(metres) or metres > MAX_POINT_METRES:
            far = f"{metres / 1000:,.0f} km" if math.isfinite(metres) else "far"
            return Resolution(
                None,
                "unresolved",
                f"no postcode within {MAX_POINT_METRES:,.0f} m of ({latitude}, {longitude}); "
                f"the nearest is {far} away",
            )
        at = int(self._point_index[int(nearest[0])])
        return Resolution(
            self._gss(at),
            "coordinates",
            f"nearest postcode {self._postcode_at(at)} is {metres:,.0f} m from "
            f"({latitude}, {longitude})",
            (latitude, longitude),
        )

    def by_place(self, place: str, lookup: PlaceLookup | None) -> Resolution:
        """An authority's name (``lookup``: Store.resolve_area), else a town or village."""
        gss = lookup(place) if lookup else None
        if gss:
            rival = self._rival_town(place, gss)
            if rival is None:
                return Resolution(gss, "place", f"place name {place!r} is an authority's name")
            return Resolution(
                None,
                "unresolved",
                f"{place!r} names the authority {gss} but also {rival[2]} ({rival[1]:,} "
                f"people) in {rival[0]}; give a postcode or coordinates",
            )
        # "Bootle, Merseyside": the town is the first part.
        for name in dict.fromkeys([place, place.split(",")[0]]):
            found = self._town(name)
            if found is not None:
                return found
        return Resolution(
            None,
            "unresolved",
            f"place {place!r} is not the name of a local authority or of a UK town or village "
            "we know; give a postcode or coordinates",
        )

    def _town(self, name: str) -> Resolution | None:
        """A town or village of this name: its authority when the evidence is one-sided."""
        places = self._place_table().get(place_key(name))
        if not places:
            return None
        areas = {p[0] for p in places}
        ranked = sorted(places, key=lambda p: -p[1])
        largest = ranked[0]
        if len(areas) == 1:
            # Several same-named places in one authority: the largest is the one people mean.
            return Resolution(
                largest[0], "place", f"{largest[2]} (GeoNames) lies in {largest[0]}", largest[3]
            )
        runner_up = next(p for p in ranked if p[0] != largest[0])
        if largest[1] >= DOMINANT * max(runner_up[1], 1):
            return Resolution(
                largest[0],
                "place",
                f"{largest[2]} ({largest[1]:,} people, GeoNames) in {largest[0]}: the largest "
                f"of {len(places)} places so named (next {runner_up[1]:,} in {runner_up[0]})",
                largest[3],
            )
        return Resolution(
            None,
            "unresolved",
            f"{len(places)} places are called {name!r}, in {len(areas)} authorities "
            f"({', '.join(sorted(areas))}); give a postcode or coordinates",
        )

    def _rival_town(self, name: str, gss: str) -> _Place | None:
        """A same-named town elsewhere big enough to make an authority's name ambiguous."""
        places = self._place_table().get(place_key(name)) or []
        home = max((p[1] for p in places if p[0] == gss), default=0)
        # A village elsewhere does not outweigh a council's own name ("Halton" is a Lancaster
        # village, and the Halton council of Widnes and Runcorn): only a rival town does.
        rivals = [
            p for p in places if p[0] != gss and p[1] >= RIVAL_TOWN and p[1] * DOMINANT > home
        ]
        return max(rivals, key=lambda p: p[1]) if rivals else None

    def _place_table(self) -> dict[str, list[_Place]]:
        with self._lock:
            if self._places is None:
                import csv

                table: dict[str, list[_Place]] = {}
                if self.places_path.is_file():
                    with self.places_path.open(encoding="utf-8", newline="") as fh:
                        for row in csv.DictReader(fh):
                            point = (
                                (float(row["lat"]), float(row["long"]))
                                if row.get("lat") and row.get("long")
                                else None
                            )
                            table.setdefault(row["name_key"], []).append(
                                (row["gss_code"], int(row["population"] or 0), row["name"], point)
                            )
                self._places = table
            return self._places

    # -- everything a record carries -----------------------------------------------------

    def resolve(
        self,
        *,
        postcode: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        places: tuple[str | None, ...] = (),
        place_lookup: PlaceLookup | None = None,
        text: str | None = None,
    ) -> Resolution:
        """The best-evidenced authority for a record, following the module's order.

        ``text`` (an address line, say) is searched for a postcode when ``postcode`` is not
        given; ``places`` are tried in order (town, then region, say).
        """
        reasons: list[str] = []
        candidates = [postcode] if postcode else find_postcodes(text)
        for candidate in candidates:
            found = self.by_postcode(candidate)
            if found.resolved:
                return found
            reasons.append(found.detail)
        if latitude is not None and longitude is not None:
            found = self.by_point(float(latitude), float(longitude))
            if found.resolved:
                return found
            reasons.append(found.detail)
        for place in places:
            if place and place.strip():
                found = self.by_place(place, place_lookup)
                if found.resolved:
                    return found
                reasons.append(found.detail)
        if not reasons:
            reasons.append("no postcode, coordinates or place name given")
        return Resolution(None, "unresolved", "; ".join(reasons))

    def _gss(self, at: int) -> str:
        return self._authorities[int(self._authority[at])]

    def _point_at(self, at: int) -> tuple[float, float] | None:
        return (float(self._lat[at]), float(self._lon[at])) if self._has_point[at] else None

    def _postcode_at(self, at: int) -> str:
        assert self._keys is not None
        return postcode_of_key(int(self._keys[at]))


@dataclass
class LocationCase:
    """One row of the location test set (data/eval/locations.csv)."""

    case: str
    kind: str  # postcode | point
    text: str
    latitude: float | None
    longitude: float | None
    expected_gss: str
    why_chosen: str


def read_location_cases(path: Path) -> list[LocationCase]:
    """The location test set, as derived from ONSPD by scripts/derive_data.py."""
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return [
            LocationCase(
                r["case"],
                r["kind"],
                r["text"],
                float(r["latitude"]) if r["latitude"] else None,
                float(r["longitude"]) if r["longitude"] else None,
                r["expected_gss"],
                r["why_chosen"],
            )
            for r in csv.DictReader(fh)
        ]


def evaluate(locator: Locator, cases: list[LocationCase]) -> dict[str, Any]:
    """Accuracy over a test set, overall and by (kind, why chosen), with every miss."""
    by_group: dict[str, list[int]] = {}
    misses = []
    for case in cases:
        if case.kind == "postcode":
            got = locator.resolve(text=case.text)
        else:
            got = locator.resolve(latitude=case.latitude, longitude=case.longitude)
        right = got.gss_code == case.expected_gss
        tally = by_group.setdefault(f"{case.kind}, {case.why_chosen}", [0, 0])
        tally[0] += right
        tally[1] += 1
        if not right:
            misses.append({"case": case, "got": got})
    correct = sum(t[0] for t in by_group.values())
    return {
        "cases": len(cases),
        "correct": correct,
        "accuracy": correct / len(cases) if cases else 0.0,
        "by_group": by_group,
        "misses": misses,
    }
