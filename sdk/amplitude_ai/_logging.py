"""Logging helpers: the SDK logs each kind of problem once, never floods the host app."""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger("amplitude_ai")

_seen: set[str] = set()
_lock = threading.Lock()


def log_once(key: str, level: int, message: str, *args: Any, exc_info: bool = False) -> None:
    """Log ``message`` the first time ``key`` is seen in this process."""
    with _lock:
        if key in _seen:
            return
        _seen.add(key)
    logger.log(level, message, *args, exc_info=exc_info)


def reset_log_once() -> None:
    """Forget which problems were logged (tests use this)."""
    with _lock:
        _seen.clear()
