"""OpenAI's model endpoints besides chat, Responses and embeddings -> tracking fields.

Which event each one becomes, using only properties the event catalog has:

- images (``generate``/``edit``/``create_variation``), audio ``speech``,
  ``transcriptions`` and ``translations``: an ``[Agent] AI Response`` with model, provider,
  latency and the token usage the endpoint reports (gpt-image and gpt-4o-transcribe /
  -tts models do; dall-e and whisper report none). A transcript or translation is the
  response's content; images and speech have no text content. No User Message: their
  inputs are prompts, audio files or text to speak, not a user's chat turn.
- legacy ``completions.create``: like chat completions (the prompt string is the user
  message, the first choice's text the content), streams included.
- ``moderations.create``: an ``[Agent] Span`` named ``moderation`` (the catalog's event
  for a guardrail check) whose output state holds the provider, the model, whether any
  input was flagged and the flagged categories. Not an AI Response: it is no model reply,
  and counting it as one would inflate reply counts and turn numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._emit import RequestInfo
from ._hook import Surface
from ._openai_common import common_request, usage_fields
from ._read import count, get, number

# The model OpenAI's image endpoints use when the request names none.
DEFAULT_IMAGE_MODEL = "dall-e-2"


def _token_usage(usage: Any) -> dict[str, Any]:
    """Usage of the image and audio endpoints (``input_tokens``/``output_tokens``);
    whisper's ``{"type": "duration", "seconds": ...}`` has no tokens to report."""
    if usage is None or get(usage, "type") == "duration":
        return {}
    return {
        "input_tokens": count(get(usage, "input_tokens")),
        "output_tokens": count(get(usage, "output_tokens")),
        "total_tokens": count(get(usage, "total_tokens")),
    }


# ------------------------------------------------------------------------------ images


def images_request(body: Mapping[str, Any]) -> RequestInfo:
    return RequestInfo(
        "ai_response",
        {
            "model": body.get("model") or DEFAULT_IMAGE_MODEL,
            "is_streaming": bool(body.get("stream")),
        },
    )


def images_response(resp: Any) -> dict[str, Any]:
    return _token_usage(get(resp, "usage"))


class ImageStream:
    """Image generation/edit stream events: the ``*.completed`` event carries the usage."""

    def __init__(self) -> None:
        self.usage: Any = None

    def is_usage_only(self, event: Any) -> bool:
        return False

    def add(self, event: Any) -> None:
        if str(get(event, "type", "")).endswith(".completed"):
            self.usage = get(event, "usage")

    def fields(self) -> dict[str, Any]:
        return _token_usage(self.usage)


# ------------------------------------------------------------------------------- audio


def audio_request(body: Mapping[str, Any]) -> RequestInfo:
    return RequestInfo(
        "ai_response",
        {
            "model": body.get("model"),
            "temperature": number(body.get("temperature")),
            "is_streaming": bool(body.get("stream")),
        },
    )


def speech_response(resp: Any) -> dict[str, Any]:
    return {}  # the body is the audio itself


def transcript_response(resp: Any) -> dict[str, Any]:
    if isinstance(resp, str):  # response_format text / srt / vtt
        return {"content": resp or None}
    return {"content": get(resp, "text") or None, **_token_usage(get(resp, "usage"))}


