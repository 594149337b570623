"""Rendering helpers shared by the OpenAI and Anthropic wire formats."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class WireResponse:
    """An HTTP response: status, headers and the body as a list of chunks (SSE events)."""

    status: int
    headers: dict[str, str]
    chunks: list[bytes]

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> WireResponse:
    return WireResponse(
        status,
        {"content-type": "application/json", **(headers or {})},
        [json.dumps(payload).encode()],
    )


def sse_response(events: Sequence[tuple[str | None, Any]]) -> WireResponse:
    """``events``: (event name or None, data) pairs; data ``"[DONE]"`` is sent verbatim."""
    chunks = []
    for name, data in events:
        text = data if isinstance(data, str) else json.dumps(data)
        head = f"event: {name}\n" if name else ""
        chunks.append(f"{head}data: {text}\n\n".encode())
    return WireResponse(200, {"content-type": "text/event-stream"}, chunks)


def pieces(text: str, n: int = 3) -> list[str]:
    """``text`` cut into up to ``n`` non-empty pieces (how tokens trickle in)."""
    if not text:
        return []
    size = max(1, -(-len(text) // n))
    return [text[i : i + size] for i in range(0, len(text), size)]
