"""Tool calls with the @tool decorator.

Decorate the functions your agent calls as tools; each call inside a session becomes an
[Agent] Tool Call with name, latency, success and (in full content mode) input and output.
"""

from __future__ import annotations

from typing import Any

from amplitude_ai import tool


@tool
def lookup_order(order_id: str) -> dict[str, str]:
    """A tool your model can call; failures are recorded with Tool Success = false."""
    return {"order_id": order_id, "status": "shipped"}


def handle(ai: Any, user_id: str, order_id: str) -> dict[str, str]:
    agent = ai.agent("order-bot")
    with agent.session(user_id=user_id) as session:
        session.new_trace()
        session.track_user_message(content=f"Where is order {order_id}?")
        return lookup_order(order_id)
