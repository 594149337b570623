"""AWS Bedrock (boto3 ``bedrock-runtime``) through the real boto3 client against the local
server: Converse and ConverseStream, InvokeModel and InvokeModelWithResponseStream for each
model family read, errors, the ``Bedrock`` drop-in, wrap(), patch_bedrock()/unpatch(), and
fake_llm() without any server."""

from __future__ import annotations

import gc
import json

import pytest

boto3 = pytest.importorskip("boto3")
import botocore.handlers  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError, EndpointConnectionError  # noqa: E402

import amplitude_ai  # noqa: E402
from amplitude_ai import _claims  # noqa: E402
from amplitude_ai.testing import FakeReply, FakeToolCall, fake_llm  # noqa: E402
from providers._caps import (  # noqa: E402
    BEDROCK_HAS_CACHE,
    BEDROCK_HAS_REASONING,
    BEDROCK_OPERATIONS,
    needs_converse,
)
from providers._helpers import tracked  # noqa: E402

MODEL = "us.anthropic.claude-3-5-sonnet-20240620-v1:0"
REPLY = FakeReply(
    text="Cohorts group users who share a trait.",
    reasoning="The user wants a definition.",
    tool_calls=(FakeToolCall("get_chart", {"type": "cohort"}, id="tooluse_1"),),
    input_tokens=1200,
    output_tokens=80,
    cached_tokens=1000,
    cache_creation_tokens=100,
)
CONVERSE = {
    "modelId": MODEL,
    "messages": [{"role": "user", "content": [{"text": "What are cohorts?"}]}],
    "system": [{"text": "You are concise."}],
    "inferenceConfig": {"maxTokens": 256, "temperature": 0.2, "topP": 0.9},
    "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}},
}


def _kwargs(server):
    return {
        "region_name": "us-east-1",
        "endpoint_url": server.url,
        "aws_access_key_id": "AKIDTEST",
        "aws_secret_access_key": "test-secret",
        "config": Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    }


def _raw(server):
    return boto3.client("bedrock-runtime", **_kwargs(server))


def _ours(server, ai, **extra):
    return amplitude_ai.Bedrock(amplitude=ai, **_kwargs(server), **extra)


def _plain(response):
    """A boto3 response without the per-request metadata (request id, dates)."""
    return {k: v for k, v in response.items() if k not in ("ResponseMetadata",)}


def _check(event, *, streaming, session=None, model=MODEL, cache=True):
    assert event["provider"] == "bedrock"
    assert event["model_name"] == model
    if cache:
        assert event["input_tokens"] == 1200  # uncached + cache reads + cache writes
        assert event["cache_read_tokens"] == 1000
        assert event["cache_creation_tokens"] == 100
    else:  # this botocore drops the cache counts of Converse's usage
        assert event["input_tokens"] == 100
        assert "cache_read_tokens" not in event
    assert event["output_tokens"] == 80
    assert event["llm_message"] == {"text": REPLY.text}
    [tool_call] = json.loads(event["tool_calls"])
    assert tool_call["name"] == "get_chart" and tool_call["arguments"] == {"type": "cohort"}
    assert tool_call["id"] == "tooluse_1"
    assert event["finish_reason"] == "tool_use"
    assert event["is_streaming"] is streaming
    assert event["cost_usd"] > 0
    assert event["latency_ms"] > 0
    if streaming:
        assert 0 < event["ttfb_ms"] <= event["latency_ms"]
    if session is not None:
        assert event["session_id"] == session.session_id


def _check_converse(event, **kwargs):
    _check(event, cache=BEDROCK_HAS_CACHE, **kwargs)
    assert event.get("reasoning_content") == (REPLY.reasoning if BEDROCK_HAS_REASONING else None)
    assert event["system_prompt"] == "You are concise."
    assert event["temperature"] == 0.2 and event["top_p"] == 0.9
    assert event["max_output_tokens"] == 256


# ------------------------------------------------------------------ Converse


