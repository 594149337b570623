"""AmplitudeLlamaIndexHandler with LlamaIndex's own OpenAI LLM and embedding
(``llama-index-llms-openai``, ``llama-index-embeddings-openai``) against the local fake
server: complete, chat, streams, async, a query engine over an in-memory vector index,
failures, and the pairs with the provider layer underneath (``patch()`` or a drop-in
client handed to the LLM) that must still report each model call once.

LlamaIndex's OpenAI packages cap openai below the dev venv's release, so they are not in
the dev extra: these tests skip there and run in the ``llamaindex`` line set of
``scripts/provider_matrix.py`` (part of CI), at the packages' floor and newest releases.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest

pytest.importorskip("llama_index.llms.openai")
pytest.importorskip("llama_index.embeddings.openai")

from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms import ChatMessage
from llama_index.embeddings.openai import OpenAIEmbedding
from llama_index.llms.openai import OpenAI as LlamaOpenAI

import amplitude_ai
from amplitude_ai.integrations.llamaindex import AmplitudeLlamaIndexHandler
from amplitude_ai.testing import FakeReply, FakeToolCall

from ._events import tracked

MODEL = "gpt-4o-mini"
EMBEDDING_MODEL = "text-embedding-3-small"


def _counts(ai) -> tuple[int, int]:
    return len(tracked(ai, "user_message")), len(tracked(ai, "ai_response"))


@pytest.fixture
def handler(ai) -> AmplitudeLlamaIndexHandler:
    return AmplitudeLlamaIndexHandler(ai, user_id="u-1", agent_id="li-bot")


def _llm(server, handler, **kwargs: Any) -> LlamaOpenAI:
    """LlamaIndex's OpenAI LLM on the fake server; no retries (failures are tested)."""
    options = {"model": MODEL, "api_key": "sk-test", "api_base": server.openai_url}
    return LlamaOpenAI(
        max_retries=0, callback_manager=CallbackManager([handler]), **options, **kwargs
    )


def _embedding(server, handler, **kwargs: Any) -> OpenAIEmbedding:
    return OpenAIEmbedding(
        model=EMBEDDING_MODEL,
        api_key="sk-test",
        api_base=server.openai_url,
        max_retries=0,
        callback_manager=CallbackManager([handler]),
        **kwargs,
    )


# ------------------------------------------------------------------ handler alone
def test_complete_reports_the_prompt_and_the_answer(ai, server, llm, handler):
    llm.reply("Forty-two.", input_tokens=12, output_tokens=3)
    answer = _llm(server, handler).complete("What is the answer?")
    assert answer.text == "Forty-two."
    (reply,) = tracked(ai, "ai_response")
    assert (reply["model_name"], reply["provider"]) == (MODEL, "openai")
    assert (reply["input_tokens"], reply["output_tokens"]) == (12, 3)
    assert reply["llm_message"]["text"] == "Forty-two."
    assert reply["finish_reason"] == "stop" and reply["is_streaming"] is False
    assert reply["agent_id"] == "li-bot" and reply["user_id"] == "u-1"
    (user,) = tracked(ai, "user_message")
    assert user["llm_message"]["text"] == "What is the answer?"
    assert user["session_id"] == reply["session_id"]


def test_chat_reports_the_last_user_turn_and_the_system_prompt(ai, server, llm, handler):
    llm.reply("Bonjour.", input_tokens=20, output_tokens=2)
    messages = [
        ChatMessage(role="system", content="Answer in French."),
        ChatMessage(role="user", content="Hello"),
        ChatMessage(role="assistant", content="Salut."),
        ChatMessage(role="user", content="Hello again"),
    ]
    response = _llm(server, handler).chat(messages)
    assert response.message.content == "Bonjour."
    (reply,) = tracked(ai, "ai_response")
    assert reply["llm_message"]["text"] == "Bonjour."
    assert reply["system_prompt"] == "Answer in French."
    assert (reply["input_tokens"], reply["output_tokens"]) == (20, 2)
    (user,) = tracked(ai, "user_message")
    assert user["llm_message"]["text"] == "Hello again"
    sent = server.requests[-1].body
    assert sent["model"] == MODEL and len(sent["messages"]) == 4


@pytest.mark.parametrize("kind", ["stream_complete", "stream_chat"])
def test_streams_report_the_whole_answer_once(ai, server, llm, handler, kind):
    llm.reply("one two three")
    model = _llm(server, handler)
    if kind == "stream_complete":
        chunks = list(model.stream_complete("count"))
    else:
        chunks = list(model.stream_chat([ChatMessage(role="user", content="count")]))
    assert "".join(c.delta or "" for c in chunks) == "one two three"
    (reply,) = tracked(ai, "ai_response")
    assert reply["llm_message"]["text"] == "one two three"
    assert reply["model_name"] == MODEL and reply["is_streaming"] is True
    assert server.requests[-1].body["stream"] is True
    (user,) = tracked(ai, "user_message")
    assert user["llm_message"]["text"] == "count"


