"""JSON-valued properties always fit Amplitude's 1,024-character limit and stay parseable."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from amplitude_ai.events import MAX_PROPERTY_CHARS, fit_json, to_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=30)
        | st.dictionaries(st.text(max_size=20), children, max_size=30)
    ),
    max_leaves=80,
)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_any_value_fits_and_parses(value):
    text = fit_json("[Agent] Tool Output", value)
    assert len(text) <= MAX_PROPERTY_CHARS
    decoded = json.loads(text)
    if len(to_json(value)) <= MAX_PROPERTY_CHARS:
        assert decoded == value
    else:
        assert decoded["truncated"] is True
        assert to_json(value).startswith(decoded["preview"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=80), max_size=200))
def test_string_arrays_keep_a_prefix_of_whole_items(items):
    text = fit_json("[Agent] Attachment Types", items, string_array=True)
    assert len(text) <= MAX_PROPERTY_CHARS
    kept = json.loads(text)
    assert kept == items[: len(kept)]
    if len(to_json(items)) > MAX_PROPERTY_CHARS:
        assert len(to_json(items[: len(kept) + 1])) > MAX_PROPERTY_CHARS
