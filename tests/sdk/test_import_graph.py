"""The SDK core's import structure, read from the source with ``ast``.

* No import cycle anywhere in the package (the core modules, the provider wrappers, the
  integrations...). Every import counts, also one deferred into a function body; only
  imports under ``if TYPE_CHECKING:`` are left out (they never run).
* Layering: the modules below the client (argument checks, scope, event building,
  privacy, tracking methods, the provider emit layer) do not import the client, agents,
  sessions or decorators at all, not even for type hints; they see the client through
  the ``context.Emitter`` protocol.
"""

from __future__ import annotations

import ast
from pathlib import Path

import amplitude_ai

PACKAGE_DIR = Path(amplitude_ai.__file__).resolve().parent
PACKAGE = "amplitude_ai"

CORE = {f"{PACKAGE}.{p.stem}" for p in PACKAGE_DIR.glob("*.py") if p.stem != "__init__"} | {
    f"{PACKAGE}.providers._emit"
}
LOWER_LAYERS = {
    f"{PACKAGE}.{name}"
    for name in (
        "_kinds",
        "_json",
        "_identity",
        "_logging",
        "_ids",
        "catalog",
        "config",
        "context",
        "costs",
        "enrichments",
        "events",
        "privacy",
        "tracking",
        "validation",
        "providers._emit",
    )
}
UPPER_LAYERS = {f"{PACKAGE}.{name}" for name in ("client", "agent", "session", "decorators")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE_DIR.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, *, typing_only_too: bool) -> set[str]:
    """SDK modules ``module`` imports (``from pkg import submodule`` names the submodule)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child) and not typing_only_too:
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    origin = ".".join(base + ([child.module] if child.module else []))
                else:
                    origin = child.module or ""
                submodules = {f"{origin}.{a.name}" for a in child.names} & MODULES.keys()
                found.update(submodules)
                if len(submodules) < len(child.names):
                    found.add(origin)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {name for name in found if name in MODULES and name != module}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            connect(node)
    return found


def test_the_parser_sees_known_imports():
    """Guards the guard: deferred, relative and ``from pkg import module`` forms count."""
    assert f"{PACKAGE}.agent" in _imports(f"{PACKAGE}.client", typing_only_too=False)
    assert f"{PACKAGE}.session" in _imports(f"{PACKAGE}.agent", typing_only_too=False)
    assert f"{PACKAGE}._kinds" in _imports(f"{PACKAGE}.tracking", typing_only_too=False)
    emit_imports = _imports(f"{PACKAGE}.providers._emit", typing_only_too=False)
    assert {f"{PACKAGE}.context", f"{PACKAGE}.providers._tracker"} <= emit_imports
    assert f"{PACKAGE}.client" in _imports(f"{PACKAGE}.agent", typing_only_too=True)
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_no_import_cycle_touches_the_sdk_core():
    graph = {module: _imports(module, typing_only_too=False) for module in MODULES}
    core_cycles = [cycle for cycle in _cycles(graph) if CORE & set(cycle)]
    assert core_cycles == []


def test_no_import_cycle_anywhere_in_the_sdk():
    """Also outside the core: the provider request hook and the per-call shims (which once
    imported each other, the shims from a function body), the OpenAI field readers."""
    shims = _imports(f"{PACKAGE}.providers._calls", typing_only_too=False)
    assert f"{PACKAGE}.providers._stream_link" in shims  # the parser sees this edge
    graph = {module: _imports(module, typing_only_too=False) for module in MODULES}
    assert _cycles(graph) == []


def test_lower_layers_never_import_the_client_or_its_handles():
    offenders = {
        module: sorted(_imports(module, typing_only_too=True) & UPPER_LAYERS)
        for module in sorted(LOWER_LAYERS)
    }
    assert {m: found for m, found in offenders.items() if found} == {}
