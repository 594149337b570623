"""Configuration: :class:`AIConfig`, :class:`ContentMode` and the environment variables.

Environment variables fill in whatever the caller did not pass explicitly:

``AMPLITUDE_AI_API_KEY``
    API key used when ``AmplitudeAI`` creates its own Amplitude client.
``AMPLITUDE_AI_CONTENT_MODE``
    ``full`` (default), ``metadata_only`` or ``customer_enriched``. An unknown value falls
    back to ``metadata_only`` with a warning: a typo must never start sending content.
``AMPLITUDE_AI_DEBUG``
    ``true``/``1``/``yes`` prints a one-line summary of every event to stderr.
``AMPLITUDE_AI_SERVER_URL``
    Full ingestion URL (a proxy, or a local capture server in tests).
``AMPLITUDE_AI_SERVER_ZONE``
    ``US`` (default) or ``EU`` for EU data residency.
``AMPLITUDE_AI_SPOOL``
    ``false``/``0``/``no``/``off`` turns the local spool of undelivered events off.
``AMPLITUDE_AI_SPOOL_DIR``
    Where the spool lives (default: ``~/.cache/amplitude-ai/spool``).
"""

from __future__ import annotations

import enum
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .exceptions import ConfigurationError

logger = logging.getLogger("amplitude_ai")

ENV_API_KEY = "AMPLITUDE_AI_API_KEY"
ENV_CONTENT_MODE = "AMPLITUDE_AI_CONTENT_MODE"
ENV_DEBUG = "AMPLITUDE_AI_DEBUG"
ENV_SERVER_URL = "AMPLITUDE_AI_SERVER_URL"
ENV_SERVER_ZONE = "AMPLITUDE_AI_SERVER_ZONE"
ENV_SPOOL = "AMPLITUDE_AI_SPOOL"
ENV_SPOOL_DIR = "AMPLITUDE_AI_SPOOL_DIR"

_TRUTHY = frozenset({"1", "true", "yes", "on"})
_FALSY = frozenset({"0", "false", "no", "off"})


class ContentMode(str, enum.Enum):
    """How much conversation content leaves the process."""

    FULL = "full"
    """Send content; Amplitude runs its server-side enrichments on it."""
    METADATA_ONLY = "metadata_only"
    """Send no content at all: ids, counts, timings, cost, flags only."""
    CUSTOMER_ENRICHED = "customer_enriched"
    """Send no content, but send the enrichments you computed yourself in full."""

    @classmethod
    def parse(cls, value: ContentMode | str) -> ContentMode:
        """Accept an enum member or its string value (case-insensitive)."""
        if isinstance(value, ContentMode):
            return value
        if isinstance(value, str):
            normalized = value.strip().lower().replace("-", "_")
            for mode in cls:
                if mode.value == normalized:
                    return mode
        allowed = ", ".join(repr(m.value) for m in cls)
        raise ConfigurationError(f"unknown content mode {value!r}; expected one of {allowed}")


def env_flag(name: str) -> bool:
    """True when the environment variable holds a truthy word."""
    return os.environ.get(name, "").strip().lower() in _TRUTHY


def _content_mode_from_env() -> ContentMode:
    raw = os.environ.get(ENV_CONTENT_MODE)
    if not raw:
        return ContentMode.FULL
    try:
        return ContentMode.parse(raw)
    except ConfigurationError:
        logger.warning(
            "%s=%r is not a content mode; using 'metadata_only' so that no content is sent",
            ENV_CONTENT_MODE,
            raw,
        )
        return ContentMode.METADATA_ONLY


def _server_zone_from_env() -> str:
    return os.environ.get(ENV_SERVER_ZONE, "US").strip().upper() or "US"


EventCallback = Callable[[Any, int, "str | None"], None]


@dataclass
class AIConfig:
    """Behaviour of an :class:`~amplitude_ai.AmplitudeAI` instance.

    Every field has a safe default; ``content_mode``, ``debug``, ``server_url`` and
    ``server_zone`` default to the matching environment variable when it is set.
    """

    content_mode: ContentMode | str = field(default_factory=_content_mode_from_env)
    redact_pii: bool = False
    custom_redaction_patterns: list[str] = field(default_factory=list)
    debug: bool = field(default_factory=lambda: env_flag(ENV_DEBUG))
    dry_run: bool = False
    validate: bool = False
    on_event_callback: EventCallback | None = None
    propagate_context: bool = False
    server_url: str | None = field(default_factory=lambda: os.environ.get(ENV_SERVER_URL) or None)
    server_zone: str = field(default_factory=_server_zone_from_env)
    # Events still undelivered when shutdown()'s deadline passes are written here (bounded,
    # mode 0600) and resent by the next start with the same API key; see amplitude_ai.spool.
    spool: bool = field(
        default_factory=lambda: os.environ.get(ENV_SPOOL, "").strip().lower() not in _FALSY
    )
    spool_dir: str | None = field(default_factory=lambda: os.environ.get(ENV_SPOOL_DIR) or None)
    spool_max_bytes: int = 5_000_000

    compiled_redaction_patterns: tuple[re.Pattern[str], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.content_mode = ContentMode.parse(self.content_mode)
        self.server_zone = self.server_zone.upper()
        if self.server_zone not in ("US", "EU"):
            raise ConfigurationError(f"server_zone must be 'US' or 'EU', got {self.server_zone!r}")
        compiled = []
        for pattern in self.custom_redaction_patterns:
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                raise ConfigurationError(
                    f"custom_redaction_patterns: {pattern!r} is not a valid regex ({exc})"
                ) from exc
        self.compiled_redaction_patterns = tuple(compiled)
        if self.spool_max_bytes < 0:
            raise ConfigurationError("spool_max_bytes must be >= 0")
        if self.on_event_callback is not None and not callable(self.on_event_callback):
            raise ConfigurationError("on_event_callback must be callable(event, code, message)")

    @property
    def mode(self) -> ContentMode:
        """``content_mode`` as the enum (it is normalised in ``__post_init__``)."""
        mode = self.content_mode
        assert isinstance(mode, ContentMode)
        return mode
