"""Robustness: generate_verify_test on mutated example apps never crashes and never emits a
test that does not parse — it either renders valid Python or raises a clear WorkspaceError."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import libcst as cst
import pytest

from amplitude_ai_mcp.verify.generate import generate
from amplitude_ai_mcp.workspace import Roots, WorkspaceError

APPS = Path(__file__).resolve().parents[1] / "apps"
TARGETS = {
    "openai_sync": "chatbot.py",
    "fastapi_app": "support_api/main.py",
    "flask_app": "flask_bot/app.py",
    "class_client": "assistant.py",
    "anthropic_messages": "claude_bot.py",
    "cli_loop": "cli.py",
}


def _mutants(text: str):
    """Drop one line, or turn one line into a comment (every 2nd line, to stay quick)."""
    lines = text.splitlines(keepends=True)
    for i in range(0, len(lines), 2):
        yield "".join(lines[:i] + lines[i + 1 :])
        yield "".join([*lines[:i], "# " + lines[i], *lines[i + 1 :]])


@pytest.mark.parametrize("app", sorted(TARGETS))
def test_mutated_apps_give_a_parsable_test_or_a_clear_error(tmp_path, app):
    rel = TARGETS[app]
    root = tmp_path / "root"
    shutil.copytree(APPS / app / "instrumented", root)
    root = root.resolve()
    original = (root / rel).read_bytes().decode("utf-8")
    outcomes = {"rendered": 0, "refused": 0, "unparsable_input": 0}
    messages: list[str] = []
    for mutant in _mutants(original):
        (root / rel).write_text(mutant, encoding="utf-8", newline="")
        try:
            result = generate(Roots((root,)), rel)
        except WorkspaceError as exc:
            messages.append(str(exc))
            outcomes["refused"] += 1
            continue
        except cst.ParserSyntaxError:
            outcomes["unparsable_input"] += 1  # the server reports these as ToolError
            continue
        ast.parse(result.test_source)
        assert result.entry_points
        outcomes["rendered"] += 1
    assert outcomes["rendered"] >= 1, outcomes
    assert all(len(m) > 40 for m in messages), messages  # each refusal says what to do
