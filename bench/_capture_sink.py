"""A counting capture server for the real-client benchmark variant (not a benchmark itself).

Unlike ``tests/support/capture_server.py`` (a fault-injecting recorder that keeps every request
for assertions), this one only counts events and insert ids, and by default runs in a child
process so that serving ~50,000 events does not compete with the measured calls for the GIL.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any, ClassVar


class _CaptureHandler(http.server.BaseHTTPRequestHandler):
    """Answers every POST with ``{"code":200}`` and counts the events in its batch."""

    max_body = 64 * 1024 * 1024
    stats: ClassVar[dict[str, int]] = {}
    insert_ids: ClassVar[set[str]] = set()
    lock = threading.Lock()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.max_body:
            self.send_error(413)
            return
        body = self.rfile.read(length)
        try:
            events = json.loads(body).get("events", [])
        except ValueError:
            events = []
        with self.lock:
            self.stats["requests"] = self.stats.get("requests", 0) + 1
            self.stats["events"] = self.stats.get("events", 0) + len(events)
            self.insert_ids.update(str(e.get("insert_id")) for e in events)
            self.stats["unique_insert_ids"] = len(self.insert_ids)
        self._reply(b'{"code":200}')

    def do_GET(self) -> None:  # /stats
        with self.lock:
            payload = json.dumps(self.stats).encode()
        self._reply(payload)

    def _reply(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _make_server() -> http.server.ThreadingHTTPServer:
    _CaptureHandler.stats = {"requests": 0, "events": 0, "unique_insert_ids": 0}
    _CaptureHandler.insert_ids = set()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CaptureHandler)
    server.daemon_threads = True
    return server


def serve_capture(max_seconds: float) -> None:
    """Child-process entry: print the port, serve until stdin closes or time runs out."""
    server = _make_server()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait(max_seconds)
    server.shutdown()
    server.server_close()


class CaptureServer:
    """The capture server, in a child process (default) or in a thread of this process."""

    def __init__(self, mode: str, max_seconds: float = 900.0) -> None:
        self.mode = mode
        self._proc: subprocess.Popen[str] | None = None
        self._server: http.server.ThreadingHTTPServer | None = None
        if mode == "subprocess":
            self._proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), str(max_seconds)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert self._proc.stdout is not None
            port = int(self._proc.stdout.readline())
        else:
            self._server = _make_server()
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
            port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}/2/httpapi"

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(self.url.replace("/2/httpapi", "/stats"), timeout=5) as r:
            return json.loads(r.read())

    def wait_for(self, expected: int, timeout: float = 30.0) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while True:
            stats = self.stats()
            if stats["events"] >= expected or time.monotonic() > deadline:
                return stats
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop the server (idempotent); the child process is ended by its own handle."""
        server, proc = self._server, self._proc
        self._server = self._proc = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if proc is not None:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


if __name__ == "__main__":  # child-process mode: python _capture_sink.py MAX_SECONDS
    serve_capture(float(sys.argv[1]))
