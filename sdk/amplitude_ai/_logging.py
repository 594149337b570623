"""Logging helpers: the SDK logs each kind of problem once, never floods the host app."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

logger = logging.getLogger("amplitude_ai")

_seen: set[str] = set()
_lock = threading.Lock()
# Rate-limited warnings: key -> (time of the last one logged, occurrences not logged since).
_recent: dict[str, tuple[float, int]] = {}
_MAX_RATE_KEYS = 4096
RATE_LIMIT_SECONDS = 60.0


def log_once(key: str, level: int, message: str, *args: Any, exc_info: bool = False) -> None:
    """Log ``message`` the first time ``key`` is seen in this process."""
    with _lock:
        if key in _seen:
            return
        _seen.add(key)
    logger.log(level, message, *args, exc_info=exc_info)


def warn_rate_limited(key: str, message: str, *args: Any) -> None:
    """Log a warning for ``key`` at most once per :data:`RATE_LIMIT_SECONDS`.

    Unlike :func:`log_once`, a problem that keeps happening is reported again after the
    interval, with the number of occurrences in between, so it never turns silent.
    """
    now = time.monotonic()
    with _lock:
        last, suppressed = _recent.get(key, (None, 0))
        if last is not None and now - last < RATE_LIMIT_SECONDS:
            _recent[key] = (last, suppressed + 1)
            return
        if last is None and len(_recent) >= _MAX_RATE_KEYS:
            _recent.pop(next(iter(_recent)))
        _recent[key] = (now, 0)
    if suppressed:
        message += " (%d more times in the last %d s)"
        args = (*args, suppressed, int(now - last)) if last is not None else args
    logger.warning(message, *args)


def reset_log_once() -> None:
    """Forget which problems were logged (tests use this)."""
    with _lock:
        _seen.clear()
        _recent.clear()
