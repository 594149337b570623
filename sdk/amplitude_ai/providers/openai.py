"""Instrumented OpenAI clients: ``amplitude_ai.OpenAI`` and ``amplitude_ai.AsyncOpenAI``.

Real subclasses of ``openai.OpenAI``/``openai.AsyncOpenAI``: construct them with
``amplitude=`` (an ``amplitude.Amplitude`` or an ``AmplitudeAI``) plus OpenAI's own
arguments. Chat completions (``create``/``parse``/``stream``), the Responses API and
embeddings are tracked; everything else passes through untouched.
"""

from __future__ import annotations

import openai as _openai

from . import _openai_fields
from ._mixins import AsyncRequestHook, Instrumented, OpenAIResources, SyncRequestHook


class OpenAI(Instrumented, OpenAIResources, SyncRequestHook, _openai.OpenAI):  # type: ignore[misc]
    """``openai.OpenAI`` that tracks its calls as ``[Agent]`` events."""

    _amplitude_provider = "openai"
    _amplitude_resolver = staticmethod(_openai_fields.resolve)


class AsyncOpenAI(  # type: ignore[misc]
    Instrumented, OpenAIResources, AsyncRequestHook, _openai.AsyncOpenAI
):
    """``openai.AsyncOpenAI`` that tracks its calls as ``[Agent]`` events."""

    _amplitude_provider = "openai"
    _amplitude_resolver = staticmethod(_openai_fields.resolve)
