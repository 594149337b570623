"""The services an ``openai.OpenAI`` client can be pointed at through ``base_url`` (Groq,
Ollama, OpenRouter...): the provider id their calls report and the genai-prices id they
are priced with. Pure data, no import (part of the provider registry, see ``registry``)."""

from __future__ import annotations

from dataclasses import dataclass


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
