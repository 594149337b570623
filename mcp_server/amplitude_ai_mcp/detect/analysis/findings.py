"""What one file's analysis reports: raw call sites, uncertain sites and the
:class:`FileAnalysis` holding them with the module's imports, patches, agents and exports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .values import ClientType, Value


@dataclass
class RawSite:
    """A call site whose receiver may still need cross-file resolution."""

    line: int
    column: int
    end_line: int
    end_column: int
    target: Value  # AttrPath or FunctionRef
    call_style: str
    receiver: str | None
    kwargs: frozenset[str]
    stream_kwarg: bool
    enclosing: str | None
    instrumented_by_args: bool  # an amplitude_ai object is passed to the call
    # Frameworks whose integration a ``with`` block around the call opens (CrewAI's hooks).
    inside: frozenset[str] = frozenset()


@dataclass
class UncertainSite:
    """A call we recognise but cannot confirm (``probable``) or do not track (``tracked``
    False): reported apart from the confirmed sites, with the evidence."""

    line: int
    column: int
    end_line: int
    end_column: int
    provider: str
    api: str
    tracked: bool
    confidence: str  # "confirmed" (the receiver or URL proves the provider) | "probable"
    evidence: str
    receiver: str | None
    enclosing: str | None
    is_async: bool
    stream: bool
    origin: str | None = None  # the client's constructor, when known


@dataclass
class FileAnalysis:
    """Everything scan/validate need from one file, with cross-file references left symbolic."""

    module: str
    file: str | None = None  # set by the caller that knows the path
    sites: list[RawSite] = field(default_factory=list)
    exports: dict[str, Value] = field(default_factory=dict)  # "name" or "name()" -> value
    imports: list[tuple[str, int]] = field(default_factory=list)  # (module, line)
    imported_modules: set[str] = field(default_factory=set)  # top-level imports, for the report
    patches: list[tuple[int, frozenset[str] | None]] = field(default_factory=list)
    patch_in_function: bool = False
    agents: list[tuple[int, str, str]] = field(default_factory=list)  # (line, framework, name)
    handoffs: bool = False
    uncertain: list[UncertainSite] = field(default_factory=list)
    # Clients this module passes to callables of other modules: (callee qualname, positional
    # index or -1, keyword or None, client). Resolves their parameters (see resolve).
    client_args: list[tuple[str, int, str | None, ClientType]] = field(default_factory=list)


def module_name_for(relpath: str) -> str:
    """``src/app/llm.py`` -> ``src.app.llm``; ``pkg/__init__.py`` -> ``pkg``."""
    parts = relpath.replace("\\", "/").removesuffix(".py").split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(p for p in parts if p)
