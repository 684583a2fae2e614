"""Route x identity matrix: every write route with every kind of caller.

Callers: the owning provider, another provider, an adviser, the partnership, an admin, a
revoked key and no key. Each gets the status its role deserves; a refused call leaves every
table as it was (compared row by row), and an allowed call changes only what it should
(another provider's courses never).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from skills_match import taxonomy
from tests.api_support import World, build_world, table_dump
from tests.factories import course, demand

IDENTITIES = ("owner", "other", "adviser", "partnership", "admin", "revoked", None)
UNAUTHENTICATED = {"revoked": 401, None: 401}


def _skills(w: World, name: str = "spreadsheets") -> list[dict[str, str]]:
    return [{"skill_id": w.skills[name]}]


def _owned_elsewhere(w: World, who: str) -> list[tuple]:
    """Courses (and their skills) of every provider but the caller's."""
    mine = w.providers.get(who)
    with w.store() as s:
        return [
            (row, list(s.db.query("SELECT * FROM course_skills WHERE course_id = ?", [row["id"]])))
            for row in s.db.query("SELECT * FROM courses WHERE provider_id != ?", [mine or -1])
        ]


@dataclass
class Route:
    """A write route, how to call it as a given caller, and who may."""

    name: str
    method: str
    path: Callable[[World, str | None], str]
    allowed: dict[str | None, int]
    body: Callable[[World, str | None], Any] | None = None
    check: Callable[[World, str | None, Any], None] | None = None
    setup: Callable[[World], None] | None = None
    forbidden: int = 403
    expected: dict[str | None, int] = field(init=False)

    def __post_init__(self) -> None:
        self.expected = {
            who: self.allowed.get(who, UNAUTHENTICATED.get(who, self.forbidden))
            for who in IDENTITIES
        }

    def call(self, w: World, who: str | None) -> Any:
        body = self.body(w, who) if self.body else None
        return w.client.open(
            self.path(w, who), method=self.method, json=body, headers=w.headers(who)
        )


# -- what an allowed call must have done ------------------------------------------------


def _course_is_callers(w: World, who: str | None, response: Any) -> None:
    with w.store() as s:
        assert s.course(response.get_json()["id"])["provider_id"] == w.providers[who]


def _owner_course(field_name: str, value: Any) -> Callable[[World, str | None, Any], None]:
    def check(w: World, who: str | None, response: Any) -> None:
        with w.store() as s:
            assert s.course(w.courses["owner"])[field_name] == value

    return check


def _bulk_landed(w: World, who: str | None, response: Any) -> None:
    assert response.get_json()["status"] == "committed"
    with w.store() as s:
        mine = s.course_by_ref(w.providers[who], "BULK-1")
        assert mine is not None and mine["places"] == 55


def _demand_field(key: str, field_name: str, value: Any) -> Callable[..., None]:
    def check(w: World, who: str | None, response: Any) -> None:
        with w.store() as s:
            assert s.demand_record(w.demand[key])[field_name] == value

    return check


def _demand_gone(w: World, who: str | None, response: Any) -> None:
    with w.store() as s:
        assert s.demand_id_by_ref("test", "D-1" if who == "partnership" else "D-2") is None


def _has_override(w: World, who: str | None, response: Any) -> None:
    with w.store() as s:
        assert s.skill(w.skills["spreadsheets"])["level"] == "essential"


def _set_override(w: World) -> None:
    with w.store() as s:
        taxonomy.set_override(s, w.skills["python"], "general", "test set-up")


def _no_override(w: World, who: str | None, response: Any) -> None:
    with w.store() as s:
        assert s.level_override(w.skills["python"]) is None


def _key_is_revoked(name: str) -> Callable[..., None]:
    def check(w: World, who: str | None, response: Any) -> None:
        with w.store() as s:
            assert s.key(w.key_ids[name])["revoked_at"] is not None

    return check


PROVIDERS = {"owner": 200, "other": 200}
DEMAND_WRITERS = {"partnership": 200, "admin": 200}

