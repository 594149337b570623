"""Delivery under faults: what ``amplitude-analytics`` guarantees, and tests of each point.

The SDK does no delivery of its own: it hands every event to ``amplitude.Amplitude.track``.
Reading amplitude-analytics 1.x (``worker.py``, ``processor.py``, ``storage.py``,
``http_client.py``), its guarantees are:

1. ``track()`` does no I/O and never raises for delivery problems: it copies the event into
   an in-memory buffer and returns. A background consumer thread sends batches of
   ``flush_queue_size`` (200) every ``flush_interval_millis`` (10 s), or as soon as that many
   events are ready; ``flush()`` sends everything buffered, *including events waiting out a
   retry backoff*, and returns futures that resolve after one attempt per batch (a resolved
   future does not mean "delivered"). ``shutdown()`` makes one last such attempt and waits.
2. Retried (the whole batch goes back into the buffer, ``retry += 1``, backoff
   ``100 ms * 2 ** ((retry - 1) // 2)``: 100, 100, 200, 200, 400 ... 3,200 ms): HTTP 5xx,
   408, a client timeout (``amplitude.constants.CONNECTION_TIMEOUT``, 10 s, read at call
   time), a connection failure (refused, DNS: ``URLError``), a 413 for a batch of several
   events (after shrinking the batch size), a 400 or other 4xx that names no event, and
   429 responses: events listed in ``throttled_events`` wait an extra 30 s, the others are
   retried at once.
3. At most ``flush_max_retries`` (12) attempts per event: when its retry count reaches that
   number the event is dropped.
4. Buffer cap: a *retried* event is dropped once the buffer holds
   ``MAX_BUFFER_CAPACITY`` (20,000) events; fresh events from ``track()`` are never refused.
5. Dropped without retry: events a 400 names as invalid (``events_with_invalid_fields`` /
   ``events_with_missing_fields`` / ``events_with_invalid_id_lengths`` /
   ``silenced_events``; the rest of the batch is retried), the whole batch of a 400 with
   ``missing_field``, a single event answered 413, and throttled events whose user or
   device ``exceeded_daily_quota``.
6. An event that reaches a final outcome gets exactly one callback: ``Config.callback``
   and then the event's own callback (the SDK's ``on_event_callback``) receive ``(event,
   200, "Event sent successfully.")`` on success and ``(event, code, reason)`` for every
   drop of points 3-5; retries are not reported. A raising callback is logged and ignored
   (but a raising ``Config.callback`` skips the event's own callback).
7. At least once, not exactly once: a request the client gave up on (timeout) may still
   have been stored by the server and is sent again; the copies share their ``insert_id``,
   which Amplitude deduplicates.

Library gaps: a 400 ``Invalid API key`` drops the batch with only a log line and no
callback; a connection closed without any response (``RemoteDisconnected``, or a 2xx body
without a JSON ``code``) escapes the worker: the batch is lost and no callback runs. Whatever
is undelivered after its one exit-time attempt is lost.

The SDK (``amplitude_ai.outbox``) closes them: on a client it created, the invalid-key batch
is reported through the callback and an escaped connection error is retried like a 5xx; an
event the library gives up on after its last retry for a retryable reason is held (the
library's ``Config.callback`` still sees the drop, ``on_event_callback`` does not) and sent
again by ``flush()``, ``shutdown()`` and on the next delivered event; ``flush(timeout)``
blocks until every event has an outcome or the deadline passes; see
``test_delivery_outages.py`` for shutdown, the spool and the counts. No exception from
tracking or ``flush()`` reaches the application (checked here through its logger staying
silent).
"""

from __future__ import annotations

import http.client
import logging
import time
from collections import Counter
from typing import Any

import amplitude.constants as amp_constants
import pytest

from amplitude_ai import AIConfig, AmplitudeAI
from support.capture_server import CaptureServer

pytestmark = pytest.mark.usefixtures("clean_ai_env")

USER = "user-12345"
SESSION = "sess-faults"
DEADLINE = 20.0  # generous: a loaded 2-core machine must not flake; the happy path is fast


