"""Instrumented OpenAI clients: ``amplitude_ai.OpenAI`` and ``amplitude_ai.AsyncOpenAI``.

Real subclasses of ``openai.OpenAI``/``openai.AsyncOpenAI``: construct them with
``amplitude=`` (an ``amplitude.Amplitude`` or an ``AmplitudeAI``) plus OpenAI's own
arguments. Chat completions (``create``/``parse``/``stream``), the Responses API and
embeddings are tracked; everything else passes through untouched.
"""

from __future__ import annotations

import openai as _openai

from ._factory import OPENAI_RESOURCES, build_client_class
from ._openai_fields import resolve

OpenAI = build_client_class(
    "OpenAI",
    _openai.OpenAI,
    provider="openai",
    resolver=resolve,
    resources=OPENAI_RESOURCES,
    is_async=False,
    module=__name__,
    doc="``openai.OpenAI`` that tracks its calls as ``[Agent]`` events.",
)
AsyncOpenAI = build_client_class(
    "AsyncOpenAI",
    _openai.AsyncOpenAI,
    provider="openai",
    resolver=resolve,
    resources=OPENAI_RESOURCES,
    is_async=True,
    module=__name__,
    doc="``openai.AsyncOpenAI`` that tracks its calls as ``[Agent]`` events.",
)
