"""Test helpers: :class:`MockAmplitudeAI` captures events in memory.

``MockAmplitudeAI`` is a real :class:`~amplitude_ai.AmplitudeAI` (same event building,
privacy and validation) whose delivery step appends to :attr:`events` instead of sending.
It never touches the network. A pytest fixture, ``amplitude_ai_mock``, is registered
automatically when this package is installed.

:meth:`MockAmplitudeAI.capture` records what an *existing* ``AmplitudeAI`` (for example
the one an app's bootstrap module created, already used by clients built at import time)
would send, with the same assertion API, and restores normal delivery on exit.

:func:`fake_llm` (fixture ``amplitude_ai_fake_llm``) answers the real OpenAI, Azure OpenAI,
Anthropic, google-genai, mistralai and boto3 ``bedrock-runtime`` clients with canned replies,
offline, wherever in the process they were created; configure replies with
:class:`FakeReply` per model or per call.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .catalog import load_catalog, validate_event
from .client import AmplitudeAI, EventRecord
from .config import AIConfig

__all__ = [
    "FakeCall",
    "FakeLLM",
    "FakeReply",
    "FakeToolCall",
    "MockAmplitudeAI",
    "fake_llm",
    "fitting_replies",
    "sample_from_schema",
]

if TYPE_CHECKING:
    from ._fake_llm import FakeCall, FakeLLM, FakeReply, FakeToolCall, fake_llm
    from ._fake_llm.fitting import fitting_replies, sample_from_schema

# The fake LLM loads on first use: ``import amplitude_ai`` imports this module.
_FAKE_LLM_NAMES = frozenset({"FakeCall", "FakeLLM", "FakeReply", "FakeToolCall", "fake_llm"})


def __getattr__(name: str) -> Any:
    if name in ("fitting_replies", "sample_from_schema"):
        from ._fake_llm import fitting

        return getattr(fitting, name)
    if name in _FAKE_LLM_NAMES:
        from . import _fake_llm

        return getattr(_fake_llm, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_ROUTED = ("_deliver", "_reject")  # what capture() replaces on the instances it watches
_TOP_LEVEL_FIELDS = ("user_id", "device_id", "insert_id", "time", "groups")


class MockAmplitudeAI(AmplitudeAI):
    """An ``AmplitudeAI`` that records events in :attr:`events` and sends nothing.

    Events the SDK refused to send (a required value unusable, see ``validation.py``) are
    kept in :attr:`rejected` with the reason; :meth:`assert_all_valid` fails on them.
    """

    def __init__(self, config: AIConfig | None = None, **config_kwargs: Any) -> None:
        if config is not None and config_kwargs:
            raise TypeError("pass either config= or AIConfig keyword arguments, not both")
        super().__init__(config=config or AIConfig(**config_kwargs))
        self.events: list[EventRecord] = []
        self.rejected: list[tuple[EventRecord, str]] = []

    def _reject(self, kind: str, record: EventRecord, reasons: Mapping[str, str]) -> None:
        self._keep_rejected(record, reasons)
        super()._reject(kind, record, reasons)

    def _keep_rejected(self, record: EventRecord, reasons: Mapping[str, str]) -> None:
        self.rejected.append((copy.deepcopy(record), "; ".join(reasons.values())))

    def _create_client(self, api_key: str | None) -> Any:
        return None

    def _deliver(self, record: EventRecord) -> None:
        if self.config.debug:
            from .delivery import print_summary

            print_summary(record)
        self.events.append(copy.deepcopy(record))

    def _delivery_state(self) -> str:
        return "mock (in memory)"

    @classmethod
    @contextmanager
    def capture(cls, *instances: AmplitudeAI) -> Iterator[MockAmplitudeAI]:
        """Record, instead of sending, every event these ``AmplitudeAI`` instances deliver.

        Events are still built by each instance (its privacy and content settings apply);
        only the hand-off to Amplitude is replaced, so nothing is sent while the block runs.
        With no instance given, every ``AmplitudeAI`` in the process is captured, including
        ones created inside the block. Delivery is restored on exit, also after an error::

            from app.amplitude_bootstrap import ai

            with MockAmplitudeAI.capture(ai) as mock:
                app.answer("hi")
            mock.assert_event_tracked("[Agent] AI Response", model_name="gpt-4o")
        """
        for instance in instances:
            if not isinstance(instance, AmplitudeAI):
                raise TypeError(
                    f"capture() takes AmplitudeAI instances, not {type(instance).__name__}"
                )
        # Events arrive already built; the recorder only stores them (and prints in debug).
        recorder = cls(config=instances[0].config if instances else None)
        record = recorder._deliver
        if not instances:
            original = AmplitudeAI.__dict__["_deliver"]
            original_reject = AmplitudeAI.__dict__["_reject"]

            def reject(self: AmplitudeAI, kind: str, event: EventRecord, why: Any) -> None:
                recorder._keep_rejected(event, why)
                original_reject(self, kind, event, why)

            AmplitudeAI._deliver = lambda self, event: record(event)  # type: ignore[method-assign,assignment]
            AmplitudeAI._reject = reject  # type: ignore[method-assign,assignment]
            try:
                yield recorder
            finally:
                AmplitudeAI._deliver = original  # type: ignore[method-assign]
                AmplitudeAI._reject = original_reject  # type: ignore[method-assign]
            return
        unique = list(dict.fromkeys(instances))
        saved = [(i, name, i.__dict__.get(name, _MISSING)) for i in unique for name in _ROUTED]
        for instance in unique:
            bound_reject = instance._reject

            def reject_here(
                kind: str, event: EventRecord, why: Any, _own: Any = bound_reject
            ) -> None:
                recorder._keep_rejected(event, why)
                _own(kind, event, why)

            instance.__dict__["_deliver"] = record
            instance.__dict__["_reject"] = reject_here
        try:
            yield recorder
        finally:
            for instance, name, previous in reversed(saved):
                if previous is _MISSING:
                    instance.__dict__.pop(name, None)
                else:
                    instance.__dict__[name] = previous

    # ------------------------------------------------------------------ queries
    def reset(self) -> None:
        """Forget every captured event."""
        self.events.clear()

    def events_of_type(self, event_type: str) -> list[EventRecord]:
        """Captured events of one type (the name is checked against the catalog)."""
        load_catalog().event(event_type)
        return [e for e in self.events if e["event_type"] == event_type]

    def events_for_session(self, session_id: str) -> list[EventRecord]:
        """Captured events whose ``[Agent] Session ID`` is ``session_id``."""
        name = _prop("session_id")
        return [e for e in self.events if e["event_properties"].get(name) == session_id]

    def events_for_agent(self, agent_id: str) -> list[EventRecord]:
        """Captured events whose ``[Agent] Agent ID`` is ``agent_id``."""
        name = _prop("agent_id")
        return [e for e in self.events if e["event_properties"].get(name) == agent_id]

    def assert_event_tracked(self, event_type: str, **expected: Any) -> EventRecord:
        """Assert one captured ``event_type`` event matches ``expected``; returns it.

        Keys may be top-level fields (``user_id``, ``device_id``, ``groups``), catalog
        property names (``**{"[Agent] Model Name": "gpt-4o"}``) or catalog keys
        (``model_name="gpt-4o"``).
        """
        candidates = self.events_of_type(event_type)
        wanted = {_field_name(k): v for k, v in expected.items()}
        for event in candidates:
            if all(_field_value(event, k) == v for k, v in wanted.items()):
                return event
        raise AssertionError(_mismatch_report(event_type, wanted, candidates, len(self.events)))

    def assert_session_closed(self, session_id: str) -> EventRecord:
        """Assert an ``[Agent] Session End`` was tracked for ``session_id``."""
        event_type = load_catalog().event_names["session_end"]
        return self.assert_event_tracked(event_type, **{_prop("session_id"): session_id})

    def assert_all_valid(self) -> None:
        """Assert every captured event conforms to the event catalog, and that no event was
        rejected (a required value unusable) and no field left out (an optional one)."""
        problems = [f"not sent: {r['event_type']}: {why}" for r, why in self.rejected]
        dropped = self.status()["validation"]["fields_dropped"]
        problems += [f"left out {n} time(s): {field}" for field, n in sorted(dropped.items())]
        problems += [
            f"#{i} {e['event_type']}: {p}"
            for i, e in enumerate(self.events)
            for p in validate_event(
                e["event_type"],
                e["event_properties"],
                user_id=e.get("user_id"),
                device_id=e.get("device_id"),
            )
        ]
        if problems:
            raise AssertionError("events do not match the catalog:\n  " + "\n  ".join(problems))


def _prop(key: str) -> str:
    return load_catalog().property_names[key]


def _field_name(key: str) -> str:
    if key in _TOP_LEVEL_FIELDS or key in load_catalog().properties:
        return key
    names = load_catalog().property_names
    if key in names:
        return names[key]
    raise AssertionError(
        f"{key!r} is neither an event field ({', '.join(_TOP_LEVEL_FIELDS)}) nor a catalog "
        "property name or key"
    )


def _field_value(event: Mapping[str, Any], name: str) -> Any:
    if name in _TOP_LEVEL_FIELDS:
        return event.get(name)
    return event["event_properties"].get(name, _MISSING)


_MISSING = object()


def _mismatch_report(
    event_type: str, wanted: Mapping[str, Any], candidates: list[EventRecord], total: int
) -> str:
    if not candidates:
        return f"no {event_type!r} event was tracked ({total} events captured in total)"
    lines = [f"no {event_type!r} event matches {dict(wanted)!r}; {len(candidates)} candidates:"]
    for event in candidates[:5]:
        diffs = [
            f"{k}={_field_value(event, k)!r}"
            for k, v in wanted.items()
            if _field_value(event, k) != v
        ]
        lines.append(
            "  - differs in " + ", ".join(d.replace(repr(_MISSING), "<missing>") for d in diffs)
        )
    return "\n".join(lines)
