"""Framework integrations, registered once in the bootstrap module.

A framework call site (a LangChain chain, a LangGraph graph, a LlamaIndex engine, an OpenAI
Agents ``Runner.run``, a pydantic-ai ``Agent.run``, a CrewAI ``kickoff``) is instrumented by
the SDK integration for that framework, not by its provider client. Each integration is
registered where the framework looks for it process-wide, so no call site has to change: the
instrumented file only imports the bootstrap (before it builds framework objects), and the
bootstrap gains one block per framework, found again by its marker line (re-planning adds
nothing twice).

LangChain uses a configure hook rather than ``config={"callbacks": [...]}`` at each invoke:
one registration reaches every ``invoke``/``stream``/``batch``, LangGraph graphs, tools and
nested runs, including chains built in code the scan cannot see, and leaves the user's own
``config`` dicts alone (merging into a ``config`` variable cannot be done safely). The hook's
context variable has the handler as its default, so it holds in every thread and task.
"""

from __future__ import annotations

from collections.abc import Iterable

from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.sites import CallSite

KIND = "register_integration"

# Block key -> the bootstrap lines that register the integration (after ``ai`` exists).
_BLOCKS: dict[str, tuple[str, ...]] = {
    "langchain": (
        "# LangChain / LangGraph: the configure hook adds the handler to every run (invoke,",
        "# stream, batch, graphs, tools), in any thread or task.",
        "from contextvars import ContextVar",
        "",
        "from amplitude_ai.integrations.langchain import AmplitudeCallbackHandler",
        "from langchain_core.tracers.context import register_configure_hook",
        "",
        "langchain_handler = AmplitudeCallbackHandler(ai)",
        "register_configure_hook(",
        '    ContextVar("amplitude_ai_langchain", default=langchain_handler), inheritable=True',
        ")",
    ),
    "llama-index": (
        "# LlamaIndex: every callback manager created from here on (LLMs, engines, indexes)",
        "# includes the handler.",
        "import llama_index.core",
        "from amplitude_ai.integrations.llamaindex import AmplitudeLlamaIndexHandler",
        "",
        "llama_index.core.global_handler = AmplitudeLlamaIndexHandler(ai)",
    ),
    "openai-agents": (
        "# OpenAI Agents SDK: agent runs, generations, tools and handoffs, next to the",
        "# SDK's own trace processors.",
        "from agents import add_trace_processor",
        "from amplitude_ai.integrations.openai_agents import AmplitudeTracingProcessor",
        "",
        "add_trace_processor(AmplitudeTracingProcessor(ai))",
    ),
    "pydantic-ai": (
        "# pydantic-ai: its OpenTelemetry GenAI spans go to Amplitude through the bridge, on a",
        "# tracer provider of its own (the app's global OpenTelemetry setup is left alone).",
        "import pydantic_ai",
        "from amplitude_ai.integrations.opentelemetry import AmplitudeAgentExporter",
        "from opentelemetry.sdk.trace import TracerProvider",
        "from opentelemetry.sdk.trace.export import SimpleSpanProcessor",
        "",
        "amplitude_tracer_provider = TracerProvider()",
        "amplitude_tracer_provider.add_span_processor(",
        "    SimpleSpanProcessor(AmplitudeAgentExporter(ai))",
        ")",
        "pydantic_ai.Agent.instrument_all(",
        "    pydantic_ai.InstrumentationSettings(tracer_provider=amplitude_tracer_provider)",
        ")",
    ),
    "crewai": (
        "# CrewAI: crews, tasks, agents, model calls and tool usages, from CrewAI's event bus",
        "# (the hooks listen from here on, for every crew the app kicks off).",
        "from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks",
        "",
        "crewai_hooks = AmplitudeCrewAIHooks(ai).register()",
    ),
    "litellm": (
        "# LiteLLM: every completion/embedding call, whichever provider it routes to, reports",
        "# through LiteLLM's own callback list (litellm.callbacks).",
        "from amplitude_ai import patch_litellm",
        "",
        "patch_litellm(amplitude=ai)",
    ),
}
# Provider sites (not framework ones) instrumented by a block: LiteLLM's module functions.
_PROVIDER_BLOCKS = frozenset({"litellm"})
# Site provider -> block key (LangGraph shares LangChain's handler).
_BLOCK_OF = {"langchain": "langchain", "langgraph": "langchain"}


def block_key(provider: str) -> str | None:
    """The bootstrap block registering the integration for ``provider``'s sites, if any."""
    if P.integration_for(provider) is None:
        return None
    key = _BLOCK_OF.get(provider, provider)
    return key if key in _BLOCKS else None


def marker(key: str) -> str:
    return f"# amplitude-ai: integration {key}"


def needed(sites: Iterable[CallSite]) -> list[str]:
    """Blocks the file's uninstrumented framework (and LiteLLM) sites need (test files
    excluded)."""
    keys = set()
    for site in sites:
        if site.instrumented or site.in_test:
            continue
        if site.kind != "framework" and site.provider not in _PROVIDER_BLOCKS:
            continue
        key = block_key(site.provider)
        if key is not None:
            keys.add(key)
    return sorted(keys)


def missing(text: str, keys: Iterable[str]) -> list[str]:
    """The blocks of ``keys`` not in the bootstrap ``text`` yet (found by marker)."""
    present = {line.strip() for line in text.splitlines()}
    return [k for k in keys if marker(k) not in present]


def lines(keys: Iterable[str]) -> list[str]:
    """Bootstrap lines for ``keys``: each block after a blank line, under its marker."""
    out: list[str] = []
    for key in keys:
        out += ["", marker(key), *_BLOCKS[key]]
    return out


def describe(keys: Iterable[str]) -> str:
    targets = sorted({P.INTEGRATIONS[k].target.rsplit(".", 1)[-1] for k in keys})
    return ", ".join(targets)