def test_async_complete_chat_and_stream(ai, server, llm, handler):
    model = _llm(server, handler)
    llm.queue("first", "second", "third part")

    async def run() -> list[str]:
        completed = await model.acomplete("a")
        chatted = await model.achat([ChatMessage(role="user", content="b")])
        streamed = ""
        async for chunk in await model.astream_chat([ChatMessage(role="user", content="c")]):
            streamed += chunk.delta or ""
        return [completed.text, chatted.message.content or "", streamed]

    assert asyncio.run(run()) == ["first", "second", "third part"]
    replies = tracked(ai, "ai_response")
    assert [r["llm_message"]["text"] for r in replies] == ["first", "second", "third part"]
    assert [u["llm_message"]["text"] for u in tracked(ai, "user_message")] == ["a", "b", "c"]
    assert len({r["session_id"] for r in replies}) == 3  # each top-level call its own run


def test_embeddings_report_model_and_dimensions(ai, server, llm, handler):
    vectors = _embedding(server, handler).get_text_embedding_batch(["alpha", "beta"])
    assert len(vectors) == 2 and len(vectors[0]) == 8
    (embedding,) = tracked(ai, "embedding")
    assert embedding["model_name"] == EMBEDDING_MODEL
    assert embedding["provider"] == "openai"
    assert embedding["embedding_dimensions"] == 8


@pytest.fixture
def global_settings(handler, server) -> Iterator[None]:
    """The documented global registration, with LlamaIndex's OpenAI models as defaults."""
    previous = (Settings._callback_manager, Settings._llm, Settings._embed_model)
    Settings.callback_manager = CallbackManager([handler])
    Settings.llm = _llm(server, handler)
    Settings.embed_model = _embedding(server, handler)
    yield
    Settings._callback_manager, Settings._llm, Settings._embed_model = previous


def test_query_engine_over_an_in_memory_index(ai, server, llm, global_settings):
    index = VectorStoreIndex.from_documents(
        [
            Document(text="Retention is the share of users who come back."),
            Document(text="Activation is the first moment of value."),
        ]
    )
    (indexing,) = tracked(ai, "embedding")  # both documents in one batch
    assert indexing["model_name"] == EMBEDDING_MODEL
    ai.reset()
    llm.reply("Users who come back.", input_tokens=70, output_tokens=6)
    answer = index.as_query_engine(similarity_top_k=1).query("What is retention?")
    assert str(answer) == "Users who come back."
    (reply,) = tracked(ai, "ai_response")
    assert (reply["model_name"], reply["provider"]) == (MODEL, "openai")
    assert (reply["input_tokens"], reply["output_tokens"]) == (70, 6)
    (user,) = tracked(ai, "user_message")
    assert "What is retention?" in user["llm_message"]["text"]  # the formatted prompt
    (query_embedding,) = tracked(ai, "embedding")
    assert query_embedding["embedding_dimensions"] == 8
    spans = {s["span_name"]: s for s in tracked(ai, "span")}
    assert {"query", "retrieve", "synthesize"} <= set(spans)
    assert spans["retrieve"]["parent_span_id"] == spans["query"]["span_id"]
    assert spans["synthesize"]["parent_span_id"] == spans["query"]["span_id"]
    assert {e["event_properties"]["[Agent] Session ID"] for e in ai.events} == {reply["session_id"]}
    paths = [r.path for r in server.requests[-2:]]
    assert paths[0].endswith("/embeddings") and paths[1].endswith("/chat/completions")


def test_failures_are_reported_as_errors(ai, server, llm, handler):
    model = _llm(server, handler)
    llm.fail(500, "backend down")
    with pytest.raises(openai.InternalServerError):
        model.complete("again")
    llm.fail(429, "slow down")
    with pytest.raises(openai.RateLimitError):
        list(model.stream_chat([ChatMessage(role="user", content="stream")]))
    first, second = tracked(ai, "ai_response")
    assert first["is_error"] is True and "backend down" in first["error_message"]
    assert second["is_error"] is True and "slow down" in second["error_message"]
    assert first["model_name"] == MODEL


