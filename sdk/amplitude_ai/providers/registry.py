"""The provider SDKs the wrappers support: pure data, no provider import.

One entry per provider id. The pyproject extras, the out-of-range warning of the drop-in
clients and ``patch()``, and the MCP server's ``validate_setup`` / pin reader all read their
version ranges from here (``tests/packaging`` checks that the extras' floors match).

Why these floors:

- ``openai>=1.0``: 1.0 introduced the client classes (``openai.OpenAI``) and the single
  ``request(cast_to, options)`` funnel that the wrappers hook; 0.x is a module-level API
  with nothing to subclass.
- ``anthropic>=0.16``: the first release with the Messages API out of beta
  (``client.messages``); 0.8-0.15 only had ``client.beta.messages``.
- ``google-genai>=1.0``: the first stable release of the unified Gemini / Vertex AI client
  (``google.genai.Client``); every release since sends its calls through
  ``BaseApiClient.request``/``request_streamed`` (and their async twins), which the wrapper
  hooks. The older ``google-generativeai`` package is a different API and not supported.
- ``mistralai>=1.1``: 1.0 introduced the ``Mistral`` client with ``chat.complete`` /
  ``chat.stream`` (0.x had ``MistralClient.chat``), but the 1.0.x releases pin dependencies
  that cannot be installed together with genai-prices (this SDK's cost dependency), so 1.1
  is the oldest release an instrumented app can have. 2.0 moved the client to
  ``mistralai.client`` (``client_modules`` lists both places).
- ``boto3>=1.28.57``: the first release with the ``bedrock-runtime`` service (InvokeModel
  and InvokeModelWithResponseStream, at Bedrock's general availability). Converse and
  ConverseStream arrived in 1.34.116; on older releases those methods do not exist, the
  rest is tracked. boto3 has no client classes: clients come from the ``boto3.client``
  factory, which is what ``client_factory``/``service_name`` describe, and the drop-in is
  a factory too. The tracking hooks into botocore's event system, stable since long before
  the floor.
- ``litellm>=1.67``: LiteLLM has no client class: its module functions are the API, and
  calls are observed through LiteLLM's own callback list (``litellm.callbacks``), which every
  provider it routes to reports through. 1.67 is the oldest release on which the whole
  LiteLLM suite passes: 1.61-1.66 keep async HTTP clients across event loops (a second
  ``asyncio.run`` fails with "Event loop is closed"), 1.60 and older pin ``httpx<0.28``
  (google-genai, also supported here, needs 0.28), and 1.53 downloads tokenizers from the
  internet while counting streamed tokens.

The upper bounds are the next major release, which has not been tested yet; LiteLLM, which
releases several minor versions a month and changes internals between them, is bounded at
the next minor release instead.

Besides the provider SDKs: ``untracked`` lists each client's APIs that are recognised but
not tracked (with the reason the SDK reports), and :data:`COMPATIBLE_HOSTS` maps the hosts
an ``openai.OpenAI`` client can be pointed at (Groq, Ollama, OpenRouter...) to the provider
id its calls report and the genai-prices id they are priced with.

The same entries carry what the MCP server needs to find these providers in user code
(client classes at every import path, API surfaces with their operation, not-tracked APIs
with the reason, offline settings). ``KNOWN_PROVIDERS`` lists the provider SDKs the MCP
server recognises in user code but the SDK does not instrument (yet): they are reported,
never offered as instrumentable. Nothing outside this module names a provider client class
or API path (``tests/mcp/test_provider_names.py`` checks that).
"""

from __future__ import annotations

from dataclasses import dataclass

Operation = str  # "chat" | "completion" | "responses" | "embedding"


@dataclass(frozen=True)
class Surface:
    """One API method, as an attribute path from a client instance (or, in
    ``module_functions``, a qualified name), with what the path alone does not say."""

    path: str
    operation: Operation = "chat"
    stream: bool = False
    is_async: bool | None = None  # None: as the client class is
    # Keyword arguments that identify this API on a receiver whose type is unknown.
    evidence: tuple[str, ...] = ()
    # Also infer an untyped parameter's type from a call with all of ``evidence``.
    infer_type: bool = False
    reason: str = ""  # set on untracked APIs: why the SDK does not track it


