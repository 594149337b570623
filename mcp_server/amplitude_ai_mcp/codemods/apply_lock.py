"""One apply at a time per directory it writes to, across threads and server processes.

``instrument_file(apply=true)`` checks each file against what its plan read and then writes
it; two applies doing that at once lose updates (the project's one bootstrap module is the
file every apply shares). ``hold(dirs)`` serialises them: a ``threading.Lock`` per directory
for the requests of this server (sync tools run in worker threads), then an advisory
``flock`` on the directory itself for other server processes on the same project. Locking
the directory, not the file, matters: writes replace the file (new inode), and no lock file
is left in the user's project. Where ``flock`` is unavailable (Windows) only the in-process
lock applies. Directories are taken in sorted order, so two applies never deadlock.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from amplitude_ai_mcp.workspace import WorkspaceError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

WAIT_SECONDS = 120.0  # an apply takes well under a second; a stuck one is reported, not waited on
_POLL_SECONDS = 0.02

_guard = threading.Lock()
_thread_locks: dict[str, threading.Lock] = {}


def _thread_lock(key: str) -> threading.Lock:
    with _guard:
        return _thread_locks.setdefault(key, threading.Lock())


@contextmanager
def hold(dirs: Iterable[Path], wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Exclusive access to ``dirs`` for this thread (and process) until the block ends."""
    deadline = time.monotonic() + wait
    with ExitStack() as stack:
        for key in sorted({os.path.realpath(d) for d in dirs}):
            stack.enter_context(_hold_one(key, deadline))
        yield


@contextmanager
def _hold_one(key: str, deadline: float) -> Iterator[None]:
    lock = _thread_lock(key)
    if not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise _busy(key)
    try:
        fd = _open_dir(key)
        try:
            if fd is not None:
                _flock(fd, key, deadline)
            yield
        finally:
            if fd is not None:
                os.close(fd)  # closing the descriptor releases the flock
    finally:
        lock.release()


def _open_dir(key: str) -> int | None:
    if fcntl is None:  # pragma: no cover - Windows
        return None
    try:
        return os.open(key, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None  # unreadable directory: the write itself will say what is wrong


def _flock(fd: int, key: str, deadline: float) -> None:
    assert fcntl is not None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise _busy(key) from None
            time.sleep(_POLL_SECONDS)
        except OSError:
            return  # a filesystem without flock support: the in-process lock still holds


def _busy(key: str) -> WorkspaceError:
    return WorkspaceError(
        f"another apply has been writing to {Path(key).name}/ for over {WAIT_SECONDS:.0f} s "
        "(this or another amplitude-ai-mcp process); try again when it has finished"
    )
