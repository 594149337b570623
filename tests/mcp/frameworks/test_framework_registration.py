"""A framework integration counts as registered only when what the app registers is ours
(the SDK's handler, exporter or hooks), not merely because the module imports amplitude_ai;
and the bootstrap block instrument_file writes for each framework is recognised."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplitude_ai_mcp.codemods import register_integrations as RI
from amplitude_ai_mcp.detect.validate import validate_source

SITES = {
    "langchain": (
        "from langchain_openai import ChatOpenAI\n"
        "model = ChatOpenAI()\n"
        "def ask(q):\n"
        "    return model.invoke(q)\n"
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
        "from crewai import Crew\n"
        "crew = Crew(agents=[], tasks=[])\n"
        "def ask(q):\n"
        "    return crew.kickoff(inputs={'q': q})\n"
    ),
    "litellm": (
        "import litellm\ndef ask(q):\n    return litellm.completion(model='m', messages=q)\n"
    ),
}
AI = "from amplitude_ai import AmplitudeAI\nai = AmplitudeAI()\n"
OTEL = (
    "from opentelemetry import trace\n"
    "from opentelemetry.sdk.trace import TracerProvider\n"
    "from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor\n"
    "from amplitude_ai.integrations.opentelemetry import AmplitudeAgentExporter\n"
)


def _uninstrumented(root: Path, setup: str, framework: str) -> int:
    """Uninstrumented sites of an app that imports ``setup`` (a module of its own) first."""
    (root / "analytics_setup.py").write_text(setup)
    text = "import analytics_setup\n" + SITES[framework]
    (root / "app.py").write_text(text)
    result = validate_source(text, "app.py", root, "app.py")
    assert result.total == 1, result.call_sites
    return result.uninstrumented


@pytest.mark.parametrize("framework", sorted(SITES))
def test_the_bootstrap_block_instrument_file_writes_counts(tmp_path, framework):
    key = RI.block_key(framework)
    assert key is not None
    setup = AI + "\n".join(RI.lines([key])) + "\n"
    assert _uninstrumented(tmp_path, setup, framework) == 0


POSITIVE = {
    "pydantic-ai through the global tracer provider": (
        "pydantic-ai",
        OTEL + AI + "import pydantic_ai\n"
        "provider = TracerProvider()\n"
        "provider.add_span_processor(SimpleSpanProcessor(AmplitudeAgentExporter(ai)))\n"
        "trace.set_tracer_provider(provider)\n"
        "pydantic_ai.Agent.instrument_all()\n",
    ),
    "pydantic-ai with the exporter bound to a name first": (
        "pydantic-ai",
        OTEL + AI + "import pydantic_ai\n"
        "exporter = AmplitudeAgentExporter(ai)\n"
        "processor = SimpleSpanProcessor(exporter)\n"
        "provider = TracerProvider()\n"
        "provider.add_span_processor(processor)\n"
        "pydantic_ai.Agent.instrument_all(\n"
        "    pydantic_ai.InstrumentationSettings(tracer_provider=provider)\n"
        ")\n",
    ),
    "llama-index handler bound to a name first": (
        "llama-index",
        AI + "import llama_index.core\n"
        "from amplitude_ai.integrations.llamaindex import AmplitudeLlamaIndexHandler\n"
        "handler = AmplitudeLlamaIndexHandler(ai)\n"
        "llama_index.core.global_handler = handler\n",
    ),
    "langchain handler from the SDK's factory": (
        "langchain",
        AI + "from contextvars import ContextVar\n"
        "from langchain_core.tracers.context import register_configure_hook\n"
        "from amplitude_ai.integrations.langchain import create_amplitude_callback\n"
        "register_configure_hook(ContextVar('cb', default=create_amplitude_callback(ai)), True)\n",
    ),
    "openai-agents processor bound to a name first": (
        "openai-agents",
        AI + "from agents import add_trace_processor\n"
        "from amplitude_ai.integrations.openai_agents import AmplitudeTracingProcessor\n"
        "processor = AmplitudeTracingProcessor(ai)\n"
        "add_trace_processor(processor)\n",
    ),
    "crewai hooks registered at import": (
        "crewai",
        AI + "from amplitude_ai.integrations import crewai as amp_crewai\n"
        "hooks = amp_crewai.AmplitudeCrewAIHooks(ai).register()\n",
    ),
}


@pytest.mark.parametrize("case", sorted(POSITIVE))
def test_registering_our_object_counts(tmp_path, case):
    framework, setup = POSITIVE[case]
    assert _uninstrumented(tmp_path, setup, framework) == 0


NEGATIVE = {
    # the loose cases: the module imports amplitude_ai, but registers something else
    "pydantic-ai instrumented without our exporter": (
        "pydantic-ai",
        OTEL + AI + "import pydantic_ai\npydantic_ai.Agent.instrument_all(True)\n",
    ),
    "pydantic-ai on a tracer provider exporting elsewhere": (
        "pydantic-ai",
        OTEL + AI + "import pydantic_ai\n"
        "provider = TracerProvider()\n"
        "provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))\n"
        "pydantic_ai.Agent.instrument_all(\n"
        "    pydantic_ai.InstrumentationSettings(tracer_provider=provider)\n"
        ")\n",
    ),
    "pydantic-ai with a global tracer provider exporting elsewhere": (
        "pydantic-ai",
        OTEL + AI + "import pydantic_ai\n"
        "provider = TracerProvider()\n"
        "provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))\n"
        "trace.set_tracer_provider(provider)\n"
        "unused = AmplitudeAgentExporter(ai)\n"
        "pydantic_ai.Agent.instrument_all()\n",
    ),
    "llama-index handler of another vendor": (
        "llama-index",
        AI + "import llama_index.core\n"
        "from langfuse.llama_index import LlamaIndexCallbackHandler\n"
        "llama_index.core.global_handler = LlamaIndexCallbackHandler()\n",
    ),
    "llama-index handler merely given an amplitude_ai object": (
        "llama-index",
        "import amplitude_ai\nimport llama_index.core\n"
        "from my_handlers import LoggingHandler\n"
        "llama_index.core.global_handler = LoggingHandler(amplitude_ai.AmplitudeAI())\n",
    ),
    "langchain hook with another handler": (
        "langchain",
        AI + "from contextvars import ContextVar\n"
        "from langchain_core.tracers.context import register_configure_hook\n"
        "from langchain_core.tracers.stdout import ConsoleCallbackHandler\n"
        "register_configure_hook(ContextVar('cb', default=ConsoleCallbackHandler()), True)\n",
    ),
    "openai-agents processor of another vendor": (
        "openai-agents",
        AI + "from agents import add_trace_processor\n"
        "from my_tracing import Processor\n"
        "add_trace_processor(Processor())\n",
    ),
    "crewai hooks built but never registered": (
        "crewai",
        AI + "from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks\n"
        "hooks = AmplitudeCrewAIHooks(ai)\n",
    ),
    "crewai hooks registered only inside a function": (
        "crewai",
        AI + "from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks\n"
        "def setup():\n"
        "    AmplitudeCrewAIHooks(ai).register()\n",
    ),
}


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_registering_something_else_does_not_count(tmp_path, case):
    framework, setup = NEGATIVE[case]
    assert _uninstrumented(tmp_path, setup, framework) == 1
