"""What the OpenAI endpoints' readers share (``_openai_fields`` for chat, Responses and
embeddings; ``_openai_media`` for the other model endpoints): request fields and token
usage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._read import count, get, number


def common_request(body: Mapping[str, Any]) -> dict[str, Any]:
    """The request fields every OpenAI endpoint's body spells the same way."""
    return {
        "model": body.get("model"),
        "temperature": number(body.get("temperature")),
        "top_p": number(body.get("top_p")),
        "is_streaming": bool(body.get("stream")),
    }


def usage_fields(usage: Any, *, prompt: str, completion: str) -> dict[str, Any]:
    """Token counts of an OpenAI ``usage`` object (``prompt``/``completion``: the names of
    its input and output counts, which differ between chat and the Responses API)."""
    if usage is None:
        return {}
    prompt_details = get(usage, f"{prompt}_details") or get(usage, "prompt_tokens_details")
    completion_details = get(usage, f"{completion}_details") or get(
        usage, "completion_tokens_details"
    )
    cached = count(get(prompt_details, "cached_tokens"))
    reasoning = count(get(completion_details, "reasoning_tokens"))
    return {
        "input_tokens": count(get(usage, prompt)),
        "output_tokens": count(get(usage, completion)),
        "total_tokens": count(get(usage, "total_tokens")),
        "cache_read_tokens": cached or None,
        "reasoning_tokens": reasoning or None,
    }