@needs_converse
def test_converse_matches_the_raw_client(server, llm, ai, session):
    raw, ours = _raw(server), _ours(server, ai)
    llm.queue(REPLY, REPLY)
    expected = raw.converse(**CONVERSE)
    got = ours.converse(**CONVERSE)
    assert _plain(got) == _plain(expected)
    if BEDROCK_HAS_REASONING:
        assert got["output"]["message"]["content"][0]["reasoningContent"]["reasoningText"]
    [user] = tracked(ai, "user_message")
    assert user["llm_message"] == {"text": "What are cohorts?"}
    [event] = tracked(ai, "ai_response")
    _check_converse(event, streaming=False, session=session)
    assert llm.calls[-1].surface == "converse" and llm.calls[-1].model == MODEL


@needs_converse
def test_converse_stream_gives_the_same_events_as_the_raw_client(server, llm, ai, session):
    raw, ours = _raw(server), _ours(server, ai)
    llm.queue(REPLY, REPLY)
    expected = list(raw.converse_stream(**CONVERSE)["stream"])
    got = list(ours.converse_stream(**CONVERSE)["stream"])
    assert got == expected
    assert any("contentBlockDelta" in e for e in got) and "metadata" in got[-1]
    [event] = tracked(ai, "ai_response")
    _check_converse(event, streaming=True, session=session)


@needs_converse
def test_a_stream_closed_early_reports_what_it_saw(server, llm, ai, session):
    ours = _ours(server, ai)
    llm.queue(REPLY)
    stream = ours.converse_stream(**CONVERSE)["stream"]
    first = next(iter(stream))
    assert "messageStart" in first
    stream.close()
    [event] = tracked(ai, "ai_response")
    assert event["is_streaming"] is True and event["provider"] == "bedrock"
    assert "output_tokens" not in event  # the usage comes last and was never read


@needs_converse
def test_a_stream_dropped_unread_is_still_reported(server, llm, ai, session):
    ours = _ours(server, ai)
    llm.queue("never read")
    response = ours.converse_stream(**CONVERSE)
    del response
    gc.collect()
    [event] = tracked(ai, "ai_response")
    assert event["model_name"] == MODEL


@needs_converse
def test_converse_tool_result_turn_is_not_a_new_user_message(server, llm, ai, session):
    ours = _ours(server, ai)
    llm.reply("It is 21 degrees.")
    messages = [
        {"role": "user", "content": [{"text": "Weather in Paris?"}]},
        {"role": "assistant", "content": [
            {"toolUse": {"toolUseId": "t1", "name": "weather", "input": {"city": "Paris"}}}]},
        {"role": "user", "content": [
            {"toolResult": {"toolUseId": "t1", "content": [{"json": {"c": 21}}]}}]},
    ]  # fmt: skip
    ours.converse(modelId=MODEL, messages=messages)
    assert tracked(ai, "user_message") == []
    [event] = tracked(ai, "ai_response")
    assert event["llm_message"] == {"text": "It is 21 degrees."}
    assert event["finish_reason"] == "end_turn"


# ------------------------------------------------------------------ InvokeModel

ANTHROPIC_BODY = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 256,
    "temperature": 0.2,
    "system": "You are concise.",
    "thinking": {"type": "enabled", "budget_tokens": 1024},
    "messages": [{"role": "user", "content": "What are cohorts?"}],
}
NOVA_BODY = {
    "schemaVersion": "messages-v1",
    "system": [{"text": "You are concise."}],
    "messages": [{"role": "user", "content": [{"text": "What are cohorts?"}]}],
    "inferenceConfig": {"maxTokens": 256, "temperature": 0.2},
}
TITAN_BODY = {
    "inputText": "What are cohorts?",
    "textGenerationConfig": {"maxTokenCount": 256, "temperature": 0.2},
}
LLAMA_BODY = {"prompt": "What are cohorts?", "max_gen_len": 256, "temperature": 0.2}
MISTRAL_BODY = {"prompt": "<s>[INST] What are cohorts? [/INST]", "max_tokens": 256}
FAMILIES = [
    ("anthropic.claude-3-haiku-20240307-v1:0", ANTHROPIC_BODY, True, True),
    ("us.amazon.nova-lite-v1:0", NOVA_BODY, True, True),
    ("amazon.titan-text-express-v1", TITAN_BODY, False, False),
    ("meta.llama3-8b-instruct-v1:0", LLAMA_BODY, False, False),
    ("mistral.mistral-large-2402-v1:0", MISTRAL_BODY, False, False),
]
PLAIN = FakeReply(text="Cohorts group users.", input_tokens=300, output_tokens=40)


