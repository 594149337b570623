"""Reading captured events by catalog key (``model_name``) instead of wire name."""

from __future__ import annotations

from typing import Any

from amplitude_ai.catalog import load_catalog
from amplitude_ai.testing import MockAmplitudeAI


def props(event: dict[str, Any]) -> dict[str, Any]:
    names = {v: k for k, v in load_catalog().property_names.items()}
    return {names.get(k, k): v for k, v in event["event_properties"].items()}


def tracked(ai: MockAmplitudeAI, kind: str) -> list[dict[str, Any]]:
    """Events of catalog kind ``kind`` (``ai_response``...), properties by key, plus the
    top-level ``user_id``/``device_id``."""
    out = []
    for event in ai.events_of_type(load_catalog().event_names[kind]):
        p = props(event)
        p["user_id"] = event.get("user_id")
        p["device_id"] = event.get("device_id")
        out.append(p)
    return out


def kinds(ai: MockAmplitudeAI) -> list[str]:
    """The catalog kinds of the captured events, in order."""
    by_name = {v: k for k, v in load_catalog().event_names.items()}
    return [by_name[e["event_type"]] for e in ai.events]
