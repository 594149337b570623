"""Provider SDKs the MCP server recognises in user code but the SDK does not instrument
(yet): reported with the reason, never offered as instrumentable. Pure data (part of the
provider registry, see ``registry``)."""

from __future__ import annotations

from dataclasses import dataclass

from .registry_surface import Surface


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
