"""Framework entries for detection: the framework clients and runners whose calls are
framework sites (LangChain/LangGraph, LlamaIndex, OpenAI Agents, pydantic-ai, CrewAI), the
SDK integration that instruments each and how an app registers it, web app constructors and
their middleware, and the import names of frameworks and web frameworks.

Framework data, not provider facts (those are derived from the SDK's provider registry in
``detect.providers``, which joins both and re-exports these names)."""

from __future__ import annotations

from dataclasses import dataclass

from .entries import Api, ClientClass, Family, ModuleFunction

# --------------------------------------------------------------------------- frameworks

_LANGCHAIN_APIS = (
    Api("invoke", "chat"),
    Api("ainvoke", "chat", is_async=True),
    Api("stream", "chat", stream=True),
    Api("astream", "chat", stream=True, is_async=True),
    Api("astream_events", "chat", stream=True, is_async=True),
    Api("batch", "chat"),
    Api("abatch", "chat", is_async=True),
)

FRAMEWORK_FAMILIES = (
    Family(
        "langchain",
        _LANGCHAIN_APIS,
        chaining=frozenset(
            {"bind_tools", "with_structured_output", "bind", "with_config", "with_retry"}
        ),
    ),
    Family(
        "llama-index-llm",
        (
            Api("chat", "chat"),
            Api("achat", "chat", is_async=True),
            Api("complete", "completion"),
            Api("acomplete", "completion", is_async=True),
            Api("stream_chat", "chat", stream=True),
            Api("stream_complete", "completion", stream=True),
            Api("astream_chat", "chat", stream=True, is_async=True),
        ),
    ),
    Family(
        "llama-index-engine",
        (
            Api("query", "query"),
            Api("aquery", "query", is_async=True),
            Api("chat", "chat"),
            Api("achat", "chat", is_async=True),
            Api("stream_chat", "chat", stream=True),
        ),
    ),
    # Index objects are not LLM calls themselves; they make engines (DERIVED below).
    Family("llama-index-index", ()),
    # A LangGraph builder is not a runnable; ``.compile()`` makes one (DERIVED below).
    Family("langgraph-builder", ()),
    Family(
        "pydantic-ai",
        (
            Api("run", "agent_run", is_async=True),
            Api("run_sync", "agent_run", is_async=False),
            Api("run_stream", "agent_run", stream=True, is_async=True),
            Api("iter", "agent_run", is_async=True),
        ),
    ),
    # A crew run (``Crew.kickoff`` and its batch/async forms) and an agent run on its own.
    Family(
        "crewai",
        (
            Api("kickoff", "agent_run", is_async=False),
            Api("kickoff_async", "agent_run", is_async=True),
            Api("akickoff", "agent_run", is_async=True),
            Api("kickoff_for_each", "agent_run", is_async=False),
            Api("kickoff_for_each_async", "agent_run", is_async=True),
            Api("akickoff_for_each", "agent_run", is_async=True),
        ),
    ),
    # CrewAI's own LLM client called directly (``LLM(model="openai/gpt-4o").call(...)``).
    Family(
        "crewai-llm",
        (Api("call", "chat", is_async=False), Api("acall", "chat", is_async=True)),
    ),
)

