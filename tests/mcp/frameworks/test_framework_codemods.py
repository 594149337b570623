"""instrument_file on framework apps: the bootstrap registers each framework's integration
once, the file imports the bootstrap, web apps get the SDK middleware; re-running changes
nothing, and answers to needs_input are checked before they are written."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from amplitude_ai_mcp.codemods import register_integrations as integ
from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file
from amplitude_ai_mcp.detect.validate import validate_source
from amplitude_ai_mcp.inputs import InputError

CHAIN = (
    "from langchain_openai import ChatOpenAI\n"
    "chain = ChatOpenAI(model='gpt-4o-mini')\n"
    "def ask(q):\n"
    "    return chain.invoke(q)\n"
)
AGENTS = (
    "from agents import Agent, Runner\n"
    "bot = Agent(name='bot', instructions='hi')\n"
    "async def ask(q):\n"
    "    return await Runner.run(bot, q)\n"
)


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _run(root: Path, rel: str, **options):
    outcome = plan_file(root, root / rel, Options(**options))
    apply_changes(outcome.changes)
    return outcome


def _uninstrumented(root: Path, rel: str) -> int:
    return validate_source((root / rel).read_text(), rel, root, rel).uninstrumented


def test_bootstrap_registers_each_integration_once(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/chains.py": CHAIN, "pkg/bots.py": AGENTS})
    first = _run(tmp_path, "pkg/chains.py")
    assert first.result.uninstrumented_before == 1 and first.result.uninstrumented_after == 0
    assert any(e.kind == integ.KIND for e in first.result.edits)
    assert not first.result.skipped  # a framework site is not "not instrumentable" any more
    boot = tmp_path / "pkg" / "amplitude_bootstrap.py"
    text = boot.read_text()
    assert text.count(integ.marker("langchain")) == 1 and "register_configure_hook" in text
    second = _run(tmp_path, "pkg/bots.py")  # the existing bootstrap is extended
    text = boot.read_text()
    assert second.result.uninstrumented_after == 0
    assert text.count(integ.marker("langchain")) == 1
    assert text.count(integ.marker("openai-agents")) == 1
    assert "add_trace_processor(AmplitudeTracingProcessor(ai))" in text
    ast.parse(text)
    for rel in ("pkg/chains.py", "pkg/bots.py"):
        assert _uninstrumented(tmp_path, rel) == 0
        again = plan_file(tmp_path, tmp_path / rel, Options())
        assert again.changes == [] and again.result.diff == ""


def test_concurrent_plans_both_land_in_the_bootstrap(tmp_path):
    _write(tmp_path, {"a.py": CHAIN, "b.py": AGENTS})
    plan_a = plan_file(tmp_path, tmp_path / "a.py", Options())
    plan_b = plan_file(tmp_path, tmp_path / "b.py", Options())  # planned before a is applied
    apply_changes(plan_a.changes)
    apply_changes(plan_b.changes)  # the bootstrap is merged, not overwritten
    text = (tmp_path / "amplitude_bootstrap.py").read_text()
    assert integ.marker("langchain") in text and integ.marker("openai-agents") in text
    assert _uninstrumented(tmp_path, "a.py") == _uninstrumented(tmp_path, "b.py") == 0


def test_the_generated_bootstrap_registers_the_integrations_at_import(tmp_path, monkeypatch):
    """The bootstrap runs: LangChain's hook and the Agents processor are really registered."""
    from agents.tracing import get_trace_provider
    from langchain_core.tracers import context as lc_context

    _write(tmp_path, {"a.py": CHAIN, "b.py": AGENTS})
    _run(tmp_path, "a.py")
    _run(tmp_path, "b.py")
    hooks_before = len(lc_context._configure_hooks)
    processors = get_trace_provider()._multi_processor._processors
    before = len(processors)
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    boot = importlib.import_module("amplitude_bootstrap")
    try:
        assert len(lc_context._configure_hooks) == hooks_before + 1
        var = lc_context._configure_hooks[-1][0]
        assert var.get() is boot.langchain_handler
        added = get_trace_provider()._multi_processor._processors[before:]
        assert [type(p).__name__ for p in added] == ["AmplitudeTracingProcessor"]
    finally:
        lc_context._configure_hooks.pop()
        get_trace_provider().set_processors(list(processors))
        # Another test's app imports its own bootstrap under the same name.
        sys.modules.pop("amplitude_bootstrap", None)


