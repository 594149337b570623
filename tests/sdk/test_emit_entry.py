"""The tracking methods hand every argument to the one emit entry, by its own name.

The methods name their arguments explicitly (no ``locals()`` hand-off), so this guards
against an argument that is accepted but never reaches the event.
"""

from __future__ import annotations

import inspect
from typing import get_type_hints

import pytest

from amplitude_ai import MockAmplitudeAI
from amplitude_ai._kinds import ID_ARGS, TrackArgs

METHODS = {
    "track_user_message": "user_message",
    "track_ai_message": "ai_response",
    "track_tool_call": "tool_call",
    "track_embedding": "embedding",
    "track_span": "span",
    "track_session_end": "session_end",
    "track_session_enrichment": "session_enrichment",
    "score": "score",
}


class Recorder(MockAmplitudeAI):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict, object]] = []

    def _emit(self, kind, args, bound=None, *, anonymous=False, unless_seen=False):
        self.calls.append((kind, dict(args), bound))
        return "event-id" if kind in ID_ARGS else None


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("owner", ["client", "agent", "session"])
def test_every_argument_reaches_the_entry(method, owner):
    ai = Recorder()
    agent = ai.agent("a", user_id="u")
    target = {"client": ai, "agent": agent, "session": agent.session(session_id="s")}[owner]
    signature = inspect.signature(getattr(target, method))
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()):
        # Session.track_session_end(*args, **kwargs) forwards to the shared method
        signature = inspect.signature(getattr(MockAmplitudeAI, method))
    parameters = [
        name
        for name, p in signature.parameters.items()
        if name != "self" and p.kind is not inspect.Parameter.VAR_POSITIONAL
    ]
    sentinels = {name: f"<{name}>" for name in parameters}
    result = getattr(target, method)(**sentinels)
    ((kind, args, bound),) = ai.calls
    assert kind == METHODS[method]
    assert args == sentinels
    assert (bound is None) == (owner == "client")
    assert result == ("event-id" if kind in ID_ARGS else None)


def test_the_argument_contract_names_every_public_argument():
    declared = set(get_type_hints(TrackArgs))
    for method in METHODS:
        parameters = set(inspect.signature(getattr(MockAmplitudeAI, method)).parameters)
        assert parameters - {"self"} <= declared, method
