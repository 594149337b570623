"""Mixins that turn a provider client class into an instrumented subclass.

The instrumented classes are real subclasses of the provider's clients: the hook sits in
``request`` (see ``_hook``), resources get instance-level shims that accept the
``amplitude_*`` per-call kwargs, and ``copy()``/``with_options()`` keep reporting to the
same place. Nothing here touches the provider's classes themselves.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

from ._calls import install_instance_shims
from ._hook import Resolver, request_async, request_sync
from ._tracker import TRACKER_ATTR, Tracker, make_tracker, tracker_of

_copying = threading.local()  # set while copy() builds a client through __init__


class Instrumented:
    """Constructor and ``copy`` handling shared by every instrumented client."""

    _amplitude_provider: str = ""

    def __init__(
        self,
        *args: Any,
        amplitude: Any = None,
        amplitude_user_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not getattr(_copying, "active", False):
            attach(self, make_tracker(amplitude, self._amplitude_provider, amplitude_user_id))

    def copy(self, *args: Any, **kwargs: Any) -> Any:
        # The provider builds the copy through ``self.__class__(...)``; keep our tracker
        # rather than letting the copy configure a fresh one from the environment.
        _copying.active = True
        try:
            new = super().copy(*args, **kwargs)  # type: ignore[misc]
        finally:
            _copying.active = False
        tracker = tracker_of(self)
        if tracker is not None:
            attach(new, tracker)
        return new

    with_options = copy


def attach(client: Any, tracker: Tracker) -> None:
    setattr(client, TRACKER_ATTR, tracker)


class SyncRequestHook:
    def request(self, cast_to: Any, options: Any, *args: Any, **kwargs: Any) -> Any:
        original = super().request  # type: ignore[misc]
        return request_sync(
            original, tracker_of(self), self._amplitude_resolver, cast_to, options, *args, **kwargs
        )

    _amplitude_resolver: Resolver


class AsyncRequestHook:
    async def request(self, cast_to: Any, options: Any, *args: Any, **kwargs: Any) -> Any:
        original = super().request  # type: ignore[misc]
        return await request_async(
            original, tracker_of(self), self._amplitude_resolver, cast_to, options, *args, **kwargs
        )

    _amplitude_resolver: Resolver


# Methods that accept the per-call ``amplitude_*`` kwargs, per resource.
CHAT_METHODS = ("create", "parse", "stream")
RESPONSES_METHODS = ("create", "parse", "stream")
EMBEDDINGS_METHODS = ("create",)
MESSAGES_METHODS = ("create", "parse", "stream")


class OpenAIResources:
    """``chat``, ``responses`` and ``embeddings`` with per-call kwarg shims."""

    @cached_property
    def chat(self) -> Any:
        chat = super().chat  # type: ignore[misc]
        install_instance_shims(chat.completions, CHAT_METHODS)
        return chat

    @cached_property
    def responses(self) -> Any:
        return install_instance_shims(super().responses, RESPONSES_METHODS)  # type: ignore[misc]

    @cached_property
    def embeddings(self) -> Any:
        return install_instance_shims(super().embeddings, EMBEDDINGS_METHODS)  # type: ignore[misc]


class AnthropicResources:
    """``messages`` and ``beta.messages`` with per-call kwarg shims."""

    @cached_property
    def messages(self) -> Any:
        return install_instance_shims(super().messages, MESSAGES_METHODS)  # type: ignore[misc]

    @cached_property
    def beta(self) -> Any:
        beta = super().beta  # type: ignore[misc]
        install_instance_shims(beta.messages, MESSAGES_METHODS)
        return beta
