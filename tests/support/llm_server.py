"""A local HTTP server on 127.0.0.1 speaking the OpenAI, Anthropic, Gemini, Mistral and
Bedrock wire formats, for wrapper tests and benches.

Answers come from a :class:`~amplitude_ai.testing.FakeLLM` (``server.llm``): JSON bodies
with ``Content-Length``, SSE streams with chunked transfer encoding, one event per chunk
and flushed as written, errors with the provider's error bodies. The real provider SDK
clients talk to it over real HTTP by ``base_url``::

    with LLMServer() as server:
        client = openai.OpenAI(api_key="k", base_url=server.openai_url, max_retries=0)
        server.llm.queue(FakeReply("hi"))
        ...
        server.requests[-1].headers["traceparent"]
"""

from __future__ import annotations

import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from amplitude_ai.testing import FakeCall, FakeLLM

# SSE, and the AWS event-stream framing of Bedrock's streaming operations.
_STREAM_TYPES = ("text/event-stream", "application/vnd.amazon.eventstream")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        # Small writes (headers, then body, then SSE chunks) must not wait for delayed ACKs.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        wire = self.server.llm.respond("POST", self.path, dict(self.headers.items()), body)
        self.send_response(wire.status)
        for name, value in wire.headers.items():
            self.send_header(name, value)
        if wire.headers.get("content-type") in _STREAM_TYPES:
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for chunk in wire.chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        else:
            payload = wire.body
            self.send_header("content-length", str(len(payload)))
            self._headers_buffer.append(b"\r\n")  # end_headers() without its flush:
            self._headers_buffer.append(payload)  # headers and body in one write
            self.flush_headers()
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    llm: FakeLLM

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client closing a kept-alive connection (e.g. its event loop ended) is normal.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class LLMServer:
    """Start/stop a fake provider server; ``llm`` scripts it, ``requests`` shows what came."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.llm = FakeLLM()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def llm(self) -> FakeLLM:
        return self._server.llm

    @property
    def requests(self) -> list[FakeCall]:
        return self.llm.calls

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    def start(self) -> LLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
