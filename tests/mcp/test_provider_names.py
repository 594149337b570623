"""Provider facts live in one place: the SDK's provider registry.

Every other module of ``sdk/`` and ``mcp_server/`` is parsed (AST) and each name of a
provider client class, module-level provider function or provider API path it spells -- as
a string literal, an import, or a dotted expression in code -- must resolve to an entry of
``amplitude_ai.providers.registry``. A second table of provider classes or API paths anywhere
else (a new provider added outside the registry, a misspelt surface, a drop-in that does not
exist) fails here with the file and line.

What counts as "a provider name" is decided without the registry (else the check could not
fail): qualified names under the import roots of provider SDKs (the registry's plus other
well-known provider SDKs), and dotted method paths whose last two segments are the shape of
a provider API (the registry's shapes plus other providers' well-known ones).
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from amplitude_ai.providers import registry as R

REPO = Path(__file__).resolve().parents[2]
SCANNED = (REPO / "sdk" / "amplitude_ai", REPO / "mcp_server" / "amplitude_ai_mcp")
# The registry and its data modules (``registry_*.py``): where provider names belong.
REGISTRY_FILES = frozenset((REPO / "sdk" / "amplitude_ai" / "providers").glob("registry*.py"))

# Provider SDKs the registry may not (yet) list: naming one of their clients or APIs outside
# the registry is exactly what this test is for.
OTHER_PROVIDER_ROOTS = (
    "together",
    "fireworks",
    "replicate",
    "huggingface_hub",
    "vertexai",
    "voyageai",
    "xai_sdk",
    "ai21",
    "cerebras",
    "openrouter",
    "deepseek",
    "zhipuai",
    "dashscope",
)
# API shapes (last two path segments) of provider APIs the registry may not list.
OTHER_API_SHAPES = frozenset(
    {
        ("completions", "create"),
        ("messages", "create"),
        ("images", "generate"),
        ("speech", "create"),
        ("transcriptions", "create"),
        ("moderations", "create"),
        ("chat", "complete"),
        ("fim", "complete"),
        ("models", "generate_content"),
        ("models", "generate_images"),
        ("models", "embed_content"),
        ("embeddings", "create"),
        ("responses", "create"),
        ("assistants", "create"),
        ("runs", "create"),
        ("batches", "create"),
    }
)


def _factory_names(entry: R.ProviderSpec | R.KnownProvider) -> set[str]:
    if not entry.client_factory:
        return set()
    method = entry.client_factory.rsplit(".", 1)[-1]
    return {entry.client_factory, *(f"{c}.{method}" for c in entry.session_classes)}


def _registry_entries() -> tuple[set[str], set[str], set[str]]:
    """(provider import roots, known qualified names, known API paths) from the registry."""
    roots: set[str] = set()
    qualnames: set[str] = set()
    paths: set[str] = set()
    for spec in R.PROVIDERS:
        roots |= {spec.module, *spec.import_paths}
        qualnames |= {f"{m}.{c}" for m in spec.import_paths for c in spec.client_classes}
        qualnames |= set(spec.detected_classes) | _factory_names(spec)
        for s in (*spec.module_functions, *spec.legacy_functions):
            qualnames.add(s.path)
        for s in (*spec.surface_list, *spec.untracked):
            paths.add(s.path)
            paths.add(s.path.replace("().", "."))
    for known in R.KNOWN_PROVIDERS:
        roots.add(known.module)
        qualnames |= set(known.client_classes) | _factory_names(known)
        qualnames |= {s.path for s in known.module_functions}
        paths |= {s.path for s in known.surfaces}
        paths |= {s.path.rsplit(".", 1)[-1] for s in known.module_functions}
    return roots, qualnames, paths


ROOTS, QUALNAMES, PATHS = _registry_entries()
ALL_ROOTS = tuple(sorted(ROOTS | set(OTHER_PROVIDER_ROOTS), key=len, reverse=True))
API_SHAPES = frozenset(tuple(p.split(".")[-2:]) for p in PATHS if "." in p) | OTHER_API_SHAPES
# Segments whose presence makes a dotted string a module path, not an API (``openai.types``).
_NOT_CLIENT = ("Error", "Exception", "Warning", "Response", "Param", "Params", "Config")


def _files() -> Iterator[Path]:
    for base in SCANNED:
        for path in sorted(base.rglob("*.py")):
            if path not in REGISTRY_FILES:
                yield path


def _provider_root(name: str) -> str | None:
    for root in ALL_ROOTS:
        if name == root or name.startswith(f"{root}."):
            return root
    return None


def _is_client_like(qualname: str) -> bool:
    """A qualified name whose object is (or, for an SDK not installed, looks like) a client
    class or a module-level API function of a provider SDK."""
    module, _, attr = qualname.rpartition(".")
    if not module or attr.startswith("_") or attr.endswith(_NOT_CLIENT):
        return False
    try:
        importlib.import_module(qualname)
        return False  # a module (``openai.resources.responses``), not a class or function
    except ImportError:
        pass
    try:
        obj = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        # Not installed here (or not a module path): judge by spelling -- a CapWords name
        # directly under a provider root, or a known API function name.
        return attr[:1].isupper() or attr in {p.rsplit(".", 1)[-1] for p in PATHS}
    if isinstance(obj, type):
        heads = {p.split(".", 1)[0] for p in PATHS if "." in p}
        return any(
            head in dir(obj) or head in getattr(obj, "__annotations__", {}) for head in heads
        )
    return callable(obj) and attr in {p.rsplit(".", 1)[-1] for p in PATHS}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _names(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, kind, text) of every provider-looking name in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    imported: dict[str, str] = {}  # local name -> provider module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _provider_root(alias.name):
                    imported[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and not node.level
            and _provider_root(node.module)
        ):
            for alias in node.names:
                yield node.lineno, "import", f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings or " " in node.value or not node.value:
                continue
            yield node.lineno, "string", node.value
        elif isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Store):
            dotted = _dotted(node)
            if dotted is None:
                continue
            head, _, rest = dotted.partition(".")
            if head in imported and rest:
                yield node.lineno, "code", f"{imported[head]}.{rest}"
            elif dotted.count(".") >= 2:
                yield node.lineno, "code-path", dotted


def _violation(kind: str, text: str) -> str | None:
    """Why ``text`` is a provider name the registry does not know (None: fine)."""
    segments = text.replace("()", "").split(".")
    if not all(s.isidentifier() for s in segments):
        return None
    if _provider_root(text) and len(segments) >= 2:
        if text in QUALNAMES or text in ROOTS:
            return None
        if _is_client_like(text):
            return "provider class or function not in the registry"
        return None
    if kind == "code-path":
        segments = segments[1:]  # the receiver is a variable, not part of the API path
    if len(segments) >= 2 and tuple(segments[-2:]) in API_SHAPES:
        path = ".".join(segments)
        if any(path == p or path.endswith(f".{p}") or p.endswith(f".{path}") for p in PATHS):
            return None
        return "provider API path not in the registry"
    return None


def test_scanner_sees_the_names_it_must_judge() -> None:
    """The scan is not vacuous: the SDK's wrappers import the registry's client classes."""
    seen = {text for path in _files() for _, _, text in _names(path)}
    assert {"openai.OpenAI", "anthropic.Anthropic"} <= seen
    assert any(_violation("string", t) is None and _provider_root(t) for t in seen)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("string", "together.Together"),
        ("import", "groq.GroqV9"),
        ("string", "client.assistants.create"),
        ("code-path", "self.client.models.generate_images"),
        ("string", "models.generate_images"),
        ("string", "openai.lib.azure.AzureOpenAIv2"),
    ],
)
def test_names_outside_the_registry_are_caught(kind: str, text: str) -> None:
    assert _violation(kind, text) is not None


def test_no_module_names_a_provider_class_or_api_outside_the_registry() -> None:
    found = [
        f"{path.relative_to(REPO)}:{line}: {text} ({why})"
        for path in _files()
        for line, kind, text in _names(path)
        if (why := _violation(kind, text)) is not None
    ]
    assert found == [], "\n".join(found)