def track_messages(ai: AmplitudeAI, count: int, user_id: str = USER) -> list[str]:
    return [
        ai.track_user_message(user_id, f"message {i}", SESSION, turn_id=i + 1) for i in range(count)
    ]


def flush_and_wait(client: Any) -> None:
    """``flush()`` (an ``AmplitudeAI`` or an ``amplitude.Amplitude``) and wait for its futures."""
    for future in client.flush():
        if future is not None:
            future.result(timeout=amp_constants.CONNECTION_TIMEOUT + 10)


def deliver_all(client: Any, server: CaptureServer, expected: set[str]) -> list[str]:
    """Flush until the server has accepted every ``expected`` insert_id; returns all it got."""
    deadline = time.monotonic() + DEADLINE
    while True:
        flush_and_wait(client)
        if server.wait_until(lambda s: expected <= set(s.insert_ids()), timeout=0.2):
            return server.insert_ids()
        if time.monotonic() > deadline:
            raise AssertionError(
                f"not delivered within {DEADLINE}s: {sorted(expected - set(server.insert_ids()))}"
            )


def wait_for(
    predicate: Any, timeout: float = DEADLINE, poke: Any = None, poke_every: float = 0.0
) -> None:
    """Poll ``predicate`` until true or the deadline, calling ``poke`` every ``poke_every`` s."""
    deadline = time.monotonic() + timeout
    next_poke = time.monotonic() + poke_every
    while not predicate():
        now = time.monotonic()
        if now > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        if poke is not None and now >= next_poke:
            poke()
            next_poke = now + poke_every
        time.sleep(0.02)


def amp_event() -> Any:
    from amplitude import BaseEvent

    return BaseEvent("App Event", user_id=USER)


def sdk_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "amplitude_ai"]


@pytest.fixture
def make_ai(delivery_clients):
    """An ``AmplitudeAI`` over an SDK-owned or a shared client (the test's parameter)."""

    def make(owner: str, **ai_config: Any) -> AmplitudeAI:
        if owner == "sdk-owned":
            return delivery_clients.sdk_owned(**ai_config)
        return delivery_clients.shared(AIConfig(**ai_config))

    return make


# --------------------------------------------------------------------------- retried, then OK
@pytest.mark.parametrize("owner", ["sdk-owned", "shared"])
def test_server_errors_then_recovery_deliver_every_event(
    owner, make_ai, capture_server, tracked_records, caplog
):
    calls: list[tuple[str, int]] = []
    ai = make_ai(owner, on_event_callback=lambda e, code, msg: calls.append((e.insert_id, code)))
    capture_server.fail_next(3, status=500)

    track_messages(ai, 5)
    tracked = {r["insert_id"] for r in tracked_records}
    assert len(tracked) == 5

    received = deliver_all(ai, capture_server, tracked)
    assert set(received) == tracked
    # 5xx answers were not stored, so nothing was duplicated.
    assert len(received) == len(tracked)
    failed = [r for r in capture_server.requests if r.status == 500]
    assert len(failed) == 3
    # One callback per event, with the final outcome only (retries are not reported). The
    # client runs it once it has read the answer, a moment after the server stored the batch.
    wait_for(lambda: len(calls) >= len(tracked))
    assert sorted(calls) == sorted((insert_id, 200) for insert_id in tracked)
    assert sdk_errors(caplog) == []


