"""The local spool of undelivered events, and how delivery failures are classified."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from amplitude_ai.outbox import retryable
from amplitude_ai.spool import Spool


def record(i: int) -> dict:
    return {
        "event_type": "[Agent] User Message",
        "user_id": "u1",
        "insert_id": f"id-{i}",
        "time": 1_700_000_000_000 + i,
        "event_properties": {"[Agent] Session ID": "s1", "n": i},
    }


def test_round_trip_keeps_every_field_and_removes_the_file(tmp_path: Path):
    spool = Spool(tmp_path / "spool", "key-a", 1_000_000)
    assert spool.write([record(i) for i in range(3)]) == 3
    (path,) = (tmp_path / "spool").glob("*.jsonl")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "spool").stat().st_mode) == 0o700
    assert Spool(tmp_path / "spool", "key-a", 1_000_000).claim() == [record(i) for i in range(3)]
    assert list((tmp_path / "spool").iterdir()) == []


def test_files_are_per_api_key_and_claimed_once(tmp_path: Path):
    Spool(tmp_path, "key-a", 1_000_000).write([record(1)])
    assert Spool(tmp_path, "key-b", 1_000_000).claim() == []
    first, second = Spool(tmp_path, "key-a", 1_000_000), Spool(tmp_path, "key-a", 1_000_000)
    assert first.claim() == [record(1)]
    assert second.claim() == []
    assert "key-a" not in "".join(p.name for p in tmp_path.iterdir())  # only a hash is shown


def test_the_cap_counts_what_is_already_spooled(tmp_path: Path):
    spool = Spool(tmp_path, "key-a", 600)
    first = spool.write([record(i) for i in range(10)])
    assert 0 < first < 10
    assert spool.write([record(i) for i in range(10, 20)]) == 0  # full
    assert sum(p.stat().st_size for p in tmp_path.glob("*.jsonl")) <= 600


def test_damaged_lines_are_skipped_not_fatal(tmp_path: Path):
    spool = Spool(tmp_path, "key-a", 1_000_000)
    spool.write([record(1), record(2)])
    (path,) = tmp_path.glob("*.jsonl")
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(
        lines[0]
        + b"{not json\n"
        + b'{"event_type": 1}\n'
        + b"[]\n"
        + lines[1][: len(lines[1]) // 2]
    )
    assert spool.claim() == [record(1)]


def test_an_unwritable_directory_reports_zero_written(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert Spool(blocker / "spool", "key-a", 1_000_000).write([record(1)]) == 0


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (-1, "Connection refused", True),
        (0, "", True),
        (408, "", True),
        (429, "Too many requests", True),
        (429, "Exceeded daily quota", False),
        (500, "", True),
        (503, "Event reached max retry times 12.", True),
        (400, "Invalid field values on some events", False),
        (400, "Event reached max retry times 12.", False),
        (413, "Payload too large", False),
    ],
)
def test_what_is_worth_another_try(code, message, expected):
    assert retryable(code, message) is expected
