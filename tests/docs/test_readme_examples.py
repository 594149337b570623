"""The README's provider-wrapper and fake-LLM examples run as written.

The wrapper examples run in one namespace, in README order, with the real provider SDK
clients answered offline by ``fake_llm`` and the real amplitude-analytics client delivering
into a local capture server; the events that arrive are checked.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

import amplitude_ai
from amplitude_ai.catalog import load_catalog
from amplitude_ai.testing import fake_llm

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT / "tests"))
from support.capture_server import CaptureServer  # noqa: E402


def _python_blocks(section: str) -> list[str]:
    match = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## |\Z)", README, flags=re.M | re.S)
    assert match, f"README has no section {section!r}"
    return re.findall(r"```python\n(.*?)```", match.group(1), flags=re.S)


@pytest.fixture
def offline_env(monkeypatch):
    for name in (
        "AMPLITUDE_AI_CONTENT_MODE",
        "AMPLITUDE_AI_DEBUG",
        "OPENAI_BASE_URL",
        "ANTHROPIC_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-readme")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-readme")
    yield monkeypatch
    amplitude_ai.unpatch()


def test_three_tiers_run_and_deliver_their_events(offline_env, capsys):
    blocks = _python_blocks("Provider wrappers: three ways in")
    assert len(blocks) == 3
    names = load_catalog().event_names
    with CaptureServer() as capture:
        offline_env.setenv("AMPLITUDE_AI_API_KEY", "test-key")
        offline_env.setenv("AMPLITUDE_AI_SERVER_URL", capture.url)
        namespace: dict = {}
        with fake_llm("Retention is returning users.") as llm:
            for block in blocks:
                exec(compile(block, "README.md", "exec"), namespace)
        assert namespace["answer"] == "Retention is returning users."
        # The README shows what patch() returns with the dev extra's providers installed.
        patched = (
            "['openai', 'anthropic', 'azure_openai', 'gemini', 'mistral', 'bedrock', 'litellm']"
        )
        assert patched in capsys.readouterr().out
        for future in namespace["ai"].flush():
            future.result(timeout=10)
        events = capture.wait_for_events(7, timeout=20)
    assert [c.provider for c in llm.calls] == ["openai", "anthropic", "openai"]
    assert Counter(e["event_type"] for e in events) == {
        names["user_message"]: 3,
        names["ai_response"]: 3,
        names["session_end"]: 1,
    }
    assert {e["user_id"] for e in events} == {"user-42"}
    assert not any(k.startswith("amplitude") for c in llm.calls for k in c.body)


def test_fake_llm_testing_example_runs(offline_env):
    blocks = [b for b in _python_blocks("Testing your app") if "fake_llm" in b]
    assert len(blocks) == 2
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    namespace["test_answers_are_tracked"]()
    capture: dict = {}
    exec(compile(blocks[1], "README.md", "exec"), capture)
    capture["test_the_apps_own_instance_is_captured"]()
    assert "_deliver" not in vars(capture["ai"])  # delivery restored after the block


def test_instrument_command_is_documented():
    assert "AMPLITUDE_AI_AUTO_PATCH=true amplitude-ai-instrument" in README
    for name in ("AMPLITUDE_AI_API_KEY", "AMPLITUDE_AI_CONTENT_MODE", "AMPLITUDE_AI_DEBUG"):
        assert f"`{name}" in README
