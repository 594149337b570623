"""Process-wide state shared between the client and the patching layer."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

# Names of the provider SDKs currently monkey-patched by ``amplitude_ai.patch*``.
patched_providers: set[str] = set()

# The last user message tracked per conversation, so that a provider wrapper does not track
# the same user turn again (the app tracked it itself, or an agent loop re-sends it).
_MAX_CONVERSATIONS = 10_000
_last_user_message: OrderedDict[str, tuple[str | None, str]] = OrderedDict()
_lock = threading.Lock()


def conversation_key(session_id: str | None, user_id: str | None) -> str | None:
    """The session, or the user when there is no session; ``None`` when neither is known."""
    if session_id:
        return f"s:{session_id}"
    if user_id:
        return f"u:{user_id}"
    return None


def _normalise(content: Any) -> str | None:
    if isinstance(content, str):
        return content.strip()
    return None


def remember_user_message(key: str | None, trace_id: str | None, content: Any) -> None:
    """Record the user message just tracked for conversation ``key``."""
    text = _normalise(content)
    if key is None or text is None:
        return
    with _lock:
        _last_user_message[key] = (trace_id, text)
        _last_user_message.move_to_end(key)
        if len(_last_user_message) > _MAX_CONVERSATIONS:
            _last_user_message.popitem(last=False)


def user_message_seen(key: str | None, trace_id: str | None, content: Any) -> bool:
    """True when ``content`` is the last user message tracked in this conversation and trace."""
    text = _normalise(content)
    if key is None or text is None:
        return False
    last = _last_user_message.get(key)
    return last is not None and last == (trace_id, text)
