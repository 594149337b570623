"""OpenAI wire format: chat completions, Responses API, embeddings, images, audio,
moderations and legacy completions (JSON, SSE and multipart uploads)."""

from __future__ import annotations

import base64
import struct
import time
from collections.abc import Mapping
from typing import Any

from .reply import FakeReply
from .wire import WireResponse, json_response, new_id, pieces, sse_response

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


def error(reply: FakeReply) -> WireResponse:
    kind = _ERROR_TYPES.get(reply.status, "server_error")
    body = {"error": {"message": reply.error_message, "type": kind, "param": None, "code": None}}
    return json_response(body, reply.status, {"x-should-retry": str(reply.retryable).lower()})


def _chat_usage(reply: FakeReply) -> dict[str, Any]:
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.total_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": reply.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _finish(reply: FakeReply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def chat(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    model = reply.model or str(body.get("model") or "gpt-4o-mini")
    ids = [c.id or new_id("call_") for c in reply.tool_calls]
    if body.get("stream"):
        return _chat_stream(body, reply, model, ids)
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": i,
                "type": "function",
                "function": {"name": c.name, "arguments": c.arguments_json},
            }
            for i, c in zip(ids, reply.tool_calls, strict=True)
        ]
    if reply.reasoning:
        message["reasoning_content"] = reply.reasoning
    return json_response(
        {
            "id": new_id("chatcmpl-"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
            "service_tier": "default",
            "choices": [
                {"index": 0, "message": message, "finish_reason": _finish(reply), "logprobs": None}
            ],
            "usage": _chat_usage(reply),
        }
    )


def _chat_stream(
    body: Mapping[str, Any], reply: FakeReply, model: str, ids: list[str]
) -> WireResponse:
    options = body.get("stream_options") or {}
    with_usage = bool(options.get("include_usage"))
    base = {
        "id": new_id("chatcmpl-"),
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> tuple[None, dict[str, Any]]:
        data = {
            **base,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        if with_usage:
            data["usage"] = None
        return None, data

    events: list[tuple[str | None, Any]] = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"reasoning_content": p}) for p in pieces(reply.reasoning or "")]
    events += [chunk({"content": p}) for p in pieces(reply.text)]
    for index, (call_id, call) in enumerate(zip(ids, reply.tool_calls, strict=True)):
        events.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call_id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        events += [
            chunk({"tool_calls": [{"index": index, "function": {"arguments": p}}]})
            for p in pieces(call.arguments_json)
        ]
    events.append(chunk({}, _finish(reply)))
    if with_usage:
        events.append((None, {**base, "choices": [], "usage": _chat_usage(reply)}))
    events.append((None, "[DONE]"))
    return sse_response(events)


# ----------------------------------------------------------------------- Responses API


def _response_object(body: Mapping[str, Any], reply: FakeReply, status: str) -> dict[str, Any]:
    model = reply.model or str(body.get("model") or "gpt-4o-mini")
    output: list[dict[str, Any]] = []
    done = status == "completed"
    if done and reply.reasoning:
        output.append(
            {
                "type": "reasoning",
                "id": new_id("rs_"),
                "summary": [{"type": "summary_text", "text": reply.reasoning}],
            }
        )
    if done and reply.text:
        output.append(
            {
                "type": "message",
                "id": new_id("msg_"),
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": reply.text, "annotations": []}],
            }
        )
    if done:
        output += [
            {
                "type": "function_call",
                "id": new_id("fc_"),
                "call_id": c.id or new_id("call_"),
                "name": c.name,
                "arguments": c.arguments_json,
                "status": "completed",
            }
            for c in reply.tool_calls
        ]
    return {
        "id": new_id("resp_"),
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": model,
        "output": output,
        "instructions": body.get("instructions"),
        "error": None,
        "incomplete_details": None,
        "metadata": {},
        "parallel_tool_calls": True,
        "temperature": body.get("temperature", 1.0),
        "top_p": body.get("top_p", 1.0),
        "tool_choice": "auto",
        "tools": [],
        "text": {"format": {"type": "text"}},
        "usage": {
            "input_tokens": reply.input_tokens,
            "input_tokens_details": {"cached_tokens": reply.cached_tokens},
            "output_tokens": reply.output_tokens,
            "output_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
            "total_tokens": reply.total_tokens,
        }
        if done
        else None,
    }


