"""Fixtures for delivery tests: a local Amplitude capture server and real clients aimed at it.

The ``tests`` directory is put on ``sys.path`` so that test modules can import the shared
helpers as ``from support.capture_server import CaptureServer`` (the suite runs with
``--import-mode=importlib``, which does not add it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_TESTS_DIR = str(Path(__file__).resolve().parent.parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

import pytest  # noqa: E402
from amplitude import Amplitude, Config  # noqa: E402
from amplitude.constants import PluginType  # noqa: E402

from amplitude_ai import AIConfig, AmplitudeAI  # noqa: E402
from support.capture_server import CaptureServer  # noqa: E402

API_KEY = "test-key"
AI_ENV_VARS = (
    "AMPLITUDE_AI_API_KEY",
    "AMPLITUDE_AI_CONTENT_MODE",
    "AMPLITUDE_AI_DEBUG",
    "AMPLITUDE_AI_SERVER_URL",
    "AMPLITUDE_AI_SERVER_ZONE",
)


@pytest.fixture
def clean_ai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``AMPLITUDE_AI_*`` variable from the outer environment leaks into ``AIConfig``."""
    for name in AI_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tracked_records(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """Every event record the SDK handed to delivery during this test, in order.

    Kept by the suite-wide catalog guard in ``tests/conftest.py``; lets a test compare what
    was tracked with what arrived.
    """
    return request.getfixturevalue("_events_match_catalog")


@pytest.fixture
def capture_server() -> Iterator[CaptureServer]:
    """A running :class:`CaptureServer`, stopped at teardown."""
    server = CaptureServer().start()
    try:
        yield server
    finally:
        server.stop()


class DeliveryClients:
    """Creates real clients aimed at the capture server; shuts them all down at teardown."""

    def __init__(self, server: CaptureServer) -> None:
        self.server = server
        self._amplitudes: list[Any] = []

    def sdk_owned(self, **config: Any) -> AmplitudeAI:
        """``AmplitudeAI(api_key=...)``: the SDK creates (and owns) the Amplitude client."""
        config.setdefault("server_url", self.server.url)
        return self.adopt(AmplitudeAI(api_key=API_KEY, config=AIConfig(**config)))

    def adopt(self, ai: AmplitudeAI) -> AmplitudeAI:
        """Shut down (at teardown) an ``AmplitudeAI`` the test created itself."""
        if ai.amplitude is not None:
            self._amplitudes.append(ai.amplitude)
        return ai

    def amplitude(self, **config: Any) -> Amplitude:
        """An ``amplitude.Amplitude`` of the application's own, to share with the SDK.

        ``flush_interval_millis`` defaults to 100 ms so that the library's background
        consumer re-sends retried events promptly.
        """
        config.setdefault("server_url", self.server.url)
        config.setdefault("flush_interval_millis", 100)
        client = Amplitude(API_KEY, Config(**config))
        self._amplitudes.append(client)
        return client

    def shared(self, ai_config: AIConfig | None = None, **config: Any) -> AmplitudeAI:
        """``AmplitudeAI(amplitude=...)`` over a new :meth:`amplitude` client."""
        return AmplitudeAI(self.amplitude(**config), config=ai_config)

    def close(self) -> None:
        self.server.clear_faults()
        if not self.server.running:
            self.server.start()
        for client in self._amplitudes:
            client.shutdown()
            _wake_consumer(client)


def _wake_consumer(client: Any) -> None:
    """Let the library's consumer thread end now rather than after its flush interval.

    amplitude-analytics runs a non-daemon consumer thread that sleeps up to
    ``flush_interval_millis`` (10 s by default) and ``shutdown()`` does not wake it, so an
    interpreter exiting right after a test would wait for it. Best effort: private API.
    """
    timeline = getattr(client, "_Amplitude__timeline", None)
    plugins = getattr(timeline, "plugins", {}) or {}
    for plugin in plugins.get(PluginType.DESTINATION, []):
        lock = getattr(getattr(plugin, "storage", None), "lock", None)
        if lock is not None:
            with lock:
                lock.notify_all()


@pytest.fixture
def delivery_clients(capture_server: CaptureServer) -> Iterator[DeliveryClients]:
    """A :class:`DeliveryClients` factory bound to this test's ``capture_server``."""
    clients = DeliveryClients(capture_server)
    try:
        yield clients
    finally:
        clients.close()
