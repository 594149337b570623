"""Offline demo: a two-turn support conversation, printed as the events it would send.

Run ``python -m amplitude_ai.demo``. Nothing leaves the machine (dry-run, no API key);
each event is shown as a one-line summary and as the JSON payload Amplitude would get.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import AIConfig, MockAmplitudeAI, SessionEnrichments, TopicClassification, tool
from .delivery import summary_line


def run_conversation(ai: Any) -> str:
    """Drive a small multi-turn agent session with a tool call, a child agent and scores."""
    agent = ai.agent(
        "support-bot",
        agent_version="1.4.0",
        env="demo",
        context={"surface": "chat", "experiment_variant": "treatment"},
    )

    @tool
    def lookup_order(order_id: str) -> dict[str, str]:
        return {"order_id": order_id, "status": "shipped"}

    with agent.session(user_id="demo-user-42") as session:
        session.new_trace()
        session.track_user_message(content="Where is my order 1187?")
        lookup_order("1187")
        answer = session.track_ai_message(
            content="Order 1187 shipped yesterday; it should arrive on Friday.",
            model="gpt-4o-mini",
            provider="openai",
            latency_ms=812.0,
            input_tokens=412,
            output_tokens=38,
            cache_read_tokens=256,
            finish_reason="stop",
            system_prompt="You are a concise support agent.",
            temperature=0.2,
        )
        session.score(name="thumbs_up", value=1, target_id=answer, source="user")

        session.new_trace()
        session.track_user_message(content="Can I change the delivery address?")
        billing = agent.child("address-agent")
        billing.track_span(
            span_name="address_policy_lookup",
            latency_ms=35.5,
            input_state={"order_id": "1187"},
            output_state={"allowed": True},
        )
        session.track_ai_message(
            content="Yes. Until it is out for delivery you can change it in your account.",
            model="claude-3-5-haiku-latest",
            provider="anthropic",
            latency_ms=640.0,
            input_tokens=530,
            output_tokens=41,
            finish_reason="end_turn",
        )
        session.set_enrichments(
            SessionEnrichments(
                topic_classifications={"intent": TopicClassification(l1="order_status")},
                overall_outcome="response_provided",
                quality_score=0.9,
            )
        )
    return session.session_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amplitude_ai.demo", description=__doc__)
    parser.add_argument(
        "--content-mode", default="full", choices=["full", "metadata_only", "customer_enriched"]
    )
    parser.add_argument("--summary", action="store_true", help="print only the one-line summaries")
    args = parser.parse_args(argv)

    ai = MockAmplitudeAI(AIConfig(content_mode=args.content_mode, dry_run=True))
    session_id = run_conversation(ai)
    ai.assert_all_valid()
    out = sys.stdout
    print(f"amplitude-ai demo: session {session_id}, content mode {args.content_mode}", file=out)
    print(
        f"{len(ai.events)} events would be sent (dry run, nothing left this machine):\n", file=out
    )
    for record in ai.events:
        print(summary_line(record), file=out)
        if not args.summary:
            print(json.dumps(record, indent=2, ensure_ascii=False), file=out)
    print(f"\nall {len(ai.events)} events match the event catalog", file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
