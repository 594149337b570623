"""Instrumented Azure OpenAI clients: ``amplitude_ai.AzureOpenAI`` / ``AsyncAzureOpenAI``.

Same surfaces as the OpenAI wrappers; events carry provider ``azure_openai`` and the model
the service reports (not the deployment name) when the response names one.
"""

from __future__ import annotations

import openai as _openai

from ._factory import OPENAI_RESOURCES, build_client_class
from ._openai_fields import resolve

AzureOpenAI = build_client_class(
    "AzureOpenAI",
    _openai.AzureOpenAI,
    provider="azure_openai",
    resolver=resolve,
    resources=OPENAI_RESOURCES,
    is_async=False,
    module=__name__,
    doc="``openai.AzureOpenAI`` that tracks its calls as ``[Agent]`` events.",
)
AsyncAzureOpenAI = build_client_class(
    "AsyncAzureOpenAI",
    _openai.AsyncAzureOpenAI,
    provider="azure_openai",
    resolver=resolve,
    resources=OPENAI_RESOURCES,
    is_async=True,
    module=__name__,
    doc="``openai.AsyncAzureOpenAI`` that tracks its calls as ``[Agent]`` events.",
)
