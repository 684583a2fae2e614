"""Property test: any match request body gets a result or a 4xx with the JSON error body."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skills_match.matcher import MatchRequestSchema

from .conftest import auth

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)
FIELDS = sorted(MatchRequestSchema().fields)
TARGET_KEYS = ["occupation", "demand_id", "advert_text", "skill_ids", "area_demand", "x"]
bodies = (
    st.fixed_dictionaries(
        {},
        optional={
            **{name: values for name in FIELDS},
            "target": st.dictionaries(st.sampled_from(TARGET_KEYS), values, max_size=2) | values,
        },
    )
    | values
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_match_answers_or_rejects_cleanly(client, api_keys, body):
    response = client.post("/api/v1/match", json=body, headers=auth(api_keys["adviser"]))
    assert response.status_code in (200, 400, 404, 422), response.get_json()
    payload = response.get_json()
    if response.status_code != 200:
        assert {"code", "status", "message"} <= set(payload)
