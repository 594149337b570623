"""validate_setup reads the project's own environment as data; suggestions follow the sites."""

from __future__ import annotations

from amplitude_ai.providers.registry import BY_ID, KNOWN_BY_ID
from amplitude_ai_mcp.detect.validate import validate_source
from amplitude_ai_mcp.setup_check import validate_setup


def test_sdk_installed_in_the_project_venv_counts(tmp_path):
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages"
    (site / "amplitude_ai-0.1.0.dist-info").mkdir(parents=True)
    (tmp_path / ".venv" / "bin").mkdir()
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    result = validate_setup(tmp_path, env={"AMPLITUDE_AI_API_KEY": "k" * 32})
    checks = {c.name: c for c in result.checks}
    assert checks["sdk_available"].ok
    assert "virtualenv" in checks["sdk_available"].detail
    assert result.ok


def test_missing_sdk_fix_uses_the_project_venv_and_its_dependency_file(tmp_path):
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    (tmp_path / "requirements.txt").write_text("openai\n")
    (tmp_path / ".env").write_text("AMPLITUDE_AI_API_KEY=abc123secret\n")
    result = validate_setup(tmp_path, env={})
    checks = {c.name: c for c in result.checks}
    assert checks["sdk_available"].fix == (
        "add `amplitude-ai` to requirements.txt, then `.venv/bin/pip install amplitude-ai`"
    )
    assert checks["api_key"].ok and "abc123secret" not in checks["api_key"].detail
    # Unpinned, no lock, nothing installed: the version the app gets is unknown.
    assert not checks["provider_openai"].ok
    assert "openai>=1.0,<4" in checks["provider_openai"].fix


def test_suggestions_match_how_each_client_arrives():
    source = """
import litellm
from langchain_openai import ChatOpenAI
from openai import OpenAI

client = OpenAI()
llm = ChatOpenAI()

def handler(injected):
    client.chat.completions.create(model="m", messages=[])
    injected.chat.completions.create(model="m", messages=[])
    litellm.completion(model="m", messages=[])
    llm.invoke("hi")
"""
    result = validate_source(source, "<source>")
    tips = "\n".join(result.suggestions)
    assert result.uninstrumented == 4
    assert "built at <source>:6" in tips and "from amplitude_ai import OpenAI" in tips
    assert "`injected` is passed in" in tips
    if "litellm" in BY_ID:  # the SDK instruments litellm: its patch covers module calls
        assert "module-level litellm call" in tips
    else:  # recognised only: the registry's reason, no made-up drop-in or patch
        assert f"litellm: {KNOWN_BY_ID['litellm'].reason}" in tips
    assert "langchain call" in tips
