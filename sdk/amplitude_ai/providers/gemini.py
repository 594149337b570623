"""Instrumented Gemini client: ``amplitude_ai.Gemini``.

A real subclass of ``google.genai.Client`` (Gemini API and Vertex AI alike): construct it
with ``amplitude=`` plus the client's own arguments. Tracked: ``models.generate_content``,
``models.generate_content_stream`` and ``models.embed_content``, their ``client.aio``
twins, and chats (``client.chats.create(...).send_message[_stream]``), which run on
them. Thinking parts become reasoning content; function calls become tool calls. Where
the hook sits, and why, is explained in ``_gemini_hook``.

``model_name=`` sets a default model for the client-level shortcuts
``client.generate_content(contents)`` / ``client.generate_content_stream(contents)``.
"""

from __future__ import annotations

import copy as _copy
from typing import Any

from google import genai as _genai

from amplitude_ai.exceptions import ConfigurationError

from ._compat import note_untested
from ._direct import kwargs_shim
from ._factory import INSTRUMENTED_MARK
from ._gemini_hook import PROVIDER, instrument_api_client
from ._tracker import Tracker, make_tracker

# The per-call ``amplitude_*`` kwargs are accepted on these methods of client.models and
# client.aio.models (chats run on those; inside a session they need no kwargs at all).
MODEL_METHODS = ("generate_content", "generate_content_stream", "embed_content")


def _shim_models(client: Any) -> None:
    for models in (client.models, client.aio.models):
        for name in MODEL_METHODS:
            method = getattr(models, name, None)
            if method is not None and name not in vars(models):
                setattr(models, name, kwargs_shim(method))


class Gemini(_genai.Client):
    """``google.genai.Client`` that tracks its model calls as ``[Agent]`` events."""

    def __init__(
        self,
        *args: Any,
        amplitude: Any = None,
        amplitude_user_id: str | None = None,
        model_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        note_untested(PROVIDER)  # a release outside the tested range: logged once
        self._amplitude_setup(make_tracker(amplitude, PROVIDER, amplitude_user_id), model_name)

    def _amplitude_setup(self, tracker: Tracker, model_name: str | None) -> None:
        self._amplitude_model_name = model_name
        instrument_api_client(self._api_client, tracker)
        _shim_models(self)

    def _default_model(self, kwargs: dict[str, Any]) -> str:
        model = kwargs.pop("model", None) or getattr(self, "_amplitude_model_name", None)
        if not model:
            raise ConfigurationError(
                "Gemini.generate_content() needs a model: pass model=... or construct the "
                "client with model_name=..."
            )
        return str(model)

    def generate_content(self, contents: Any, **kwargs: Any) -> Any:
        """``client.models.generate_content`` with the client's default model."""
        return self.models.generate_content(
            model=self._default_model(kwargs), contents=contents, **kwargs
        )

    def generate_content_stream(self, contents: Any, **kwargs: Any) -> Any:
        """``client.models.generate_content_stream`` with the client's default model."""
        return self.models.generate_content_stream(
            model=self._default_model(kwargs), contents=contents, **kwargs
        )


setattr(Gemini, INSTRUMENTED_MARK, True)
Gemini._amplitude_provider = PROVIDER  # type: ignore[attr-defined]

_shared_classes: dict[type[Any], type[Any]] = {}


def _shared(cls: type[Any]) -> type[Any]:
    """``cls`` for an API client that shares its connections with the client it was
    copied from: closing or collecting the copy leaves them to the original's owner."""
    sub = _shared_classes.get(cls)
    if sub is None:

        async def aclose(self: Any) -> None:
            return None

        namespace = {
            "__slots__": (),
            "close": lambda self: None,
            "aclose": aclose,
            "__del__": lambda self: None,
            "_amplitude_shared": True,
        }
        sub = type(cls.__name__, (cls,), namespace)
        sub.__qualname__ = cls.__qualname__
        sub.__module__ = cls.__module__
        _shared_classes[cls] = sub
    return sub


def wrap_client(client: Any, amplitude: Any = None, user_id: str | None = None) -> Any:
    """An instrumented ``Gemini`` copy of ``client`` that shares its settings and
    connections; ``client`` itself stays untracked and keeps owning the connections."""
    original_api = client._api_client
    api = _copy.copy(original_api)
    api.__class__ = _shared(type(original_api))
    new = _copy.copy(client)
    new.__class__ = Gemini
    fields = vars(new)
    fields["_api_client"] = api
    for name, value in list(fields.items()):
        if name != "_api_client" and getattr(value, "_api_client", None) is original_api:
            try:
                fields[name] = type(value)(api)  # resources take the API client only
            except Exception:
                fields[name] = None if name.endswith("_instance") else value
    fields["_amplitude_wrapped_from"] = client  # owns the connections: keep it alive
    new._amplitude_setup(make_tracker(amplitude, PROVIDER, user_id), None)
    return new
