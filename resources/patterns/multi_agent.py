"""Multi-agent delegation with child agents.

An orchestrator hands work to specialists with ``agent.child(...)``: their events carry
Parent Agent ID and share the user, session and trace of the orchestrator's session.
"""

from __future__ import annotations

from typing import Any


def orchestrate(ai: Any, user_id: str, request: str) -> list[str]:
    orchestrator = ai.agent("orchestrator")
    researcher = orchestrator.child("researcher")
    writer = orchestrator.child("writer")
    notes: list[str] = []
    with orchestrator.session(user_id=user_id) as session:
        session.new_trace()
        session.track_user_message(content=request)
        for specialist, output in ((researcher, "3 sources found"), (writer, "draft ready")):
            specialist.track_ai_message(
                content=output, model="gpt-4o-mini", provider="openai", latency_ms=120.0
            )
            notes.append(output)
    return notes
