"""Property test: extraction takes any input and either returns skills or a validation error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skills_match.errors import InvalidInput
from tests.test_skillspace import engine, skills_db  # noqa: F401

anything = (
    st.text(max_size=400)
    | st.binary(max_size=200)
    | st.none()
    | st.integers()
    | st.lists(st.text(max_size=10), max_size=3)
    | st.text(alphabet=" \t\n.,;:-•()", max_size=50)
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=anything)
def test_extract_returns_skills_or_a_validation_error(engine, value):  # noqa: F811
    try:
        found = engine.extractor.extract(value)
    except InvalidInput as exc:
        assert exc.message
        return
    # UTF-8 bytes are accepted as text (an uploaded file); anything else must have failed.
    assert isinstance(value, str | bytes)
    text = value.decode("utf-8") if isinstance(value, bytes) else value
    assert text.strip()
    for skill in found:
        assert 0 <= skill.start < skill.end <= len(text)
        assert text[skill.start : skill.end] == skill.text
        assert skill.method in ("exact", "normalised", "semantic")
