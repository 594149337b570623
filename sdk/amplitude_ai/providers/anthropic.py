"""Instrumented Anthropic clients: ``amplitude_ai.Anthropic`` and ``AsyncAnthropic``.

Real subclasses of ``anthropic.Anthropic``/``anthropic.AsyncAnthropic``. Tracked:
``messages.create`` (plain and streamed), the ``messages.stream()`` helper,
``messages.parse`` and ``beta.messages.*``; extended thinking becomes reasoning content.
"""

from __future__ import annotations

import anthropic as _anthropic

from ._anthropic_fields import resolve
from ._factory import ANTHROPIC_RESOURCES, build_client_class

Anthropic = build_client_class(
    "Anthropic",
    _anthropic.Anthropic,
    provider="anthropic",
    resolver=resolve,
    resources=ANTHROPIC_RESOURCES,
    is_async=False,
    module=__name__,
    doc="``anthropic.Anthropic`` that tracks its calls as ``[Agent]`` events.",
)
AsyncAnthropic = build_client_class(
    "AsyncAnthropic",
    _anthropic.AsyncAnthropic,
    provider="anthropic",
    resolver=resolve,
    resources=ANTHROPIC_RESOURCES,
    is_async=True,
    module=__name__,
    doc="``anthropic.AsyncAnthropic`` that tracks its calls as ``[Agent]`` events.",
)