@pytest.mark.slow
def test_client_timeouts_then_recovery_deliver_every_event_at_least_once(
    monkeypatch, delivery_clients, capture_server, tracked_records, caplog
):
    monkeypatch.setattr(amp_constants, "CONNECTION_TIMEOUT", 0.3)
    calls: list[tuple[str, int]] = []
    ai = delivery_clients.sdk_owned(
        on_event_callback=lambda e, code, msg: calls.append((e.insert_id, code))
    )
    capture_server.delay_next(2, seconds=2.0)  # each answer comes long after the client gave up

    track_messages(ai, 3)
    tracked = {r["insert_id"] for r in tracked_records}
    # Each attempt times out after 0.3 s (no exception, the batch is kept for a retry): the
    # server stored the timed-out batch, but the client only knows it once an answer
    # arrives in time, so flush() keeps re-sending until then.
    wait_for(lambda: len(calls) >= len(tracked), poke=lambda: flush_and_wait(ai))
    received = capture_server.insert_ids()

    assert set(received) == tracked
    # Both timed-out requests were stored and then sent again: every event arrived (at
    # least) three times, duplicates by insert_id (which Amplitude deduplicates). A very slow
    # machine could time out once more, hence no exact count.
    copies = Counter(received)
    assert len(set(copies.values())) == 1  # the batch travelled together
    assert copies[next(iter(tracked))] >= 3
    assert sorted(calls) == sorted((insert_id, 200) for insert_id in tracked)
    assert sdk_errors(caplog) == []


@pytest.mark.slow
@pytest.mark.parametrize("owner", ["sdk-owned", "shared"])
def test_server_down_then_restarted_on_the_same_port_delivers_every_event(
    owner, make_ai, capture_server, tracked_records, caplog
):
    ai = make_ai(owner)
    url = capture_server.url
    capture_server.stop()

    track_messages(ai, 4)
    flush_and_wait(ai)  # connection refused: retried, nothing raised
    assert capture_server.requests == []

    capture_server.restart()
    assert capture_server.url == url
    tracked = {r["insert_id"] for r in tracked_records}
    received = deliver_all(ai, capture_server, tracked)
    assert set(received) == tracked
    assert len(received) == len(tracked)  # refused connections reached nobody: no duplicates
    assert sdk_errors(caplog) == []


def test_throttled_events_are_delivered_by_flush(delivery_clients, capture_server, tracked_records):
    calls: list[tuple[str, int]] = []
    amplitude = delivery_clients.amplitude(
        flush_interval_millis=60_000,
        callback=lambda e, code, msg: calls.append((e.insert_id, code)),
    )
    ai = AmplitudeAI(amplitude)
    capture_server.throttle_next(1, throttled_events=[0])

    track_messages(ai, 2)
    throttled, not_throttled = (r["insert_id"] for r in tracked_records)
    flush_and_wait(amplitude)  # the library's own flush: one attempt
    assert capture_server.requests[0].status == 429
    assert calls == []  # a throttle is not a final outcome

    # The unthrottled event is retried at once (100 ms backoff) by the next flush; the
    # throttled one is held back for 30 s by the consumer, but flush() sends it anyway.
    deliver_all(ai, capture_server, {not_throttled, throttled})
    assert sorted(capture_server.insert_ids()) == sorted([throttled, not_throttled])
    wait_for(lambda: len(calls) >= 2)
    assert sorted(calls) == sorted([(throttled, 200), (not_throttled, 200)])


def test_unthrottled_events_of_a_429_are_resent_by_the_consumer(
    delivery_clients, capture_server, tracked_records
):
    ai = AmplitudeAI(delivery_clients.amplitude(flush_interval_millis=50))
    capture_server.throttle_next(1, throttled_events=[0])
    track_messages(ai, 2)
    throttled, not_throttled = (r["insert_id"] for r in tracked_records)
    flush_and_wait(ai.amplitude)  # the library's flush: one attempt, then the consumer

    # No further flush(): the background consumer re-sends the unthrottled event by itself.
    # (Tracking another event now and then only restarts a consumer thread that the
    # library's start/stop race may have left stopped; it never sends delayed events.)
    wait_for(
        lambda: not_throttled in capture_server.insert_ids(),
        poke=lambda: ai.track_user_message(USER, "nudge", SESSION),
        poke_every=1.0,
    )
    assert throttled not in capture_server.insert_ids()  # still in its 30 s wait
    deliver_all(ai, capture_server, {throttled})


