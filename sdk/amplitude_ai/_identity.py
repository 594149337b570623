"""Identity fallbacks for events tracked without a user or without a session.

Amplitude rejects an event with neither a user id nor a device id, and the event catalog
requires ``[Agent] Session ID`` on every SDK event. Zero-code and wrapper setups often know
neither, so:

* **Anonymous device.** Provider calls (and ``@tool``/``@observe`` calls) made without any
  user identity are tracked under one device id per program, ``amplitude-ai:<program>``.
* **Default session.** An event tracked outside any session, without ``session_id``,
  belongs to a *default session*: one per user (or anonymous device) per process, with
  the id ``default-<uuid>``. The uuid is derived from a random per-process value and the
  user, so the same user's session-less events in one run share one session (turn numbers
  included) while different users, and different runs, never share one. No
  ``[Agent] Session End`` is sent for it: Amplitude closes it after 30 idle minutes.
  Open ``agent.session()`` for real conversation boundaries.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import uuid

from ._logging import log_once

DEFAULT_SESSION_PREFIX = "default-"
_PROCESS_NAMESPACE = uuid.uuid4()  # new every run: default sessions never span processes


@functools.cache
def anonymous_device_id() -> str:
    """The device id of calls made without any user identity (one per program)."""
    program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    log_once(
        "anonymous-device",
        logging.WARNING,
        "amplitude_ai: LLM calls without a user id are tracked under the anonymous device "
        "id 'amplitude-ai:%s' (aggregate metrics only); pass amplitude_user_id=... or call "
        "inside agent.session(user_id=...) for per-user analytics",
        program or "python",
    )
    return f"amplitude-ai:{program or 'python'}"


@functools.lru_cache(maxsize=4096)
def default_session_id(user_id: str | None, device_id: str | None) -> str:
    """The default session of this user (or device) in this process."""
    who = f"u:{user_id}" if user_id else f"d:{device_id or ''}"
    return DEFAULT_SESSION_PREFIX + str(uuid.uuid5(_PROCESS_NAMESPACE, who))


def is_default_session(session_id: str | None) -> bool:
    return bool(session_id) and str(session_id).startswith(DEFAULT_SESSION_PREFIX)
