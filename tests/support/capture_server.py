"""A local stand-in for Amplitude's HTTP V2 API (``POST /2/httpapi``) with scripted faults.

``CaptureServer`` listens on 127.0.0.1 (an ephemeral port, kept across ``restart()``),
serves each request on its own daemon thread and records every POST body, parsed, in a
thread-safe list. By default it answers like Amplitude does on success
(``{"code": 200, "events_ingested": N, ...}``); ``fail_next``/``delay_next``/
``throttle_next``/``reject_invalid_next`` script the answers to the next requests.

amplitude-analytics reads the outcome from the ``code`` field of the JSON body (not from
the HTTP status line), and a 2xx body without ``code`` makes its worker raise and lose the
batch, so every answer here carries ``code``.

Usage::

    with CaptureServer() as server:
        client = Amplitude("test-key", Config(server_url=server.url))
        ...
        server.wait_for_events(3, timeout=10)
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_PATH = "/2/httpapi"

# Every server created in this process, so the suite-wide catalog guard can check what
# each one received (including events sent by application subprocesses).
_servers: weakref.WeakSet[CaptureServer] = weakref.WeakSet()


def live_servers() -> list[CaptureServer]:
    return list(_servers)


@dataclass(frozen=True)
class Fault:
    """How to answer one request: HTTP ``status`` with JSON ``body``, after ``delay`` s.

    ``hang_up`` closes the connection without any response instead.
    """

    status: int = 200
    body: dict[str, Any] | None = None
    delay: float = 0.0
    hang_up: bool = False


@dataclass(frozen=True)
class CapturedRequest:
    """One POST as received, and how it was answered (``status`` 0: hung up)."""

    path: str
    body: dict[str, Any]
    status: int
    received_at: float = field(compare=False)

    @property
    def api_key(self) -> str | None:
        return self.body.get("api_key")

    @property
    def events(self) -> list[dict[str, Any]]:
        return list(self.body.get("events") or [])

    @property
    def options(self) -> dict[str, Any] | None:
        return self.body.get("options")

    @property
    def accepted(self) -> bool:
        """True when answered 2xx: Amplitude would have stored these events."""
        return 200 <= self.status < 300


class CaptureServer:
    """Records Amplitude HTTP V2 uploads; see the module docstring."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._cond = threading.Condition()
        self._requests: list[CapturedRequest] = []
        self._faults: deque[Fault] = deque()
        self._fault_forever: Fault | None = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._abort = threading.Event()  # set by stop(): ends pending delays at once
        self._checked = 0  # requests already checked against the catalog
        _servers.add(self)

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{API_PATH}"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self, bind_timeout: float = 5.0) -> CaptureServer:
        """Start serving (on the same port as before, after a ``stop()``)."""
        if self._httpd is not None:
            return self
        self._abort = threading.Event()
        deadline = time.monotonic() + bind_timeout
        while True:
            try:
                httpd = ThreadingHTTPServer((self.host, self.port), self._handler_class())
                break
            except OSError:  # the old socket may linger a moment after a stop()
                if self.port == 0 or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"capture-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (connections are then refused); idempotent."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._abort.set()
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = self._thread = None

    def restart(self) -> CaptureServer:
        """``stop()`` if needed, then serve again on the same port."""
        self.stop()
        return self.start()

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ scripting
    def script(
        self,
        count: int | None,
        status: int,
        body: dict[str, Any] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``count`` requests (every request when ``None``) this way."""
        fault = Fault(status, body, delay)
        with self._cond:
            if count is None:
                self._fault_forever = fault
            else:
                self._faults.extend([fault] * count)

    def fail_next(self, count: int | None = 1, status: int = 500) -> None:
        """Answer with ``status`` and a generic error body."""
        self.script(count, status, {"code": status, "error": f"scripted {status}"})

    def delay_next(self, count: int | None, seconds: float, status: int = 200) -> None:
        """Answer normally but only after ``seconds`` (to make the client time out)."""
        self.script(count, status, None, delay=seconds)

    def hang_up_next(self, count: int | None = 1) -> None:
        """Read the request, then close the connection without answering."""
        fault = Fault(status=0, hang_up=True)
        with self._cond:
            if count is None:
                self._fault_forever = fault
            else:
                self._faults.extend([fault] * count)

    def throttle_next(
        self,
        count: int | None = 1,
        *,
        throttled_events: list[int] | None = None,
        exceeded_daily_quota_users: dict[str, int] | None = None,
        exceeded_daily_quota_devices: dict[str, int] | None = None,
    ) -> None:
        """Answer 429 with Amplitude's throttling body (``throttled_events`` are indexes)."""
        body: dict[str, Any] = {
            "code": 429,
            "error": "Too many requests for some devices and users",
            "eps_threshold": 10,
            "throttled_devices": {},
            "throttled_users": {},
            "throttled_events": list(throttled_events or []),
        }
        if exceeded_daily_quota_users is not None:
            body["exceeded_daily_quota_users"] = exceeded_daily_quota_users
        if exceeded_daily_quota_devices is not None:
            body["exceeded_daily_quota_devices"] = exceeded_daily_quota_devices
        self.script(count, 429, body)

    def reject_invalid_next(
        self, events_with_invalid_fields: dict[str, list[int]], count: int | None = 1
    ) -> None:
        """Answer 400 naming invalid events by index, e.g. ``{"time": [0, 2]}``."""
        body = {
            "code": 400,
            "error": "Invalid field values on some events",
            "events_with_invalid_fields": events_with_invalid_fields,
        }
        self.script(count, 400, body)

    def clear_faults(self) -> None:
        """Answer 200 again from the next request on."""
        with self._cond:
            self._faults.clear()
            self._fault_forever = None

    def _next_fault(self) -> Fault | None:
        with self._cond:
            if self._faults:
                return self._faults.popleft()
            return self._fault_forever

    # ------------------------------------------------------------------ results
    @property
    def requests(self) -> list[CapturedRequest]:
        """Every POST received so far (a snapshot)."""
        with self._cond:
            return list(self._requests)

    def events(self, *, include_rejected: bool = False) -> list[dict[str, Any]]:
        """Events of all accepted (2xx) requests, flattened in arrival order.

        A request that was answered 200 late (``delay_next``) counts as accepted even if
        the client had given up on it, as Amplitude would have stored it.
        """
        return [
            event
            for request in self.requests
            if include_rejected or request.accepted
            for event in request.events
        ]

    def catalog_problems(self) -> list[str]:
        """Catalog problems of the events received since the last call (every request,
        accepted or not: what matters is what was sent)."""
        from amplitude_ai.catalog import validate_event

        with self._cond:
            fresh = self._requests[self._checked :]
            self._checked = len(self._requests)
        problems = []
        for request in fresh:
            for event in request.events:
                event_type = str(event.get("event_type"))
                if not event_type.startswith("[Agent] "):
                    continue  # the application's own events
                for problem in validate_event(
                    event_type,
                    event.get("event_properties") or {},
                    user_id=event.get("user_id"),
                    device_id=event.get("device_id"),
                ):
                    problems.append(f"{event_type} (received by {self.url}): {problem}")
        return problems

    def insert_ids(self) -> list[str]:
        """``insert_id`` of every accepted event, duplicates included."""
        return [e.get("insert_id") for e in self.events()]

    def clear(self) -> None:
        """Forget the requests received so far."""
        with self._cond:
            self._requests.clear()

    def wait_until(self, predicate: Callable[[CaptureServer], bool], timeout: float) -> bool:
        """Wait (woken by every request) until ``predicate(self)`` holds; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if predicate(self):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.1))

    def wait_for_events(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """At least ``count`` accepted events, or ``AssertionError`` after ``timeout`` s."""
        if not self.wait_until(lambda s: len(s.events()) >= count, timeout):
            raise AssertionError(
                f"capture server: expected {count} events within {timeout}s, "
                f"got {len(self.events())} in {len(self.requests)} requests"
            )
        return self.events()

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[CapturedRequest]:
        """At least ``count`` requests of any outcome, or ``AssertionError``."""
        if not self.wait_until(lambda s: len(s.requests) >= count, timeout):
            raise AssertionError(
                f"capture server: expected {count} requests within {timeout}s, "
                f"got {len(self.requests)}"
            )
        return self.requests

    # ------------------------------------------------------------------ serving
    def _record(self, request: CapturedRequest) -> None:
        with self._cond:
            self._requests.append(request)
            self._cond.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                fault = server._next_fault() or Fault()
                server._record(CapturedRequest(self.path, body, fault.status, time.time()))
                if fault.delay:
                    server._abort.wait(fault.delay)
                if fault.hang_up:
                    self.close_connection = True
                    return
                answer = fault.body
                if answer is None:
                    answer = {"code": fault.status}
                    if fault.status == 200:
                        answer.update(
                            events_ingested=len(body.get("events") or []),
                            payload_size_bytes=length,
                            server_upload_time=int(time.time() * 1000),
                        )
                self._send(fault.status, answer)

            def _send(self, status: int, answer: dict[str, Any]) -> None:
                payload = json.dumps(answer).encode("utf-8")
                # The client may have timed out and gone away meanwhile.
                with contextlib.suppress(OSError):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output (and capsys) clean

        return Handler
