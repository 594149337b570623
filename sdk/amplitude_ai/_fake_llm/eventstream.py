"""The AWS event-stream binary framing (``application/vnd.amazon.eventstream``).

Bedrock's streaming operations (ConverseStream, InvokeModelWithResponseStream) send their
events in this framing; botocore checks every field, so the fake writes it exactly:

    total length (uint32) | headers length (uint32) | prelude CRC32 (of the 8 bytes before)
    headers                | payload               | message CRC32 (of everything before)

A header is: name length (uint8), name, value type (uint8; 7 = string), value length
(uint16), value. All integers are big-endian.
"""

from __future__ import annotations

import struct
import zlib

_STRING = 7


def _header(name: str, value: str) -> bytes:
    key, raw = name.encode(), value.encode()
    return struct.pack("!B", len(key)) + key + struct.pack("!BH", _STRING, len(raw)) + raw


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message with string ``headers`` and ``payload``."""
    head = b"".join(_header(k, v) for k, v in headers.items())
    total = 12 + len(head) + len(payload) + 4
    prelude = struct.pack("!II", total, len(head))
    prelude += struct.pack("!I", zlib.crc32(prelude) & 0xFFFFFFFF)
    body = prelude + head + payload
    return body + struct.pack("!I", zlib.crc32(body) & 0xFFFFFFFF)


def event(event_type: str, payload: bytes) -> bytes:
    """An ``event`` message of ``event_type`` with a JSON ``payload``."""
    return encode_message(
        {
            ":event-type": event_type,
            ":content-type": "application/json",
            ":message-type": "event",
        },
        payload,
    )


def exception(exception_type: str, payload: bytes) -> bytes:
    """An in-stream ``exception`` message (e.g. ``throttlingException``)."""
    return encode_message(
        {
            ":exception-type": exception_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        payload,
    )


def decode_messages(data: bytes) -> list[tuple[dict[str, str], bytes]]:
    """The (headers, payload) of each message in ``data``; raises ``ValueError`` on a bad
    length or CRC (used by tests and by the fake's own self-check)."""
    out: list[tuple[dict[str, str], bytes]] = []
    pos = 0
    while pos < len(data):
        total, head_len, prelude_crc = struct.unpack_from("!III", data, pos)
        if zlib.crc32(data[pos : pos + 8]) & 0xFFFFFFFF != prelude_crc:
            raise ValueError("bad prelude CRC")
        end = pos + total
        (message_crc,) = struct.unpack_from("!I", data, end - 4)
        if zlib.crc32(data[pos : end - 4]) & 0xFFFFFFFF != message_crc:
            raise ValueError("bad message CRC")
        headers: dict[str, str] = {}
        cursor = pos + 12
        while cursor < pos + 12 + head_len:
            (name_len,) = struct.unpack_from("!B", data, cursor)
            name = data[cursor + 1 : cursor + 1 + name_len].decode()
            cursor += 1 + name_len
            kind, value_len = struct.unpack_from("!BH", data, cursor)
            if kind != _STRING:
                raise ValueError(f"header type {kind} is not emitted by this fake")
            headers[name] = data[cursor + 3 : cursor + 3 + value_len].decode()
            cursor += 3 + value_len
        out.append((headers, data[pos + 12 + head_len : end - 4]))
        pos = end
    return out
