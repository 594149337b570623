"""The plan's detection passes: the call sites of the planned file (on the codemods' own
tree and wrapper when the plan edits a slice), the project modules around it (with the
modules the plan is about to write), and the questions the plan asks of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper

from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.analyze import FileAnalysis, analyze_module, module_name_for
from amplitude_ai_mcp.detect.project import is_test_path
from amplitude_ai_mcp.detect.resolve import finalize
from amplitude_ai_mcp.detect.sites import CallSite
from amplitude_ai_mcp.detect.validate import LazyModules

from ._common import SDK
from .facts import Facts


class Overlay(LazyModules):
    """Project modules from disk, except the ones the plan is about to write."""

    def __init__(self, root: Path | None, own: FileAnalysis, planned: dict[str, str]) -> None:
        super().__init__(root, own)
        self.own_module = own.module
        for name, text in planned.items():
            try:
                self._cache[name] = analyze_module(text, name)
            except cst.ParserSyntaxError:  # pragma: no cover - we generated it
                continue


def sites_of(
    module: cst.Module,
    rel: str,
    root: Path,
    planned: dict[str, str] | None = None,
    wrapper: MetadataWrapper | None = None,
    sources: list[Overlay] | None = None,
    text: str | None = None,
    analysis: FileAnalysis | None = None,
) -> list[CallSite]:
    """The call sites of the planned file: from ``analysis`` when the caller has it (the edit
    slice's, see :meth:`.edit_tree.EditTree.analysis`), else from the text (through the shared
    per-content cache) or from ``module`` on ``wrapper``."""
    if analysis is None:
        analysis = analyze_module(
            text if text is not None else module,
            module_name_for(rel),
            rel.endswith("__init__.py"),
            wrapper=None if text is not None else wrapper,
        )
    analysis.file = rel
    source = Overlay(root, analysis, planned or {})
    if sources is not None:
        sources.append(source)
    return finalize(analysis, rel, source, in_test=is_test_path(rel))


def may_patch(source: Overlay, import_name: str, text: str) -> bool:
    """Whether importing the planned bootstrap (``text``) may patch clients or register
    integrations: it calls ``patch()``, or imports a module of the project (which might).
    The bootstraps this server writes import only ``os`` and ``amplitude_ai``'s core names
    unless they patch or register integrations: those are told apart without libcst."""
    if _plain_bootstrap(text):
        return False
    analysis = analyze_module(text, import_name)
    return (
        bool(analysis.patches)
        or analysis.patch_in_function
        or any(source.module(name) is not None for name, _ in analysis.imports)
    )


def _plain_bootstrap(text: str) -> bool:
    """No call of anything named ``patch``/``register…``/``add…`` and no import but ``os``
    and names of the top-level ``amplitude_ai`` package (read with ``ast``)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name != "os" for alias in node.names):
                return False
        elif isinstance(node, ast.ImportFrom):
            if node.module != SDK or node.level or any(a.name == "patch" for a in node.names):
                return False
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "patch" or name.startswith(("register", "add", "set")):
                return False
    return True


def reaches_elsewhere(facts: Facts, source: Overlay) -> set[str]:
    """Module-level functions of this file that call an LLM-calling function (or a method of
    a module-level instance) defined in another module of the project."""
    found: set[str] = set()
    for name, info in facts.functions.items():
        for target in info.external:
            if "\0" in target:
                instance, method = target.split("\0")
                cls = facts.instances.get(instance)
                if cls is None:
                    continue
                target = f"{cls}.{method}"
            if _calls_llm(_absolute(target, facts.file), source):
                found.add(name)
                break
    return found


def uses_framework(source: Overlay) -> bool:
    """The file, or a project module it imports, imports an LLM framework (LangChain,
    LlamaIndex, ...): its web app gets the SDK middleware for per-request sessions."""
    own = source.module(source.own_module)
    if own is None:  # pragma: no cover - the overlay always holds the planned file
        return False
    modules = [own, *(source.module(name) for name, _ in own.imports)]
    return any(
        name.split(".")[0] in P.FRAMEWORK_MODULES
        for analysis in modules
        if analysis is not None
        for name in analysis.imported_modules
    )


def _absolute(qualname: str, rel: str) -> str:
    """``.escalation.Escalation`` seen from ``bot/app.py`` -> ``bot.escalation.Escalation``."""
    if not qualname.startswith("."):
        return qualname
    module = module_name_for(rel)
    package = module if rel.endswith("__init__.py") else module.rpartition(".")[0]
    dots = len(qualname) - len(qualname.lstrip("."))
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (dots - 1)] if dots - 1 <= len(parts) else []
    return ".".join([*base, qualname[dots:]])


def _calls_llm(qualname: str, source: Overlay) -> bool:
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        analysis = source.module(".".join(parts[:cut]))
        if analysis is None:
            continue
        symbol = ".".join(parts[cut:])
        return any(
            raw.enclosing == symbol or (raw.enclosing or "").startswith(f"{symbol}.")
            for raw in analysis.sites
        )
    return False
