"""The suite-wide catalog guard also sees what local capture servers receive (events sent
by application subprocesses never pass through this process's ``AmplitudeAI``)."""

from __future__ import annotations

import json
import urllib.request

from support.capture_server import CaptureServer, live_servers


def _post(server: CaptureServer, events: list[dict]) -> None:
    body = json.dumps({"api_key": "k", "events": events}).encode()
    request = urllib.request.Request(
        server.url, data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()


def test_capture_servers_report_non_conforming_agent_events(capture_server):
    assert capture_server in live_servers()
    _post(
        capture_server,
        [
            {"event_type": "[Agent] User Message", "user_id": "u-1", "event_properties": {}},
            {"event_type": "Signed Up", "user_id": "u-1"},  # the app's own event: not ours
        ],
    )
    problems = capture_server.catalog_problems()
    assert problems and all(p.startswith("[Agent] User Message") for p in problems)
    assert any("[Agent] Session ID" in p for p in problems)
    assert capture_server.catalog_problems() == []  # each request is judged once
