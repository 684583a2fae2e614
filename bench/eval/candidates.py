"""List the courses a judge reads for one evaluation scenario (a judging aid, not a ranker).

For a scenario in ``bench/eval/scenarios.jsonl`` it prints every active seed course that a
course search for that person could show at all: within reach of them (in their own area,
within the travel distance of it, national or online), with places, a start on/after the scenario's ``as_of`` date (or flexible), and passing the
scenario's constraints. The filters are written here from the course records directly, in
plain Python, independently of the matcher. Courses are printed in catalogue order (by
provider reference), never ranked, with what a judge needs: title, level, programme, mode,
dates, cost and the skills the course teaches with their levels.

    .venv/bin/python -m bench.eval.candidates S01 [--database var/skills-match.db]
    .venv/bin/python -m bench.eval.candidates S01 --descriptions   # with full descriptions
    .venv/bin/python -m bench.eval.candidates S01 --unjudged       # only those not yet graded

Distances are great-circle km between the centres of the council areas (the seed venues
name no postcodes), against the request's ``max_travel_km`` or the default
``TRAVEL_KM`` of 20 km; ``only_my_authority`` keeps to the person's own area.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from skills_match.config import Settings
from skills_match.schemas import QUALIFICATION_LEVELS
from skills_match.store import Store

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios.jsonl"
AGE_BANDS = {"16-18": (16, 18), "19-23": (19, 23), "24+": (24, 120)}
TRAVEL_KM = 20


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle km between two (latitude, longitude) points (haversine)."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def load_scenarios(path: Path = SCENARIOS) -> list[dict[str, Any]]:
    """Every scenario, in file order."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def course_key(course: dict[str, Any]) -> str:
    """A course's stable name in judgements: provider UKPRN / provider's own reference."""
    return f"{course['provider_ukprn']}/{course['provider_ref']}"


def feasible(
    course: dict[str, Any],
    scenario: dict[str, Any],
    area: str | None,
    nearby: set[str],
    within: set[str] = frozenset(),  # type: ignore[assignment]
) -> bool:
    """Whether a course could be offered to the scenario's person at all.

    ``nearby``: the areas sharing the person's county or combined authority (used when the
    scenario's constraints include ``include_nearby``); ``within``: the areas whose centre
    lies within the travel distance of the person's (unless ``only_my_authority``).
    """
    request = scenario["request"]
    c = request.get("constraints") or {}
    as_of = c.get("start_from") or scenario["as_of"]
    if course["status"] != "active" or course["places"] <= 0:
        return False
    starts = [d for d in course["start_dates"] if d >= as_of]
    if c.get("start_before"):
        starts = [d for d in starts if d <= c["start_before"]]
    if not course["flexible_start"] and not starts:
        return False
    local = {area} | (nearby if c.get("include_nearby") else set())
    if not c.get("only_my_authority"):
        local |= within
    if area and not (
        course["local_authority"] in local
        or course["national_delivery"]
        or course["delivery_mode"] == "online"
    ):
        return False
    checks = [
        ("delivery_modes", lambda v: course["delivery_mode"] in v),
        ("study_modes", lambda v: course["study_mode"] in v),
        ("attendance_patterns", lambda v: course["attendance_pattern"] in v),
        ("max_duration_weeks", lambda v: course["duration_weeks"] <= v),
        (
            "funded_only",
            lambda v: not v or course["cost"] == 0 or course["funding"] == "fully_funded",
        ),
        ("max_cost", lambda v: course["cost"] <= v),
        (
            "employment_status",
            lambda v: not course["employment_statuses"] or v in course["employment_statuses"],
        ),
    ]
    for key, test in checks:
        if c.get(key) not in (None, [], "") and not test(c[key]):
            return False
    low_age, high_age = course["age_min"] or 0, course["age_max"] or 999
    if c.get("age") is not None and not low_age <= c["age"] <= high_age:
        return False
    if c.get("age_band"):
        low, high = AGE_BANDS[c["age_band"]]
        if low_age > high or high_age < low:
            return False
    rank = QUALIFICATION_LEVELS.index(course["qualification_level"])
    if c.get("min_qualification_level") and rank < QUALIFICATION_LEVELS.index(
        c["min_qualification_level"]
    ):
        return False
    return not (
        c.get("max_qualification_level")
        and rank > QUALIFICATION_LEVELS.index(c["max_qualification_level"])
    )


def candidates(store: Store, scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """The feasible courses for a scenario, in provider-reference order."""
    area_value = scenario["request"].get("local_authority")
    area = store.resolve_area(area_value) if area_value else None
    nearby: set[str] = set()
    within: set[str] = set()
    if area:
        me = store.local_authority(area) or {}
        for key in ("county_gss", "combined_authority_gss"):
            if me.get(key):
                nearby |= set(store.area_members(me[key]))
        km = (scenario["request"].get("constraints") or {}).get("max_travel_km") or TRAVEL_KM
        if me.get("lat") is not None:
            within = {
                la["gss_code"]
                for la in store.db["local_authorities"].rows
                if la["lat"] is not None
                and km_between((me["lat"], me["long"]), (la["lat"], la["long"])) <= km
            }
    ids = [r[0] for r in store.iter_match_courses()]
    courses = [store.course(i) for i in ids]
    found = [c for c in courses if feasible(c, scenario, area, nearby, within)]
    return sorted(found, key=course_key)


def main() -> None:
    """Print the candidates of one scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--database", default=Settings.from_env().database)
    parser.add_argument("--descriptions", action="store_true")
    parser.add_argument("--unjudged", action="store_true", help="Only courses not yet graded.")
    parser.add_argument("--scenarios", type=Path, default=SCENARIOS, help="Scenario file.")
    parser.add_argument(
        "--page",
        action="store_true",
        help="Print each course as its page reads (who for, entry, description, eligibility, "
        "the skills its provider listed) instead of the skills extraction found.",
    )
    args = parser.parse_args()
    scenario = next(s for s in load_scenarios(args.scenarios) if s["id"] == args.scenario)
    print(f"{scenario['id']}: {scenario['title']}")
    print(json.dumps(scenario["request"], ensure_ascii=False))
    with Store(args.database) as store:
        found = candidates(store, scenario)
        if args.unjudged:
            found = [c for c in found if course_key(c) not in scenario.get("judgements", {})]
        for c in found:
            if args.page:  # the provider's words only: no output of our own extraction
                listed = [s["evidence"] for s in c["skills"] if s["method"] == "provided"]
                skills = "listed skills: " + ("; ".join(listed) or "none")
            else:
                skills = "; ".join(f"{s['label']} [{(s['level'] or '-')[:4]}]" for s in c["skills"])
            where = (
                "online"
                if c["delivery_mode"] == "online"
                else (c.get("local_authority_name") or "national")
            )
            print(
                f"{course_key(c)} | {c['title']} | {c['qualification_level']} "
                f"{c['programme_type']} | {where} {c['study_mode']} {c['attendance_pattern']} "
                f"{c['duration_weeks']:g}w £{c['cost']:g} | {skills}"
            )
            if args.page:
                for name in ("who_for", "entry_requirements", "eligibility_notes", "description"):
                    if c.get(name):
                        print(f"    {name}: {' '.join(c[name].split())}")
            elif args.descriptions:
                print(f"    {c['description']}")
    print(f"{len(found)} candidates")


if __name__ == "__main__":
    main()