def _check_family(event, model, cached, *, streaming):
    assert event["provider"] == "bedrock" and event["model_name"] == model
    assert event["llm_message"] == {"text": PLAIN.text if not cached else REPLY.text}
    assert event["is_streaming"] is streaming
    assert model.startswith("mistral") or event["temperature"] == 0.2
    assert event["cost_usd"] > 0
    if cached:
        assert event["input_tokens"] == 1200 and event["cache_read_tokens"] == 1000
        assert event["output_tokens"] == 80
    else:
        assert event["input_tokens"] == 300 and event["output_tokens"] == 40


@pytest.mark.parametrize(("model", "body", "cached", "tools"), FAMILIES, ids=lambda v: str(v)[:12])
def test_invoke_model_reads_each_family_and_leaves_the_body_readable(
    server, llm, ai, session, model, body, cached, tools
):
    raw, ours = _raw(server), _ours(server, ai)
    reply = REPLY if cached else PLAIN
    llm.queue(reply, reply)
    expected = raw.invoke_model(modelId=model, body=json.dumps(body))
    got = ours.invoke_model(modelId=model, body=json.dumps(body))
    want, have = json.loads(expected["body"].read()), json.loads(got["body"].read())
    want.pop("id", None), have.pop("id", None)
    for block in want.get("content", []) + have.get("content", []):
        block.pop("id", None)
    assert have == want
    assert got["contentType"] == expected["contentType"]
    [user] = tracked(ai, "user_message")
    assert "What are cohorts?" in user["llm_message"]["text"]
    [event] = tracked(ai, "ai_response")
    _check_family(event, model, cached, streaming=False)
    if tools:
        [call] = json.loads(event["tool_calls"])
        assert call["name"] == "get_chart"
    if model.startswith("anthropic"):
        assert event["reasoning_content"] == REPLY.reasoning
        assert event["system_prompt"] == "You are concise."


@pytest.mark.parametrize(("model", "body", "cached", "tools"), FAMILIES, ids=lambda v: str(v)[:12])
def test_invoke_model_with_response_stream_reads_each_family(
    server, llm, ai, session, model, body, cached, tools
):
    raw, ours = _raw(server), _ours(server, ai)
    reply = REPLY if cached else PLAIN
    llm.queue(reply, reply)
    expected = list(
        raw.invoke_model_with_response_stream(modelId=model, body=json.dumps(body))["body"]
    )
    got = list(ours.invoke_model_with_response_stream(modelId=model, body=json.dumps(body))["body"])
    assert len(got) == len(expected) and all("chunk" in e for e in got)
    [event] = tracked(ai, "ai_response")
    _check_family(event, model, cached, streaming=True)
    assert event["ttfb_ms"] > 0
    if tools:
        [call] = json.loads(event["tool_calls"])
        assert call["arguments"] == {"type": "cohort"}


def test_invoke_model_embeddings_are_embedding_events(server, llm, ai, session):
    ours = _ours(server, ai)
    llm.reply(input_tokens=7)
    body = json.dumps({"inputText": "cohorts", "dimensions": 8})
    got = ours.invoke_model(modelId="amazon.titan-embed-text-v2:0", body=body)
    assert len(json.loads(got["body"].read())["embedding"]) == 8
    assert tracked(ai, "ai_response") == []
    [event] = tracked(ai, "embedding")
    assert event["provider"] == "bedrock" and event["model_name"] == "amazon.titan-embed-text-v2:0"
    assert event["input_tokens"] == 7 and event["embedding_dimensions"] == 8


def test_model_arn_is_reported_as_the_model_id(server, llm, ai, session):
    ours = _ours(server, ai)
    llm.reply(PLAIN)
    arn = "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0"
    ours.invoke_model(modelId=arn, body=json.dumps(LLAMA_BODY))
    [event] = tracked(ai, "ai_response")
    assert event["model_name"] == "meta.llama3-8b-instruct-v1:0" and event["cost_usd"] > 0


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("status", "code"), [(429, "ThrottlingException"), (400, "ValidationException")]
)
def test_errors_are_raised_unchanged_and_tracked(server, llm, ai, session, status, code):
    raw, ours = _raw(server), _ours(server, ai)
    llm.fail(status, "Too many requests", times=2)
    with pytest.raises(ClientError) as expected:
        raw.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
    with pytest.raises(ClientError) as got:
        ours.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
    assert type(got.value) is type(expected.value)
    assert type(got.value).__name__ == code
    assert got.value.response["Error"]["Code"] == code
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True
    assert event["error_message"].startswith(f"{code}: An error occurred ({code})")
    assert "Too many requests" in event["error_message"]


