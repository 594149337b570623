"""``MockAmplitudeAI.capture``: an existing ``AmplitudeAI``'s events go to a recorder."""

from __future__ import annotations

import pytest

import amplitude_ai
from amplitude_ai import AIConfig, AmplitudeAI, ContentMode
from amplitude_ai.catalog import load_catalog
from amplitude_ai.testing import MockAmplitudeAI, fake_llm

AI_RESPONSE = load_catalog().event_names["ai_response"]
USER_MESSAGE = load_catalog().event_names["user_message"]
SESSION_ID = load_catalog().property_names["session_id"]


class _Sink:
    """Stands in for ``amplitude.Amplitude``: records what would have been sent."""

    def __init__(self) -> None:
        self.tracked: list[object] = []

    def track(self, event: object) -> None:
        self.tracked.append(event)

    def flush(self) -> list[object]:
        return []


def test_captures_a_client_built_before_the_block(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    sink = _Sink()
    ai = AmplitudeAI(amplitude=sink)
    client = amplitude_ai.OpenAI(amplitude=ai)  # built "at import time", before capture
    agent = ai.agent("support-bot")
    with (
        fake_llm("Hello!"),
        MockAmplitudeAI.capture(ai) as mock,
        agent.session(user_id="u-1") as session,
    ):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]
        )
    assert sink.tracked == []  # nothing reached the real client while capturing
    mock.assert_event_tracked(USER_MESSAGE, user_id="u-1", session_id=session.session_id)
    mock.assert_event_tracked(
        AI_RESPONSE, model_name="gpt-4o-mini", provider="openai", agent_id="support-bot"
    )
    assert len(mock.events_for_session(session.session_id)) == len(mock.events) == 3
    mock.assert_session_closed(session.session_id)
    mock.assert_all_valid()


def test_delivery_is_restored_on_exit_even_after_an_error():
    sink = _Sink()
    ai = AmplitudeAI(amplitude=sink)

    def fail_inside() -> None:
        ai.track_user_message(user_id="u", session_id="s", content="inside")
        raise RuntimeError("boom")

    with MockAmplitudeAI.capture(ai) as mock, pytest.raises(RuntimeError):
        fail_inside()
    assert "_deliver" not in vars(ai)
    ai.track_user_message(user_id="u", session_id="s", content="after")
    assert len(mock.events) == 1
    assert len(sink.tracked) == 1


def test_the_instance_privacy_settings_apply():
    ai = AmplitudeAI(config=AIConfig(content_mode=ContentMode.METADATA_ONLY))
    with MockAmplitudeAI.capture(ai) as mock:
        ai.track_user_message(user_id="u", session_id="s", content="secret text")
    (event,) = mock.events_of_type(USER_MESSAGE)
    assert "secret text" not in repr(event)
    assert mock.config is ai.config


def test_nested_captures_restore_the_outer_one():
    ai = AmplitudeAI(config=AIConfig(dry_run=True))
    with MockAmplitudeAI.capture(ai) as outer:
        with MockAmplitudeAI.capture(ai, ai) as inner:
            ai.track_user_message(user_id="u", session_id="s", content="one")
        ai.track_user_message(user_id="u", session_id="s", content="two")
    assert [len(inner.events), len(outer.events)] == [1, 1]
    assert "_deliver" not in vars(ai)


def test_without_instances_every_amplitude_ai_is_captured_including_new_ones():
    before = AmplitudeAI(config=AIConfig(dry_run=True))
    with MockAmplitudeAI.capture() as mock:
        after = AmplitudeAI(config=AIConfig(dry_run=True))
        before.track_user_message(user_id="u", session_id="s1", content="a")
        after.track_user_message(user_id="u", session_id="s2", content="b")
    assert {e["event_properties"][SESSION_ID] for e in mock.events} == {"s1", "s2"}
    assert AmplitudeAI._deliver is not MockAmplitudeAI._deliver


def test_rejects_what_is_not_an_amplitude_ai():
    with (
        pytest.raises(TypeError, match="AmplitudeAI instances, not str"),
        MockAmplitudeAI.capture("ai"),  # type: ignore[arg-type]
    ):
        pass
