"""Field-level validation: one bad value never costs a whole event, required values are
coerced or the event is reported instead of sent, and every event that is sent conforms
to the catalog, whatever the input (a property test over every public tracking method)."""

from __future__ import annotations

import inspect
import logging
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amplitude_ai import (
    AIConfig,
    AmplitudeAI,
    MessageLabel,
    MockAmplitudeAI,
    SessionEnrichments,
    ValidationError,
    _logging,
)
from amplitude_ai._identity import default_session_id
from amplitude_ai.catalog import validate_event
from amplitude_ai.validation import REJECTED_CODE

USER = "user-1"
SESSION = "sess-1"
AI_RESPONSE = "[Agent] AI Response"
LATENCY = "[Agent] Latency Ms"


def props(event: dict) -> dict:
    return event["event_properties"]


def warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "amplitude_ai" and r.levelno == logging.WARNING
    ]


class Reports:
    """An ``on_event_callback`` that keeps what it is told."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, int, str | None]] = []

    def __call__(self, event: object, code: int, message: str | None = None) -> None:
        self.calls.append((event, code, message))


@pytest.fixture
def reports() -> Reports:
    return Reports()


@pytest.fixture
def mock(reports: Reports) -> MockAmplitudeAI:
    return MockAmplitudeAI(on_event_callback=reports)


def ai_message(ai: AmplitudeAI, **overrides):
    kwargs = {
        "user_id": USER,
        "session_id": SESSION,
        "model": "gpt-4o",
        "provider": "openai",
        "latency_ms": 12.0,
        "content": "answer",
    }
    kwargs.update(overrides)
    return ai.track_ai_message(**kwargs)


# ------------------------------------------------------------- optional values: dropped
@pytest.mark.parametrize(
    ("argument", "value", "left_out"),
    [
        ("labels", "str", "[Agent] Message Labels"),
        ("attachments", [1, 2], "[Agent] Attachments"),
        ("ttfb_ms", float("nan"), "[Agent] TTFB Ms"),
        ("ttfb_ms", -3.0, "[Agent] TTFB Ms"),
        ("input_tokens", "many", "[Agent] Input Tokens"),
        ("is_streaming", "yes", "[Agent] Is Streaming"),
        ("temperature", float("inf"), "[Agent] Temperature"),
    ],
)
def test_a_bad_optional_value_is_left_out_and_the_event_is_sent(
    mock, caplog, argument, value, left_out
):
    ai_message(mock, **{argument: value})
    (event,) = mock.events
    assert left_out not in props(event)
    assert props(event)[LATENCY] == 12.0
    (warning,) = warnings(caplog)
    assert argument in warning and "the event is still sent" in warning
    assert mock.status()["validation"]["fields_dropped"] == {f"ai_response.{argument}": 1}


def test_groups_that_are_not_a_mapping_are_left_out(mock, caplog):
    ai_message(mock, groups=[1])
    (event,) = mock.events
    assert "groups" not in event
    assert "groups" in warnings(caplog)[0]


def test_only_the_bad_items_of_a_list_are_left_out(mock, caplog):
    ai_message(
        mock,
        attachments=[{"type": "image", "size_bytes": 10}, 1, "x"],
        labels=[MessageLabel(key="intent", value="buy"), {"key": 3}, 7],
    )
    (event,) = mock.events
    assert props(event)["[Agent] Attachment Count"] == 1
    assert props(event)["[Agent] Message Label Map"] == '{"intent":"buy"}'
    text = " ".join(warnings(caplog))
    assert "2 of 3 attachments" in text and "2 of 3 labels" in text


def test_nan_never_reaches_the_wire(mock, caplog):
    ai_message(
        mock,
        event_properties={"ratio": float("nan"), "nested": [1.0, float("inf")], 7: "seven"},
        context={"score": float("nan")},
    )
    (event,) = mock.events
    assert "ratio" not in props(event)
    assert props(event)["nested"] == [1.0, None]
    assert props(event)["7"] == "seven"  # keys become strings
    assert props(event)["[Agent] Context"] == '{"score":null}'
    assert "ratio" in " ".join(warnings(caplog))


# ---------------------------------------------------------- required values: coerced
@pytest.mark.parametrize(
    ("overrides", "prop", "sent"),
    [
        ({"model": 123}, "[Agent] Model Name", "123"),
        ({"latency_ms": "12.5"}, LATENCY, 12.5),
        ({"latency_ms": Decimal("7.25")}, LATENCY, 7.25),
        ({"session_id": 42}, "[Agent] Session ID", "42"),
        ({"model": "x" * 5000}, "[Agent] Model Name", "x" * 1024),
    ],
)
def test_a_required_value_is_coerced_when_its_meaning_is_kept(mock, overrides, prop, sent):
    ai_message(mock, **overrides)
    (event,) = mock.events
    assert props(event)[prop] == sent


def test_a_session_id_that_is_no_id_falls_back_to_the_default_session(mock):
    ai_message(mock, session_id=object())
    (event,) = mock.events
    assert props(event)["[Agent] Session ID"] == default_session_id(USER, None)


def test_choices_are_coerced_case_insensitively(mock):
    mock.score(user_id=USER, name="q", value=1, target_id="m", source=" User", session_id="s")
    (event,) = mock.events
    assert props(event)["[Agent] Evaluation Source"] == "user"


# ---------------------------------------------------------- required values: rejected
@pytest.mark.parametrize(
    "overrides",
    [
        {"latency_ms": float("nan")},
        {"latency_ms": float("inf")},
        {"latency_ms": -1},
        {"latency_ms": "fast"},
        {"latency_ms": None},
        {"model": None},
        {"model": ""},
        {"model": ["gpt-4o"]},
        {"provider": None},
    ],
)
def test_an_unusable_required_value_reports_the_event_instead_of_sending_it(
    mock, reports, caplog, overrides
):
    ai_message(mock, **overrides)
    assert mock.events == []
    ((event, code, message),) = reports.calls
    assert code == REJECTED_CODE
    assert event.event_type == AI_RESPONSE and event.user_id == USER
    (name,) = overrides
    assert name in message and message.startswith("not sent by amplitude_ai")
    assert mock.status()["validation"]["events_rejected"] == 1
    assert any("was not sent" in w and name in w for w in warnings(caplog))


@pytest.mark.parametrize("value", [float("nan"), float("-inf"), "great", True, None])
def test_a_score_without_a_usable_value_is_not_sent(mock, reports, value):
    mock.score(user_id=USER, name="helpful", value=value, target_id="m1", session_id="s")
    assert mock.events == []
    assert reports.calls[0][1] == REJECTED_CODE


def test_validate_true_raises_on_any_bad_value_but_not_on_coercions():
    strict = MockAmplitudeAI(validate=True)
    with pytest.raises(ValidationError, match="labels"):
        ai_message(strict, labels="str")
    with pytest.raises(ValidationError, match="latency_ms"):
        ai_message(strict, latency_ms=float("nan"))
    ai_message(strict, model=123, latency_ms="5")
    assert len(strict.events) == 1


# ---------------------------------------------------------------- warnings over time
def test_warnings_name_the_field_every_time_and_are_rate_limited(mock, caplog, monkeypatch):
    for _ in range(5):
        ai_message(mock, labels="str")
    ai_message(mock, attachments=[1])
    ai_message(mock, groups=[1])
    ai_message(mock, model="gpt-4o", input_tokens=-1)
    texts = warnings(caplog)
    assert len(texts) == 4  # one per field, not one per event type
    for name, text in zip(["labels", "attachments", "groups", "input_tokens"], texts, strict=True):
        assert name in text
    assert len(mock.events) == 8  # every event still went out
    # After the interval the same problem is reported again, with the count in between.
    clock = [1e9]
    monkeypatch.setattr(_logging.time, "monotonic", lambda: clock[0])
    _logging.reset_log_once()
    ai_message(mock, labels="str")
    ai_message(mock, labels="str")
    clock[0] += _logging.RATE_LIMIT_SECONDS + 1
    ai_message(mock, labels="str")
    later = [t for t in warnings(caplog)[4:] if "labels" in t]
    assert len(later) == 2 and "1 more times" in later[1]
    assert mock.status()["validation"]["fields_dropped"]["ai_response.labels"] == 8


# ---------------------------------------------------------------- validate_event itself
def test_validate_event_reports_instead_of_raising():
    problems = validate_event(
        AI_RESPONSE,
        {1: "x", "[Agent] Latency Ms": float("nan"), "custom": [float("inf")]},
        user_id=USER,
    )
    text = " ".join(problems)
    assert "property names must be strings" in text
    assert "finite" in text and "custom" in text
    assert validate_event(AI_RESPONSE, ["not", "a", "mapping"], user_id=USER)  # type: ignore[arg-type]
    assert any(
        "JSON" in p
        for p in validate_event("[Agent] Session End", {"[Agent] Context": "NaN"}, user_id=USER)
    )


# ------------------------------------------------------------------ property test
_OBJECT = object()
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.binary(max_size=8),
    st.just(_OBJECT),
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.floats()), max_size=3),
    st.dictionaries(
        st.one_of(st.text(max_size=8), st.integers()),
        st.one_of(st.floats(), st.text(max_size=8), st.none()),
        max_size=3,
    ),
)
NAME_OK = st.one_of(
    st.text(alphabet="abcdefgh-_.0123456789", min_size=1, max_size=20).filter(str.strip),
    st.integers(min_value=0, max_value=10**9),
)
NAME_BAD = st.one_of(
    st.none(),
    st.sampled_from(["", "   "]),
    st.booleans(),
    st.just(float("nan")),
    st.lists(st.text(max_size=3), max_size=2),
    st.just(_OBJECT),
)
NUMBER_OK = st.one_of(
    st.floats(min_value=0, max_value=1e9), st.integers(min_value=0, max_value=10**9)
)
NUMBER_BAD = st.one_of(
    st.none(),
    st.sampled_from([float("nan"), float("inf"), -1.0, -5, True, False, "fast", ""]),
    st.lists(st.integers(), max_size=2),
)
REQUIRED = {
    "model": (NAME_OK, NAME_BAD),
    "provider": (NAME_OK, NAME_BAD),
    "tool_name": (NAME_OK, NAME_BAD),
    "span_name": (NAME_OK, NAME_BAD),
    "name": (NAME_OK, NAME_BAD),
    "target_id": (NAME_OK, NAME_BAD),
    "latency_ms": (NUMBER_OK, NUMBER_BAD),
    "value": (
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([None, float("nan"), float("-inf"), "good", True]),
    ),
    "success": (st.booleans(), st.sampled_from([None, "yes", 1, 0.5])),
    "target_type": (st.sampled_from(["message", "session"]), st.sampled_from([None, "turn", 1])),
    "source": (st.sampled_from(["user", "ai", "reviewer"]), st.sampled_from([None, "bot", 2])),
    "enrichments": (
        st.one_of(
            st.builds(
                SessionEnrichments,
                overall_outcome=JUNK,
                quality_score=JUNK,
                rubrics=st.one_of(st.none(), st.lists(JUNK, max_size=2)),
                custom_metadata=JUNK,
                has_task_failure=JUNK,
            ),
            st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), JUNK, max_size=3),
        ),
        st.sampled_from([None, 3, "text", [1, 2]]),
    ),
    "user_id": (
        st.text(alphabet="abcdef0123456789", min_size=1, max_size=12),
        st.sampled_from([None, "", "  ", _OBJECT, float("nan")]),
    ),
}
REQUIRED_BY_METHOD = {
    "track_user_message": (),
    "track_ai_message": ("model", "provider", "latency_ms"),
    "track_tool_call": ("tool_name", "latency_ms", "success"),
    "track_embedding": ("model", "provider", "latency_ms"),
    "track_span": ("span_name", "latency_ms"),
    "track_session_end": (),
    "track_session_enrichment": ("enrichments",),
    "score": ("name", "value", "target_id", "target_type", "source"),
}
OWNERS = ("client", "agent", "session")
PROPERTY_EXAMPLES = 60


@st.composite
def calls(draw, method: str, owner: str):
    """Keyword arguments for one call, and whether its required values are all usable."""
    required = REQUIRED_BY_METHOD[method]
    if owner == "client":
        required = ("user_id", *required)
    kwargs: dict[str, object] = {}
    usable = True
    for name in required:
        good, bad = REQUIRED[name]
        if draw(st.booleans()):
            kwargs[name] = draw(good)
        else:
            kwargs[name] = draw(bad)
            usable = False
    parameters = inspect.signature(getattr(AmplitudeAI, method)).parameters
    optional = sorted(n for n in parameters if n not in ("self", *required, "user_id"))
    for name in draw(st.lists(st.sampled_from(optional), unique=True, max_size=8)):
        kwargs[name] = draw(JUNK)
    return kwargs, usable


def _cases():
    return [(m, o) for m in REQUIRED_BY_METHOD for o in OWNERS]


@pytest.mark.parametrize(("method", "owner"), _cases())
@settings(
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_sent_event_conforms_whatever_the_input(method, owner, data):
    kwargs, usable = data.draw(calls(method, owner))
    reports = Reports()
    ai = MockAmplitudeAI(on_event_callback=reports)
    agent = ai.agent("prop-agent", user_id="agent-user", session_id="agent-session")
    if owner == "client":
        getattr(ai, method)(**kwargs)
    elif owner == "agent":
        getattr(agent, method)(**kwargs)
    else:
        with agent.session(auto_end=False) as s:
            getattr(s, method)(**kwargs)
    for event in ai.events:
        assert (
            validate_event(
                event["event_type"],
                props(event),
                user_id=event.get("user_id"),
                device_id=event.get("device_id"),
            )
            == []
        ), (method, kwargs)
        for value in props(event).values():
            assert not (isinstance(value, float) and not math.isfinite(value))
    # The checks before building are complete: the catalog safety net never had to act.
    assert ai.status()["validation"]["catalog_rejections"] == 0
    if usable:
        assert len(ai.events) == 1 and reports.calls == [], (method, kwargs, reports.calls)
    else:
        assert ai.events == [] and len(reports.calls) == 1, (method, kwargs)
        assert reports.calls[0][1] == REJECTED_CODE


# ------------------------------------------------------------------ test helpers
def test_the_mock_keeps_rejected_events_and_assert_all_valid_names_them(mock):
    ai_message(mock)
    mock.assert_all_valid()
    ai_message(mock, latency_ms=float("nan"))
    ((record, why),) = mock.rejected
    assert record["event_type"] == AI_RESPONSE and "latency_ms" in why
    with pytest.raises(AssertionError, match="not sent: \\[Agent\\] AI Response"):
        mock.assert_all_valid()
    fresh = MockAmplitudeAI()
    ai_message(fresh, labels="str")
    with pytest.raises(AssertionError, match=r"ai_response\.labels"):
        fresh.assert_all_valid()


@pytest.mark.parametrize("watch_all", [False, True])
def test_capture_sees_rejected_events_of_an_existing_client(watch_all):
    app_ai = AmplitudeAI(config=AIConfig(dry_run=True))
    with MockAmplitudeAI.capture() if watch_all else MockAmplitudeAI.capture(app_ai) as mock:
        ai_message(app_ai)
        ai_message(app_ai, model=None)
    assert len(mock.events) == 1
    assert [r["event_type"] for r, _ in mock.rejected] == [AI_RESPONSE]
    assert app_ai.status()["validation"]["events_rejected"] == 1
    assert "_reject" not in vars(app_ai) and "_deliver" not in vars(app_ai)


@settings(max_examples=300, deadline=None)
@given(
    event_type=st.sampled_from(["[Agent] AI Response", "[Agent] Score", "[Agent] Nope"]),
    properties=st.one_of(
        st.dictionaries(
            st.one_of(
                st.sampled_from(["[Agent] Latency Ms", "[Agent] Enrichments", "$llm_message"]),
                st.text(max_size=10),
                st.integers(),
                st.none(),
                st.tuples(st.integers()),
            ),
            JUNK,
            max_size=6,
        ),
        JUNK,
    ),
    user_id=JUNK,
)
def test_validate_event_answers_any_input_with_a_list(event_type, properties, user_id):
    problems = validate_event(event_type, properties, user_id=user_id)
    assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
