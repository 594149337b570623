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

The upper bounds are the next major release, which has not been tested yet.
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
    # SDKs that make clients with a factory instead of classes (boto3): the factory's
    # dotted path and the service name it is called with; client_classes is then empty.
    client_factory: str = ""
    service_name: str = ""
    # Classes whose instances have the factory as a method (``boto3.Session().client``).
    session_classes: tuple[str, ...] = ()

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
        client_factory="boto3.client",
        service_name="bedrock-runtime",
        session_classes=("boto3.Session", "boto3.session.Session"),
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