# --------------------------------------------------------------------------- dropped
@pytest.mark.slow
def test_max_retries_exhausted_the_library_drops_the_sdk_holds_and_delivers_later(
    delivery_clients, capture_server, tracked_records, caplog
):
    config_calls: list[tuple[str, int, str]] = []
    sdk_calls: list[tuple[str, int, str]] = []
    amplitude = delivery_clients.amplitude(
        flush_max_retries=3,
        callback=lambda e, code, msg: config_calls.append((e.insert_id, code, msg)),
    )
    ai = AmplitudeAI(
        amplitude,
        config=AIConfig(on_event_callback=lambda e, c, m: sdk_calls.append((e.insert_id, c, m))),
    )
    capture_server.fail_next(None, status=503)  # down for good

    track_messages(ai, 2)
    tracked = {r["insert_id"] for r in tracked_records}
    # The consumer retries on its own (100 ms interval); flushing only speeds it up.
    wait_for(lambda: len(config_calls) == 2, poke=lambda: flush_and_wait(amplitude))

    expected = {(insert_id, 503, "Event reached max retry times 3.") for insert_id in tracked}
    assert set(config_calls) == expected  # the library gave up ...
    assert sdk_calls == []  # ... the SDK holds them: a 503 is worth another try
    # Exactly flush_max_retries attempts per event.
    attempts = [e["insert_id"] for e in capture_server.events(include_rejected=True)]
    assert {insert_id: attempts.count(insert_id) for insert_id in tracked} == dict.fromkeys(
        tracked, 3
    )
    assert ai.status()["delivery_stats"]["pending"] == 2

    capture_server.clear_faults()
    ai.flush()  # hands the held events over again (a fresh retry budget)
    assert sorted(capture_server.insert_ids()) == sorted(tracked)
    wait_for(lambda: len(sdk_calls) == 2)
    assert {(i, c) for i, c, _ in sdk_calls} == {(i, 200) for i in tracked}
    assert ai.status()["delivery_stats"]["pending"] == 0
    assert sdk_errors(caplog) == []


def test_events_a_400_names_invalid_are_dropped_the_rest_delivered(
    delivery_clients, capture_server, tracked_records
):
    calls: list[tuple[str, int, str]] = []
    ai = delivery_clients.sdk_owned(
        on_event_callback=lambda e, code, msg: calls.append((e.insert_id, code, msg))
    )
    capture_server.reject_invalid_next({"time": [1]})
    track_messages(ai, 3)
    first, invalid, third = (r["insert_id"] for r in tracked_records)

    received = deliver_all(ai, capture_server, {first, third})
    assert invalid not in received
    assert (invalid, 400, "Invalid field values on some events") in calls
    ok = "Event sent successfully."
    assert sorted(calls) == sorted(
        [(first, 200, ok), (third, 200, ok), (invalid, 400, "Invalid field values on some events")]
    )


def test_exceeded_daily_quota_is_dropped_and_reported(
    delivery_clients, capture_server, tracked_records
):
    calls: list[tuple[str, int, str]] = []
    ai = delivery_clients.sdk_owned(
        on_event_callback=lambda e, code, msg: calls.append((e.user_id, code, msg))
    )
    capture_server.throttle_next(
        1, throttled_events=[0, 1], exceeded_daily_quota_users={"user-quota": 1000}
    )
    ai.track_user_message("user-quota", "over quota", SESSION)
    ai.track_user_message(USER, "within quota", SESSION)
    over, within = (r["insert_id"] for r in tracked_records)

    received = deliver_all(ai, capture_server, {within})
    assert over not in received
    assert sorted(calls) == sorted(
        [("user-quota", 429, "Exceeded daily quota"), (USER, 200, "Event sent successfully.")]
    )


def test_retries_beyond_the_buffer_capacity_are_dropped_by_the_library_kept_by_the_sdk(
    monkeypatch, delivery_clients, capture_server, tracked_records
):
    monkeypatch.setattr(amp_constants, "MAX_BUFFER_CAPACITY", 3)
    calls: list[tuple[str, int, str]] = []
    amplitude = delivery_clients.amplitude(
        flush_interval_millis=60_000,
        callback=lambda e, code, msg: calls.append((e.insert_id, code, msg)),
    )
    ai = AmplitudeAI(amplitude)
    capture_server.fail_next(1, status=500)

    track_messages(ai, 5)  # five fresh events fit although the capacity is three
    tracked = [r["insert_id"] for r in tracked_records]
    flush_and_wait(amplitude)  # one batch of five fails; only three fit back for a retry

    full = "Destination buffer full. Retry temporarily disabled"
    assert calls == [(tracked[3], 500, full), (tracked[4], 500, full)]
    # The SDK held the two the library refused and sends them with the rest.
    received = deliver_all(ai, capture_server, set(tracked))
    assert sorted(received) == sorted(tracked)


