"""Our LLM gateway as a LlamaIndex LLM: the company proxies OpenAI behind its own URL."""
import os
from typing import Any

from llama_index.core.llms import (
    CompletionResponse,
    CompletionResponseGen,
    CustomLLM,
    LLMMetadata,
)
from llama_index.core.llms.callbacks import llm_completion_callback
from openai import OpenAI

GATEWAY_URL = os.environ.get("LLM_GATEWAY_URL")  # None: straight to OpenAI

_client = OpenAI(base_url=GATEWAY_URL)


class GatewayLLM(CustomLLM):
    model: str = "gpt-4o-mini"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name=self.model, is_chat_model=False)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        completion = _client.chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": prompt}],
        )
        return CompletionResponse(text=completion.choices[0].message.content or "", raw=completion)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        yield self.complete(prompt, formatted=formatted, **kwargs)
