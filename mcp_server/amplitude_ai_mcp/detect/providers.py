"""THE provider/API table: every LLM client, module function and framework call we detect.

Scan, validate_file and (later) the codemods all read this one table. Entries are matched by
*qualified name* (what libcst's QualifiedNameProvider resolves an expression to), never by
spelling, so aliases and re-exports are handled by the resolver, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Operation = Literal["chat", "completion", "responses", "embedding", "agent_run", "query"]
Kind = Literal["provider", "framework"]


@dataclass(frozen=True)
class Api:
    """One callable method path on a client, e.g. ``chat.completions.create``."""

    path: str
    operation: Operation
    stream: bool = False  # the method itself streams (``messages.stream``)
    is_async: bool | None = None  # None: inherit from the client class
    # Keyword arguments a call must carry when the receiver's type is *inferred from usage*
    # (an unannotated parameter): ``messages.create`` is also Twilio's API.
    usage_kwargs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Family:
    """A set of APIs shared by several client classes (OpenAI, Azure OpenAI and Groq)."""

    name: str
    apis: tuple[Api, ...]
    # Path segments that wrap an API without changing it (``with_raw_response``).
    transparent: frozenset[str] = frozenset()
    # A leading segment that makes the call async on a sync client (google-genai ``aio``).
    async_prefix: str | None = None
    # Methods whose result has the same family (``llm.bind_tools(...)`` is still a chat model).
    chaining: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClientClass:
    """A constructor (class or factory) whose result is an LLM client of ``family``."""

    qualname: str
    provider: str
    family: str
    kind: Kind = "provider"
    is_async: bool = False
    # boto3-style: the client kind is chosen by a string argument.
    service_arg: str | None = None
    # A constructor whose qualified name *starts with* this (langchain_community.chat_models.).
    prefix: bool = False


@dataclass(frozen=True)
class ModuleFunction:
    """A module-level callable that is itself an LLM call (``litellm.completion``)."""

    qualname: str
    provider: str
    api: str
    operation: Operation
    kind: Kind = "provider"
    is_async: bool = False
    stream: bool = False


_OPENAI_APIS = (
    Api("chat.completions.create", "chat", usage_kwargs=frozenset({"model", "messages"})),
    Api("chat.completions.parse", "chat"),
    Api("chat.completions.stream", "chat", stream=True),
    Api("beta.chat.completions.parse", "chat"),
    Api("beta.chat.completions.stream", "chat", stream=True),
    Api("responses.create", "responses", usage_kwargs=frozenset({"model", "input"})),
    Api("responses.parse", "responses"),
    Api("responses.stream", "responses", stream=True),
    Api("completions.create", "completion"),
    Api("embeddings.create", "embedding", usage_kwargs=frozenset({"model", "input"})),
)

_ANTHROPIC_APIS = (
    Api(
        "messages.create",
        "chat",
        usage_kwargs=frozenset({"model", "max_tokens", "messages"}),
    ),
    Api("messages.stream", "chat", stream=True),
    Api("beta.messages.create", "chat"),
    Api("beta.messages.stream", "chat", stream=True),
    Api("completions.create", "completion"),
)

_LANGCHAIN_APIS = (
    Api("invoke", "chat"),
    Api("ainvoke", "chat", is_async=True),
    Api("stream", "chat", stream=True),
    Api("astream", "chat", stream=True, is_async=True),
    Api("astream_events", "chat", stream=True, is_async=True),
    Api("batch", "chat"),
    Api("abatch", "chat", is_async=True),
)

FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family(
            "openai",
            _OPENAI_APIS,
            transparent=frozenset({"with_raw_response", "with_streaming_response"}),
        ),
        Family(
            "anthropic",
            _ANTHROPIC_APIS,
            transparent=frozenset({"with_raw_response", "with_streaming_response"}),
        ),
        Family(
            "google-genai",
            (
                Api("models.generate_content", "chat"),
                Api("models.generate_content_stream", "chat", stream=True),
                Api("models.embed_content", "embedding"),
            ),
            async_prefix="aio",
        ),
        Family(
            "google-generativeai",
            (
                Api("generate_content", "chat"),
                Api("generate_content_async", "chat", is_async=True),
            ),
        ),
        Family(
            "mistral",
            (
                Api("chat.complete", "chat"),
                Api("chat.complete_async", "chat", is_async=True),
                Api("chat.stream", "chat", stream=True),
                Api("chat.stream_async", "chat", stream=True, is_async=True),
                Api("fim.complete", "completion"),
                Api("embeddings.create", "embedding"),
            ),
        ),
        Family(
            "bedrock",
            (
                Api("converse", "chat"),
                Api("converse_stream", "chat", stream=True),
                Api("invoke_model", "chat"),
                Api("invoke_model_with_response_stream", "chat", stream=True),
            ),
        ),
        Family(
            "cohere",
            (
                Api("chat", "chat"),
                Api("chat_stream", "chat", stream=True),
                Api("generate", "completion"),
                Api("embed", "embedding"),
            ),
        ),
        Family(
            "ollama",
            (
                Api("chat", "chat"),
                Api("generate", "completion"),
                Api("embed", "embedding"),
                Api("embeddings", "embedding"),
            ),
        ),
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
        Family(
            "crewai",
            (Api("kickoff", "agent_run"), Api("kickoff_async", "agent_run", is_async=True)),
        ),
    )
}

# (family, method) -> family of the method's result, e.g. index.as_query_engine().
DERIVED: dict[tuple[str, str], str] = {
    ("llama-index-index", "as_query_engine"): "llama-index-engine",
    ("llama-index-index", "as_chat_engine"): "llama-index-engine",
    ("llama-index-index", "from_documents"): "llama-index-index",
    # A compiled graph is a LangChain runnable (invoke/stream/batch), reported as langgraph.
    ("langgraph-builder", "compile"): "langchain",
}


def _openai_like(module: str, provider: str, names: tuple[str, ...]) -> list[ClientClass]:
    return [
        ClientClass(f"{module}.{name}", provider, "openai", is_async=name.startswith("Async"))
        for name in names
    ]


CLIENT_CLASSES: tuple[ClientClass, ...] = (
    *_openai_like("openai", "openai", ("OpenAI", "AsyncOpenAI")),
    *_openai_like("openai", "azure-openai", ("AzureOpenAI", "AsyncAzureOpenAI")),
    *_openai_like("openai.lib.azure", "azure-openai", ("AzureOpenAI", "AsyncAzureOpenAI")),
    *_openai_like("groq", "groq", ("Groq", "AsyncGroq")),
    *[
        ClientClass(f"anthropic.{name}", "anthropic", "anthropic", is_async="Async" in name)
        for name in (
            "Anthropic",
            "AsyncAnthropic",
            "AnthropicBedrock",
            "AsyncAnthropicBedrock",
            "AnthropicVertex",
            "AsyncAnthropicVertex",
        )
    ],
    ClientClass("google.genai.Client", "gemini", "google-genai"),
    ClientClass("google.generativeai.GenerativeModel", "gemini", "google-generativeai"),
    ClientClass("mistralai.Mistral", "mistral", "mistral"),
    ClientClass("mistralai.client.Mistral", "mistral", "mistral"),
    ClientClass("boto3.client", "bedrock", "bedrock", service_arg="bedrock-runtime"),
    ClientClass("boto3.Session.client", "bedrock", "bedrock", service_arg="bedrock-runtime"),
    ClientClass(
        "boto3.session.Session.client", "bedrock", "bedrock", service_arg="bedrock-runtime"
    ),
    ClientClass("cohere.Client", "cohere", "cohere"),
    ClientClass("cohere.ClientV2", "cohere", "cohere"),
    ClientClass("cohere.AsyncClient", "cohere", "cohere", is_async=True),
    ClientClass("cohere.AsyncClientV2", "cohere", "cohere", is_async=True),
    ClientClass("ollama.Client", "ollama", "ollama"),
    ClientClass("ollama.AsyncClient", "ollama", "ollama", is_async=True),
    # Frameworks.
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
    ClientClass("crewai.Crew", "crewai", "crewai", kind="framework"),
)

MODULE_FUNCTIONS: tuple[ModuleFunction, ...] = (
    # openai>=1 module-level default client.
    ModuleFunction("openai.chat.completions.create", "openai", "chat.completions.create", "chat"),
    ModuleFunction("openai.responses.create", "openai", "responses.create", "responses"),
    ModuleFunction("openai.embeddings.create", "openai", "embeddings.create", "embedding"),
    # openai<1 legacy API.
    ModuleFunction("openai.ChatCompletion.create", "openai", "ChatCompletion.create", "chat"),
    ModuleFunction(
        "openai.ChatCompletion.acreate", "openai", "ChatCompletion.acreate", "chat", is_async=True
    ),
    ModuleFunction("openai.Completion.create", "openai", "Completion.create", "completion"),
    ModuleFunction("openai.Embedding.create", "openai", "Embedding.create", "embedding"),
    ModuleFunction("litellm.completion", "litellm", "completion", "chat"),
    ModuleFunction("litellm.acompletion", "litellm", "acompletion", "chat", is_async=True),
    ModuleFunction("litellm.text_completion", "litellm", "text_completion", "completion"),
    ModuleFunction("litellm.responses", "litellm", "responses", "responses"),
    ModuleFunction("litellm.aresponses", "litellm", "aresponses", "responses", is_async=True),
    ModuleFunction("litellm.embedding", "litellm", "embedding", "embedding"),
    ModuleFunction("litellm.aembedding", "litellm", "aembedding", "embedding", is_async=True),
    ModuleFunction("ollama.chat", "ollama", "chat", "chat"),
    ModuleFunction("ollama.generate", "ollama", "generate", "completion"),
    ModuleFunction("ollama.embed", "ollama", "embed", "embedding"),
    ModuleFunction("google.generativeai.embed_content", "gemini", "embed_content", "embedding"),
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


@dataclass(frozen=True)
class Integration:
    """The SDK integration that instruments a framework's sites, and how an app registers
    it: calls (or module attributes assigned) whose qualified names are ``hooks``. A hook
    counts when it is given an amplitude_ai object, or runs in a module importing one."""

    target: (
        str  # what to register, e.g. amplitude_ai.integrations.langchain.AmplitudeCallbackHandler
    )
    frameworks: frozenset[str]  # site providers it covers
    hooks: tuple[str, ...] = ()
    assigned: tuple[str, ...] = ()  # ``module.attr = handler`` registrations


_LANGCHAIN_INTEGRATION = Integration(
    "amplitude_ai.integrations.langchain.AmplitudeCallbackHandler",
    frozenset({"langchain", "langgraph"}),
    hooks=("langchain_core.tracers.context.register_configure_hook",),
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
    # pydantic-ai has no callback API: its own OTEL GenAI spans go through the bridge.
    "pydantic-ai": Integration(
        "amplitude_ai.integrations.opentelemetry.AmplitudeAgentExporter",
        frozenset({"pydantic-ai"}),
        hooks=("pydantic_ai.Agent.instrument_all",),
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


# Our SDK's drop-in clients: same APIs as the provider's, already instrumented.
SDK_MODULE = "amplitude_ai"
SDK_CLIENTS: dict[str, str] = {
    # class name -> provider client class it stands in for
    "OpenAI": "openai.OpenAI",
    "AsyncOpenAI": "openai.AsyncOpenAI",
    "AzureOpenAI": "openai.AzureOpenAI",
    "AsyncAzureOpenAI": "openai.AsyncAzureOpenAI",
    "Anthropic": "anthropic.Anthropic",
    "AsyncAnthropic": "anthropic.AsyncAnthropic",
    "Gemini": "google.genai.Client",
    "Mistral": "mistralai.Mistral",
    "Bedrock": "boto3.client",  # a factory: Bedrock("bedrock-runtime", ...) like boto3.client
}
SDK_TRACKERS = frozenset({"AmplitudeAI", "MockAmplitudeAI"})  # make ai.agent(...) agents
SDK_WRAP = "wrap"
SDK_PATCH_PREFIX = "patch"  # patch(), patch_openai(), patch_anthropic(), ...

# Module prefixes -> provider / framework / web framework / observability name, for the scan's
# dependency and import report. Keys are import names; values are display names.
PROVIDER_MODULES: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google.genai": "gemini",
    "google.generativeai": "gemini",
    "mistralai": "mistral",
    "litellm": "litellm",
    "cohere": "cohere",
    "groq": "groq",
    "ollama": "ollama",
}
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
OBSERVABILITY_MODULES: dict[str, str] = {
    "amplitude_ai": "amplitude-ai",
    "langfuse": "langfuse",
    "traceloop": "openllmetry",
    "opentelemetry.instrumentation.openai": "openllmetry",
    "logfire": "logfire",
    "langsmith": "langsmith",
    "helicone": "helicone",
    "agentops": "agentops",
    "weave": "weave",
    "braintrust": "braintrust",
    "phoenix": "arize-phoenix",
    "openinference": "openinference",
    "posthog.ai": "posthog",
}
# Distribution names (as declared in dependency files) -> the same display names.
DISTRIBUTIONS: dict[str, tuple[str, str]] = {
    "openai": ("provider", "openai"),
    "anthropic": ("provider", "anthropic"),
    "google-genai": ("provider", "gemini"),
    "google-generativeai": ("provider", "gemini"),
    "mistralai": ("provider", "mistral"),
    "boto3": ("provider", "bedrock"),
    "litellm": ("provider", "litellm"),
    "cohere": ("provider", "cohere"),
    "groq": ("provider", "groq"),
    "ollama": ("provider", "ollama"),
    "langchain": ("framework", "langchain"),
    "langchain-core": ("framework", "langchain"),
    "langchain-openai": ("framework", "langchain"),
    "langchain-anthropic": ("framework", "langchain"),
    "langchain-community": ("framework", "langchain"),
    "llama-index": ("framework", "llama-index"),
    "llama-index-core": ("framework", "llama-index"),
    "openai-agents": ("framework", "openai-agents"),
    "pydantic-ai": ("framework", "pydantic-ai"),
    "pydantic-ai-slim": ("framework", "pydantic-ai"),
    "crewai": ("framework", "crewai"),
    "langgraph": ("framework", "langgraph"),
    "fastapi": ("web", "fastapi"),
    "flask": ("web", "flask"),
    "django": ("web", "django"),
    "starlette": ("web", "starlette"),
    "streamlit": ("web", "streamlit"),
    "amplitude-ai": ("observability", "amplitude-ai"),
    "langfuse": ("observability", "langfuse"),
    "traceloop-sdk": ("observability", "openllmetry"),
    "logfire": ("observability", "logfire"),
    "langsmith": ("observability", "langsmith"),
    "agentops": ("observability", "agentops"),
    "weave": ("observability", "weave"),
    "braintrust": ("observability", "braintrust"),
    "arize-phoenix": ("observability", "arize-phoenix"),
}


@dataclass
class _Index:
    exact: dict[str, ClientClass] = field(default_factory=dict)
    prefixes: list[ClientClass] = field(default_factory=list)
    functions: dict[str, ModuleFunction] = field(default_factory=dict)


def _build_index() -> _Index:
    index = _Index()
    for cls in CLIENT_CLASSES:
        if cls.prefix:
            index.prefixes.append(cls)
        else:
            index.exact[cls.qualname] = cls
    index.functions = {fn.qualname: fn for fn in MODULE_FUNCTIONS}
    return index


_INDEX = _build_index()


def client_class(qualname: str) -> ClientClass | None:
    """The client class constructed by calling ``qualname``, if it is one we know."""
    found = _INDEX.exact.get(qualname)
    if found is not None:
        return found
    for cls in _INDEX.prefixes:
        rest = qualname[len(cls.qualname) :]
        if qualname.startswith(cls.qualname) and all(p.isidentifier() for p in rest.split(".")):
            return cls
    return None


def module_function(qualname: str) -> ModuleFunction | None:
    """The module-level LLM call named ``qualname``, if it is one."""
    return _INDEX.functions.get(qualname)


def match_api(family: Family, segments: list[str]) -> tuple[Api, bool, bool] | None:
    """Match a method path against ``family``: (api, raw_response, forced_async) or None."""
    raw = any(s in family.transparent for s in segments)
    path = [s for s in segments if s not in family.transparent]
    forced_async = False
    if family.async_prefix and path and path[0] == family.async_prefix:
        path = path[1:]
        forced_async = True
    joined = ".".join(path)
    for api in family.apis:
        if api.path == joined:
            return api, raw, forced_async
    return None


def usage_candidates(segments: list[str]) -> list[tuple[Family, Api]]:
    """APIs a call on an *unknown* receiver may be, judged by its method path alone."""
    joined = ".".join(segments)
    found = []
    for name in ("openai", "anthropic"):
        family = FAMILIES[name]
        for api in family.apis:
            if api.usage_kwargs and api.path == joined:
                found.append((family, api))
    return found


def all_provider_names() -> list[str]:
    """Every provider/framework name the table can report, sorted."""
    names = {c.provider for c in CLIENT_CLASSES} | {f.provider for f in MODULE_FUNCTIONS}
    return sorted(names)


# --------------------------------------------------------------------------- uncertain sites


@dataclass(frozen=True)
class Shape:
    """A method path that names one provider's API whatever the receiver's spelling.

    ``tracked`` shapes on a receiver whose type cannot be traced are reported as *probable*
    sites (with ``kwargs``, the arguments the call must carry to count as evidence). Untracked
    shapes are APIs we recognise but the SDK does not instrument: reported with the reason."""

    path: str
    provider: str
    tracked: bool
    kwargs: frozenset[str] = frozenset()
    reason: str = ""


def _untracked(path: str, provider: str, reason: str, *kwargs: str) -> Shape:
    return Shape(path, provider, False, frozenset(kwargs), reason)


_ASSISTANTS = "Assistants API (threads/runs): the SDK does not track it; track turns manually"
_REALTIME = "Realtime API (websocket session): the SDK does not track it"
_BATCH = "Batch API: results arrive later, outside the request; the SDK does not track it"
_MEDIA = "not tracked by the SDK yet (chat, responses and embeddings are)"

SHAPES: tuple[Shape, ...] = (
    Shape("chat.completions.create", "openai", True, frozenset({"model", "messages"})),
    Shape("chat.completions.parse", "openai", True, frozenset({"model", "messages"})),
    Shape("chat.completions.stream", "openai", True, frozenset({"model", "messages"})),
    Shape("responses.create", "openai", True, frozenset({"model", "input"})),
    Shape("responses.parse", "openai", True, frozenset({"model", "input"})),
    Shape("embeddings.create", "openai", True, frozenset({"model", "input"})),
    Shape("messages.create", "anthropic", True, frozenset({"model", "messages", "max_tokens"})),
    Shape("messages.stream", "anthropic", True, frozenset({"model", "messages", "max_tokens"})),
    Shape("models.generate_content", "gemini", True, frozenset({"model", "contents"})),
    Shape("models.generate_content_stream", "gemini", True, frozenset({"model", "contents"})),
    Shape("chat.complete", "mistral", True, frozenset({"model", "messages"})),
    Shape("chat.complete_async", "mistral", True, frozenset({"model", "messages"})),
    # A lazy proxy standing in for the litellm module (``litellm = LazyModule("litellm")``).
    Shape("completion", "litellm", True, frozenset({"model", "messages"})),
    Shape("acompletion", "litellm", True, frozenset({"model", "messages"})),
    _untracked("beta.assistants.create", "openai", _ASSISTANTS),
    _untracked("beta.threads.create", "openai", _ASSISTANTS),
    _untracked("beta.threads.create_and_run", "openai", _ASSISTANTS),
    _untracked("beta.threads.create_and_run_poll", "openai", _ASSISTANTS),
    _untracked("beta.threads.messages.create", "openai", _ASSISTANTS),
    _untracked("beta.threads.runs.create", "openai", _ASSISTANTS),
    _untracked("beta.threads.runs.create_and_poll", "openai", _ASSISTANTS),
    _untracked("beta.threads.runs.stream", "openai", _ASSISTANTS),
    _untracked("beta.realtime.connect", "openai", _REALTIME),
    _untracked("realtime.connect", "openai", _REALTIME, "model"),
    _untracked("batches.create", "openai", _BATCH, "input_file_id"),
    _untracked("messages.batches.create", "anthropic", _BATCH, "requests"),
    _untracked("beta.messages.batches.create", "anthropic", _BATCH, "requests"),
    _untracked("images.generate", "openai", f"image generation: {_MEDIA}", "prompt"),
    _untracked("images.edit", "openai", f"image editing: {_MEDIA}", "image"),
    _untracked("audio.transcriptions.create", "openai", f"transcription: {_MEDIA}", "file"),
    _untracked("audio.translations.create", "openai", f"audio translation: {_MEDIA}", "file"),
    _untracked("audio.speech.create", "openai", f"text to speech: {_MEDIA}", "input"),
    _untracked("moderations.create", "openai", f"moderation: {_MEDIA}", "input"),
)
# Longest first, so ``beta.threads.runs.create`` wins over a shorter suffix.
SHAPES_BY_LENGTH = tuple(sorted(SHAPES, key=lambda s: -s.path.count(".")))
SHAPE_LAST_SEGMENTS = frozenset(s.path.rsplit(".", 1)[-1] for s in SHAPES)

# Raw HTTP to a provider's endpoint (requests/httpx/aiohttp): recognised, never tracked.
PROVIDER_HOSTS: dict[str, str] = {
    "api.openai.com": "openai",
    "openai.azure.com": "azure-openai",
    "api.anthropic.com": "anthropic",
    "generativelanguage.googleapis.com": "gemini",
    "api.mistral.ai": "mistral",
    "api.groq.com": "groq",
    "api.cohere.com": "cohere",
    "api.cohere.ai": "cohere",
}
# Generation endpoints take POST; a GET (listing models, health checks) is not an LLM call.
HTTP_VERBS = frozenset({"post", "request", "stream"})
RAW_HTTP_REASON = (
    "raw HTTP request to the provider's endpoint: the SDK instruments provider clients, so "
    "call the provider SDK's client instead (or track the turn manually)"
)


def shape_for(segments: list[str]) -> tuple[Shape, int] | None:
    """The shape ``segments`` end with, and where it starts (None: no provider shape)."""
    if not segments or segments[-1] not in SHAPE_LAST_SEGMENTS:
        return None
    for shape in SHAPES_BY_LENGTH:
        parts = shape.path.split(".")
        if len(segments) >= len(parts) and segments[-len(parts) :] == parts:
            return shape, len(segments) - len(parts)
    return None