ROUTES = [
    Route(
        "course create",
        "POST",
        lambda w, who: "/api/v1/courses",
        {"owner": 201, "other": 201},
        body=lambda w, who: course("NEW-1", skills=_skills(w)),
        check=_course_is_callers,
    ),
    Route(
        "course replace",
        "PUT",
        lambda w, who: f"/api/v1/courses/{w.courses['owner']}",
        {"owner": 200},
        body=lambda w, who: course("OWN-1", places=99, skills=_skills(w)),
        check=_owner_course("places", 99),
    ),
    Route(
        "course update",
        "PATCH",
        lambda w, who: f"/api/v1/courses/{w.courses['owner']}",
        {"owner": 200},
        body=lambda w, who: {"places": 7},
        check=_owner_course("places", 7),
    ),
    Route(
        "course withdraw",
        "POST",
        lambda w, who: f"/api/v1/courses/{w.courses['owner']}/withdraw",
        {"owner": 200},
        check=_owner_course("status", "withdrawn"),
    ),
    Route(
        "course bulk",
        "POST",
        lambda w, who: "/api/v1/courses/bulk",
        PROVIDERS,
        # OWN-1 is the owner's reference: from another provider it is that provider's own.
        body=lambda w, who: [
            course("BULK-1", places=55, skills=_skills(w)),
            course("OWN-1", places=3, skills=_skills(w)),
        ],
        check=_bulk_landed,
    ),
    Route(
        "demand create",
        "POST",
        lambda w, who: "/api/v1/demand",
        {"partnership": 201, "admin": 201},
        body=lambda w, who: demand(f"NEW-{who}", skills=_skills(w)),
    ),
    Route(
        "demand replace",
        "PUT",
        lambda w, who: f"/api/v1/demand/{w.demand['liverpool']}",
        DEMAND_WRITERS,
        body=lambda w, who: demand("D-1", vacancies=9, skills=_skills(w)),
        check=_demand_field("liverpool", "vacancies", 9),
    ),
    Route(
        "demand update",
        "PATCH",
        lambda w, who: f"/api/v1/demand/{w.demand['liverpool']}",
        DEMAND_WRITERS,
        body=lambda w, who: {"vacancies": 4},
        check=_demand_field("liverpool", "vacancies", 4),
    ),
    Route(
        "demand delete",
        "DELETE",
        lambda w, who: (
            f"/api/v1/demand/{w.demand['liverpool' if who == 'partnership' else 'preston']}"
        ),
        {"partnership": 204, "admin": 204},
        check=_demand_gone,
    ),
    Route(
        "demand bulk",
        "POST",
        lambda w, who: "/api/v1/demand/bulk",
        DEMAND_WRITERS,
        body=lambda w, who: [demand(f"BULK-{who}", skills=_skills(w))],
    ),
    Route(
        "provider create",
        "POST",
        lambda w, who: "/api/v1/providers",
        {"admin": 201},
        body=lambda w, who: {"ukprn": "10000099", "name": "New", "provider_type": "university"},
    ),
    Route(
        "key create",
        "POST",
        lambda w, who: "/api/v1/keys",
        {"admin": 201},
        body=lambda w, who: {"name": "new adviser", "role": "adviser"},
    ),
    Route(
        "key rotate",
        "POST",
        lambda w, who: f"/api/v1/keys/{w.key_ids['adviser']}/rotate",
        {"admin": 201},
        check=_key_is_revoked("adviser"),
    ),
    Route(
        "key revoke",
        "DELETE",
        lambda w, who: f"/api/v1/keys/{w.key_ids['partnership']}",
        {"admin": 200},
        check=_key_is_revoked("partnership"),
    ),
    Route(
        "level override set",
        "PUT",
        lambda w, who: f"/api/v1/level-overrides/{w.skills['spreadsheets']}",
        {"admin": 200},
        body=lambda w, who: {"level": "essential", "reason": "matrix test"},
        check=_has_override,
    ),
    Route(
        "level override remove",
        "DELETE",
        lambda w, who: f"/api/v1/level-overrides/{w.skills['python']}",
        {"admin": 200},
        setup=_set_override,
        check=_no_override,
    ),
]


@pytest.fixture
def world(reference_db, tmp_path) -> World:
    return build_world(reference_db, tmp_path)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_write_route_by_identity(world: World, route: Route) -> None:
    if route.setup:
        route.setup(world)
    # Refused callers first (on the untouched state), then the allowed ones.
    order = sorted(IDENTITIES, key=lambda who: who in route.allowed)
    for who in order:
        before = table_dump(world.db_path)
        elsewhere = _owned_elsewhere(world, who) if who in ("owner", "other") else None
        response = route.call(world, who)
        expected = route.expected[who]
        assert response.status_code == expected, (who, response.get_json())
        if who in route.allowed:
            if route.check:
                route.check(world, who, response)
            if elsewhere is not None:
                assert _owned_elsewhere(world, who) == elsewhere, "another provider's courses"
        else:
            body = response.get_json()
            assert body["code"] == expected and body["message"]
            if expected == 401:
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert table_dump(world.db_path) == before, f"{who} changed the tables"


def test_refused_calls_change_no_table_at_all(world: World) -> None:
    """Every refused call of every route, then a comparison of every row of every table."""
    for route in ROUTES:
        if route.setup:
            route.setup(world)
    before = table_dump(world.db_path, everything=True)
    calls = 0
    for route in ROUTES:
        for who in IDENTITIES:
            if who not in route.allowed:
                assert route.call(world, who).status_code == route.expected[who]
                calls += 1
    assert calls == sum(len(IDENTITIES) - len(r.allowed) for r in ROUTES)
    assert table_dump(world.db_path, everything=True) == before


READ_ROUTES = [
    ("/api/v1/courses", ("owner", "other", "adviser", "partnership", "admin")),
    ("/api/v1/courses/{course}", ("owner", "other", "adviser", "partnership", "admin")),
    ("/api/v1/demand", ("adviser", "partnership", "admin")),
    ("/api/v1/demand/{demand}", ("adviser", "partnership", "admin")),
    ("/api/v1/providers", ("admin",)),
    ("/api/v1/providers/{provider}", ("admin",)),
    ("/api/v1/keys", ("admin",)),
    ("/api/v1/level-overrides", ("admin",)),
]


@pytest.mark.parametrize(("template", "readers"), READ_ROUTES, ids=[r[0] for r in READ_ROUTES])
def test_read_route_by_identity(world: World, template: str, readers: tuple[str, ...]) -> None:
    path = template.format(
        course=world.courses["other"],
        demand=world.demand["preston"],
        provider=world.providers["owner"],
    )
    for who in IDENTITIES:
        expected = 200 if who in readers else UNAUTHENTICATED.get(who, 403)
        response = world.client.get(path, headers=world.headers(who))
        assert response.status_code == expected, (who, response.get_json())
