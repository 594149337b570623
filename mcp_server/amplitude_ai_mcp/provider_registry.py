"""The SDK's provider registry (``amplitude_ai.providers.registry``) for modules the server
imports at start-up: loaded from its file, without importing the ``amplitude_ai`` package
(which pulls in the Amplitude client; start-up stays light). The registry's data modules
(``registry_hosts``, ...), which it imports relatively, are loaded the same way first. Every
module is registered under its real name, so a later ``import amplitude_ai`` reuses these
very objects."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

PACKAGE = "amplitude_ai.providers"
NAME = f"{PACKAGE}.registry"


# A top-level ``from .x import ...`` (a line scan: parsing the files would cost start-up time).
_SIBLING_IMPORT = re.compile(r"^from \.(\w+) import", re.MULTILINE)


def _siblings(path: Path) -> list[str]:
    """The modules of the same package that ``path`` imports at its top level."""
    return _SIBLING_IMPORT.findall(path.read_text(encoding="utf-8"))


def _load(directory: Path, stem: str, added: list[str]) -> ModuleType:
    """``PACKAGE.stem`` from its file, after the sibling modules it imports. A relative
    import of a module already in ``sys.modules`` does not import the parent package."""
    name = f"{PACKAGE}.{stem}"
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    path = directory / f"{stem}.py"
    for sibling in _siblings(path):
        _load(directory, sibling, added)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it executes
    added.append(name)
    spec.loader.exec_module(module)
    return module


def load() -> ModuleType:
    loaded = sys.modules.get(NAME)
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("amplitude_ai")
    if package is None or not package.submodule_search_locations:
        raise ImportError("the amplitude_ai package (the SDK) is not installed")
    directory = Path(next(iter(package.submodule_search_locations))) / "providers"
    added: list[str] = []
    try:
        return _load(directory, "registry", added)
    except BaseException:
        for name in added:  # nothing half-loaded stays behind
            sys.modules.pop(name, None)
        raise


if TYPE_CHECKING:  # the type checker sees the module itself (its names and types)
    from amplitude_ai.providers import registry
else:
    registry = load()
