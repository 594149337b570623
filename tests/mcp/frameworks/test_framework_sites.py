"""scan/validate report framework sites with the SDK integration that instruments them, and
count them instrumented once that integration is registered (by the app or its bootstrap)."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.validate import validate_source

LANGCHAIN = "amplitude_ai.integrations.langchain.AmplitudeCallbackHandler"

APP = {
    "langchain": (
        "from langchain_openai import ChatOpenAI\n"
        "from langchain_core.prompts import ChatPromptTemplate\n"
        "chain = ChatPromptTemplate.from_messages([('human', '{q}')]) | ChatOpenAI()\n"
        "def ask(q):\n"
        "    return chain.invoke({'q': q})\n"
    ),
    "langgraph": (
        "from langgraph.graph import START, StateGraph\n"
        "def build():\n"
        "    builder = StateGraph(dict)\n"
        "    builder.add_node('n', lambda s: s)\n"
        "    builder.add_edge(START, 'n')\n"
        "    return builder.compile()\n"
        "graph = build()\n"
        "async def run():\n"
        "    return await graph.ainvoke({})\n"
    ),
    "llama-index": (
        "from llama_index.core.chat_engine import SimpleChatEngine\n"
        "engine = SimpleChatEngine.from_defaults()\n"
        "def ask(q):\n"
        "    return engine.chat(q)\n"
    ),
    "openai-agents": (
        "from agents import Agent, Runner\n"
        "bot = Agent(name='bot', instructions='hi')\n"
        "def ask(q):\n"
        "    return Runner.run_sync(bot, q)\n"
    ),
    "pydantic-ai": (
        "from pydantic_ai import Agent\n"
        "bot = Agent('openai:gpt-4o')\n"
        "def ask(q):\n"
        "    return bot.run_sync(q)\n"
    ),
    "crewai": (
        "from crewai import Agent, Crew, Task\n"
        "writer = Agent(role='writer', goal='write', backstory='b', llm='openai/gpt-4o-mini')\n"
        "crew = Crew(agents=[writer], tasks=[Task(description='d', expected_output='o')])\n"
        "def ask(q):\n"
        "    return crew.kickoff(inputs={'q': q})\n"
    ),
}
# How an app registers each integration itself (what the bootstrap does too).
REGISTRATION = {
    "langchain": (
        "from contextvars import ContextVar\n"
        "from langchain_core.tracers.context import register_configure_hook\n"
        "from amplitude_ai.integrations.langchain import AmplitudeCallbackHandler\n"
        "from amplitude_ai import AmplitudeAI\n"
        "ai = AmplitudeAI()\n"
        "register_configure_hook(ContextVar('h', default=AmplitudeCallbackHandler(ai)), True)\n"
    ),
    "llama-index": (
        "import llama_index.core\n"
        "from amplitude_ai.integrations.llamaindex import AmplitudeLlamaIndexHandler\n"
        "llama_index.core.global_handler = AmplitudeLlamaIndexHandler()\n"
    ),
    "openai-agents": (
        "from agents import add_trace_processor\n"
        "from amplitude_ai.integrations.openai_agents import AmplitudeTracingProcessor\n"
        "add_trace_processor(AmplitudeTracingProcessor())\n"
    ),
    "pydantic-ai": (
        "import pydantic_ai\n"
        "from amplitude_ai.integrations.opentelemetry import AmplitudeAgentExporter\n"
        "from opentelemetry.sdk.trace import TracerProvider\n"
        "from opentelemetry.sdk.trace.export import SimpleSpanProcessor\n"
        "provider = TracerProvider()\n"
        "provider.add_span_processor(SimpleSpanProcessor(AmplitudeAgentExporter()))\n"
        "pydantic_ai.Agent.instrument_all(\n"
        "    pydantic_ai.InstrumentationSettings(tracer_provider=provider)\n"
        ")\n"
    ),
    "crewai": (
        "from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks\n"
        "hooks = AmplitudeCrewAIHooks().register()\n"
    ),
}
REGISTRATION["langgraph"] = REGISTRATION["langchain"]


def _validate(root: Path, rel: str, text: str):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return validate_source(text, rel, root, rel)


@pytest.mark.parametrize("framework", sorted(APP))
def test_framework_site_names_its_integration(tmp_path, framework):
    result = _validate(tmp_path, "app.py", APP[framework])
    [site] = result.call_sites
    assert site.kind == "framework" and site.provider == framework
    assert site.integration == P.integration_for(framework).target
    assert not site.instrumented
    assert site.integration in site.instrumentation  # the fix names what to register


@pytest.mark.parametrize("framework", sorted(APP))
def test_registered_integration_counts_the_site_instrumented(tmp_path, framework):
    (tmp_path / "setup_analytics.py").write_text(REGISTRATION[framework])
    result = _validate(tmp_path, "app.py", "import setup_analytics\n" + APP[framework])
    assert result.uninstrumented == 0, result.call_sites
    # ... and registering it in the same module counts as well
    result = _validate(tmp_path, "same.py", REGISTRATION[framework] + APP[framework])
    assert result.uninstrumented == 0, result.call_sites


def test_registration_inside_a_function_or_without_sdk_does_not_count(tmp_path):
    late = "def setup():\n" + "".join(
        f"    {line}\n" for line in REGISTRATION["openai-agents"].splitlines()
    )
    result = _validate(tmp_path, "app.py", late + APP["openai-agents"])
    assert result.uninstrumented == 1
    own = "from agents import add_trace_processor\nadd_trace_processor(object())\n"
    result = _validate(tmp_path, "app2.py", own + APP["openai-agents"])
    assert result.uninstrumented == 1
    # a global handler that is not the SDK's is not ours
    other = "import llama_index.core\nllama_index.core.global_handler = object()\n"
    result = _validate(tmp_path, "app3.py", other + APP["llama-index"])
    assert result.uninstrumented == 1


def test_chain_over_a_project_factory_is_a_langchain_site(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "llm.py").write_text(
        "from langchain_openai import ChatOpenAI\n"
        "def make_model():\n"
        "    return ChatOpenAI(model='gpt-4o-mini')\n"
    )
    text = (
        "from langchain_core.output_parsers import StrOutputParser\n"
        "from langchain_core.prompts import ChatPromptTemplate\n"
        "from .llm import make_model\n"
        "chain = ChatPromptTemplate.from_template('{q}') | make_model() | StrOutputParser()\n"
        "def ask(q):\n"
        "    return chain.batch([{'q': q}])\n"
    )
    result = _validate(tmp_path, "pkg/chains.py", text)
    [site] = result.call_sites
    assert (site.provider, site.api, site.integration) == ("langchain", "batch", LANGCHAIN)
    assert site.client_origin == "langchain_openai.ChatOpenAI"


def test_a_pipe_of_library_objects_only_is_not_a_site(tmp_path):
    text = (
        "from langchain_core.output_parsers import StrOutputParser\n"
        "from langchain_core.prompts import ChatPromptTemplate\n"
        "chain = ChatPromptTemplate.from_template('{q}') | StrOutputParser()\n"
        "chain.invoke({'q': 1})\n"
    )
    assert _validate(tmp_path, "x.py", text).total == 0


def test_provider_sites_carry_no_integration(tmp_path):
    text = "from openai import OpenAI\nOpenAI().chat.completions.create(model='m', messages=[])\n"
    [site] = _validate(tmp_path, "p.py", text).call_sites
    assert site.kind == "provider" and site.integration is None