FRAMEWORK_CLASSES: tuple[ClientClass, ...] = (
    *[
        ClientClass(qualname, "langchain", "langchain", kind="framework")
        for qualname in (
            "langchain_openai.ChatOpenAI",
            "langchain_openai.AzureChatOpenAI",
            "langchain_openai.OpenAI",
            "langchain_anthropic.ChatAnthropic",
            "langchain_google_genai.ChatGoogleGenerativeAI",
            "langchain_google_vertexai.ChatVertexAI",
            "langchain_mistralai.ChatMistralAI",
            "langchain_aws.ChatBedrock",
            "langchain_aws.ChatBedrockConverse",
            "langchain_groq.ChatGroq",
            "langchain_ollama.ChatOllama",
            "langchain_cohere.ChatCohere",
            "langchain.chat_models.init_chat_model",
        )
    ],
    ClientClass(
        "langchain_community.chat_models.", "langchain", "langchain", kind="framework", prefix=True
    ),
    ClientClass(
        "llama_index.llms.", "llama-index", "llama-index-llm", kind="framework", prefix=True
    ),
    *[
        ClientClass(qualname, "llama-index", "llama-index-index", kind="framework")
        for qualname in (
            "llama_index.core.VectorStoreIndex",
            "llama_index.core.VectorStoreIndex.from_documents",
            "llama_index.core.VectorStoreIndex.from_vector_store",
            "llama_index.core.SummaryIndex",
            "llama_index.core.SummaryIndex.from_documents",
        )
    ],
    *[
        ClientClass(
            f"llama_index.core.chat_engine.{name}",
            "llama-index",
            "llama-index-engine",
            kind="framework",
        )
        for name in (
            "SimpleChatEngine",
            "SimpleChatEngine.from_defaults",
            "CondenseQuestionChatEngine.from_defaults",
            "CondensePlusContextChatEngine.from_defaults",
            "ContextChatEngine.from_defaults",
        )
    ],
    *[
        ClientClass(qualname, "langgraph", "langgraph-builder", kind="framework")
        for qualname in ("langgraph.graph.StateGraph", "langgraph.graph.MessageGraph")
    ],
    *[
        ClientClass(qualname, provider, "langchain", kind="framework")
        for qualname, provider in (
            ("langgraph.prebuilt.create_react_agent", "langgraph"),
            ("langchain.agents.create_agent", "langchain"),
        )
    ],
    ClientClass("pydantic_ai.Agent", "pydantic-ai", "pydantic-ai", kind="framework"),
    *[
        ClientClass(qualname, "crewai", family, kind="framework")
        for qualname, family in (
            ("crewai.Crew", "crewai"),
            ("crewai.crew.Crew", "crewai"),
            ("crewai.Agent", "crewai"),
            ("crewai.agent.Agent", "crewai"),
            ("crewai.LLM", "crewai-llm"),
            ("crewai.llm.LLM", "crewai-llm"),
        )
    ],
)

FRAMEWORK_FUNCTIONS: tuple[ModuleFunction, ...] = (
    ModuleFunction(
        "agents.Runner.run", "openai-agents", "Runner.run", "agent_run", "framework", True
    ),
    ModuleFunction(
        "agents.Runner.run_sync", "openai-agents", "Runner.run_sync", "agent_run", "framework"
    ),
    ModuleFunction(
        "agents.Runner.run_streamed",
        "openai-agents",
        "Runner.run_streamed",
        "agent_run",
        "framework",
        stream=True,
    ),
)

# (family, method path) -> family of the method's result, e.g. index.as_query_engine().
FRAMEWORK_DERIVED: dict[tuple[str, str], str] = {
    ("llama-index-index", "as_query_engine"): "llama-index-engine",
    ("llama-index-index", "as_chat_engine"): "llama-index-engine",
    ("llama-index-index", "from_documents"): "llama-index-index",
    # A compiled graph is a LangChain runnable (invoke/stream/batch), reported as langgraph.
    ("langgraph-builder", "compile"): "langchain",
}


@dataclass(frozen=True)
class Integration:
    """The SDK integration that instruments a framework's sites, and how an app registers
    it: calls (or module attributes assigned) whose qualified names are ``hooks``.

    A hook counts only when what it registers is ours: its arguments (or the value
    assigned) reach ``target`` or one of ``accepts`` (directly, through names bound at
    module level, or through calls on those names: ``provider.add_span_processor(...)``).
    A hook that falls back to a process-wide object (pydantic-ai's ``instrument_all()``
    uses the global tracer provider) also counts when a ``global_setters`` call at module
    level installs an object that reaches ours. A hook that is ours itself
    (``AmplitudeCrewAIHooks(ai).register()``) always counts."""

    target: (
        str  # what to register, e.g. amplitude_ai.integrations.langchain.AmplitudeCallbackHandler
    )
    frameworks: frozenset[str]  # site providers it covers
    hooks: tuple[str, ...] = ()
    assigned: tuple[str, ...] = ()  # ``module.attr = handler`` registrations
    accepts: tuple[str, ...] = ()  # other SDK names that make a registration ours
    global_setters: tuple[str, ...] = ()
    # ``with target(...):`` instruments the framework's calls inside the block.
    context_manager: bool = False

    @property
    def ours(self) -> frozenset[str]:
        """Qualified names whose presence makes a registration this integration's."""
        return frozenset({self.target, *self.accepts})