# --------------------------------------------------------------------------- never raises
@pytest.mark.parametrize("owner", ["sdk-owned", "shared"])
def test_tracking_while_the_server_is_down_never_raises_and_returns_promptly(
    owner, make_ai, capture_server, tracked_records, caplog
):
    ai = make_ai(owner)
    capture_server.stop()
    agent = ai.agent("support-bot", user_id=USER)
    started = time.monotonic()
    ids = []
    with agent.session(session_id=SESSION) as session:
        for i in range(50):
            ids.append(session.track_user_message(content=f"question {i}"))
            ids.append(session.track_tool_call(tool_name="search", latency_ms=1.5, input={"i": i}))
    ai.flush(timeout=0)  # one attempt, no waiting; the refused connections are retried later
    elapsed = time.monotonic() - started

    assert len(set(ids)) == 100 and all(ids)
    assert elapsed < 5.0, f"tracking 101 events took {elapsed:.2f}s with the server down"

    # Nothing tracked during the outage is lost once the server is back. (Draining here also
    # leaves no failed batch in flight when the client shuts down: the library would push it
    # back into a buffer nobody sends any more.)
    capture_server.restart()
    tracked = {r["insert_id"] for r in tracked_records}
    assert len(tracked) == 101
    assert set(deliver_all(ai, capture_server, tracked)) == tracked
    assert sdk_errors(caplog) == []


# --------------------------------------------------------------------------- library gaps
def test_invalid_api_key_batch_is_reported_not_silently_lost(
    delivery_clients, capture_server, caplog
):
    calls: list[int] = []
    ai = delivery_clients.sdk_owned(on_event_callback=lambda e, code, msg: calls.append(code))
    capture_server.script(1, 400, {"code": 400, "error": "Invalid API key: test-key"})
    track_messages(ai, 2)

    with caplog.at_level(logging.ERROR, logger="amplitude"):
        flush_and_wait(ai)
    assert "Invalid API Key" in [r.getMessage() for r in caplog.records if r.name == "amplitude"]
    assert calls == [400, 400]  # the library alone would not call back for this drop
    assert ai.flush() == []  # a permanent rejection: nothing left to retry
    assert ai.status()["delivery_stats"]["rejected"] == 2
    assert capture_server.events() == []


def test_connection_closed_without_response_is_retried_not_lost(
    delivery_clients, capture_server, tracked_records, caplog
):
    calls: list[int] = []
    ai = delivery_clients.sdk_owned(on_event_callback=lambda e, code, msg: calls.append(code))
    capture_server.hang_up_next(1)
    track_messages(ai, 2)
    tracked = {r["insert_id"] for r in tracked_records}

    ai.flush()  # the first request is hung up on; the library alone would lose the batch
    assert [r.status for r in capture_server.requests] == [0, 200]
    assert set(capture_server.insert_ids()) == tracked
    wait_for(lambda: len(calls) == 2)
    assert calls == [200, 200]
    assert sdk_errors(caplog) == []


def test_the_library_alone_loses_a_batch_on_a_closed_connection(delivery_clients, capture_server):
    amplitude = delivery_clients.amplitude(flush_interval_millis=60_000)
    capture_server.hang_up_next(1)
    amplitude.track(amp_event())
    futures = amplitude.flush()
    with pytest.raises(http.client.RemoteDisconnected):
        futures[0].result(timeout=10)  # why the SDK guards the worker of the clients it owns
    assert [f for f in amplitude.flush() if f is not None] == []  # nothing put back: lost
