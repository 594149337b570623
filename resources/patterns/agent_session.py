"""Agent + session around an LLM call.

One agent per app (created once, at import), one session per conversation, one trace per user
message. The user message and the model's reply become [Agent] User Message and
[Agent] AI Response with model, provider, tokens and latency.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    """What the pattern needs from a provider response (usage fields of any SDK)."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int


def answer(ai: Any, complete: Callable[[str], Reply], user_id: str, question: str) -> str:
    """Handle one user message: ``complete`` is your provider call (OpenAI, Anthropic...)."""
    agent = ai.agent("support-bot", agent_version="1.0.0")
    with agent.session(user_id=user_id) as session:
        session.new_trace()
        session.track_user_message(content=question)
        started = time.perf_counter()
        reply = complete(question)
        session.track_ai_message(
            content=reply.text,
            model=reply.model,
            provider="openai",
            latency_ms=(time.perf_counter() - started) * 1000,
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
        )
        return reply.text
