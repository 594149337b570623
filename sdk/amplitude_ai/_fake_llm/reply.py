"""What a fake model answers: :class:`FakeReply` and :class:`FakeToolCall`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FakeToolCall:
    """A tool call the fake model requests."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str | None = None

    @property
    def arguments_json(self) -> str:
        return json.dumps(self.arguments, separators=(",", ":"))


@dataclass(frozen=True)
class FakeReply:
    """One canned answer, rendered in the wire format of whichever API asked.

    Token counts follow the OpenAI convention: ``input_tokens`` is the whole prompt,
    ``cached_tokens``/``cache_creation_tokens`` are parts of it (the Anthropic rendering
    reports the uncached remainder as its ``input_tokens``).

    Attributes:
        text: The answer text.
        tool_calls: Tool calls requested instead of / besides the text.
        reasoning: Reasoning content (OpenAI ``reasoning_content``/summary, Anthropic
            thinking block, sent only when the request enables ``thinking``, as the API does).
        model: Model name in the response (default: the model the request asked for).
        status: HTTP status; anything but 2xx renders the provider's error body.
        error_message: The error text for ``status`` >= 400.
        retryable: Let the SDK retry an error (sets ``x-should-retry``); off by default
            so that tests fail fast instead of sleeping through retries.
        embedding: The vector returned by embeddings endpoints.
        flagged: Moderation categories the moderations endpoint flags (e.g.
            ``("harassment",)``); none by default.
    """

    text: str = "This is a fake reply."
    tool_calls: tuple[FakeToolCall, ...] = ()
    reasoning: str | None = None
    model: str | None = None
    input_tokens: int = 24
    output_tokens: int = 12
    cached_tokens: int = 0
    cache_creation_tokens: int = 0
    reasoning_tokens: int = 0
    finish_reason: str | None = None
    status: int = 200
    error_message: str = "fake error"
    retryable: bool = False
    embedding: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
    flagged: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.status >= 400

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def as_reply(value: FakeReply | str | None = None, **kwargs: Any) -> FakeReply:
    """``FakeReply`` from a reply, a text, or keyword fields."""
    if isinstance(value, FakeReply):
        return value
    if value is not None:
        kwargs["text"] = value
    if "tool_calls" in kwargs:
        kwargs["tool_calls"] = tuple(
            c if isinstance(c, FakeToolCall) else FakeToolCall(**c) for c in kwargs["tool_calls"]
        )
    return FakeReply(**kwargs)
