"""Location resolution against the ONSPD-derived test set and the awkward inputs feeds send."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from skills_match.geo import (
    Locator,
    evaluate,
    find_postcodes,
    normalise_postcode,
    read_location_cases,
)

DATA = Path(__file__).resolve().parent.parent / "data"
NAMES = {
    r["name"]: r["gss_code"]
    for r in csv.DictReader((DATA / "reference" / "local_authority_names.csv").open())
}


@pytest.fixture(scope="module")
def locator() -> Locator:
    return Locator(DATA / "reference" / "postcodes.npz")


def names(name: str) -> str | None:
    return NAMES.get(name.lower())


def test_location_test_set_is_at_least_98_percent_right(locator: Locator) -> None:
    cases = read_location_cases(DATA / "eval" / "locations.csv")
    assert len(cases) >= 500
    result = evaluate(locator, cases)
    misses = "\n".join(
        f"case {m['case'].case} ({m['case'].kind}, {m['case'].why_chosen}): expected "
        f"{m['case'].expected_gss}, got {m['got'].gss_code} [{m['got'].detail}]"
        for m in result["misses"]
    )
    print(f"\n{result['correct']}/{result['cases']} right; misses:\n{misses}")
    assert result["accuracy"] >= 0.98, misses
    # Postcodes are exact lookups: none of them may miss, however they are written.
    assert not [m for m in result["misses"] if m["case"].kind == "postcode"], misses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L1 8JQ", "L1 8JQ"),
        ("l18jq", "L1 8JQ"),
        ("  pr1  2hd ", "PR1 2HD"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("EC1A1BB", "EC1A 1BB"),
        ("L1 8J", None),
        ("Liverpool", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_postcode(text: str | None, expected: str | None) -> None:
    assert normalise_postcode(text) == expected


def test_find_postcodes_reads_addresses() -> None:
    text = "Unit 4, 12 Dale St, Liverpool L2 2DH (or our Preston office, pr12hd); L2 2DH"
    assert find_postcodes(text) == ["L2 2DH", "PR1 2HD"]
    assert find_postcodes("Band 5, ref 123ABC, salary 21,000") == []


def test_postcode_resolves_to_its_authority(locator: Locator) -> None:
    found = locator.resolve(postcode="l3 9pp")  # Liverpool city centre
    assert (found.gss_code, found.method) == ("E08000012", "postcode")
    assert "L3 9PP" in found.detail


def test_unlisted_postcode_falls_back_to_a_unanimous_sector_only(locator: Locator) -> None:
    # PR1 2Z? units do not exist; the PR1 2 sector lies wholly in Preston.
    sector = locator.by_postcode("PR1 2ZZ")
    assert sector.method in {"postcode sector", "postcode district"}
    assert sector.gss_code == "E07000123", sector.detail
    assert "not in ONSPD" in sector.detail


def test_points_resolve_to_the_nearest_postcode_and_far_points_do_not(locator: Locator) -> None:
    # Blackpool Tower, then the middle of the Irish Sea, then (0, 0).
    assert locator.by_point(53.8159, -3.0553).gss_code == "E06000009"
    for lat, lon in ((53.9, -4.5), (0.0, 0.0)):
        far = locator.by_point(lat, lon)
        assert not far.resolved and "no postcode within" in far.detail
    assert not locator.by_point(95.0, 0.0).resolved


def test_place_names_resolve_as_authorities_then_towns_never_by_guesswork(
    locator: Locator,
) -> None:
    assert locator.resolve(places=("Knowsley",), place_lookup=names).gss_code == "E08000011"
    town = locator.resolve(places=("Bootle, Merseyside",), place_lookup=names)
    assert (town.gss_code, town.method) == ("E08000014", "place")  # Sefton
    # The largest namesake answers only when it dwarfs the rest; otherwise nobody guesses.
    assert locator.resolve(places=("St Helens",)).gss_code == "E08000013"
    unknown = locator.resolve(places=("Newport",), place_lookup=names)
    assert not unknown.resolved and "names the authority W06000022 but also" in unknown.detail
    assert "7 places are called 'Newport'" in locator.resolve(places=("Newport",)).detail
    # A village elsewhere does not make a council's own name unclear (Halton, Lancaster).
    assert locator.resolve(places=("Halton",), place_lookup=names).gss_code == "E06000006"
    nowhere = locator.resolve(places=("Remote / various",))
    assert not nowhere.resolved and "give a postcode" in nowhere.detail


def test_evidence_order_and_unresolved_reasons(locator: Locator) -> None:
    # A valid postcode beats coordinates that point elsewhere (Blackpool).
    found = locator.resolve(postcode="L3 9PP", latitude=53.8159, longitude=-3.0553)
    assert found.gss_code == "E08000012"
    # A bad postcode falls through to the coordinates, and the reason is kept.
    found = locator.resolve(postcode="ZZ9 9ZZ", latitude=53.8159, longitude=-3.0553)
    assert found.gss_code == "E06000009"
    nothing = locator.resolve()
    assert not nothing.resolved and "no postcode, coordinates or place" in nothing.detail
    crown = locator.resolve(postcode="JE2 3AB")
    assert not crown.resolved and "Channel Islands" in crown.detail
