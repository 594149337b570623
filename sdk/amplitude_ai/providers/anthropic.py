"""Instrumented Anthropic clients: ``amplitude_ai.Anthropic`` and ``AsyncAnthropic``.

Real subclasses of ``anthropic.Anthropic``/``anthropic.AsyncAnthropic``. Tracked:
``messages.create`` (plain and streamed), the ``messages.stream()`` helper,
``messages.parse`` and ``beta.messages.*``; extended thinking becomes reasoning content.
"""

from __future__ import annotations

import anthropic as _anthropic

from . import _anthropic_fields
from ._mixins import AnthropicResources, AsyncRequestHook, Instrumented, SyncRequestHook


class Anthropic(  # type: ignore[misc]
    Instrumented, AnthropicResources, SyncRequestHook, _anthropic.Anthropic
):
    """``anthropic.Anthropic`` that tracks its calls as ``[Agent]`` events."""

    _amplitude_provider = "anthropic"
    _amplitude_resolver = staticmethod(_anthropic_fields.resolve)


class AsyncAnthropic(  # type: ignore[misc]
    Instrumented, AnthropicResources, AsyncRequestHook, _anthropic.AsyncAnthropic
):
    """``anthropic.AsyncAnthropic`` that tracks its calls as ``[Agent]`` events."""

    _amplitude_provider = "anthropic"
    _amplitude_resolver = staticmethod(_anthropic_fields.resolve)
