"""Instrumented Azure OpenAI clients: ``amplitude_ai.AzureOpenAI`` / ``AsyncAzureOpenAI``.

Same surfaces as the OpenAI wrappers; events carry provider ``azure_openai`` and the model
the service reports (not the deployment name) when the response names one.
"""

from __future__ import annotations

import openai as _openai

from . import _openai_fields
from ._mixins import AsyncRequestHook, Instrumented, OpenAIResources, SyncRequestHook


class AzureOpenAI(  # type: ignore[misc]
    Instrumented, OpenAIResources, SyncRequestHook, _openai.AzureOpenAI
):
    """``openai.AzureOpenAI`` that tracks its calls as ``[Agent]`` events."""

    _amplitude_provider = "azure_openai"
    _amplitude_resolver = staticmethod(_openai_fields.resolve)


class AsyncAzureOpenAI(  # type: ignore[misc]
    Instrumented, OpenAIResources, AsyncRequestHook, _openai.AsyncAzureOpenAI
):
    """``openai.AsyncAzureOpenAI`` that tracks its calls as ``[Agent]`` events."""

    _amplitude_provider = "azure_openai"
    _amplitude_resolver = staticmethod(_openai_fields.resolve)