def surface_facts(path: str) -> Surface:
    """What a surface's name says: ``*embed*`` is an embedding, ``responses.*`` the
    Responses API, a ``stream`` method streams, ``*_async`` / ``aio.*`` is async."""
    method = path.rsplit(".", 1)[-1]
    if "embed" in method or path.startswith("embeddings."):
        operation = "embedding"
    elif path.startswith("responses."):
        operation = "responses"
    elif path.split(".", 1)[0] in ("completions", "fim"):
        operation = "completion"
    else:
        operation = "chat"
    is_async = True if method.endswith("_async") or path.startswith("aio.") else None
    return Surface(path, operation, "stream" in method, is_async)


@dataclass(frozen=True)
class ProviderSpec:
    """One provider SDK the SDK instruments."""

    id: str  # the provider id events carry and patch() returns
    distribution: str  # the PyPI distribution the app installs
    floor: str  # oldest supported release
    below: str  # first release not (yet) supported
    extra: str  # amplitude-ai[<extra>] installs a supported release
    module: str  # the import name of the provider SDK
    client_classes: tuple[str, ...]  # provider classes the drop-ins subclass
    drop_ins: tuple[str, ...]  # amplitude_ai names, same order as client_classes
    drop_in_module: str  # amplitude_ai.providers.<module> that builds the drop-ins
    patch_function: str = ""  # the amplitude_ai.patch_<provider>() that patches this one
    # Where client_classes are found, first importable wins (default: ``module`` itself).
    client_modules: tuple[str, ...] = ()
    # The API methods the wrappers track, as attribute paths from a client instance.
    surfaces: tuple[str, ...] = ()
    pricing_id: str = ""  # the genai-prices provider id costs are looked up with
    # APIs of the client the SDK recognises but does not track: (attribute path, reason).
    # Calls to them are reported once per process (a warning and ``status()``), never
    # silently dropped.
    untracked: tuple[tuple[str, str], ...] = ()
    # Other ``[Agent] Provider`` ids this client reports for a service it also reaches
    # (Vertex AI through google-genai's client); same pricing id.
    variant_ids: tuple[str, ...] = ()
    # ---- What the MCP server reads to find and instrument this provider in user code.
    # Per-surface facts where the name alone is not enough (see ``surface_facts``).
    surface_details: tuple[Surface, ...] = ()
    # Detection's view of ``untracked``: full method paths with the reason and the
    # arguments that identify them on a receiver of unknown type.
    not_tracked: tuple[Surface, ...] = ()
    # Module-level calls that are API calls (qualified names; ``patch()`` covers them).
    module_functions: tuple[Surface, ...] = ()
    # SDKs that make clients with a factory instead of classes (boto3): the factory's
    # dotted path and the service name it is called with; client_classes is then empty.
    client_factory: str = ""
    service_name: str = ""
    # Classes whose instances have the factory as a method (``boto3.Session().client``).
    session_classes: tuple[str, ...] = ()
    # Module-level calls of releases below the floor (reported; the codemods migrate them).
    legacy_functions: tuple[Surface, ...] = ()
    # Qualified classes with this provider's API that have no drop-in (detected, reported).
    detected_classes: tuple[str, ...] = ()
    # Attribute segments that wrap an API without changing it (``with_raw_response``).
    transparent: tuple[str, ...] = ()
    # Settings the provider's client needs to be built offline (a generated test's env).
    offline_env: tuple[tuple[str, str], ...] = ()
    # Module-level callables of ``module`` that are LLM calls (LiteLLM has no client class;
    # its ``surfaces`` are these functions).
    functions: tuple[str, ...] = ()
    # ``module:Class`` of the amplitude_ai object registered with the provider's own
    # callback mechanism (LiteLLM's ``litellm.callbacks``); empty for request-hooked SDKs.
    callback: str = ""
    # A router in front of other providers: the provider (and model) an event names is
    # known only once the call is routed, never from the call site.
    routed: bool = False
    # ``module.attribute`` of the list holding ``callback`` when it reports calls after
    # they returned (worker threads): a test waits on each entry's ``wait_for_pending``.
    pending_reports: str = ""

    @property
    def surface_list(self) -> tuple[Surface, ...]:
        """Every tracked surface with its facts (details override the name's)."""
        details = {d.path: d for d in self.surface_details}
        return tuple(details.get(path) or surface_facts(path) for path in self.surfaces)

    @property
    def import_paths(self) -> tuple[str, ...]:
        """The modules to look for ``client_classes`` in, in order."""
        return self.client_modules or (self.module,)

    @property
    def specifier(self) -> str:
        """The supported range as a PEP 440 specifier, e.g. ``>=1.0,<4``."""
        return f">={self.floor},<{self.below}"

    @property
    def requirement(self) -> str:
        """The requirement string of this provider's extra."""
        return f"{self.distribution}{self.specifier}"


