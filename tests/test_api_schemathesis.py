"""schemathesis 4 against the app's own OpenAPI document, in process, with real keys.

Every operation is fuzzed as each role (admin, provider, adviser, partnership): with
generated data (positive cases) and with data that breaks the schema (negative cases).
Path ids are pinned to records that exist half of the time, so writes really run. Checks:
no 5xx, status codes, content types, headers and bodies as documented, invalid input
refused, auth enforced. The number of cases run is printed and asserted.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_support import World, build_world

ROLES = ("admin", "owner", "adviser", "partnership")
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]


@pytest.fixture
def world(reference_db, tmp_path) -> World:
    return build_world(reference_db, tmp_path)


def _pinned_ids(w: World) -> dict[str, object]:
    """Ids of records that exist, so generated writes reach the code behind the 404."""
    return {
        "course_id": w.courses["owner"],
        "demand_id": w.demand["liverpool"],
        "provider_id": w.providers["owner"],
        "key_id": w.key_ids["revoked"],
        "skill_id": w.skills["python"],
    }


def _fuzz(w: World, strategy, examples: int, checks: list, negative: bool) -> tuple[int, str]:
    """Run ``examples`` cases of one strategy, each as a random role: (cases run, failure)."""
    done = 0

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, who=st.sampled_from(ROLES))
    def run(case, who: str) -> None:
        nonlocal done
        done += 1
        case.call_and_validate(headers=w.headers(who), checks=checks)

    try:
        run()
    except Unsatisfiable:
        # An operation with no parameters and no body has nothing to break.
        if not negative:
            raise
    except (Exception, BaseExceptionGroup) as exc:  # keep going: report every failure
        return done, str(exc)[:1500]
    return done, ""


def test_the_api_conforms_to_its_own_openapi_document(world: World, encoder) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    pinned = _pinned_ids(world)
    cases: Counter[str] = Counter()
    failures: dict[str, str] = {}
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        fixed = {name: pinned[name] for name in names if name in pinned}
        for mode, examples in EXAMPLES.items():
            checks = CHECKS + [negative_data_rejection] * (mode is GenerationMode.NEGATIVE)
            strategies = [operation.as_strategy(generation_mode=mode)]
            if fixed:
                strategies.append(
                    operation.as_strategy(generation_mode=mode, path_parameters=fixed)
                )
            label = f"{operation.label} {mode.value}"
            negative = mode is GenerationMode.NEGATIVE
            cases[label], failure = _fuzz(world, st.one_of(strategies), examples, checks, negative)
            if failure:
                failures[label] = failure
    total = sum(cases.values())
    print(
        f"\nschemathesis: {total} cases over {len(operations)} operations, "
        f"{len(failures)} failing operation(s)"
    )
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert total >= len(operations) * 5
