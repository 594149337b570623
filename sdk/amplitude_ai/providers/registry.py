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