def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def test_a_function_agent_run_reports_its_model_calls_and_the_tools_they_ask_for(
    ai, server, llm, handler, global_callbacks
):
    """llama-index-core 0.14 agents are workflows: their model calls arrive as LLM events,
    the tool runs themselves as workflow steps (no callback event), so the tools show up as
    the tool calls the model asked for."""
    from llama_index.core.agent.workflow import FunctionAgent

    llm.queue(
        FakeReply("", tool_calls=(FakeToolCall("weather", {"city": "Oslo"}),)),
        FakeReply("It is sunny in Oslo."),
    )
    agent = FunctionAgent(tools=[weather], llm=_llm(server, handler))

    async def run() -> str:
        with ai.agent("weather-bot").session(user_id="u-7"):
            return str(await agent.run("Weather in Oslo?"))

    assert asyncio.run(run()) == "It is sunny in Oslo."
    asked, answered = tracked(ai, "ai_response")
    (call,) = json.loads(asked["tool_calls"])  # sent as JSON text
    assert (call["name"], json.loads(call["arguments"])) == ("weather", {"city": "Oslo"})
    assert answered["llm_message"]["text"] == "It is sunny in Oslo." and not answered.get(
        "tool_calls"
    )
    (user,) = tracked(ai, "user_message")  # the question, once per session
    assert user["llm_message"]["text"] == "Weather in Oslo?"
    assert {r["session_id"] for r in (asked, answered, user)} == {asked["session_id"]}
    assert server.requests[-1].body["messages"][-1]["role"] == "tool"


# ------------------------------------------------------------------ with the provider layer
def _layered_llm(server, handler, ai, provider_layer: str) -> LlamaOpenAI:
    """LlamaIndex's OpenAI LLM over an instrumented provider client: ``patch()`` (the LLM
    builds its own clients) or drop-in clients handed to it (``openai_client=``)."""
    if provider_layer == "patch":
        amplitude_ai.patch_openai(ai)
        return _llm(server, handler)
    options = {"api_key": "sk-test", "base_url": server.openai_url, "max_retries": 0}
    return _llm(
        server,
        handler,
        openai_client=amplitude_ai.OpenAI(amplitude=ai, **options),
        async_openai_client=amplitude_ai.AsyncOpenAI(amplitude=ai, **options),
    )


def _call(model: LlamaOpenAI, how: str) -> str:
    user = [ChatMessage(role="user", content="hello")]
    if how == "complete":
        return model.complete("hello").text
    if how == "chat":
        return model.chat(user).message.content or ""
    if how == "stream_chat":
        return "".join(c.delta or "" for c in model.stream_chat(user))
    if how == "stream_complete":
        return "".join(c.delta or "" for c in model.stream_complete("hello"))

    async def run() -> str:
        if how == "achat":
            return (await model.achat(user)).message.content or ""
        text = ""
        async for chunk in await model.astream_chat(user):
            text += chunk.delta or ""
        return text

    return asyncio.run(run())


CALLS = ["complete", "chat", "stream_chat", "stream_complete", "achat", "astream_chat"]


@pytest.mark.parametrize("how", CALLS)
@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_provider_layer_and_handler_report_each_call_once(
    ai, server, llm, handler, provider_layer, how
):
    model = _layered_llm(server, handler, ai, provider_layer)
    llm.reply("Hi there.")
    with ai.agent("app").session(user_id="u-9"):
        assert _call(model, how) == "Hi there."
    assert _counts(ai) == (1, 1)
    (reply,) = tracked(ai, "ai_response")
    assert reply["llm_message"]["text"] == "Hi there."
    assert reply["is_streaming"] is how.startswith(("stream", "astream"))  # the provider layer's


@pytest.mark.parametrize("how", ["complete", "stream_chat", "achat"])
@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_provider_layer_and_handler_report_a_failure_once(
    ai, server, llm, handler, provider_layer, how
):
    model = _layered_llm(server, handler, ai, provider_layer)
    llm.fail(500, "down")
    with ai.agent("app").session(user_id="u-9"), pytest.raises(openai.InternalServerError):
        _call(model, how)
    (reply,) = tracked(ai, "ai_response")
    assert reply["is_error"] is True


@pytest.fixture
def global_callbacks(handler) -> Iterator[None]:
    previous = Settings._callback_manager
    Settings.callback_manager = CallbackManager([handler])
    yield
    Settings._callback_manager = previous


@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_query_engine_over_the_provider_layer_reports_once(
    ai, server, llm, handler, provider_layer, global_callbacks
):
    """The whole engine: embeddings (indexing, the query) and the answer, each once."""
    model = _layered_llm(server, handler, ai, provider_layer)
    embed = _embedding(server, handler)
    if provider_layer == "drop-in":
        # OpenAIEmbedding builds its clients lazily and reuses them: hand it a drop-in.
        embed._client = amplitude_ai.OpenAI(
            amplitude=ai, api_key="sk-test", base_url=server.openai_url, max_retries=0
        )
    with ai.agent("app").session(user_id="u-9"):
        index = VectorStoreIndex.from_documents(
            [Document(text="Retention is the share of users who come back.")],
            embed_model=embed,
        )
        llm.reply("Users who come back.")
        engine = index.as_query_engine(llm=model)
        assert str(engine.query("What is retention?")) == "Users who come back."
    assert _counts(ai) == (1, 1)
    assert len(tracked(ai, "embedding")) == 2  # the document batch and the query
    assert {"query", "retrieve", "synthesize"} <= {s["span_name"] for s in tracked(ai, "span")}
