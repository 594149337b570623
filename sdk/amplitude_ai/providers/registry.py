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
"""

from __future__ import annotations

from dataclasses import dataclass


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
    # Module-level callables of ``module`` that are LLM calls (LiteLLM has no client class;
    # its ``surfaces`` are these functions).
    functions: tuple[str, ...] = ()
    # ``module:Class`` of the amplitude_ai object registered with the provider's own
    # callback mechanism (LiteLLM's ``litellm.callbacks``); empty for request-hooked SDKs.
    callback: str = ""

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
        ),
        pricing_id="openai",
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
        surfaces=(
            "chat.completions.create",
            "chat.completions.parse",
            "chat.completions.stream",
            "responses.create",
            "responses.parse",
            "responses.stream",
            "embeddings.create",
        ),
        pricing_id="azure",
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
        callback="amplitude_ai.integrations.litellm:AmplitudeLiteLLMCallback",
    ),
)
BY_ID: dict[str, ProviderSpec] = {p.id: p for p in PROVIDERS}


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
