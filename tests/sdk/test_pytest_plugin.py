"""The ``amplitude_ai_mock`` fixture is registered through the ``pytest11`` entry point."""

from __future__ import annotations

from importlib.metadata import entry_points

pytest_plugins = ["pytester"]

INNER_TEST = """
from amplitude_ai import MockAmplitudeAI


def test_uses_fixture(amplitude_ai_mock):
    assert isinstance(amplitude_ai_mock, MockAmplitudeAI)
    assert amplitude_ai_mock.events == []
    agent = amplitude_ai_mock.agent("plugin-bot", user_id="plugin-user")
    with agent.session("plugin-session") as s:
        s.track_user_message(content="hi")
    amplitude_ai_mock.assert_event_tracked("[Agent] User Message", user_id="plugin-user")
    amplitude_ai_mock.assert_session_closed("plugin-session")


def test_fresh_per_test(amplitude_ai_mock):
    assert amplitude_ai_mock.events == []
"""
# Unrelated plugins are switched off in the inner runs only to keep them fast (pytester
# re-imports plugins on every in-process run); ours is still found through its entry point.
INNER_ARGS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:asyncio")


def test_entry_point_is_declared():
    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("amplitude_ai") == "amplitude_ai.pytest_plugin"


def test_fixture_available_without_import(pytester):
    pytester.makepyfile(test_inner=INNER_TEST)
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(passed=2)


def test_fixture_listed_by_pytest(pytester):
    pytester.makepyfile(test_inner="def test_nothing():\n    pass\n")
    result = pytester.runpytest("--fixtures", *INNER_ARGS)
    result.stdout.fnmatch_lines(["*amplitude_ai_mock*"])
    assert result.ret == 0


def test_fixture_comes_from_the_plugin(pytester):
    pytester.makepyfile(test_inner=INNER_TEST)
    result = pytester.runpytest(*INNER_ARGS, "-p", "no:amplitude_ai")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*fixture 'amplitude_ai_mock' not found*"])
