"""Every malformed JSON-RPC frame on stdin gets an error reply instead of silence.

The ``mcp`` stdio transport validates each line against its message models and, when that
fails (not JSON, a batch array, ``params`` that is not an object, an ``id`` that is an
object, a string with a lone surrogate), hands the server an exception that nobody answers:
the client waits forever. :func:`guarded_stdio_server` wraps that transport without forking
it: it gives the transport a stdin that checks each line first, lets good lines through
unchanged, and answers bad ones on the transport's own output stream (one writer, so
frames never interleave) with the JSON-RPC error the specification prescribes: ``-32700``
parse error, ``-32600`` invalid request, with the request's ``id`` when it can be read,
else ``null``. A malformed notification (no ``id``) gets the ``null``-id error too: the
specification asks for it, and a silent drop is what this module exists to avoid.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from io import TextIOWrapper
from typing import Any

import anyio
import mcp_types as types
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

logger = logging.getLogger("amplitude_ai_mcp")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600


def check_frame(line: str) -> types.JSONRPCError | None:
    """``None`` when the transport will accept ``line``, else the error to answer with."""
    if not line.strip():
        return None  # the transport skips nothing, but an empty line is no request either
    try:
        frame = json.loads(line)
    except ValueError as exc:
        detail = getattr(exc, "msg", str(exc))  # a JSONDecodeError's message, without position
        return _error(None, PARSE_ERROR, f"parse error: not valid JSON ({detail})")
    if isinstance(frame, list):
        return _error(
            None,
            INVALID_REQUEST,
            "batch arrays are not supported by the MCP protocol; send one message per line",
        )
    request_id = _id_of(frame)
    if not isinstance(frame, dict):
        return _error(None, INVALID_REQUEST, "invalid request: a message must be a JSON object")
    if "id" in frame and request_id is None and frame["id"] is not None:
        return _error(None, INVALID_REQUEST, "invalid request: id must be a string or an integer")
    if "params" in frame and not isinstance(frame["params"], dict):
        return _error(
            request_id,
            INVALID_REQUEST,
            f"invalid request: params must be an object, not {_kind(frame['params'])}",
        )
    where = _lone_surrogate(frame)
    if where is not None:
        return _error(
            request_id,
            INVALID_REQUEST,
            f"invalid request: {where} holds a lone UTF-16 surrogate (\\ud800-\\udfff), which "
            "is not valid Unicode; encode the text as UTF-8",
        )
    try:
        types.jsonrpc_message_adapter.validate_json(line, by_name=False)
    except Exception as exc:
        first: list[Any] = getattr(exc, "errors", lambda: [{}])()[:1]
        detail = first[0].get("msg", type(exc).__name__) if first else type(exc).__name__
        return _error(request_id, INVALID_REQUEST, f"invalid request: {detail}")
    return None


def _error(request_id: Any, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(
        jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message)
    )


def _id_of(frame: Any) -> str | int | None:
    if not isinstance(frame, dict):
        return None
    value = frame.get("id")
    if isinstance(value, str) and _lone_surrogate(value) is None:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _kind(value: Any) -> str:
    return {str: "a string", list: "an array", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _lone_surrogate(value: Any, where: str = "the message") -> str | None:
    """Where in ``value`` a string holds a surrogate code point (json.loads lets them in)."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                stack.append((key, f"a key in {path}"))
                stack.append((child, f"{path}.{key}" if path != "the message" else str(key)))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(item))
    return None


class _KeepOpenText(TextIOWrapper):
    """A text layer over the process's stdin that never closes the buffer under it."""

    def close(self) -> None:
        with suppress(ValueError):
            self.detach()


class _CheckedStdin:
    """Async lines of stdin; bad frames go to ``rejected`` instead of the transport."""

    def __init__(self, source: Any, rejected: MemoryObjectSendStream[types.JSONRPCError]) -> None:
        self._source = source
        self._rejected = rejected

    async def __aiter__(self) -> AsyncIterator[str]:
        async with self._rejected:
            async for line in self._source:
                error = check_frame(line)
                if error is None:
                    yield line
                    continue
                logger.warning("malformed JSON-RPC frame answered: %s", error.error.message)
                with suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                    await self._rejected.send(error)


async def _answer(
    rejected: MemoryObjectReceiveStream[types.JSONRPCError],
    write_stream: MemoryObjectSendStream[SessionMessage],
) -> None:
    async with rejected:
        async for error in rejected:
            with suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                await write_stream.send(SessionMessage(error))


@asynccontextmanager
async def guarded_stdio_server(stdin: Any = None, stdout: Any = None) -> AsyncIterator[Any]:
    """``mcp.server.stdio.stdio_server`` with every malformed frame answered."""
    if stdin is None:
        stdin = anyio.wrap_file(_KeepOpenText(sys.stdin.buffer, encoding="utf-8", errors="replace"))
    send, receive = anyio.create_memory_object_stream[types.JSONRPCError](64)
    checked = _CheckedStdin(stdin, send)
    transport = stdio_server(stdin=checked, stdout=stdout)  # type: ignore[arg-type]
    async with transport as (read_stream, write_stream), anyio.create_task_group() as tg:
        tg.start_soon(_answer, receive, write_stream)
        yield read_stream, write_stream
        tg.cancel_scope.cancel()


def install() -> bool:
    """Make FastMCP's stdio runner use :func:`guarded_stdio_server`; False if its layout
    changed (then frames are served by the plain transport, as before)."""
    try:
        from fastmcp.server.mixins import transport
    except ImportError:  # pragma: no cover - fastmcp is pinned
        return False
    if getattr(transport, "stdio_server", None) is not stdio_server:
        return False
    transport.stdio_server = guarded_stdio_server
    return True
