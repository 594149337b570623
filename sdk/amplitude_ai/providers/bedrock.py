"""Instrumented AWS Bedrock runtime client: ``amplitude_ai.Bedrock``.

boto3 makes clients with a factory (``boto3.client("bedrock-runtime", ...)``), so the
drop-in is a factory too: ``Bedrock(amplitude=..., region_name=...)`` takes
``boto3.client``'s own keyword arguments (``region_name``, ``endpoint_url``, ``config``,
credentials ...) or ``session=`` a ``boto3.Session``, and returns a real botocore
``bedrock-runtime`` client whose calls are tracked: ``converse``, ``converse_stream``,
``invoke_model`` and ``invoke_model_with_response_stream`` (see ``_bedrock_fields`` for
what is read from each, ``_bedrock_hook`` for where and why). Each of these methods also
accepts the ``amplitude_*`` per-call keyword arguments.

Synchronous boto3 only: aioboto3 / aiobotocore clients are not instrumented.
"""

from __future__ import annotations

import copy as _copy
from typing import Any

import boto3 as _boto3

from amplitude_ai.exceptions import ConfigurationError

from ._bedrock_hook import PROVIDER, SERVICE, instrument_client, is_bedrock_client
from ._compat import note_untested
from ._factory import INSTRUMENTED_MARK
from ._tracker import TRACKER_ATTR, Tracker, make_tracker


def _track(client: Any, tracker: Tracker) -> Any:
    instrument_client(client, tracker)
    setattr(client, TRACKER_ATTR, tracker)
    return client


class Bedrock:
    """``boto3.client("bedrock-runtime", ...)`` that tracks its model calls as ``[Agent]``
    events. Constructing it returns the boto3 client itself (not an instance of this
    class), so everything boto3 documents works on it unchanged."""

    _amplitude_provider = PROVIDER

    def __new__(
        cls,
        service_name: str = SERVICE,
        *,
        amplitude: Any = None,
        amplitude_user_id: str | None = None,
        session: Any = None,
        **kwargs: Any,
    ) -> Any:
        if service_name != SERVICE:
            raise ConfigurationError(
                f"Bedrock() builds a {SERVICE!r} client, not {service_name!r}; create other "
                "AWS clients with boto3 directly"
            )
        factory = session.client if session is not None else _boto3.client
        client = factory(SERVICE, **kwargs)
        note_untested(PROVIDER)  # a release outside the tested range: logged once
        return _track(client, make_tracker(amplitude, PROVIDER, amplitude_user_id))


setattr(Bedrock, INSTRUMENTED_MARK, True)


def owns(client: Any) -> bool:
    """Whether ``wrap()`` should hand ``client`` to :func:`wrap_client`."""
    return is_bedrock_client(client)


def wrap_client(client: Any, amplitude: Any = None, user_id: str | None = None) -> Any:
    """An instrumented copy of a boto3 ``bedrock-runtime`` client: it shares the original's
    credentials, configuration and connection pool but has its own event emitter, so the
    original stays untracked. An already instrumented client is returned unchanged."""
    if getattr(client, TRACKER_ATTR, None) is not None:
        return client
    # copy.copy() would recurse through botocore's __getattr__ on the half-built copy.
    new = object.__new__(type(client))
    vars(new).update(vars(client))
    meta = _copy.copy(client.meta)
    meta.events = _copy.copy(client.meta.events)
    new.meta = meta
    note_untested(PROVIDER)
    return _track(new, make_tracker(amplitude, PROVIDER, user_id))
