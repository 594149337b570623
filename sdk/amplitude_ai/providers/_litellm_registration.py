"""Putting the LiteLLM callback into ``litellm.callbacks`` and taking it out again.

``patch_litellm()`` registers at once (the app asked for LiteLLM, so importing it is
expected). ``patch()`` must not import LiteLLM just because it is installed: importing it
takes seconds and, unless ``LITELLM_LOCAL_MODEL_COST_MAP=True``, fetches LiteLLM's model
cost map from the internet. When LiteLLM is not imported yet, ``patch()`` therefore waits
for the app to import it (a finder on ``sys.meta_path`` that runs once, right after the
``litellm`` module has executed) and registers then.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from amplitude_ai._logging import log_once

_lock = threading.RLock()
_registered: list[Any] = []  # callbacks this SDK put into litellm's lists
_pending: list[_RegisterOnImport] = []
# LiteLLM copies ``litellm.callbacks`` entries into these lists when a call is set up.
_CALLBACK_LISTS = (
    "callbacks",
    "input_callback",
    "success_callback",
    "failure_callback",
    "_async_success_callback",
    "_async_failure_callback",
    "_async_input_callback",
)


def register(make: Callable[[], Any]) -> None:
    """Import LiteLLM and add ``make()`` to ``litellm.callbacks`` (replacing one this SDK
    registered before, so patching again only changes where events go)."""
    import litellm

    callback = make()
    with _lock:
        _remove_ours(litellm)
        litellm.callbacks.append(callback)
        _registered.append(callback)


def register_when_imported(make: Callable[[], Any]) -> None:
    """:func:`register` now if LiteLLM is imported, else right after the app imports it."""
    with _lock:
        if "litellm" in sys.modules:
            register(make)
            return
        for finder in _pending:
            finder.make = make
        if not _pending:
            finder = _RegisterOnImport(make)
            _pending.append(finder)
            sys.meta_path.insert(0, finder)


def unregister() -> None:
    """Take every callback this SDK registered out of LiteLLM's lists; cancel a pending
    registration."""
    with _lock:
        while _pending:
            _uninstall(_pending.pop())
        module = sys.modules.get("litellm")
        if module is not None:
            _remove_ours(module)
        _registered.clear()


def registered() -> list[Any]:
    """The callbacks this SDK has in ``litellm.callbacks`` now (tests, diagnostics)."""
    with _lock:
        return list(_registered)


def _remove_ours(litellm: Any) -> None:
    for name in _CALLBACK_LISTS:
        entries = getattr(litellm, name, None)
        if isinstance(entries, list):
            entries[:] = [e for e in entries if not any(e is ours for ours in _registered)]
    _registered.clear()


def _uninstall(finder: _RegisterOnImport) -> None:
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: it lets the other finders locate ``litellm`` and wraps the
    loader so the callback is registered once the module has executed."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make
        self._busy = False

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "litellm" or self._busy:
            return None
        self._busy = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy = False
        loader = getattr(spec, "loader", None)
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return None
        spec.loader = _RegisteringLoader(loader, self)
        return spec

    def imported(self) -> None:
        with _lock:
            if self not in _pending:
                return  # unpatched meanwhile
            _pending.remove(self)
            _uninstall(self)
            try:
                register(self.make)
            except Exception:
                log_once(
                    "litellm-register",
                    logging.ERROR,
                    "amplitude_ai: could not register the LiteLLM callback; LiteLLM calls "
                    "run untracked",
                    exc_info=True,
                )


class _RegisteringLoader(importlib.abc.Loader):
    def __init__(self, inner: Any, finder: _RegisterOnImport) -> None:
        self._inner = inner
        self._finder = finder

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._inner.exec_module(module)
        self._finder.imported()

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, ...
        return getattr(self._inner, name)