@pytest.mark.parametrize("retryable", [False, True])
def test_boto3_retries_see_the_fakes_retry_policy(server, llm, ai, session, retryable):
    """botocore retries throttling by itself: a failure marked not retryable answers the
    retry too (the app gets the error), a retryable one lets the retry succeed."""
    kwargs = {**_kwargs(server), "config": Config(retries={"total_max_attempts": 2,
                                                           "mode": "standard"})}  # fmt: skip
    ours = amplitude_ai.Bedrock(amplitude=ai, **kwargs)
    llm.fail(429, "slow down", retryable=retryable)
    llm.reply(PLAIN)
    body = json.dumps(LLAMA_BODY)
    if retryable:
        ours.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=body)
    else:
        with pytest.raises(ours.exceptions.ThrottlingException):
            ours.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=body)
    assert len(llm.calls) == 2  # the first attempt and botocore's retry
    [event] = tracked(ai, "ai_response")  # one call, one event, after the retries
    assert event.get("is_error", False) is not retryable


@needs_converse
def test_a_failed_stream_request_is_tracked_once(server, llm, ai, session):
    ours = _ours(server, ai)
    llm.fail(429)
    with pytest.raises(ours.exceptions.ThrottlingException):
        ours.converse_stream(**CONVERSE)
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True and event["is_streaming"] is True


@needs_converse
def test_an_error_inside_the_stream_is_raised_and_tracked(server, llm, ai, session, monkeypatch):
    from botocore.exceptions import EventStreamError

    from amplitude_ai._fake_llm import bedrock_wire, eventstream

    original = bedrock_wire.converse_stream

    def failing(model, body, reply):  # the model fails after the stream started
        wire = original(model, body, reply)
        failure = eventstream.exception("modelStreamErrorException", b'{"message": "overloaded"}')
        wire.chunks[2:] = [failure]
        return wire

    monkeypatch.setattr(bedrock_wire, "converse_stream", failing)
    ours = _ours(server, ai)
    llm.reply(PLAIN)
    stream = ours.converse_stream(**CONVERSE)["stream"]
    with pytest.raises(EventStreamError, match="overloaded"):
        list(stream)
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True and "overloaded" in event["error_message"]
    assert event["is_streaming"] is True and event["ttfb_ms"] > 0


def test_connection_errors_are_tracked_with_the_exception_raised(ai, session):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ours = amplitude_ai.Bedrock(
        amplitude=ai,
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="test-secret",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=2),
    )
    with pytest.raises(EndpointConnectionError) as raised:
        ours.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True and "EndpointConnectionError" in event["error_message"]
    assert _claims.error_claimed(raised.value)  # a framework layer above stays silent


# ------------------------------------------------------------------ drop-in, wrap, kwargs


def test_drop_in_is_a_plain_boto3_client_and_takes_amplitude_kwargs(server, llm, ai):
    ours = _ours(server, ai)
    assert type(ours).__module__ == "botocore.client"
    assert ours.meta.service_model.service_name == "bedrock-runtime"
    llm.reply(PLAIN)
    ours.invoke_model(
        modelId="meta.llama3-8b-instruct-v1:0",
        body=json.dumps(LLAMA_BODY),
        amplitude_user_id="user-42",
        amplitude_session_id="chat-42",
    )
    [event] = ai.events_of_type("[Agent] AI Response")
    assert event["user_id"] == "user-42"
    assert event["event_properties"]["[Agent] Session ID"] == "chat-42"
    assert "amplitude_user_id" not in json.dumps(llm.calls[-1].body)


