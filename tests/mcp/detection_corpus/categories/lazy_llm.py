"""Start-up stays fast: provider modules and clients are imported and built on first use.
Used by cat_proxy_cross_module.py."""

import importlib


class LazyModule:
    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self._name), attr)


class Deferred:
    def __init__(self, factory):
        self._factory = factory
        self._value = None

    def __getattr__(self, attr):
        if self._value is None:
            self._value = self._factory()
        return getattr(self._value, attr)


def _claude():
    from anthropic import Anthropic

    return Anthropic(max_retries=2)


litellm = LazyModule("litellm")
claude = Deferred(_claude)
settings = Deferred(dict)