WEB = {
    "svc/__init__.py": "",
    "svc/chains.py": CHAIN,
    "svc/main.py": (
        "from fastapi import FastAPI\n"
        "from .chains import ask\n"
        "def create_app() -> FastAPI:\n"
        "    app = FastAPI(title='svc')\n"
        "    @app.post('/ask')\n"
        "    def route(q: str):\n"
        "        return ask(q)\n"
        "    return app\n"
    ),
    "svc/wsgi.py": "from flask import Flask\nfrom .chains import ask\nserver = Flask(__name__)\n",
    "svc/plain.py": (
        "from fastapi import FastAPI\nfrom openai import OpenAI\n\napp = FastAPI()\n"
        "client = OpenAI()\n\n@app.post('/ask')\ndef ask(q: str):\n"
        "    return client.chat.completions.create(model='m', messages=[])\n"
    ),
}


def test_fastapi_factory_gets_the_middleware_after_the_user_id_answer(tmp_path):
    _write(tmp_path, WEB)
    planned = plan_file(tmp_path, tmp_path / "svc/main.py", Options())
    [question] = planned.result.needs_input
    assert question.id == "svc/main.py:app:user_id_resolver" and "user id" in question.question
    assert "app.add_middleware(AmplitudeAIMiddleware, amplitude_ai=ai)" in planned.result.diff
    answer = {question.id: 'request.headers.get("x-user")'}
    done = _run(tmp_path, "svc/main.py", inputs=answer)
    assert done.result.needs_input == []
    text = (tmp_path / "svc/main.py").read_text()
    assert "    app.add_middleware(\n        AmplitudeAIMiddleware,\n" in text  # in the factory
    assert 'user_id_resolver=lambda request: request.headers.get("x-user"),' in text
    assert "from amplitude_ai.middleware import AmplitudeAIMiddleware" in text
    ast.parse(text)
    again = plan_file(tmp_path, tmp_path / "svc/main.py", Options(inputs=answer))
    assert again.changes == []


def test_flask_wsgi_app_is_wrapped(tmp_path):
    _write(tmp_path, WEB)
    answer = {"svc/wsgi.py:server:user_id_resolver": 'environ.get("HTTP_X_USER")'}
    _run(tmp_path, "svc/wsgi.py", inputs=answer)
    text = (tmp_path / "svc/wsgi.py").read_text()
    assert "server.wsgi_app = AmplitudeAIWSGIMiddleware(\n    server.wsgi_app,\n" in text
    assert "from svc.amplitude_bootstrap import ai" in text


def test_a_user_id_answer_is_checked_before_it_is_written(tmp_path):
    _write(tmp_path, WEB)
    before = (tmp_path / "svc/main.py").read_bytes()
    for bad in ("req.user_id", "__import__('os').system('x')", "a\nb"):
        with pytest.raises(InputError):
            plan_file(
                tmp_path,
                tmp_path / "svc/main.py",
                Options(inputs={"svc/main.py:app:user_id_resolver": bad}),
            )
    assert (tmp_path / "svc/main.py").read_bytes() == before


def test_session_tier_keeps_per_handler_sessions_and_adds_no_middleware(tmp_path):
    _write(tmp_path, WEB)
    planned = plan_file(tmp_path, tmp_path / "svc/wsgi.py", Options(tier="session", agent_id="x"))
    assert "Middleware" not in planned.result.diff


def test_a_web_app_without_a_framework_keeps_its_plan(tmp_path):
    """Provider-only web apps are instrumented as before (drop-in clients, no question)."""
    _write(tmp_path, WEB)
    planned = plan_file(tmp_path, tmp_path / "svc/plain.py", Options())
    assert "Middleware" not in planned.result.diff and planned.result.needs_input == []