_LITELLM_FUNCTIONS = (
    "completion",
    "acompletion",
    "text_completion",
    "atext_completion",
    "responses",
    "aresponses",
    "embedding",
    "aembedding",
)
# OpenAI's endpoints besides chat, Responses and embeddings that the wrappers track (the
# Azure OpenAI client has the same resources).
OPENAI_OTHER_SURFACES: tuple[str, ...] = (
    "images.generate",
    "images.edit",
    "images.create_variation",
    "audio.speech.create",
    "audio.transcriptions.create",
    "audio.translations.create",
    "moderations.create",
    "completions.create",
)
_ASSISTANTS = (
    "Assistants API (threads and runs): the model runs on OpenAI's side and its replies "
    "are read back later from thread messages, so no request carries the reply and its "
    "usage; track the turns manually with track_user_message/track_ai_message"
)
_REALTIME = (
    "Realtime API: a websocket session, not request/response calls; track the turns "
    "manually from the session's events"
)
_BATCH = (
    "Batch API: the requests run hours later outside this process and the results come "
    "back as a file; track them when you read the results"
)
_RAW = ("with_raw_response", "with_streaming_response")
_CHAT_ARGS = ("model", "messages")
_ANTHROPIC_ARGS = ("model", "max_tokens", "messages")
_OPENAI_DETAILS = (
    Surface("chat.completions.create", evidence=_CHAT_ARGS, infer_type=True),
    Surface("chat.completions.parse", evidence=_CHAT_ARGS),
    Surface("chat.completions.stream", stream=True, evidence=_CHAT_ARGS),
    Surface("responses.create", "responses", evidence=("model", "input"), infer_type=True),
    Surface("responses.parse", "responses", evidence=("model", "input")),
    Surface("embeddings.create", "embedding", evidence=("model", "input"), infer_type=True),
    Surface("images.generate", evidence=("prompt",)),
    Surface("audio.speech.create", evidence=("input", "voice")),
    Surface("moderations.create", evidence=("input",)),
    Surface("completions.create", "completion", evidence=("model", "prompt")),
)
_OPENAI_NOT_TRACKED = (
    *(
        Surface(path, reason=_ASSISTANTS)
        for path in (
            "beta.assistants.create",
            "beta.threads.create",
            "beta.threads.create_and_run",
            "beta.threads.create_and_run_poll",
            "beta.threads.messages.create",
            "beta.threads.runs.create",
            "beta.threads.runs.create_and_poll",
            "beta.threads.runs.stream",
        )
    ),
    Surface("beta.realtime.connect", reason=_REALTIME),
    Surface("realtime.connect", evidence=("model",), reason=_REALTIME),
    Surface("batches.create", evidence=("input_file_id",), reason=_BATCH),
)
OPENAI_UNTRACKED: tuple[tuple[str, str], ...] = (
    ("beta.assistants", _ASSISTANTS),
    ("beta.threads", _ASSISTANTS),
    ("beta.threads.runs", _ASSISTANTS),
    ("beta.realtime", _REALTIME),
    ("realtime", _REALTIME),
    ("batches", _BATCH),
)

PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        id="openai",
        distribution="openai",
        floor="1.0",
        below="4",
        extra="openai",
        module="openai",
        client_classes=("OpenAI", "AsyncOpenAI"),
        drop_ins=("OpenAI", "AsyncOpenAI"),
        drop_in_module="openai",
        patch_function="patch_openai",
        surfaces=(
            "chat.completions.create",
            "chat.completions.parse",
            "chat.completions.stream",
            "responses.create",
            "responses.parse",
            "responses.stream",
            "embeddings.create",
            "beta.chat.completions.parse",  # openai<1.92 spelling of chat.completions.parse
            "beta.chat.completions.stream",
            *OPENAI_OTHER_SURFACES,
        ),
        pricing_id="openai",
        untracked=OPENAI_UNTRACKED,
        surface_details=_OPENAI_DETAILS,
        not_tracked=_OPENAI_NOT_TRACKED,
        module_functions=(
            # openai>=1's module-level default client (an OpenAI instance: patch() covers it).
            Surface("openai.chat.completions.create"),
            Surface("openai.responses.create", "responses"),
            Surface("openai.embeddings.create", "embedding"),
        ),
        legacy_functions=(
            # openai<1's module API: below the floor; instrument_file says how to port it.
            Surface("openai.ChatCompletion.create"),
            Surface("openai.ChatCompletion.acreate", is_async=True),
            Surface("openai.Completion.create", "completion"),
            Surface("openai.Embedding.create", "embedding"),
        ),
        transparent=_RAW,
        offline_env=(("OPENAI_API_KEY", "sk-verify-offline"),),
    ),
    ProviderSpec(
        id="azure_openai",
        distribution="openai",
        floor="1.0",
        below="4",
        extra="azure",
        module="openai",
        client_classes=("AzureOpenAI", "AsyncAzureOpenAI"),
        drop_ins=("AzureOpenAI", "AsyncAzureOpenAI"),
        drop_in_module="azure",
        patch_function="patch_azure_openai",
        client_modules=("openai", "openai.lib.azure"),
        surfaces=(
            "chat.completions.create",
            "chat.completions.parse",
            "chat.completions.stream",
            "responses.create",
            "responses.parse",
            "responses.stream",
            "embeddings.create",
            "beta.chat.completions.parse",
            "beta.chat.completions.stream",
            *OPENAI_OTHER_SURFACES,
        ),
        pricing_id="azure",
        untracked=OPENAI_UNTRACKED,
        surface_details=_OPENAI_DETAILS,
        not_tracked=_OPENAI_NOT_TRACKED,
        transparent=_RAW,
        offline_env=(
            ("AZURE_OPENAI_API_KEY", "verify-offline"),
            ("AZURE_OPENAI_ENDPOINT", "https://verify-offline.openai.azure.com"),
            ("OPENAI_API_VERSION", "2024-10-21"),
        ),
    ),
    ProviderSpec(
        id="anthropic",
        distribution="anthropic",
        floor="0.16",
        below="3",
        extra="anthropic",
        module="anthropic",
        client_classes=("Anthropic", "AsyncAnthropic"),
        drop_ins=("Anthropic", "AsyncAnthropic"),
        drop_in_module="anthropic",
        patch_function="patch_anthropic",
        surfaces=(
            "messages.create",
            "messages.parse",
            "messages.stream",
            "beta.messages.create",
            "beta.messages.parse",
            "beta.messages.stream",
        ),
        pricing_id="anthropic",
        untracked=(("messages.batches", _BATCH), ("beta.messages.batches", _BATCH)),
        surface_details=(
            Surface("messages.create", evidence=_ANTHROPIC_ARGS, infer_type=True),
            Surface("messages.stream", stream=True, evidence=_ANTHROPIC_ARGS),
        ),
        not_tracked=(
            Surface(
                "completions.create",
                "completion",
                evidence=("model", "prompt", "max_tokens_to_sample"),
                reason="legacy Text Completions API: not tracked by the SDK (Messages are)",
            ),
            Surface("messages.batches.create", evidence=("requests",), reason=_BATCH),
            Surface("beta.messages.batches.create", evidence=("requests",), reason=_BATCH),
        ),
        # Same Messages API on Bedrock / Vertex AI; no drop-in for them.
        detected_classes=tuple(
            f"anthropic.{name}"
            for name in (
                "AnthropicBedrock",
                "AsyncAnthropicBedrock",
                "AnthropicVertex",
                "AsyncAnthropicVertex",
            )
        ),
        transparent=_RAW,
        offline_env=(("ANTHROPIC_API_KEY", "sk-ant-verify-offline"),),
    ),
    ProviderSpec(
        id="gemini",
        distribution="google-genai",
        floor="1.0",
        below="4",
        extra="gemini",
        module="google.genai",
        client_classes=("Client",),
        drop_ins=("Gemini",),
        drop_in_module="gemini",
        patch_function="patch_gemini",
        surfaces=(
            "models.generate_content",
            "models.generate_content_stream",
            "models.embed_content",
            "aio.models.generate_content",
            "aio.models.generate_content_stream",
            "aio.models.embed_content",
            "chats.create().send_message",
            "chats.create().send_message_stream",
            "aio.chats.create().send_message",
            "aio.chats.create().send_message_stream",
        ),
        pricing_id="google",
        variant_ids=("vertex_ai",),
        surface_details=(
            Surface("models.generate_content", evidence=("model", "contents")),
            Surface("models.generate_content_stream", stream=True, evidence=("model", "contents")),
        ),
        offline_env=(("GOOGLE_API_KEY", "verify-offline"),),
    ),
    ProviderSpec(
        id="mistral",
        distribution="mistralai",
        floor="1.1",
        below="4",
        extra="mistral",
        module="mistralai",
        client_classes=("Mistral",),
        drop_ins=("Mistral",),
        drop_in_module="mistral",
        patch_function="patch_mistral",
        client_modules=("mistralai.client", "mistralai"),
        surfaces=(
            "chat.complete",
            "chat.complete_async",
            "chat.stream",
            "chat.stream_async",
            "embeddings.create",
            "embeddings.create_async",
        ),
        pricing_id="mistral",
        surface_details=(
            Surface("chat.complete", evidence=("model", "messages")),
            Surface("chat.complete_async", is_async=True, evidence=("model", "messages")),
        ),
        not_tracked=(
            Surface(
                "fim.complete",
                "completion",
                evidence=("model", "prompt"),
                reason="fill-in-the-middle completion: not tracked by the SDK (chat is)",
            ),
        ),
        offline_env=(("MISTRAL_API_KEY", "verify-offline"),),
    ),
    ProviderSpec(
        id="bedrock",
        distribution="boto3",
        floor="1.28.57",
        below="2",
        extra="bedrock",
        module="boto3",
        client_classes=(),
        drop_ins=("Bedrock",),
        drop_in_module="bedrock",
        patch_function="patch_bedrock",
        surfaces=(  # invoke_model first: the only ones at the floor
            "invoke_model",
            "invoke_model_with_response_stream",
            "converse",
            "converse_stream",
        ),
        pricing_id="aws",
        # The guardrail and token-counting operations make no model response: not listed.
        untracked=(
            ("start_async_invoke", "an asynchronous job whose output lands in S3 later"),
            ("invoke_model_with_bidirectional_stream", "a bidirectional (speech) stream"),
        ),
        client_factory="boto3.client",
        service_name="bedrock-runtime",
        session_classes=("boto3.Session", "boto3.session.Session"),
        offline_env=(
            ("AWS_ACCESS_KEY_ID", "verify-offline"),
            ("AWS_SECRET_ACCESS_KEY", "verify-offline"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
        ),
    ),
    ProviderSpec(
        id="litellm",
        distribution="litellm",
        floor="1.67",
        below="1.111",
        extra="litellm",
        module="litellm",
        client_classes=(),
        drop_ins=(),
        drop_in_module="",
        patch_function="patch_litellm",
        surfaces=_LITELLM_FUNCTIONS,
        # Priced per routed provider (events carry LiteLLM's ``custom_llm_provider``).
        pricing_id="",
        functions=_LITELLM_FUNCTIONS,
        # What detection needs beyond the names: chat calls carry model and messages (how a
        # lazy proxy standing in for the module is recognised as probable).
        module_functions=(
            Surface("litellm.completion", evidence=_CHAT_ARGS),
            Surface("litellm.acompletion", is_async=True, evidence=_CHAT_ARGS),
        ),
        callback="amplitude_ai.integrations.litellm:AmplitudeLiteLLMCallback",
        routed=True,
        pending_reports="litellm.callbacks",
    ),
)
BY_ID: dict[str, ProviderSpec] = {p.id: p for p in PROVIDERS}


