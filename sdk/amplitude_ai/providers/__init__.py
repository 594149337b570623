"""Provider wrappers: the instrumented drop-in clients of every provider in ``registry``.

The provider SDKs are imported only when one of these classes is first used.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import registry as registry  # bound also when the MCP server loaded it first
from .registry import PROVIDERS

# Drop-in class name -> the module that builds it (from the provider registry).
_CLASSES = {name: f".{spec.drop_in_module}" for spec in PROVIDERS for name in spec.drop_ins}

__all__ = sorted(_CLASSES)


def __getattr__(name: str) -> Any:
    module = _CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