def test_drop_in_accepts_a_session_and_refuses_other_services(server, ai):
    session = boto3.Session(
        aws_access_key_id="AKIDTEST", aws_secret_access_key="s", region_name="eu-west-1"
    )
    client = amplitude_ai.Bedrock(amplitude=ai, session=session, endpoint_url=server.url)
    assert client.meta.region_name == "eu-west-1"
    with pytest.raises(amplitude_ai.ConfigurationError, match="bedrock-runtime"):
        amplitude_ai.Bedrock("s3", amplitude=ai, region_name="us-east-1")


def test_wrap_tracks_a_copy_and_leaves_the_original_alone(server, llm, ai, session):
    raw = _raw(server)
    wrapped = amplitude_ai.wrap(raw, ai)
    assert wrapped is not raw and amplitude_ai.wrap(wrapped, ai) is wrapped
    assert wrapped._endpoint is raw._endpoint  # one connection pool
    llm.reply(PLAIN)
    raw.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
    assert tracked(ai, "ai_response") == []
    wrapped.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
    assert len(tracked(ai, "ai_response")) == 1
    with pytest.raises(Exception, match="amplitude_user_id"):  # the original stays strict
        raw.invoke_model(modelId="m", body=b"{}", amplitude_user_id="u")


def test_wrap_of_another_aws_client_is_refused(ai):
    s3 = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with pytest.raises(amplitude_ai.ConfigurationError, match="bedrock-runtime"):
        amplitude_ai.wrap(s3, ai)


# ------------------------------------------------------------------ patch_bedrock


def test_patch_bedrock_unpatch_round_trip(server, llm, ai, session):
    builtin_before = list(botocore.handlers.BUILTIN_HANDLERS)
    amplitude_ai.patch_bedrock(ai)
    patched_client = _raw(server)
    llm.reply(PLAIN)
    patched_client.invoke_model(
        modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY),
        amplitude_user_id="user-7",
    )  # fmt: skip
    [event] = ai.events_of_type("[Agent] AI Response")
    assert event["user_id"] == "user-7"
    # A drop-in client under patch is tracked once, to its own tracker.
    other = amplitude_ai.testing.MockAmplitudeAI()
    _ours(server, other).invoke_model(
        modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY)
    )
    assert len(tracked(ai, "ai_response")) == 1 and len(tracked(other, "ai_response")) == 1
    amplitude_ai.unpatch()
    assert builtin_before == botocore.handlers.BUILTIN_HANDLERS
    patched_client.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
    _raw(server).invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
    assert len(tracked(ai, "ai_response")) == 1  # nothing tracked after unpatch()
    # Patching again tracks the client made during the first patch, once.
    amplitude_ai.patch_bedrock(ai)
    amplitude_ai.patch_bedrock(ai)
    patched_client.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
    assert len(tracked(ai, "ai_response")) == 2


def test_patch_covers_boto3_default_session_and_patch_all_lists_bedrock(server, llm, ai):
    boto3.setup_default_session(
        aws_access_key_id="AKIDTEST", aws_secret_access_key="s", region_name="us-east-1"
    )
    try:
        result = amplitude_ai.patch(ai)
        assert "bedrock" in result
        client = boto3.client("bedrock-runtime", endpoint_url=server.url)
        llm.reply(PLAIN)
        client.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
        assert len(tracked(ai, "ai_response")) == 1
        amplitude_ai.unpatch()
        client = boto3.client("bedrock-runtime", endpoint_url=server.url)
        client.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
        assert len(tracked(ai, "ai_response")) == 1
    finally:
        boto3.DEFAULT_SESSION = None


def test_a_framework_run_is_claimed_by_the_provider_layer(server, llm, ai, session):
    ours = _ours(server, ai)
    llm.reply(PLAIN)
    _claims.enter_run("run-1", "bedrock")
    try:
        ours.invoke_model(modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY))
    finally:
        _claims._open_run.set(None)
    assert _claims.run_claimed("run-1")


