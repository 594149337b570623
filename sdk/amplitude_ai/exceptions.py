"""Exceptions raised by the SDK.

Tracking never raises into the host application, with one deliberate exception: when
``AIConfig(validate=True)`` is set, bad inputs raise :class:`ValidationError` so that
tests and CI catch them early.
"""

from __future__ import annotations


class AmplitudeAIError(Exception):
    """Base class for every error this SDK raises on purpose."""


class ValidationError(AmplitudeAIError, ValueError):
    """A tracking call received input that would produce an invalid event.

    Only raised when ``AIConfig(validate=True)``; otherwise the problem is logged once and
    the call continues.
    """


class ConfigurationError(AmplitudeAIError, ValueError):
    """The SDK was configured with a value it cannot use (unknown content mode, bad regex)."""