@dataclass(frozen=True)
class KnownProvider:
    """A provider SDK the MCP server recognises in user code but the SDK does not
    instrument: its calls are reported with :attr:`reason`, never offered a drop-in,
    ``wrap()`` or patch. An entry whose ``id`` is also in ``PROVIDERS`` only adds
    detection facts to that entry (the SDK supports it)."""

    id: str
    distribution: str
    module: str
    client_classes: tuple[str, ...] = ()  # qualified names
    surfaces: tuple[Surface, ...] = ()
    module_functions: tuple[Surface, ...] = ()  # qualified names
    client_factory: str = ""  # as ProviderSpec's three fields
    service_name: str = ""
    session_classes: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    same_api_as: str = ""  # a PROVIDERS id whose surfaces this client also has
    offline_env: tuple[tuple[str, str], ...] = ()  # as ProviderSpec.offline_env
    reason: str = "the SDK has no wrapper for it: track its calls with ai.track_ai_message(...)"


KNOWN_PROVIDERS: tuple[KnownProvider, ...] = (
    KnownProvider(
        id="groq",
        distribution="groq",
        module="groq",
        client_classes=("groq.Groq", "groq.AsyncGroq"),
        same_api_as="openai",  # its host is in COMPATIBLE_HOSTS
    ),
    KnownProvider(
        id="cohere",
        distribution="cohere",
        module="cohere",
        client_classes=(
            "cohere.Client",
            "cohere.ClientV2",
            "cohere.AsyncClient",
            "cohere.AsyncClientV2",
        ),
        surfaces=(
            Surface("chat"),
            Surface("chat_stream", stream=True),
            Surface("generate", "completion"),
            Surface("embed", "embedding"),
        ),
        hosts=("api.cohere.com", "api.cohere.ai"),
    ),
    KnownProvider(
        id="ollama",
        distribution="ollama",
        module="ollama",
        client_classes=("ollama.Client", "ollama.AsyncClient"),
        surfaces=(
            Surface("chat"),
            Surface("generate", "completion"),
            Surface("embed", "embedding"),
            Surface("embeddings", "embedding"),
        ),
        module_functions=(
            Surface("ollama.chat"),
            Surface("ollama.generate", "completion"),
            Surface("ollama.embed", "embedding"),
        ),
    ),
    KnownProvider(
        id="google_generativeai",
        distribution="google-generativeai",
        module="google.generativeai",
        client_classes=("google.generativeai.GenerativeModel",),
        surfaces=(
            Surface("generate_content"),
            Surface("generate_content_async", is_async=True),
        ),
        module_functions=(Surface("google.generativeai.embed_content", "embedding"),),
        reason="the deprecated google-generativeai package, not wrapped: port the calls to its "
        "successor google-genai (which the SDK instruments), or track them with "
        "ai.track_ai_message",
    ),
)
KNOWN_BY_ID: dict[str, KnownProvider] = {k.id: k for k in KNOWN_PROVIDERS}