@pytest.mark.skipif(
    "StartAsyncInvoke" not in BEDROCK_OPERATIONS, reason="no StartAsyncInvoke in this boto3"
)
def test_an_async_invoke_job_is_said_to_be_untracked(server, llm, ai, caplog):
    ours = _ours(server, ai)
    with caplog.at_level("WARNING", logger="amplitude_ai"), pytest.raises(ClientError):
        ours.start_async_invoke(  # the fake does not emulate it: a 404 after the warning
            modelId="amazon.nova-reel-v1:0",
            modelInput={"taskType": "TEXT_VIDEO"},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://bucket/out"}},
        )
    assert "bedrock start_async_invoke calls are not tracked: an asynchronous job" in caplog.text
    assert tracked(ai, "ai_response") == []
    untracked = ai.status()["untracked_calls"]["bedrock start_async_invoke"]
    assert untracked["calls"] >= 1 and "S3" in untracked["reason"]


# ------------------------------------------------------------------ fake_llm()


@needs_converse
def test_fake_llm_answers_boto3_without_a_server_or_credentials(monkeypatch, ai, session):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
                 "AWS_REGION", "AWS_PROFILE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    with fake_llm("Hello from Bedrock") as llm:
        client = amplitude_ai.Bedrock(amplitude=ai)
        reply = client.converse(
            modelId=MODEL, messages=[{"role": "user", "content": [{"text": "Hi"}]}]
        )
        stream = client.converse_stream(
            modelId=MODEL, messages=[{"role": "user", "content": [{"text": "Hi again"}]}]
        )
        streamed = "".join(
            e["contentBlockDelta"]["delta"].get("text", "")
            for e in stream["stream"]
            if "contentBlockDelta" in e
        )
    assert reply["output"]["message"]["content"] == [{"text": "Hello from Bedrock"}]
    assert streamed == "Hello from Bedrock"
    assert [c.surface for c in llm.calls] == ["converse", "converse_stream"]
    assert [e["llm_message"]["text"] for e in tracked(ai, "ai_response")] == [
        "Hello from Bedrock",
        "Hello from Bedrock",
    ]
    import os

    assert "AWS_ACCESS_KEY_ID" not in os.environ  # the dummy credentials were only lent


def test_event_stream_framing_is_what_botocore_decodes_and_checks():
    from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

    from amplitude_ai._fake_llm import eventstream

    message = eventstream.event("chunk", b'{"bytes": "e30="}')
    buffer = EventStreamBuffer()
    buffer.add_data(message)
    [decoded] = list(buffer)
    assert decoded.headers[":event-type"] == "chunk"
    assert decoded.payload == b'{"bytes": "e30="}'
    assert eventstream.decode_messages(message) == [(dict(decoded.headers), decoded.payload)]
    corrupted = bytearray(message)
    corrupted[-6] ^= 0xFF
    buffer = EventStreamBuffer()
    buffer.add_data(bytes(corrupted))
    with pytest.raises(ChecksumMismatch):
        list(buffer)


# ------------------------------------------------------------------ delivery


@needs_converse
def test_bedrock_events_are_delivered_through_amplitude_analytics(server, llm):
    from amplitude_ai import AIConfig, AmplitudeAI
    from amplitude_ai.catalog import load_catalog, validate_event
    from support.capture_server import CaptureServer

    names = load_catalog().event_names
    with CaptureServer() as capture:
        ai = AmplitudeAI(api_key="test-key", config=AIConfig(server_url=capture.url))
        client = _ours(server, ai)
        llm.queue(REPLY, PLAIN)
        with ai.agent("bedrock-bot").session(user_id="user-9"):
            client.converse(**CONVERSE)
            stream = client.invoke_model_with_response_stream(
                modelId="meta.llama3-8b-instruct-v1:0", body=json.dumps(LLAMA_BODY)
            )
            for _ in stream["body"]:
                pass
        ai.shutdown(timeout=20)
        events = capture.events()
    responses = [e for e in events if e["event_type"] == names["ai_response"]]
    assert [e["event_properties"]["[Agent] Provider"] for e in responses] == ["bedrock"] * 2
    assert [e["event_properties"]["[Agent] Is Streaming"] for e in responses] == [False, True]
    if BEDROCK_HAS_CACHE:
        assert responses[0]["event_properties"]["[Agent] Cache Read Tokens"] == 1000
    assert {e["user_id"] for e in responses} == {"user-9"}
    for event in events:
        problems = validate_event(
            event["event_type"],
            event["event_properties"],
            user_id=event.get("user_id"),
            device_id=event.get("device_id"),
        )
        assert problems == [], event["event_type"]
