"""CrewAI sites: crew runs (kickoff and its async/batch forms), on crews built in place, by
a ``@CrewBase`` class's ``@crew`` method in another module (the ``crewai create crew``
layout), agents kicked off on their own and CrewAI's LLM called directly; all reported as
framework sites instrumented by the CrewAI hooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplitude_ai_mcp.detect.project import scan
from amplitude_ai_mcp.detect.validate import validate_source

HOOKS = "amplitude_ai.integrations.crewai.AmplitudeCrewAIHooks"

CREW_MODULE = (
    "from crewai import Agent, Crew, LLM, Process, Task\n"
    "from crewai.project import CrewBase, agent, crew, task\n"
    "\n"
    "@CrewBase\n"
    "class Research():\n"
    "    @agent\n"
    "    def analyst(self) -> Agent:\n"
    "        return Agent(config=self.agents_config['analyst'],\n"
    "                     llm=LLM(model='openai/gpt-4o-mini'))\n"
    "\n"
    "    @task\n"
    "    def digest(self) -> Task:\n"
    "        return Task(config=self.tasks_config['digest'])\n"
    "\n"
    "    @crew\n"
    "    def crew(self) -> Crew:\n"
    "        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential)\n"
)


def _project(root: Path) -> None:
    pkg = root / "src" / "research"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "crew.py").write_text(CREW_MODULE)
    (pkg / "main.py").write_text(
        "import asyncio\n"
        "from research.crew import Research\n"
        "\n"
        "def run():\n"
        "    Research().crew().kickoff(inputs={'topic': 'AI'})\n"
        "\n"
        "def run_many(topics):\n"
        "    crew = Research().crew()\n"
        "    return crew.kickoff_for_each(inputs=[{'topic': t} for t in topics])\n"
        "\n"
        "async def run_async():\n"
        "    return await Research().crew().kickoff_async(inputs={'topic': 'AI'})\n"
    )


def test_crewbase_crews_kicked_off_in_another_module_are_sites(tmp_path):
    _project(tmp_path)
    sites = scan(tmp_path).call_sites
    found = sorted((s.file, s.enclosing, s.api) for s in sites)
    assert found == [
        ("src/research/main.py", "run", "kickoff"),
        ("src/research/main.py", "run_async", "kickoff_async"),
        ("src/research/main.py", "run_many", "kickoff_for_each"),
    ]
    for site in sites:
        assert (site.kind, site.provider, site.integration) == ("framework", "crewai", HOOKS)
        assert site.client_origin == "crewai.Crew" and site.resolved_by == "cross_file"
        assert site.client_file == "src/research/crew.py"
        assert not site.instrumented and HOOKS in site.instrumentation
    assert {s.is_async for s in sites if s.api == "kickoff_async"} == {True}
    assert {s.is_async for s in sites if s.api != "kickoff_async"} == {False}


def test_crewai_agents_are_still_reported_as_agents(tmp_path):
    _project(tmp_path)
    agents = scan(tmp_path).agents
    assert [(a.file, a.framework) for a in agents] == [("src/research/crew.py", "crewai")]


@pytest.mark.parametrize(
    ("code", "api"),
    [
        (
            "crew = Crew(agents=[], tasks=[])\nasync def go():\n    await crew.akickoff()\n",
            "akickoff",
        ),
        (
            "async def go(items):\n"
            "    crew = Crew(agents=[], tasks=[])\n"
            "    return await crew.kickoff_for_each_async(inputs=items)\n",
            "kickoff_for_each_async",
        ),
        (
            "helper = Agent(role='r', goal='g', backstory='b', llm='openai/gpt-4o')\n"
            "def go(q):\n"
            "    return helper.kickoff(q)\n",
            "kickoff",
        ),
        ("llm = LLM(model='openai/gpt-4o-mini')\ndef go(q):\n    return llm.call(q)\n", "call"),
    ],
)
def test_crew_agent_and_llm_calls_are_crewai_sites(tmp_path, code, api):
    text = "from crewai import Agent, Crew, LLM\n" + code
    [site] = validate_source(text, "app.py", tmp_path, "app.py").call_sites
    assert (site.provider, site.api, site.kind) == ("crewai", api, "framework")
    assert site.integration == HOOKS


def test_a_kickoff_on_something_else_is_not_a_site(tmp_path):
    text = "from rockets import Launcher\nLauncher().kickoff()\n"
    assert validate_source(text, "app.py", tmp_path, "app.py").total == 0


def test_registered_hooks_make_the_crew_sites_instrumented(tmp_path):
    _project(tmp_path)
    pkg = tmp_path / "src" / "research"
    (pkg / "analytics.py").write_text(
        "from amplitude_ai import AmplitudeAI\n"
        "from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks\n"
        "ai = AmplitudeAI()\n"
        "crewai_hooks = AmplitudeCrewAIHooks(ai).register()\n"
    )
    main = pkg / "main.py"
    main.write_text("import research.analytics\n" + main.read_text())
    sites = scan(tmp_path).call_sites
    assert len(sites) == 3 and all(s.instrumented for s in sites), sites


WITH_HOOKS = (
    "from amplitude_ai import AmplitudeAI\n"
    "from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks\n"
    "from crewai import Crew\n"
    "from langchain_openai import ChatOpenAI\n"
    "ai = AmplitudeAI()\n"
    "crew = Crew(agents=[], tasks=[])\n"
    "model = ChatOpenAI()\n"
    "def go(q):\n"
    "    with AmplitudeCrewAIHooks(ai, user_id='u-1'):\n"
    "        result = crew.kickoff(inputs={'q': q})\n"
    "        model.invoke(q)\n"
    "    crew.kickoff(inputs={'q': q})\n"
    "    return result\n"
)


def test_a_kickoff_inside_the_hooks_with_block_is_instrumented(tmp_path):
    sites = validate_source(WITH_HOOKS, "app.py", tmp_path, "app.py").call_sites
    found = {(s.line, s.provider): s.instrumented for s in sites}
    assert found == {
        (10, "crewai"): True,  # inside the block
        (11, "langchain"): False,  # the CrewAI hooks do not see LangChain runs
        (12, "crewai"): False,  # after the block
    }
    inside = next(s for s in sites if s.line == 10)
    assert "with block" in inside.instrumentation
