"""Malformed JSON-RPC frames get an error reply (not silence), and the server keeps serving."""

from __future__ import annotations

import json
import random
from pathlib import Path
from queue import Empty

import pytest

from amplitude_ai_mcp.frames import INVALID_REQUEST, PARSE_ERROR, check_frame

from .test_stdio import RawClient

VALID = [
    '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    '{"jsonrpc":"2.0","id":"a","method":"tools/list","params":{}}',
    '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    '{"jsonrpc":"2.0","id":2,"result":{}}',
    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"x","arguments":{"q":"é ☃"}}}',
]


@pytest.mark.parametrize("line", VALID)
def test_valid_frames_pass_unchanged(line):
    assert check_frame(line) is None


@pytest.mark.parametrize(
    ("line", "code", "request_id", "words"),
    [
        ("{not json", PARSE_ERROR, None, "not valid JSON"),
        ('[{"jsonrpc":"2.0","id":4,"method":"ping"}]', INVALID_REQUEST, None, "batch"),
        (
            '{"jsonrpc":"2.0","id":5,"method":"tools/list","params":"abc"}',
            INVALID_REQUEST,
            5,
            "params must be an object, not a string",
        ),
        ('{"jsonrpc":"2.0","id":6,"method":"ping","params":[1]}', INVALID_REQUEST, 6, "an array"),
        (
            '{"jsonrpc":"2.0","id":7,"method":"x","params":{"q":"\\ud800"}}',
            INVALID_REQUEST,
            7,
            "lone UTF-16 surrogate",
        ),
        (
            '{"jsonrpc":"2.0","id":8,"method":"x","params":{"\\udfff":1}}',
            INVALID_REQUEST,
            8,
            "surrogate",
        ),
        ('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', INVALID_REQUEST, None, "id must be"),
        ('{"jsonrpc":"2.0","id":true,"method":"ping"}', INVALID_REQUEST, None, "id must be"),
        ('{"jsonrpc":"1.0","id":9,"method":"ping"}', INVALID_REQUEST, 9, "invalid request"),
        ('{"id":10,"method":"ping"}', INVALID_REQUEST, 10, "invalid request"),
        ('"just a string"', INVALID_REQUEST, None, "JSON object"),
        ("42", INVALID_REQUEST, None, "JSON object"),
    ],
)
def test_malformed_frames_get_the_specified_error(line, code, request_id, words):
    error = check_frame(line)
    assert error is not None
    assert error.error.code == code
    assert error.id == request_id
    assert words in error.error.message


def malformed_corpus(seed: int = 12, count: int = 120) -> list[str]:
    """Hand-picked malformations plus random mutations of a valid request."""
    base = '{"jsonrpc":"2.0","id":%d,"method":"tools/list","params":{}}'
    picked = [
        "{",
        "[]",
        "[1, 2]",
        "null",
        '{"jsonrpc":"2.0","id":%d,"method":"ping","params":"s"}',
        '{"jsonrpc":"2.0","id":%d,"method":"ping","params":3}',
        '{"jsonrpc":"2.0","id":%d,"method":"ping","params":{"a":"\\ud83d"}}',
        '[{"jsonrpc":"2.0","id":%d,"method":"ping"},{"jsonrpc":"2.0","id":99,"method":"ping"}]',
        '{"jsonrpc":"2.0","id":[%d],"method":"ping"}',
        '{"jsonrpc":"2.0","id":%d,"method":5}',
    ]
    rng = random.Random(seed)
    out = [p % i if "%d" in p else p for i, p in enumerate(picked, start=1000)]
    while len(out) < count:
        text = base % (2000 + len(out))
        cut = rng.randrange(1, len(text) - 1)
        mutated = text[:cut] + rng.choice(['"', "}", "{", ",", "\\", "]", ":"]) + text[cut + 1 :]
        if check_frame(mutated) is not None:
            out.append(mutated)
    return out


@pytest.mark.reliability
def test_every_malformed_frame_is_answered_over_stdio_and_the_server_survives(
    example_app: Path,
):
    corpus = malformed_corpus()
    client = RawClient(example_app)
    try:
        client.initialize()
        answered = 0
        for line in corpus:
            assert client.proc.stdin is not None
            client.proc.stdin.write(line + "\n")
            client.proc.stdin.flush()
            try:
                frame = client.frames.get(timeout=30)
            except Empty:
                raise AssertionError(f"no reply to {line!r}") from None
            assert "error" in frame, (line, frame)
            answered += 1
        alive = client.wait_for(client.request("ping"))
    finally:
        stderr = client.close()
    print(
        f"\nmalformed frames: {len(corpus)} sent, {answered} answered with an error, "
        f"server alive: {alive.get('result') == {}}"
    )
    assert answered == len(corpus)
    assert alive["result"] == {}
    assert "Traceback" not in stderr
    json.dumps(corpus)  # the corpus itself is plain text
