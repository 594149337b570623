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

import contextlib
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


CHAT_METHODS = ("send_message", "send_message_stream")


def _shim_models(client: Any) -> None:
    for models in (client.models, client.aio.models):
        for name in MODEL_METHODS:
            method = getattr(models, name, None)
            if method is not None and name not in vars(models):
                setattr(models, name, kwargs_shim(method))
    aio = client.aio
    if not getattr(type(aio), "_amplitude_chats", False):
        # A layout we cannot retype keeps working; its chats just take no amplitude_* kwargs.
        with contextlib.suppress(TypeError):
            aio.__class__ = _with_chat_shims(type(aio))


def _shim_chats(chats: Any) -> Any:
    """``chats`` (a fresh ``Chats``/``AsyncChats``) whose ``create()`` returns chats that
    accept the ``amplitude_*`` kwargs on ``send_message``/``send_message_stream``."""
    create = getattr(chats, "create", None)
    if create is None or "create" in vars(chats):
        return chats

    def shimmed_create(*args: Any, **kwargs: Any) -> Any:
        chat = create(*args, **kwargs)
        for name in CHAT_METHODS:
            method = getattr(chat, name, None)
            if method is not None and name not in vars(chat):
                setattr(chat, name, kwargs_shim(method))
        return chat

    chats.create = shimmed_create
    return chats


_chat_classes: dict[type[Any], type[Any]] = {}


def _with_chat_shims(cls: type[Any]) -> type[Any]:
    """``cls`` (google-genai's ``AsyncClient``) whose ``chats`` go through :func:`_shim_chats`
    (the property builds a new ``AsyncChats`` on every access)."""
    sub = _chat_classes.get(cls)
    if sub is None:
        inherited = cls.chats

        def chats(self: Any) -> Any:
            return _shim_chats(inherited.__get__(self, type(self)))

        namespace = {"chats": property(chats), "_amplitude_chats": True}
        sub = type(cls.__name__, (cls,), namespace)
        sub.__qualname__ = cls.__qualname__
        sub.__module__ = cls.__module__
        _chat_classes[cls] = sub
    return sub


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

    @property
    def chats(self) -> Any:
        """``client.chats``; its chats' ``send_message[_stream]`` take ``amplitude_*`` kwargs."""
        return _shim_chats(super().chats)

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