class TranscriptStream:
    """``transcript.text.delta`` events, then ``transcript.text.done`` with the usage."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.final: str | None = None
        self.usage: Any = None

    def is_usage_only(self, event: Any) -> bool:
        return False

    def add(self, event: Any) -> None:
        kind = get(event, "type")
        if kind == "transcript.text.delta":
            self.text.append(get(event, "delta", "") or "")
        elif kind == "transcript.text.done":
            self.final = get(event, "text")
            self.usage = get(event, "usage")

    def fields(self) -> dict[str, Any]:
        content = self.final if self.final is not None else "".join(self.text)
        return {"content": content or None, **_token_usage(self.usage)}


# -------------------------------------------------------------------------- moderations


def moderation_request(body: Mapping[str, Any]) -> RequestInfo:
    return RequestInfo("span", {"span_name": "moderation", "model": body.get("model")})


def moderation_response(resp: Any) -> dict[str, Any]:
    flagged = False
    categories: list[str] = []
    for result in get(resp, "results") or []:
        flagged = flagged or bool(get(result, "flagged"))
        found = get(result, "categories")
        items = found.items() if isinstance(found, Mapping) else _model_items(found)
        categories.extend(name for name, value in items if value is True)
    return {
        "model": get(resp, "model"),
        "flagged": flagged,
        "flagged_categories": sorted(set(categories)),
    }


def _model_items(obj: Any) -> list[tuple[str, Any]]:
    """A pydantic model's (field alias, value) pairs (``self-harm``, not ``self_harm``)."""
    dump = getattr(obj, "model_dump", None) or getattr(obj, "dict", None)
    if dump is None:
        return []
    try:
        data = dump(by_alias=True)
    except TypeError:
        data = dump()
    return list(data.items()) if isinstance(data, Mapping) else []


# ------------------------------------------------------------------ legacy completions


def completion_request(body: Mapping[str, Any]) -> RequestInfo:
    fields = common_request(body)
    fields["max_output_tokens"] = count(body.get("max_tokens"))
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    return RequestInfo("ai_response", fields, prompt if isinstance(prompt, str) else None)


def completion_response(resp: Any) -> dict[str, Any]:
    choices = get(resp, "choices") or []
    choice = choices[0] if choices else None
    fields: dict[str, Any] = {
        "model": get(resp, "model"),
        "content": get(choice, "text") or None,
        "finish_reason": get(choice, "finish_reason"),
    }
    fields.update(
        usage_fields(get(resp, "usage"), prompt="prompt_tokens", completion="completion_tokens")
    )
    return fields


class CompletionStream:
    """Legacy completion chunks (first choice only), plus the usage-only last chunk."""

    def __init__(self) -> None:
        self.model: str | None = None
        self.text: list[str] = []
        self.finish_reason: str | None = None
        self.usage: Any = None

    def is_usage_only(self, chunk: Any) -> bool:
        return not get(chunk, "choices") and get(chunk, "usage") is not None

    def add(self, chunk: Any) -> None:
        self.model = get(chunk, "model") or self.model
        usage = get(chunk, "usage")
        if usage is not None:
            self.usage = usage
        for choice in get(chunk, "choices") or ():
            if get(choice, "index", 0) != 0:
                continue
            text = get(choice, "text")
            if text:
                self.text.append(text)
            self.finish_reason = get(choice, "finish_reason") or self.finish_reason

    def fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "model": self.model,
            "content": "".join(self.text) or None,
            "finish_reason": self.finish_reason,
        }
        fields.update(
            usage_fields(self.usage, prompt="prompt_tokens", completion="completion_tokens")
        )
        return fields


IMAGES = Surface(images_request, images_response, ImageStream)
SPEECH = Surface(audio_request, speech_response, request_only=True)
TRANSCRIPTS = Surface(audio_request, transcript_response, TranscriptStream)
MODERATIONS = Surface(moderation_request, moderation_response)
COMPLETIONS = Surface(
    completion_request,
    completion_response,
    CompletionStream,
    asks_for_usage=True,  # legacy Completion objects declare ``usage`` in every release
)
# Path suffix -> surface (checked after chat/responses/embeddings).
SURFACES: tuple[tuple[str, Surface], ...] = (
    ("/images/generations", IMAGES),
    ("/images/edits", IMAGES),
    ("/images/variations", IMAGES),
    ("/audio/speech", SPEECH),
    ("/audio/transcriptions", TRANSCRIPTS),
    ("/audio/translations", TRANSCRIPTS),
    ("/moderations", MODERATIONS),
    ("/completions", COMPLETIONS),
)
