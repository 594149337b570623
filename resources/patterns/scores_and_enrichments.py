"""Quality signals: user feedback scores and session enrichments.

``score`` links feedback to a message id (thumbs up/down, ratings); enrichments set on the
session are sent with [Agent] Session End when the session closes.
"""

from __future__ import annotations

from typing import Any

from amplitude_ai import SessionEnrichments


def rate_reply(ai: Any, user_id: str) -> str:
    agent = ai.agent("support-bot")
    with agent.session(user_id=user_id) as session:
        session.new_trace()
        session.track_user_message(content="Reset my password")
        reply_id = session.track_ai_message(
            content="Use the reset link on the sign-in page.",
            model="gpt-4o-mini",
            provider="openai",
            latency_ms=300.0,
        )
        session.score(name="thumbs_up", value=1, target_id=reply_id, source="user")
        session.set_enrichments(SessionEnrichments(quality_score=0.9))
        return reply_id