def provider_ids() -> tuple[str, ...]:
    """Every provider id: the instrumented ones first, then the recognised ones."""
    ids = [p.id for p in PROVIDERS]
    return (*ids, *(k.id for k in KNOWN_PROVIDERS if k.id not in ids))


def by_distribution(distribution: str) -> list[ProviderSpec]:
    """The providers served by one distribution (``openai`` serves OpenAI and Azure)."""
    return [p for p in PROVIDERS if p.distribution == distribution]


def release_tuple(version: str) -> tuple[int, ...]:
    """``"1.11.1"`` -> ``(1, 11, 1)``; pre/post/dev suffixes are ignored (the range is by
    release numbers only). The MCP server compares with ``packaging`` instead."""
    parts: list[int] = []
    for piece in version.split("+", 1)[0].split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts)


def in_range(spec: ProviderSpec, version: str) -> bool:
    """Whether ``version`` of ``spec``'s distribution is within the supported range."""
    release = release_tuple(version)
    return bool(release) and release_tuple(spec.floor) <= release < release_tuple(spec.below)


# ----------------------------------------------------------- OpenAI-compatible hosts


@dataclass(frozen=True)
class CompatibleHost:
    """A service the OpenAI client talks to through ``base_url``, and how it is reported.

    ``id`` is the ``[Agent] Provider`` of calls an ``openai.OpenAI`` client sends there.
    ``pricing_id`` is the genai-prices provider the cost is looked up with (empty: the
    model name alone decides, as for any provider genai-prices does not list);
    ``self_hosted`` models run on the caller's own hardware and get no cost at all.
    """

    id: str
    # Host names; a host also matches its subdomains, one starting with "-" any prefix.
    hosts: tuple[str, ...] = ()
    ports: tuple[int, ...] = ()  # local model servers, recognised by their default port
    pricing_id: str = ""
    self_hosted: bool = False


