"""The shared source model: one guarded parse per module content, reused by detection, the
codemods and verify within a server process.

Keys are the sha256 of the text, so an edited file is a new entry (no staleness by
construction) and an unchanged file analysed by ``scan_project``, then ``validate_file``, then
``instrument_file`` is parsed and analysed once. Both caches are bounded LRUs.

Detection reads the relevance slice of a module (:mod:`.relevance`): CPython's ``ast`` picks
the statements that can matter and libcst parses and analyses only those. The codemods get
the same cut as a :class:`Focus`: a metadata wrapper over the kept statements of the full
libcst tree (same node objects), so scope and position metadata are resolved for the code
that is rewritten, not for the whole module. Why not a detection engine on ``ast`` alone:
the libcst analyzer holds every detection rule the codemods, validate and verify share; the
slice makes it cheap without a second set of rules to keep in step.
"""

from __future__ import annotations

import ast
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper

from amplitude_ai_mcp.syntax_check import python_accepts

from . import guard
from .analysis.fast_metadata import FastPositionProvider, FastWrapper
from .analysis.findings import FileAnalysis
from .relevance import NO_CONTEXT, Context, Slice, identifiers, slice_source

K = TypeVar("K")
V = TypeVar("V")


class _LRU(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


@dataclass
class SourceModel:
    """One module's text, its libcst tree and (on first use) the metadata wrapper over it."""

    text: str
    digest: str
    tree: cst.Module
    _wrapper: MetadataWrapper | None = field(default=None, repr=False)

    @property
    def wrapper(self) -> MetadataWrapper:
        # unsafe_skip_copy: the tree is never mutated (libcst nodes are immutable), so the
        # metadata resolved once stays valid for every visitor of this content.
        if self._wrapper is None:
            self._wrapper = FastWrapper(self.tree, unsafe_skip_copy=True)
        return self._wrapper


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# Trees are large (~150x the source): keep few. Analyses are small: keep many.
_MODELS: _LRU[str, SourceModel] = _LRU(16)
_ANALYSES: _LRU[tuple[str, str, bool, Context], FileAnalysis] = _LRU(8192)
_REJECTED: _LRU[str, str] = _LRU(4096)


def _checked(text: str, key: str, depth: bool = True) -> None:
    """Raise :class:`guard.SourceRejected` when the pre-checks (cached per content) fail;
    ``depth`` False: only the size and line caps (the depth scan is for libcst's input)."""
    if not depth:
        reason = guard.precheck(text, depth=False)
        if reason:
            raise guard.SourceRejected(reason)
        return
    reason = _REJECTED.get(key)
    if reason is None:
        reason = guard.precheck(text) or ""
        if reason.startswith("nested too deeply") and python_accepts(text):
            # Not the user's mistake: say so (CPython's own parser is safe on any depth).
            reason = f"valid Python that the libcst parser cannot read safely: {reason}"
        _REJECTED.put(key, reason)
    if reason:
        raise guard.SourceRejected(reason)


def load(text: str) -> SourceModel:
    """The parsed model of ``text``: pre-checked, parsed in a guarded worker, cached.

    Raises :class:`guard.SourceRejected` (with the reason) or ``libcst.ParserSyntaxError``."""
    key = digest(text)
    model = _MODELS.get(key)
    if model is not None:
        return model
    _checked(text, key)
    tree = guard.run_guarded(lambda: cst.parse_module(text))
    model = SourceModel(text, key, tree)
    _MODELS.put(key, model)
    return model


def adopt(text: str, tree: cst.Module) -> SourceModel:
    """Register ``tree`` (built by a codemod, whose code is ``text``) as the model of ``text``:
    the re-validation of a plan's output and a later validate_file reuse it unparsed."""
    key = digest(text)
    model = _MODELS.get(key)
    if model is None:
        model = SourceModel(text, key, tree)
        _MODELS.put(key, model)
    return model


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module`` behind the guard (and the cache)."""
    return load(text).tree


def analysis_of(
    text: str,
    module: str,
    is_package: bool,
    analyse: Callable[[MetadataWrapper], FileAnalysis],
    context: Context = NO_CONTEXT,
) -> FileAnalysis:
    """``analyse(wrapper)`` of ``text`` as ``module``, computed once per content (a fresh copy
    is returned each time: callers set ``file`` on it).

    The analyzer reads the relevance slice of the text (:mod:`.relevance`: statements that
    cannot matter to detection blanked, lines kept) when there is one, else the whole text;
    ``context``: what is known of the project (see :class:`.relevance.Context`)."""
    key = (digest(text), module, is_package, context)
    found = _ANALYSES.get(key)
    if found is None:
        _checked(text, key[0], depth=False)
        package = module if is_package else module.rpartition(".")[0]

        def work() -> FileAnalysis:
            cut = slice_source(text, package, context)
            if cut is None:
                _checked(text, key[0])
                model = _MODELS.get(key[0])
                if model is None:
                    model = SourceModel(text, key[0], cst.parse_module(text))
                return analyse(model.wrapper)
            _checked(cut.text, digest(cut.text))
            tree = cst.parse_module(cut.text)
            analysis = analyse(FastWrapper(tree, unsafe_skip_copy=True))
            return with_dropped_imports(analysis, cut)

        found = guard.run_guarded(work)
        _ANALYSES.put(key, found)
    return replace(found)


def with_dropped_imports(analysis: FileAnalysis, cut: Slice) -> FileAnalysis:
    """Add the imports of the statements a slice dropped (the analyzer reports every import
    statement of the module, in source order)."""
    if cut.dropped_imports:
        analysis.imports = sorted(
            [*analysis.imports, *cut.dropped_imports], key=lambda item: item[1]
        )
    analysis.imported_modules |= cut.dropped_modules
    return analysis


@dataclass
class Focus:
    """A wrapper over the kept statements of a tree, the dropped statements, and the line of
    every top-level statement (as the whole tree's positions would give it)."""

    wrapper: MetadataWrapper
    dropped: list[cst.BaseStatement]
    lines: dict[int, int]  # id(top-level statement) -> line
    dropped_names: set[str]  # identifiers the dropped statements spell


def focused_wrapper(
    tree: cst.Module, text: str, package: str, context: Context = NO_CONTEXT
) -> Focus | None:
    """A metadata wrapper over ``tree`` restricted to the statements the relevance slice of
    ``text`` keeps (the same node objects, so rewrites planned on it apply to ``tree``), each
    run of dropped statements replaced by one placeholder spanning the same lines: positions
    are the original ones, scope analysis skips the dropped code. Top-level imports are
    always kept. None when there is no
    slice or the statements cannot be matched (the caller uses the whole tree)."""
    cut = slice_source(text, package, context)
    if cut is None:
        return None
    statements = cut.statements
    dropped: list[cst.BaseStatement] = []
    dropped_ast: list[ast.stmt] = []
    lines_of: dict[int, int] = {}
    ast_body = cut.tree.body if cut.tree is not None else []
    body: list[cst.BaseStatement] = []
    kept: list[tuple[cst.BaseStatement, int]] = []  # (node, ast lineno) to verify
    run_start: int | None = None  # code start line of the pending dropped run
    index = 0
    for stmt in tree.body:
        count = len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        if index + count > len(statements):
            return None
        flags = statements[index : index + count]
        code_start = flags[0][1] - len(stmt.leading_lines)
        lines_of[id(stmt)] = flags[0][2]
        imports = isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body
        )
        # Top-level imports always stay: the codemods edit them (bootstrap, drop-ins).
        if imports or any(flag[0] for flag in flags):
            if run_start is not None:
                lines = code_start - run_start
                if lines < 1:
                    return None
                body.append(
                    cst.SimpleStatementLine(
                        [cst.Expr(cst.SimpleString('""'))],
                        leading_lines=[cst.EmptyLine()] * (lines - 1),
                    )
                )
                run_start = None
            body.append(stmt)
            kept.append((stmt, flags[0][2]))
        else:
            dropped.append(stmt)
            dropped_ast.extend(ast_body[index : index + count])
            if run_start is None:
                run_start = code_start
        index += count
    if index != len(statements):
        return None
    wrapper = FastWrapper(tree.with_changes(body=body), unsafe_skip_copy=True)
    positions = wrapper.resolve(FastPositionProvider)
    if any(positions[node].start.line != line for node, line in kept):
        return None  # libcst and ast disagree on where a statement starts: no shortcut
    return Focus(wrapper, dropped, lines_of, identifiers(dropped_ast))


def cached_analysis(
    key: str, module: str, is_package: bool, context: Context = NO_CONTEXT
) -> FileAnalysis | None:
    """The analysis of the content with digest ``key`` as ``module``, if already computed."""
    found = _ANALYSES.get((key, module, is_package, context))
    return replace(found) if found is not None else None


def clear_caches() -> None:
    """Forget every cached model and analysis (tests, benchmarks)."""
    for cache in (_MODELS, _ANALYSES, _REJECTED):
        cache.clear()


def cache_stats() -> dict[str, tuple[int, int]]:
    return {
        "models": (_MODELS.hits, _MODELS.misses),
        "analyses": (_ANALYSES.hits, _ANALYSES.misses),
    }
