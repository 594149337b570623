"""generate_verify_test on framework apps: framework sites are driven and checked (not
reported as unchecked), the test imports the app before the bootstrap (the app must load it
for the integrations to be registered), and the provider is checked where it is known."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file
from amplitude_ai_mcp.verify.generate import generate
from amplitude_ai_mcp.workspace import Roots, WorkspaceError

FILES = {
    "bot/__init__.py": "",
    "bot/chains.py": (
        "from langchain_openai import ChatOpenAI\n"
        "model = ChatOpenAI(model='gpt-4o-mini')\n"
        "def ask(question: str) -> str:\n"
        "    return model.invoke(question).content\n"
    ),
    "bot/graph.py": (
        "from langgraph.graph import START, StateGraph\n"
        "from .chains import ask\n"
        "def node(state: dict) -> dict:\n"
        "    return {'answer': ask(state['q'])}\n"
        "builder = StateGraph(dict)\n"
        "builder.add_node('node', node)\n"
        "builder.add_edge(START, 'node')\n"
        "graph = builder.compile()\n"
        "def run(q: str) -> dict:\n"
        "    return graph.invoke({'q': q})\n"
    ),
}


def _project(tmp_path: Path, instrument: bool) -> Path:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    if instrument:
        for rel in ("bot/chains.py", "bot/graph.py"):
            apply_changes(plan_file(tmp_path, tmp_path / rel, Options()).changes)
    return tmp_path


def test_framework_sites_are_driven_and_checked(tmp_path):
    result = generate(Roots((_project(tmp_path, True),)), "bot")
    source = result.test_source
    assert not [n for n in result.needs_input if "not checked" in n.question]
    assert {e.name.rsplit(":", 1)[-1] for e in result.entry_points} >= {"ask", "run"}
    assert '"integrations": True,' in source
    assert "_registered_bootstrap(target, " in source
    assert 'providers=["openai"]' in source  # ChatOpenAI: the provider is known
    compile(source, "test.py", "exec")


def test_an_uninstrumented_framework_app_is_refused_with_the_fix(tmp_path):
    with pytest.raises(WorkspaceError, match=r"not instrumented.*run instrument_file"):
        generate(Roots((_project(tmp_path, False),)), "bot")
