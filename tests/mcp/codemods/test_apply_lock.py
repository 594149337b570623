"""The apply lock: exclusive per directory, across threads and processes, never deadlocking."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from amplitude_ai_mcp.codemods import apply_lock
from amplitude_ai_mcp.workspace import WorkspaceError


def test_a_second_holder_waits_then_gets_a_clear_error(tmp_path: Path):
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with apply_lock.hold([tmp_path]):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        with (
            pytest.raises(WorkspaceError, match="another apply"),
            apply_lock.hold([tmp_path], wait=0.1),
        ):
            pass
    finally:
        release.set()
        thread.join()
    with apply_lock.hold([tmp_path], wait=1):  # free again
        pass


def test_another_process_holding_the_directory_blocks_this_one(tmp_path: Path):
    pytest.importorskip("fcntl")
    script = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with (
            pytest.raises(WorkspaceError, match="another apply"),
            apply_lock.hold([tmp_path], wait=0.2),
        ):
            pass
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    with apply_lock.hold([tmp_path], wait=5):
        pass


def test_overlapping_directory_sets_in_opposite_order_do_not_deadlock(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    done: list[str] = []

    def worker(dirs: list[Path], name: str) -> None:
        for _ in range(50):
            with apply_lock.hold(dirs, wait=10):
                time.sleep(0.0005)
        done.append(name)

    threads = [
        threading.Thread(target=worker, args=([a, b], "ab")),
        threading.Thread(target=worker, args=([b, a], "ba")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(done) == ["ab", "ba"]
