"""AmplitudeLlamaIndexHandler with real llama-index-core: a query engine over a vector
index, with an app-defined LLM that calls the real OpenAI client against the local fake
server (LlamaIndex's own OpenAI/Anthropic packages pin provider SDK lines older than the
ones this project supports, so the LLM class is the app's, as LlamaIndex allows)."""

from __future__ import annotations

from typing import Any

import openai
import pytest

pytest.importorskip("llama_index.core")

from llama_index.core import Document, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import PrivateAttr

import amplitude_ai
from amplitude_ai.integrations.llamaindex import AmplitudeLlamaIndexHandler

from ._events import tracked


class ServerLLM(CustomLLM):
    """A completion LLM backed by an OpenAI client (the app's own LlamaIndex LLM)."""

    model_name: str = "gpt-4o-mini"
    _client: Any = PrivateAttr()

    def __init__(self, client: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._client = client

    @classmethod
    def class_name(cls) -> str:
        return "openai_server_llm"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name=self.model_name, is_chat_model=False)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        reply = self._client.chat.completions.create(
            model=self.model_name, messages=[{"role": "user", "content": prompt}]
        )
        return CompletionResponse(text=reply.choices[0].message.content, raw=reply)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
        def chunks():
            text = ""
            for chunk in self._client.chat.completions.create(
                model=self.model_name, messages=[{"role": "user", "content": prompt}], stream=True
            ):
                delta = chunk.choices[0].delta.content if chunk.choices else None
                if delta:
                    text += delta
                    yield CompletionResponse(text=text, delta=delta)

        return chunks()


def _client(server) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk", base_url=server.openai_url, max_retries=0)


@pytest.fixture
def global_handler(ai):
    """The handler registered the documented way, as LlamaIndex's global callback manager."""
    from llama_index.core import Settings

    handler = AmplitudeLlamaIndexHandler(ai, user_id="u-1", agent_id="rag-bot")
    previous = Settings._callback_manager
    Settings.callback_manager = CallbackManager([handler])
    yield handler
    Settings._callback_manager = previous


def _engine(llm):
    index = VectorStoreIndex.from_documents(
        [Document(text="Retention is the share of users who come back.")],
        embed_model=MockEmbedding(embed_dim=8),
    )
    return index.as_query_engine(llm=llm)


def test_query_engine_maps_llm_retrieval_and_query(ai, server, llm, global_handler):
    llm.reply("Users who come back.", input_tokens=70, output_tokens=6)
    engine = _engine(ServerLLM(_client(server)))
    ai.reset()  # indexing events are not part of this assertion
    answer = engine.query("What is retention?")
    assert str(answer) == "Users who come back."
    (reply,) = tracked(ai, "ai_response")
    assert (reply["model_name"], reply["provider"]) == ("gpt-4o-mini", "openai")
    assert (reply["input_tokens"], reply["output_tokens"]) == (70, 6)
    assert reply["llm_message"]["text"] == "Users who come back."
    assert reply["finish_reason"] == "stop"
    (user,) = tracked(ai, "user_message")
    assert "What is retention?" in user["llm_message"]["text"]  # the formatted prompt
    spans = {s["span_name"]: s for s in tracked(ai, "span")}
    assert {"query", "retrieve", "synthesize"} <= set(spans)
    assert spans["retrieve"]["parent_span_id"] == spans["query"]["span_id"]
    assert "parent_span_id" not in spans["query"]
    (embedding,) = tracked(ai, "embedding")  # the query's embedding
    assert embedding["embedding_dimensions"] == 8
    assert {e["event_properties"]["[Agent] Session ID"] for e in ai.events} == {reply["session_id"]}
    assert all(e["event_properties"]["[Agent] Agent ID"] == "rag-bot" for e in ai.events)


def test_streamed_and_failed_completions(ai, server, llm):
    handler = AmplitudeLlamaIndexHandler(ai, user_id="u-2")
    model = ServerLLM(_client(server), callback_manager=CallbackManager([handler]))
    llm.reply("one two")
    assert "".join(r.delta for r in model.stream_complete("count")) == "one two"
    llm.fail(500, "backend down")
    with pytest.raises(openai.InternalServerError):
        model.complete("again")
    streamed, failed = tracked(ai, "ai_response")
    assert streamed["llm_message"]["text"] == "one two" and streamed["is_streaming"] is True
    assert failed["is_error"] is True and "backend down" in failed["error_message"]


@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
@pytest.mark.parametrize("stream", [False, True])
def test_provider_layer_and_handler_report_once(ai, server, llm, provider_layer, stream):
    options = {"api_key": "sk", "base_url": server.openai_url, "max_retries": 0}
    if provider_layer == "patch":
        amplitude_ai.patch_openai(ai)
        client = openai.OpenAI(**options)
    else:
        client = amplitude_ai.OpenAI(amplitude=ai, **options)
    handler = AmplitudeLlamaIndexHandler(ai, user_id="u-3")
    model = ServerLLM(client, callback_manager=CallbackManager([handler]))
    with ai.agent("app").session(user_id="u-3"):
        if stream:
            assert list(model.stream_complete("hello"))
        else:
            model.complete("hello")
    assert len(tracked(ai, "ai_response")) == 1
    assert len(tracked(ai, "user_message")) == 1


def test_top_level_lazy_name():
    assert amplitude_ai.AmplitudeLlamaIndexHandler is AmplitudeLlamaIndexHandler
