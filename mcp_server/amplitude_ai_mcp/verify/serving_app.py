"""The project's web app that serves a router's routes, when it is the one with the SDK's
web middleware.

A route declared on an ``APIRouter`` or a Flask ``Blueprint`` runs, in production, inside
the app that includes it -- and so inside that app's middleware, which gives the request
its session and user. The generated test then drives that app (not a bare app built around
the router), so the middleware's user is checked where the app really runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from amplitude_ai_mcp.detect.analysis.tree_walk import walk

from . import frameworks
from .cst_reading import dotted_name, string_value
from .plans import ModuleInfo

_INCLUDES = {"include_router": "prefix", "register_blueprint": "url_prefix"}
_MAX_FILES = 400  # files of one package looked at for the app that includes a router


@dataclass(frozen=True)
class ServingApp:
    module: ModuleInfo  # the module that builds the app (and adds the middleware)
    app: str  # its module-level name
    prefix: str  # what the include adds in front of the router's own paths


def _imported_as(owner: ModuleInfo, router_module: str, router: str) -> set[str]:
    """Names under which ``owner`` refers to the router (``qa.router``, ``router``)."""
    names: set[str] = set()
    for local, (module, name) in owner.facts.imports.items():
        if name and f"{module}.{name}" == router_module:
            names.add(f"{local}.{router}")  # ``from .routers import qa``
        elif module == router_module and name == router:
            names.add(local)  # ``from .routers.qa import router``
        elif not name and module == router_module:
            names.add(f"{local}.{router}")  # ``import service.routers.qa as qa``
    return names


def _include(tree: cst.Module, refs: set[str]) -> str | None:
    """The prefix of ``<app>.include_router(<ref>, prefix=...)`` (None: not included); the
    app may be a local of the factory that builds it, so its name is not compared."""
    found: list[str] = []

    class _Includes(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if not (
                isinstance(func, cst.Attribute)
                and func.attr.value in _INCLUDES
                and node.args
                and dotted_name(node.args[0].value) in refs
            ):
                return
            keyword = _INCLUDES[func.attr.value]
            prefix = next(
                (
                    string_value(a.value)
                    for a in node.args
                    if a.keyword and a.keyword.value == keyword
                ),
                None,
            )
            found.append(prefix or "")

    walk(tree, _Includes())
    return found[0] if found else None


def including_modules(root: Path, module: ModuleInfo) -> list[tuple[str, str]]:
    """(rel, import name) of the files of ``module``'s top-level package that include a
    router or blueprint next to the SDK middleware: where its serving app may be built."""
    rel_parts = module.rel.removesuffix(".py").split("/")
    name_parts = module.name.split(".")
    if rel_parts[-1] == "__init__":
        rel_parts = rel_parts[:-1]
    if len(name_parts) < 2 or len(rel_parts) < len(name_parts):
        return []  # a top-level module: no package to look in
    base = rel_parts[: len(rel_parts) - len(name_parts)]
    top = root.joinpath(*base, name_parts[0])
    found: list[tuple[str, str]] = []
    inside = root.resolve()
    for path in sorted(top.rglob("*.py"))[:_MAX_FILES]:
        try:
            if not path.resolve().is_relative_to(inside):  # a link out of the project
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if not any(f"{call}(" in text for call in _INCLUDES) or not any(
            m in text for m in frameworks.MIDDLEWARE_NAMES
        ):
            continue
        inner = path.relative_to(top.parent).with_suffix("").parts
        name = ".".join(inner[:-1] if inner[-1] == "__init__" else inner)
        found.append((path.relative_to(root).as_posix(), name))
    return found


def serving_app(module: ModuleInfo, router: str, loaded: Iterable[ModuleInfo]) -> ServingApp | None:
    """The app (with the SDK middleware) of a loaded project module that includes
    ``module.router``; None when no such app is known."""
    for owner in loaded:
        if owner is module or not frameworks.has_middleware(owner):
            continue
        refs = _imported_as(owner, module.name, router)
        if not refs:
            continue
        for app, framework in owner.facts.web_apps.items():
            if "-" in framework:  # another router, not an app
                continue
            prefix = _include(owner.tree, refs)
            if prefix is not None:
                return ServingApp(owner, app, prefix.rstrip("/"))
    return None
