"""Project-level scan details: dependency files, workspaces, agents, caps, determinism."""

from __future__ import annotations

import textwrap
from pathlib import Path

from amplitude_ai_mcp.detect.deps import read_declarations
from amplitude_ai_mcp.detect.project import Limits, scan


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_every_dependency_format_is_read(tmp_path):
    write(
        tmp_path,
        "pyproject.toml",
        """
        [project]
        dependencies = ["openai>=1.0", "fastapi"]
        [project.optional-dependencies]
        ai = ["anthropic"]
        [tool.poetry.dependencies]
        python = "^3.11"
        langchain-openai = "*"
        [tool.poetry.group.dev.dependencies]
        logfire = "*"
    """,
    )
    write(tmp_path, "requirements.txt", "-r requirements/base.txt\nlitellm==1.0  # pinned\n")
    write(tmp_path, "requirements/base.txt", "mistralai\n-c constraints.txt\n")
    write(tmp_path, "requirements/constraints.txt", "groq\n")
    write(tmp_path, "requirements/dev.in", "pytest\n")
    write(tmp_path, "setup.cfg", "[options]\ninstall_requires =\n    cohere>=5\n")
    write(
        tmp_path, "setup.py", "from setuptools import setup\nsetup(install_requires=['ollama'])\n"
    )
    write(tmp_path, "Pipfile", '[packages]\nflask = "*"\n[dev-packages]\nlangfuse = "*"\n')
    write(tmp_path, "uv.lock", "")
    write(tmp_path, "poetry.lock", "")
    declared = read_declarations(tmp_path, tmp_path)
    for name in (
        "openai",
        "fastapi",
        "anthropic",
        "langchain-openai",
        "logfire",
        "litellm",
        "mistralai",
        "groq",
        "pytest",
        "cohere",
        "ollama",
        "flask",
        "langfuse",
    ):
        assert name in declared.names, name
    assert "python" not in declared.names
    assert declared.names["mistralai"] == ["requirements/base.txt"]
    assert declared.locks == ["uv.lock", "poetry.lock"]
    assert declared.problems == []


def test_broken_dependency_files_are_reported_not_fatal(tmp_path):
    write(tmp_path, "pyproject.toml", "[project\n")
    write(tmp_path, "setup.py", "setup(\n")
    write(tmp_path, "requirements.txt", "-r ../../etc/outside.txt\n")
    declared = read_declarations(tmp_path, tmp_path)
    joined = " ".join(declared.problems)
    assert "not valid TOML" in joined and "not parseable" in joined


def test_workspaces_agents_and_frameworks(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "mono"\n')
    write(tmp_path, "services/api/pyproject.toml", '[project]\ndependencies = ["fastapi"]\n')
    write(
        tmp_path,
        "services/api/main.py",
        """
        from fastapi import FastAPI
        app = FastAPI()
    """,
    )
    write(tmp_path, "services/agents/setup.py", "from setuptools import setup\nsetup()\n")
    write(
        tmp_path,
        "services/agents/team.py",
        """
        from agents import Agent, Runner
        billing = Agent(name="billing", instructions="x")
        triage = Agent(name="triage", instructions="y", handoffs=[billing])

        async def run(q):
            return await Runner.run(triage, q)
    """,
    )
    write(tmp_path, "services/agents/obs.py", "import logfire\nimport langfuse\n")
    result = scan(tmp_path.resolve())
    assert result.workspaces == ["services/agents", "services/api"]
    assert [(a.name, a.framework) for a in result.agents] == [
        ("billing", "openai-agents"),
        ("triage", "openai-agents"),
    ]
    assert result.multi_agent
    assert [f.name for f in result.frameworks] == ["openai-agents"]
    assert [w.name for w in result.web_frameworks] == ["fastapi"]
    assert result.web_frameworks[0].declared_in == ["services/api/pyproject.toml"]
    assert {o.name for o in result.observability} == {"langfuse", "logfire"}
    assert result.counts.by_provider == {"openai-agents": 1}


def test_caps_are_reported_and_nothing_is_silently_dropped(tmp_path):
    for i in range(6):
        write(
            tmp_path,
            f"m{i}.py",
            "from openai import OpenAI\nOpenAI().embeddings.create(model='e', input='x')\n",
        )
    capped = scan(tmp_path.resolve(), limits=Limits(max_files=4))
    assert capped.counts.python_files == 4
    assert [s.path for s in capped.skipped] == ["m4.py", "m5.py"]
    assert all(s.reason == "file cap reached" for s in capped.skipped)
    assert capped.caps_hit and capped.caps_hit[0].startswith("max_files=4")
    small = scan(tmp_path.resolve(), limits=Limits(max_total_bytes=100))
    assert any(s.reason == "total byte cap reached" for s in small.skipped)
    assert small.counts.call_sites + len(small.skipped) == 6  # every file accounted for
    assert any(c.startswith("max_total_bytes=100") for c in small.caps_hit)


def test_scan_is_deterministic_and_skips_vendored_trees(tmp_path):
    write(
        tmp_path,
        "app.py",
        "import openai\nopenai.chat.completions.create(model='m', messages=[])\n",
    )
    for skipped in (
        ".venv/lib/x.py",
        "node_modules/pkg/y.py",
        "build/z.py",
        ".git/hooks/h.py",
        "env_dir/pyvenv.cfg",
        "env_dir/lib/site.py",
        "pkg.egg-info/w.py",
    ):
        write(
            tmp_path,
            skipped,
            "import openai\nopenai.chat.completions.create(model='m', messages=[])\n",
        )
    first = scan(tmp_path.resolve())
    second = scan(tmp_path.resolve())
    assert first.model_dump() == second.model_dump()
    assert [s.file for s in first.call_sites] == ["app.py"]


def test_scan_stops_when_cancelled(tmp_path):
    import pytest

    from amplitude_ai_mcp.detect.project import ScanCancelled

    for i in range(10):
        write(tmp_path, f"m{i}.py", "x = 1\n")
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ScanCancelled):
        scan(tmp_path.resolve(), cancelled=cancelled)
    assert len(calls) == 4


def test_agents_already_defined_with_the_sdk_are_reported(tmp_path):
    write(
        tmp_path,
        "bootstrap.py",
        """
        import amplitude_ai
        from amplitude_ai import AmplitudeAI

        ai = AmplitudeAI(api_key="x")
        support = ai.agent("support-bot", agent_version="1.0")
        researcher = support.child("researcher")
        tester = amplitude_ai.MockAmplitudeAI().agent(agent_id="tester")


        def unrelated(registry):
            return registry.agent("not-an-amplitude-agent")
    """,
    )
    result = scan(tmp_path.resolve())
    assert [(a.name, a.framework, a.line) for a in result.agents] == [
        ("support-bot", "amplitude-ai", 6),  # line 1 is the blank line the dedent leaves
        ("researcher", "amplitude-ai", 7),
        ("tester", "amplitude-ai", 8),
    ]
    assert result.multi_agent
    assert [o.name for o in result.observability] == ["amplitude-ai"]
