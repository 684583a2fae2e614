"""Property tests: any import input either succeeds or gets a validation error, never a crash."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skills_match.errors import ImportRejected, InvalidInput
from skills_match.importer import import_courses, import_demand, read_rows
from skills_match.schemas import CourseImportRow, DemandSchema

from .factories import add_provider, course, demand

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(data=st.binary(max_size=400), fmt=st.sampled_from([None, "csv", "json", "jsonl"]))
def test_read_rows_never_crashes_on_bytes(data, fmt):
    try:
        rows = read_rows(data, fmt)
    except InvalidInput:
        return
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)


@FUZZ
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_read_rows_never_crashes_on_csv_text(text):
    with contextlib.suppress(InvalidInput):
        read_rows(("a,skills,start_dates\n" + text).encode(), "csv")


def _mutations(base: dict, schema_fields: list[str]):
    """A valid row with some fields replaced by arbitrary JSON values (or extra keys added)."""
    return st.dictionaries(
        st.sampled_from([*schema_fields, "unexpected", ""]), json_values, max_size=4
    ).map(lambda changes: {**base, **changes})


@FUZZ
@given(
    rows=st.lists(
        _mutations(dict(course(), provider_ukprn="10000001"), list(CourseImportRow().fields)),
        min_size=1,
        max_size=3,
    )
)
def test_course_import_accepts_or_rejects_cleanly(reference_store, rows):
    add_provider(reference_store)
    # Distinct refs where the fuzzer left them alone, so duplicates are only deliberate ones.
    rows = [
        {**r, "provider_ref": f"{r['provider_ref']}-{i}"} if r["provider_ref"] == "C-1" else r
        for i, r in enumerate(rows)
    ]
    json.dumps(rows)  # the fuzzed rows are what a JSON upload could carry
    try:
        import_courses(reference_store, rows, source_name="fuzz", actor="fuzz", dry_run=True)
    except ImportRejected as exc:
        assert exc.errors.errors, "a rejection always names at least one row problem"
        assert all(1 <= e.row <= len(rows) for e in exc.errors.errors)


@FUZZ
@given(rows=st.lists(_mutations(demand(), list(DemandSchema().fields)), min_size=1, max_size=3))
def test_demand_import_accepts_or_rejects_cleanly(reference_store, rows):
    rows = [{**r, "source_ref": f"{r['source_ref']}-{i}"} for i, r in enumerate(rows)]
    try:
        import_demand(reference_store, rows, source_name="fuzz", actor="fuzz", dry_run=True)
    except ImportRejected as exc:
        assert exc.errors.errors
