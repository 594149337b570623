"""``Tracker``: which ``AmplitudeAI`` a wrapped client reports to, and with what defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amplitude_ai.client import AmplitudeAI

# The attribute a client instance carries once it is instrumented.
TRACKER_ATTR = "_amplitude_ai_tracker"
# provider id -> the Tracker of patch_<provider>() (filled by amplitude_ai.patching, read by
# hooks that look it up at call time; kept here so they need not import patching).
PATCHED_TRACKERS: dict[str, Tracker] = {}


@dataclass(frozen=True)
class Tracker:
    """Where a wrapped client's events go.

    Attributes:
        ai: The ``AmplitudeAI`` that builds and delivers the events.
        provider: ``openai``, ``azure_openai`` or ``anthropic``.
        user_id: Default user for calls made outside a session and without
            ``amplitude_user_id``.
        explicit: ``ai`` was passed in by the caller; otherwise an active session's own
            ``AmplitudeAI`` is preferred (it shares turn numbering and privacy settings).
    """

    ai: AmplitudeAI
    provider: str
    user_id: str | None = None
    explicit: bool = False


def resolve_ai(amplitude: Any) -> tuple[AmplitudeAI, bool]:
    """An ``AmplitudeAI`` from ``amplitude=``: an ``AmplitudeAI`` (used as is), an
    ``amplitude.Amplitude`` client (shared), or ``None`` (environment configuration)."""
    from amplitude_ai.client import AmplitudeAI

    if isinstance(amplitude, AmplitudeAI):
        return amplitude, True
    return AmplitudeAI(amplitude=amplitude), False


def make_tracker(amplitude: Any, provider: str, user_id: str | None = None) -> Tracker:
    ai, explicit = resolve_ai(amplitude)
    return Tracker(ai=ai, provider=provider, user_id=user_id, explicit=explicit)


def tracker_of(client: Any) -> Tracker | None:
    return getattr(client, TRACKER_ATTR, None)
