"""Per-file analysis with libcst: which expressions are LLM clients, and where they are called.

The analysis works on qualified names and scopes (libcst metadata), so aliases, re-exports and
shadowing are handled the way Python resolves them. It never imports or runs the code.

A file analysis is self-contained; references to other modules of the project (a client
imported from ``app.clients``, a factory in ``app.llm``) stay symbolic as :class:`ExternalRef`
and are resolved by :mod:`.resolve` against the other files' exports.

This module is the entry point; the analyzer itself lives in :mod:`.analysis`, one layer per
concern: ``values`` and ``findings`` (what it produces), ``base`` (scopes and qualified names),
``held_clients`` (deps fields, dicts of clients, proxies), ``client_flow`` (which expressions
hold a client), ``registrations`` (patches, agents, exports), ``site_classification``
(confirmed, probable and untracked sites) and ``bindings`` (the collection pass that drives
them).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper

from .analysis.bindings import BindingCollector
from .analysis.fast_metadata import FastPositionProvider, FastScopeProvider, FastWrapper
from .analysis.findings import FileAnalysis, RawSite, UncertainSite, module_name_for
from .analysis.values import (
    PARAM,
    AttrPath,
    ClientType,
    ExternalRef,
    FunctionRef,
    Value,
    _Item,
    _Param,
    _ParamOf,
)
from .guard import run_guarded
from .relevance import NO_CONTEXT, Context
from .source import analysis_of

__all__ = [
    "PARAM",
    "AttrPath",
    "ClientType",
    "ExternalRef",
    "FastPositionProvider",
    "FastScopeProvider",
    "FileAnalysis",
    "FunctionRef",
    "RawSite",
    "UncertainSite",
    "Value",
    "_Item",
    "_Param",
    "_ParamOf",
    "analyze_module",
    "module_name_for",
]


def analyze_module(
    source: str | cst.Module,
    module: str,
    is_package: bool = False,
    wrapper: MetadataWrapper | None = None,
    context: Context = NO_CONTEXT,
) -> FileAnalysis:
    """Analyze one module's source. Raises ``libcst.ParserSyntaxError`` on invalid code and
    :class:`.guard.SourceRejected` on code that cannot be analysed safely (too large, nested
    too deeply, over its time budget).

    Text is parsed and analysed behind the guard and once per content (:mod:`.source`).
    ``wrapper`` (of ``source``) lets a caller reuse the resolved scope/position metadata for
    its own visitors (the codemods do): resolving them is most of the cost. ``context``:
    what is known of the project, for the relevance slice (:mod:`.relevance`)."""
    if isinstance(source, str):
        return analysis_of(
            source,
            module,
            is_package,
            lambda ready: _analyze(ready, module, is_package),
            context,
        )
    if wrapper is None:
        wrapper = FastWrapper(source, unsafe_skip_copy=True)
    ready = wrapper
    return run_guarded(lambda: _analyze(ready, module, is_package))


def _analyze(wrapper: MetadataWrapper, module: str, is_package: bool) -> FileAnalysis:
    analyzer = _Analyzer(module, is_package)
    wrapper.visit(analyzer)
    return analyzer.result


class _Analyzer(BindingCollector):
    """The whole analysis: collection pass, client flow, registrations, site classification."""
