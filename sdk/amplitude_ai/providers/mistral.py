"""Instrumented Mistral client: ``amplitude_ai.Mistral``.

A real subclass of mistralai's ``Mistral`` (``mistralai.client.Mistral`` from 2.0,
``mistralai.Mistral`` in 1.x): construct it with ``amplitude=`` plus Mistral's own
arguments. Tracked: ``chat.complete``/``complete_async``, ``chat.stream``/``stream_async``
(usage and TTFB from the stream) and ``embeddings.create``/``create_async``; thinking
chunks become reasoning content and tool calls are recorded. Where the hook sits, and why,
is explained in ``_mistral_hook``.
"""

from __future__ import annotations

import copy as _copy
import importlib
from typing import Any

from ._compat import note_untested
from ._factory import INSTRUMENTED_MARK
from ._mistral_hook import METHODS, PROVIDER, instrument_resource
from ._tracker import Tracker, make_tracker
from .registry import BY_ID


def provider_class() -> type[Any]:
    """mistralai's ``Mistral`` class, wherever this release defines it."""
    for module_name in BY_ID[PROVIDER].import_paths:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        cls = getattr(module, "Mistral", None)
        if isinstance(cls, type):
            return cls
    raise ImportError("mistralai is not installed (pip install 'amplitude-ai[mistral]')")


_Base: Any = provider_class()


def _instrument(client: Any, tracker: Tracker) -> None:
    for attr in METHODS:
        resource = getattr(client, attr, None)
        if resource is not None:
            instrument_resource(resource, attr, tracker)


class Mistral(_Base):
    """mistralai's ``Mistral`` that tracks its chat and embedding calls."""

    def __init__(
        self,
        *args: Any,
        amplitude: Any = None,
        amplitude_user_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        note_untested(PROVIDER)  # a release outside the tested range: logged once
        _instrument(self, make_tracker(amplitude, PROVIDER, amplitude_user_id))


setattr(Mistral, INSTRUMENTED_MARK, True)
Mistral._amplitude_provider = PROVIDER


def wrap_client(client: Any, amplitude: Any = None, user_id: str | None = None) -> Any:
    """An instrumented ``Mistral`` copy of ``client`` sharing its configuration and HTTP
    clients; ``client`` stays untracked (the copy keeps it alive: it owns the connections)."""
    new = _copy.copy(client)
    new.__class__ = Mistral
    fields = vars(new)
    for attr in METHODS:
        resource = client.__dict__.get(attr) or getattr(client, attr, None)
        if resource is not None:
            fields[attr] = _copy.copy(resource)
    fields["_amplitude_wrapped_from"] = client
    _instrument(new, make_tracker(amplitude, PROVIDER, user_id))
    return new