_LANGCHAIN_INTEGRATION = Integration(
    "amplitude_ai.integrations.langchain.AmplitudeCallbackHandler",
    frozenset({"langchain", "langgraph"}),
    hooks=("langchain_core.tracers.context.register_configure_hook",),
    accepts=("amplitude_ai.integrations.langchain.create_amplitude_callback",),
)
INTEGRATIONS: dict[str, Integration] = {
    "langchain": _LANGCHAIN_INTEGRATION,
    "langgraph": _LANGCHAIN_INTEGRATION,
    "llama-index": Integration(
        "amplitude_ai.integrations.llamaindex.AmplitudeLlamaIndexHandler",
        frozenset({"llama-index"}),
        assigned=("llama_index.core.global_handler",),
    ),
    "openai-agents": Integration(
        "amplitude_ai.integrations.openai_agents.AmplitudeTracingProcessor",
        frozenset({"openai-agents"}),
        hooks=(
            "agents.add_trace_processor",
            "agents.set_trace_processors",
            "agents.tracing.add_trace_processor",
            "agents.tracing.set_trace_processors",
        ),
    ),
    # LiteLLM's module functions report through its own callback list, whatever provider
    # it routes to (``patch_litellm(amplitude=ai)`` appends the callback there).
    "litellm": Integration(
        "amplitude_ai.integrations.litellm.AmplitudeLiteLLMCallback",
        frozenset({"litellm"}),
        hooks=("litellm.callbacks.append", "litellm.callbacks.extend"),
        assigned=("litellm.callbacks",),
    ),
    # CrewAI reports crews, tasks, agents, model calls and tools on its event bus; the
    # hooks listen there once registered (``AmplitudeCrewAIHooks(ai).register()``).
    "crewai": Integration(
        "amplitude_ai.integrations.crewai.AmplitudeCrewAIHooks",
        frozenset({"crewai"}),
        hooks=("amplitude_ai.integrations.crewai.AmplitudeCrewAIHooks.register",),
        context_manager=True,
    ),
    # pydantic-ai has no callback API: its own OTEL GenAI spans go through the bridge.
    "pydantic-ai": Integration(
        "amplitude_ai.integrations.opentelemetry.AmplitudeAgentExporter",
        frozenset({"pydantic-ai"}),
        hooks=("pydantic_ai.Agent.instrument_all",),
        global_setters=("opentelemetry.trace.set_tracer_provider",),
    ),
}
# Web app constructors -> (framework, the middleware that opens a session per request).
WEB_APPS: dict[str, tuple[str, str]] = {
    "fastapi.FastAPI": ("fastapi", "amplitude_ai.middleware.AmplitudeAIMiddleware"),
    "starlette.applications.Starlette": (
        "starlette",
        "amplitude_ai.middleware.AmplitudeAIMiddleware",
    ),
    "flask.Flask": ("flask", "amplitude_ai.middleware.AmplitudeAIWSGIMiddleware"),
}
MIDDLEWARE_HOOKS = frozenset({"add_middleware", "wsgi_app"})


def integration_for(provider: str) -> Integration | None:
    """The SDK integration instrumenting ``provider``'s framework sites, if there is one."""
    return INTEGRATIONS.get(provider)


def _registrations(attribute: str) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for integration in INTEGRATIONS.values():
        for name in getattr(integration, attribute):
            found.setdefault(name, set()).update(integration.frameworks)
    return {name: frozenset(frameworks) for name, frameworks in found.items()}


REGISTRATION_CALLS = _registrations("hooks")  # qualname -> frameworks it instruments
REGISTRATION_ASSIGNS = _registrations("assigned")


# Integration class -> the frameworks whose calls a ``with`` block of it instruments.
SCOPED_INTEGRATIONS: dict[str, frozenset[str]] = {
    i.target: i.frameworks for i in INTEGRATIONS.values() if i.context_manager
}


def registered_by(hook: str) -> tuple[Integration, ...]:
    """The integrations a hook (a registration call or assigned attribute) can register."""
    return tuple(i for i in dict.fromkeys(INTEGRATIONS.values()) if hook in (*i.hooks, *i.assigned))


FRAMEWORK_MODULES: dict[str, str] = {
    "langchain": "langchain",
    "langchain_core": "langchain",
    "langchain_openai": "langchain",
    "langchain_anthropic": "langchain",
    "langchain_community": "langchain",
    "llama_index": "llama-index",
    "agents": "openai-agents",
    "pydantic_ai": "pydantic-ai",
    "crewai": "crewai",
    "langgraph": "langgraph",
}
WEB_MODULES: dict[str, str] = {
    "fastapi": "fastapi",
    "flask": "flask",
    "django": "django",
    "starlette": "starlette",
    "streamlit": "streamlit",
}
