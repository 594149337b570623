"""The SDK's provider registry (``amplitude_ai.providers.registry``) for modules the server
imports at start-up: loaded from its file, without importing the ``amplitude_ai`` package
(which pulls in the Amplitude client; start-up stays light). The module is registered under
its real name, so a later ``import amplitude_ai`` reuses this very object."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

NAME = "amplitude_ai.providers.registry"


def load() -> ModuleType:
    loaded = sys.modules.get(NAME)
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("amplitude_ai")
    if package is None or not package.submodule_search_locations:
        raise ImportError("the amplitude_ai package (the SDK) is not installed")
    path = Path(next(iter(package.submodule_search_locations))) / "providers" / "registry.py"
    spec = importlib.util.spec_from_file_location(NAME, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module  # dataclasses look their module up while it executes
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[NAME]
        raise
    return module


registry = load()