def responses(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    final = _response_object(body, reply, "completed")
    if not body.get("stream"):
        return json_response(final)
    seq = iter(range(1_000_000))

    def event(kind: str, **data: Any) -> tuple[str, dict[str, Any]]:
        return kind, {"type": kind, "sequence_number": next(seq), **data}

    started = {**_response_object(body, reply, "in_progress"), "id": final["id"]}
    events = [
        event("response.created", response=started),
        event("response.in_progress", response=started),
    ]
    for index, item in enumerate(final["output"]):
        if item["type"] == "message":
            opened = {**item, "status": "in_progress", "content": []}
            events.append(event("response.output_item.added", output_index=index, item=opened))
            events += [
                event(
                    "response.output_text.delta",
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    delta=p,
                    logprobs=[],
                )
                for p in pieces(reply.text)
            ]
            events.append(
                event(
                    "response.output_text.done",
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    text=reply.text,
                    logprobs=[],
                )
            )
        else:
            events.append(event("response.output_item.added", output_index=index, item=item))
        events.append(event("response.output_item.done", output_index=index, item=item))
    events.append(event("response.completed", response=final))
    return sse_response(events)


# -------------------------------------------------------------------------- embeddings


def embeddings(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    inputs = body.get("input")
    count = len(inputs) if isinstance(inputs, list) and not isinstance(inputs[0], int) else 1
    vector: Any = list(reply.embedding)
    if body.get("encoding_format") == "base64":
        vector = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
    return json_response(
        {
            "object": "list",
            "data": [
                {"object": "embedding", "index": i, "embedding": vector} for i in range(count)
            ],
            "model": reply.model or str(body.get("model") or "text-embedding-3-small"),
            "usage": {"prompt_tokens": reply.input_tokens, "total_tokens": reply.input_tokens},
        }
    )


# ------------------------------------------------------------- multipart request bodies


def form_fields(headers: Mapping[str, str], body: bytes) -> dict[str, Any] | None:
    """The text fields of a ``multipart/form-data`` body (audio and image uploads), with
    ``stream`` as a bool like in JSON bodies; ``None`` when the body is not multipart."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"content-type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue  # the uploaded file itself
        payload = part.get_payload(decode=True)
        fields[name] = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if "stream" in fields:
        fields["stream"] = str(fields["stream"]).lower() == "true"
    return fields


# ----------------------------------------------------------------------------- images

# A 1x1 transparent PNG: what every fake image is.
_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()


def _image_usage(reply: FakeReply) -> dict[str, Any]:
    return {
        "input_tokens": reply.input_tokens,
        "input_tokens_details": {"image_tokens": 0, "text_tokens": reply.input_tokens},
        "output_tokens": reply.output_tokens,
        "total_tokens": reply.total_tokens,
    }


def images(
    body: Mapping[str, Any], reply: FakeReply, *, kind: str = "image_generation"
) -> WireResponse:
    """Image generation, edit and variation. gpt-image models report token usage and
    stream partial images; dall-e models answer with URLs or base64 and no usage."""
    model = str(body.get("model") or "dall-e-2")
    token_model = model.startswith("gpt-image")
    if body.get("stream"):
        events: list[tuple[str | None, Any]] = [
            (
                f"{kind}.partial_image",
                {
                    "type": f"{kind}.partial_image",
                    "b64_json": _PNG,
                    "partial_image_index": 0,
                    "created_at": int(time.time()),
                    "size": "1024x1024",
                    "quality": "low",
                    "background": "auto",
                    "output_format": "png",
                },
            ),
            (
                f"{kind}.completed",
                {
                    "type": f"{kind}.completed",
                    "b64_json": _PNG,
                    "created_at": int(time.time()),
                    "size": "1024x1024",
                    "quality": "low",
                    "background": "auto",
                    "output_format": "png",
                    "usage": _image_usage(reply),
                },
            ),
        ]
        return sse_response(events)
    count = int(body.get("n") or 1)
    url = body.get("response_format") == "url" or (
        not token_model and body.get("response_format") != "b64_json"
    )
    item: dict[str, Any] = (
        {"url": "https://images.example.invalid/fake.png"} if url else {"b64_json": _PNG}
    )
    if kind == "image_generation" and model == "dall-e-3":
        item["revised_prompt"] = reply.text
    payload: dict[str, Any] = {"created": int(time.time()), "data": [dict(item)] * count}
    if token_model:
        payload["usage"] = _image_usage(reply)
    return json_response(payload)


def image_edits(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    return images(body, reply, kind="image_edit")


# ------------------------------------------------------------------------------ audio

# A few bytes standing in for encoded audio (an MP3 frame header and silence).
_AUDIO = b"\xff\xfb\x90\x64" + bytes(412)


def speech(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    """Text to speech: the audio bytes, or SSE audio deltas with ``stream_format="sse"``
    (gpt-4o-mini-tts), the last one with token usage."""
    if body.get("stream_format") == "sse":
        audio = base64.b64encode(_AUDIO).decode()
        return sse_response(
            [
                (None, {"type": "speech.audio.delta", "audio": audio}),
                (
                    None,
                    {
                        "type": "speech.audio.done",
                        "usage": {
                            "input_tokens": reply.input_tokens,
                            "output_tokens": reply.output_tokens,
                            "total_tokens": reply.total_tokens,
                        },
                    },
                ),
            ]
        )
    kind = str(body.get("response_format") or "mp3")
    return WireResponse(
        200, {"content-type": f"audio/{'mpeg' if kind == 'mp3' else kind}"}, [_AUDIO]
    )


def _transcript_usage(model: str, reply: FakeReply) -> dict[str, Any]:
    if model.startswith("whisper"):  # whisper is billed by duration, not tokens
        return {"type": "duration", "seconds": 3}
    return {
        "type": "tokens",
        "input_tokens": reply.input_tokens,
        "input_token_details": {"audio_tokens": reply.input_tokens, "text_tokens": 0},
        "output_tokens": reply.output_tokens,
        "total_tokens": reply.total_tokens,
    }


def transcription(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    """Transcriptions and translations in each ``response_format``; streamed transcript
    deltas (gpt-4o-transcribe models) with the usage in the final event."""
    model = str(body.get("model") or "whisper-1")
    usage = _transcript_usage(model, reply)
    if body.get("stream"):
        events: list[tuple[str | None, Any]] = [
            (None, {"type": "transcript.text.delta", "delta": p, "logprobs": None})
            for p in pieces(reply.text)
        ]
        events.append(
            (
                None,
                {
                    "type": "transcript.text.done",
                    "text": reply.text,
                    "logprobs": None,
                    "usage": usage,
                },
            )
        )
        return sse_response(events)
    kind = str(body.get("response_format") or "json")
    if kind in ("text", "srt", "vtt"):
        text = reply.text
        if kind == "srt":
            text = f"1\n00:00:00,000 --> 00:00:03,000\n{reply.text}\n"
        elif kind == "vtt":
            text = f"WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n{reply.text}\n"
        return WireResponse(200, {"content-type": "text/plain; charset=utf-8"}, [text.encode()])
    payload: dict[str, Any] = {"text": reply.text, "usage": usage}
    if kind == "verbose_json":
        payload.update(task="transcribe", language="english", duration=3.0, segments=[], words=[])
    return json_response(payload)


# -------------------------------------------------------------------------- moderations

MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


def moderation(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    """One result per input; ``FakeReply.flagged`` names the categories to flag."""
    inputs = body.get("input")
    count = len(inputs) if isinstance(inputs, list) and inputs else 1
    flagged = set(reply.flagged)
    result = {
        "flagged": bool(flagged),
        "categories": {c: c in flagged for c in MODERATION_CATEGORIES},
        "category_scores": {c: 0.9 if c in flagged else 0.0001 for c in MODERATION_CATEGORIES},
        "category_applied_input_types": {c: ["text"] for c in MODERATION_CATEGORIES},
    }
    return json_response(
        {
            "id": new_id("modr-"),
            "model": reply.model or str(body.get("model") or "omni-moderation-latest"),
            "results": [dict(result) for _ in range(count)],
        }
    )


# -------------------------------------------------------------------- legacy completions


def completion(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    model = reply.model or str(body.get("model") or "gpt-3.5-turbo-instruct")
    usage = {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.total_tokens,
    }
    base = {
        "id": new_id("cmpl-"),
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
    }
    if not body.get("stream"):
        choice = {"text": reply.text, "index": 0, "logprobs": None, "finish_reason": _finish(reply)}
        return json_response({**base, "choices": [choice], "usage": usage})
    with_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    events: list[tuple[str | None, Any]] = [
        (
            None,
            {**base, "choices": [{"text": p, "index": 0, "logprobs": None, "finish_reason": None}]},
        )
        for p in pieces(reply.text)
    ]
    events.append(
        (
            None,
            {
                **base,
                "choices": [
                    {"text": "", "index": 0, "logprobs": None, "finish_reason": _finish(reply)}
                ],
            },
        )
    )
    if with_usage:
        events.append((None, {**base, "choices": [], "usage": usage}))
    events.append((None, "[DONE]"))
    return sse_response(events)
