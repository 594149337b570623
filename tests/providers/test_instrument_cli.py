"""``amplitude-ai-instrument`` on a small script, as a real subprocess: the real OpenAI
client against the local fake, the real amplitude-analytics client into a capture server."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from amplitude_ai.catalog import load_catalog, validate_event
from amplitude_ai.cli.instrument import child_environment, main
from support.capture_server import CaptureServer

SCRIPT = textwrap.dedent(
    """
    import os
    import sys
    import openai

    # Key from the environment; the base URL passed on (early openai 1.x did not read it).
    client = openai.OpenAI(max_retries=0, base_url=os.environ["OPENAI_BASE_URL"])
    reply = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "What is retention?"}],
        amplitude_user_id="user-cli",
        amplitude_session_id="sess-cli",
    )
    print("argv:", sys.argv[1:], "reply:", reply.choices[0].message.content)
    sys.exit(3)
    """
)
_SCRIPT = Path(sys.executable).with_name("amplitude-ai-instrument")
# The provider matrix runs the source tree without installing it: no console script there.
INSTRUMENT = (
    [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "amplitude_ai.cli.instrument"]
)


def _run(tmp_path, server, capture, *, identity=True, **env_overrides):
    script = tmp_path / "app.py"
    # Uninstrumented, the provider rejects the amplitude_* kwargs, as it should.
    source = SCRIPT if identity else SCRIPT.replace('amplitude_user_id="user-cli",', "")
    script.write_text(
        source.replace('amplitude_session_id="sess-cli",', "") if not identity else source
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMPLITUDE_AI_", "OPENAI_"))}
    env.update(
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=server.openai_url,
        AMPLITUDE_AI_API_KEY="test-key",
        AMPLITUDE_AI_SERVER_URL=capture.url,
        AMPLITUDE_AI_AUTO_PATCH="true",
        AMPLITUDE_AI_DEBUG="true",
    )
    env.update(env_overrides)
    if "PYTHONPATH" in env_overrides and os.environ.get("PYTHONPATH"):
        # Keep the path the SDK itself comes from (the provider matrix runs the source tree).
        env["PYTHONPATH"] = os.pathsep.join([env_overrides["PYTHONPATH"], os.environ["PYTHONPATH"]])
    return subprocess.run(
        [*INSTRUMENT, sys.executable, str(script), "--flag", "value"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_instruments_the_program_and_keeps_its_argv_and_exit_code(tmp_path, server, llm):
    llm.reply("Users who come back.")
    other = tmp_path / "site"  # a sitecustomize the environment already had keeps working
    other.mkdir()
    (other / "sitecustomize.py").write_text("import sys; print('theirs ran', file=sys.stderr)\n")
    with CaptureServer() as capture:
        result = _run(tmp_path, server, capture, PYTHONPATH=str(other))
        assert result.returncode == 3, result.stderr
        assert "argv: ['--flag', 'value'] reply: Users who come back." in result.stdout
        events = capture.wait_for_events(2, timeout=20)
    names = load_catalog().event_names
    assert [e["event_type"] for e in events] == [names["user_message"], names["ai_response"]]
    for event in events:
        assert event["user_id"] == "user-cli"
        assert (
            validate_event(event["event_type"], event["event_properties"], user_id="user-cli") == []
        )
    assert "patched: openai, anthropic, azure_openai" in result.stderr
    assert "theirs ran" in result.stderr
    assert names["ai_response"] in result.stderr  # AMPLITUDE_AI_DEBUG summaries


def test_without_auto_patch_the_program_runs_uninstrumented(tmp_path, server, llm):
    with CaptureServer() as capture:
        result = _run(tmp_path, server, capture, identity=False, AMPLITUDE_AI_AUTO_PATCH="false")
        assert result.returncode == 3
        assert "reply:" in result.stdout
        assert "without instrumentation" in result.stderr
        assert capture.requests == []


def test_usage_and_bad_commands(capsys):
    assert main([]) == 2
    assert "usage: amplitude-ai-instrument" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert main(["--", "no-such-command-amplitude"]) == 127
    assert "command not found: no-such-command-amplitude" in capsys.readouterr().err


def test_child_environment_puts_the_bootstrap_first():
    env = child_environment({"PYTHONPATH": os.pathsep.join(["/a", "/b"])})
    first, *rest = env["PYTHONPATH"].split(os.pathsep)
    assert first.endswith("_bootstrap")
    assert rest == ["/a", "/b"]


@pytest.mark.skipif(not _SCRIPT.exists(), reason="console script not installed")
def test_console_script_is_installed():
    assert os.access(_SCRIPT, os.X_OK)