COMPATIBLE_HOSTS: tuple[CompatibleHost, ...] = (
    CompatibleHost("openai", ("api.openai.com",), pricing_id="openai"),
    CompatibleHost(
        "azure_openai",
        ("openai.azure.com", "cognitiveservices.azure.com"),
        pricing_id="azure",
    ),
    CompatibleHost("groq", ("api.groq.com",), pricing_id="groq"),
    CompatibleHost("together", ("api.together.xyz", "api.together.ai"), pricing_id="together"),
    CompatibleHost("deepseek", ("api.deepseek.com",), pricing_id="deepseek"),
    CompatibleHost("openrouter", ("openrouter.ai",), pricing_id="openrouter"),
    CompatibleHost("fireworks", ("api.fireworks.ai",), pricing_id="fireworks"),
    CompatibleHost("mistral", ("api.mistral.ai",), pricing_id="mistral"),
    CompatibleHost("xai", ("api.x.ai",), pricing_id="x-ai"),
    CompatibleHost("perplexity", ("api.perplexity.ai",), pricing_id="perplexity"),
    CompatibleHost("cerebras", ("api.cerebras.ai",), pricing_id="cerebras"),
    CompatibleHost("novita", ("api.novita.ai",), pricing_id="novita"),
    CompatibleHost("moonshot", ("api.moonshot.ai", "api.moonshot.cn"), pricing_id="moonshotai"),
    CompatibleHost("deepinfra", ("api.deepinfra.com",)),
    CompatibleHost("huggingface", ("router.huggingface.co", "api-inference.huggingface.co")),
    # Gemini's and Anthropic's own OpenAI-compatible endpoints.
    CompatibleHost("gemini", ("generativelanguage.googleapis.com",), pricing_id="google"),
    # Vertex AI's OpenAI-compatible endpoint, global and regional (<region>-aiplatform...).
    CompatibleHost(
        "vertex_ai",
        ("aiplatform.googleapis.com", "-aiplatform.googleapis.com"),
        pricing_id="google",
    ),
    CompatibleHost("anthropic", ("api.anthropic.com",), pricing_id="anthropic"),
    # Local model servers, by their default ports on this machine (Ollama's anywhere).
    CompatibleHost("ollama", ports=(11434,), self_hosted=True),
    CompatibleHost("lm_studio", ports=(1234,), self_hosted=True),
    CompatibleHost("vllm", ports=(8000,), self_hosted=True),
)
# The provider id of an OpenAI client whose host is in none of the entries above.
UNKNOWN_HOST_PROVIDER = "openai_compatible"
HOST_PROVIDERS: dict[str, CompatibleHost] = {h.id: h for h in COMPATIBLE_HOSTS}
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0", "host.docker.internal"})
_ANY_HOST_PORTS = frozenset({11434})  # Ollama's port is distinctive enough off this machine too


def reported_ids(provider: str) -> frozenset[str]:
    """Every ``[Agent] Provider`` id a client of ``provider`` can report: its own id, its
    variants (Vertex AI through google-genai), and for the OpenAI client the ids of the
    compatible hosts its ``base_url`` may point at (see :func:`provider_for_host`)."""
    spec = BY_ID.get(provider)
    ids = {provider, *(spec.variant_ids if spec else ())}
    if provider == "openai":
        ids |= {h.id for h in COMPATIBLE_HOSTS} | {UNKNOWN_HOST_PROVIDER}
    return frozenset(ids)


def provider_for_host(host: str, port: int | None, default: str) -> str:
    """The provider id of an OpenAI-compatible call to ``host:port``.

    Known hosts give their own id; a loopback address on a local model server's default
    port gives that server. Any other loopback address keeps ``default`` (the client's own
    provider): that is where local proxies, test doubles and recorders of the real API
    listen. Any other host gives :data:`UNKNOWN_HOST_PROVIDER`: it speaks OpenAI's API, but
    who serves the model is not known (the model name still says which one it is).
    """
    name = host.lower().rstrip(".")
    for entry in COMPATIBLE_HOSTS:
        if any(
            name == h or name.endswith(h if h.startswith("-") else "." + h) for h in entry.hosts
        ):
            return entry.id
    local = name in _LOOPBACK or name.startswith("127.")
    for entry in COMPATIBLE_HOSTS:
        if port in entry.ports and (local or port in _ANY_HOST_PORTS):
            return entry.id
    return default if local else UNKNOWN_HOST_PROVIDER
