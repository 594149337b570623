"""Serverless handlers: flush before returning.

A function runtime may freeze the process as soon as the handler returns, so flush in a
``finally`` block. Long-running servers do not need this: the client flushes on its own and
``ai.shutdown()`` at exit.
"""

from __future__ import annotations

from typing import Any


def handler(ai: Any, event: dict[str, str]) -> dict[str, str]:
    agent = ai.agent("lambda-bot")
    try:
        with agent.session(user_id=event["user_id"]) as session:
            session.new_trace()
            session.track_user_message(content=event["message"])
            session.track_ai_message(
                content="ok", model="gpt-4o-mini", provider="openai", latency_ms=50.0
            )
        return {"status": "ok"}
    finally:
        ai.flush()
