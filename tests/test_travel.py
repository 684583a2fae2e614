"""Place and travel: courses within reach of the person, ranked nearer first, with distances.

One copy of the seeded database gets five copies of the same course in places at known
distances from a Huyton postcode, so distance is the only thing that tells them apart.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from skills_match import catalogue
from skills_match.config import Settings
from skills_match.errors import InvalidInput
from skills_match.geo import locator_for
from skills_match.matcher import TRAVEL_KM, Matcher
from skills_match.store import Store
from tests.conftest import copy_database
from tests.factories import PRESTON, add_provider, course, skill_id

AS_OF = date(2026, 1, 5)
HUYTON = "L36 9YU"  # a postcode in Knowsley
KNOWSLEY, ST_HELENS, WIRRAL = "E08000011", "E08000013", "E08000015"
SKILL = "use personal organization software"
# provider_ref -> where the copy runs (venue, council area); distances from HUYTON are
# about 0, 9 (St Helens' centre), 17 (Wirral's) and 46 km (Preston's).
COPIES = {
    "HERE": ("Huyton Library, Civic Way, Huyton L36 9YU", KNOWSLEY),
    "NEAR": (None, ST_HELENS),
    "MID": (None, WIRRAL),
    "FAR": (None, PRESTON),
}


@pytest.fixture(scope="module")
def place_db(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = copy_database(seeded_db, tmp_path_factory.mktemp("travel") / "travel.db")
    with Store(path) as store:
        provider = add_provider(store, ukprn="10000077", name="Travel Test College")
        skills = [{"skill_id": skill_id(store, SKILL)}]
        for ref, (venue, area) in COPIES.items():
            catalogue.create_course(
                store,
                provider,
                course(
                    ref,
                    title="Organise your working day with software",
                    venue=venue,
                    local_authority=area,
                    skills=skills,
                ),
            )
        catalogue.create_course(
            store,
            provider,
            course(
                "ONLINE",
                title="Organise your working day with software",
                delivery_mode="online",
                national_delivery=True,
                local_authority=None,
                skills=skills,
            ),
        )
    return path


@pytest.fixture(scope="module")
def pstore(place_db: Path):
    with Store(place_db) as store:
        yield store


@pytest.fixture(scope="module")
def matcher(place_db: Path, pstore: Store, encoder) -> Matcher:
    from skills_match.engine import get_engine

    settings = Settings.from_env(database=str(place_db))
    return Matcher(get_engine(settings), data_dir=settings.data_dir).fit(pstore)


def ours(matcher: Matcher, store: Store, **request) -> dict[str, object]:
    """provider_ref -> result, for the test provider's copies in a match's results."""
    body = {"target": {"skill_ids": [skill_id(store, SKILL)]}, "limit": 50, **request}
    result = matcher.rank(body, store, as_of=AS_OF)
    refs = store.db.execute(
        "SELECT id, provider_ref FROM courses WHERE provider_id = "
        "(SELECT id FROM providers WHERE ukprn = '10000077')"
    ).fetchall()
    ref_of = dict(refs)
    return {ref_of[m.course_id]: m for m in result.results if m.course_id in ref_of}


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_courses_over_the_boundary_within_reach_come_nearer_first(
    matcher: Matcher, pstore: Store
) -> None:
    found = ours(matcher, pstore, local_authority=HUYTON)
    assert set(found) == {"HERE", "NEAR", "MID", "ONLINE"}, "FAR is beyond the default reach"
    ranks = {ref: m.rank for ref, m in found.items()}
    assert ranks["HERE"] < ranks["NEAR"] < ranks["MID"]
    # The online copy involves no travel: it ranks with the copy next door.
    assert found["ONLINE"].score == found["HERE"].score or ranks["ONLINE"] < ranks["NEAR"]
    assert found["ONLINE"].distance_km is None


def test_distances_are_straight_line_km_from_the_person(matcher: Matcher, pstore: Store) -> None:
    found = ours(matcher, pstore, local_authority=HUYTON)
    person = locator_for(matcher.data_dir).by_postcode(HUYTON).point
    # The venue names a postcode: the distance is to it, not to the council's centre.
    assert found["HERE"].distance_km == 0.0
    for ref in ("NEAR", "MID"):
        row = pstore.local_authority(COPIES[ref][1])
        expected = haversine_km(person, (row["lat"], row["long"]))
        assert found[ref].distance_km == pytest.approx(expected, abs=0.1)
        assert f"about {expected:.0f} km away" in found[ref].explanation
    assert "under 1 km away" in found["HERE"].explanation


def test_the_travel_distance_and_only_my_authority_are_options(
    matcher: Matcher, pstore: Store
) -> None:
    wider = ours(matcher, pstore, local_authority=HUYTON, constraints={"max_travel_km": 50})
    assert set(wider) == {"HERE", "NEAR", "MID", "FAR", "ONLINE"}
    narrow = ours(matcher, pstore, local_authority=HUYTON, constraints={"max_travel_km": 12})
    assert set(narrow) == {"HERE", "NEAR", "ONLINE"}
    own = ours(matcher, pstore, local_authority=HUYTON, constraints={"only_my_authority": True})
    assert set(own) == {"HERE", "ONLINE"}


def test_the_reach_is_said_and_counted(matcher: Matcher, pstore: Store) -> None:
    body = {
        "target": {"skill_ids": [skill_id(pstore, SKILL)]},
        "local_authority": HUYTON,
        "constraints": {"max_travel_km": 12},
    }
    result = matcher.rank(body, pstore, as_of=AS_OF)
    assert any(f"within 12 km of {HUYTON}" in n for n in result.notes)
    assert result.considered["excluded"]["farther than 12 km"] >= 2  # MID and FAR at least
    default = matcher.rank({**body, "constraints": {}}, pstore, as_of=AS_OF)
    assert any(f"within {TRAVEL_KM} km" in n for n in default.notes)


def test_a_council_name_measures_from_the_councils_centre(matcher: Matcher, pstore: Store) -> None:
    found = ours(matcher, pstore, local_authority="Knowsley")
    centre = pstore.local_authority(KNOWSLEY)
    st_helens = pstore.local_authority(ST_HELENS)
    expected = haversine_km((centre["lat"], centre["long"]), (st_helens["lat"], st_helens["long"]))
    assert found["NEAR"].distance_km == pytest.approx(expected, abs=0.1)


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"constraints": {"only_my_authority": True, "max_travel_km": 10}}, "max_travel_km"),
        ({"constraints": {"only_my_authority": True, "include_nearby": True}}, "include_nearby"),
    ],
)
def test_contradictory_place_options_are_refused(
    matcher: Matcher, pstore: Store, request_body: dict, field: str
) -> None:
    body = {"target": {"skill_ids": [skill_id(pstore, SKILL)]}, "local_authority": HUYTON}
    with pytest.raises(InvalidInput) as caught:
        matcher.rank({**body, **request_body}, pstore, as_of=AS_OF)
    errors = caught.value.errors["constraints"]
    assert field in errors and "only_my_authority" in errors[field][0]


@pytest.mark.parametrize(
    "constraints", [{"max_travel_km": 10}, {"only_my_authority": True}, {"include_nearby": True}]
)
def test_place_options_need_the_persons_place(
    matcher: Matcher, pstore: Store, constraints: dict
) -> None:
    body = {"target": {"skill_ids": [skill_id(pstore, SKILL)]}, "constraints": constraints}
    with pytest.raises(InvalidInput) as caught:
        matcher.rank(body, pstore, as_of=AS_OF)
    assert "local_authority" in caught.value.errors
    assert "postcode" in caught.value.errors["local_authority"][0]


@pytest.mark.parametrize("km", [0, -5, 301, "far"])
def test_a_travel_distance_out_of_range_is_refused(
    matcher: Matcher, pstore: Store, km: object
) -> None:
    body = {
        "target": {"skill_ids": [skill_id(pstore, SKILL)]},
        "local_authority": HUYTON,
        "constraints": {"max_travel_km": km},
    }
    with pytest.raises(InvalidInput) as caught:
        matcher.rank(body, pstore, as_of=AS_OF)
    assert "max_travel_km" in caught.value.errors["constraints"]
