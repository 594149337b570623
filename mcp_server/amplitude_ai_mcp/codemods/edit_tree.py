"""The tree a plan's codemods read and edit, and how their output becomes the module's text.

A real module is mostly code no codemod touches. The plan edits the module's *edit slice*
(:func:`.edit_slice.edit_slice`: the statements detection keeps, every top-level
import and the docstring, each run of other statements replaced by a one-node marker spanning
the same lines), parsed alone: libcst never reads, resolves metadata for, or regenerates the
dropped code, which goes back verbatim. Detection runs on the same tree and wrapper (one
parse, one resolution of scope and position metadata per plan). The rewriter enters only the
nodes on a path to an edit (:func:`paths_to_edits`).

Where the slice cannot be cut (or its output cannot be put back together), the whole module is
parsed, with a wrapper over the statements detection keeps
(:func:`..detect.source.focused_wrapper`).
"""

from __future__ import annotations

import ast
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import cast

import libcst as cst
from libcst.metadata import MetadataWrapper

from amplitude_ai_mcp.codemods.edit_slice import EditSlice, edit_slice
from amplitude_ai_mcp.detect import guard
from amplitude_ai_mcp.detect.analysis.fast_metadata import FastWrapper
from amplitude_ai_mcp.detect.analysis.tree_walk import walk
from amplitude_ai_mcp.detect.analyze import (
    FileAnalysis,
    analyze_module,
    module_name_for,
)
from amplitude_ai_mcp.detect.guard import SourceRejected
from amplitude_ai_mcp.detect.relevance import Context, identifiers
from amplitude_ai_mcp.detect.source import focused_wrapper
from amplitude_ai_mcp.detect.source import load as load_model
from amplitude_ai_mcp.detect.source import parse_module as guarded_parse
from amplitude_ai_mcp.syntax_check import libcst_limit
from amplitude_ai_mcp.workspace import WorkspaceError

from ._common import Plan

LEGACY_MODULE = "amplitude.ai"  # the old SDK's import path (migrate_legacy_api)


def parse(text: str, shown: str) -> cst.Module:
    """libcst's tree of ``text``, after Python itself accepted it (libcst's grammar is more
    lenient, e.g. about where ``from __future__`` may appear)."""
    check_python(text, shown)
    return parse_checked(text, shown)


def check_python(text: str, shown: str) -> ast.Module:
    """Refuse text Python itself does not compile (nothing is parsed by libcst); its ``ast``
    (the edit slice is cut from it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings belong to the user's own run
            flags = ast.PyCF_ONLY_AST
            tree = cast(ast.Module, compile(text, shown, "exec", flags, dont_inherit=True))
            compile(tree, shown, "exec", dont_inherit=True)  # symbol table and code
            return tree
    except SyntaxError as exc:
        raise WorkspaceError(
            f"{shown} is not valid Python: syntax error ({exc.msg}) at line {exc.lineno}, "
            f"column {(exc.offset or 1) - 1}; fix it first (nothing was changed)"
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise WorkspaceError(f"{shown} cannot be compiled ({type(exc).__name__})") from None


def parse_checked(text: str, shown: str) -> cst.Module:
    try:
        return guarded_parse(text)
    except SourceRejected as exc:
        if exc.reason.startswith("valid Python"):
            raise WorkspaceError(f"{shown} is {exc.reason}") from None
        raise WorkspaceError(f"{shown} cannot be instrumented: {exc.reason}") from None
    except cst.ParserSyntaxError as exc:
        # Python compiled it above, so this is a limit of libcst's parser, not the user's
        # syntax: e.g. an implicit concatenation of thousands of string literals.
        raise WorkspaceError(
            f"{shown} is {libcst_limit(exc.raw_line)}; split that expression to instrument "
            "this file (nothing was changed)"
        ) from None
    except RecursionError:
        raise WorkspaceError(f"{shown} is too deeply nested to analyse") from None


@dataclass
class EditTree:
    """The tree the codemods read and edit: the edit slice's (see
    :func:`.edit_slice.edit_slice`) or the whole module's, with a metadata wrapper over
    the statements that matter."""

    module: cst.Module
    wrapper: MetadataWrapper
    skip: set[int]  # id() of the statements no edit enters (dropped code, markers)
    dropped_names: set[str]  # identifiers spelled in the dropped code
    lines: dict[int, int]  # id(top-level statement) -> line, where the wrapper lacks it
    cut: EditSlice | None = None  # None: ``module`` is the whole module
    # The dropped code's text and identifiers (see ``Facts.dropped``), for a slice.
    dropped: tuple[str, Callable[[], set[str]]] | None = None
    _analysis: FileAnalysis | None = None

    def analysis(self, rel: str) -> FileAnalysis | None:
        """Detection's analysis of the slice, on this tree and wrapper (one parse and one
        resolution of scope and position metadata for detection and the codemods: the slice
        keeps everything detection reads, see :mod:`..detect.relevance`); None for a whole
        tree (detection then reads the text). A fresh copy each time: callers set ``file``."""
        if self.cut is None:
            return None
        if self._analysis is None:
            found = analyze_module(
                self.module, module_name_for(rel), rel.endswith("__init__.py"), self.wrapper
            )
            found.imports = sorted([*found.imports, *self.cut.dropped_imports], key=_line)
            found.imported_modules = found.imported_modules | self.cut.dropped_modules
            self._analysis = found
        return replace(self._analysis)


def _line(item: tuple[str, int]) -> int:
    return item[1]


# Recent edit trees by (file sha256, path, relevance context): a plan and the apply that
# follows it (the same content) parse and resolve metadata once. Trees are large: keep few.
_TREES: OrderedDict[tuple[str, str, str], EditTree] = OrderedDict()
_TREES_SIZE = 4
_TREES_LOCK = threading.Lock()


def recall(key: tuple[str, str, str]) -> EditTree | None:
    with _TREES_LOCK:
        tree = _TREES.get(key)
        if tree is not None:
            _TREES.move_to_end(key)
        return tree


def remember(key: tuple[str, str, str], tree: EditTree) -> None:
    """Keep ``tree`` (after a plan used it: its metadata and analysis are resolved, so later
    plans only read it)."""
    with _TREES_LOCK:
        _TREES[key] = tree
        _TREES.move_to_end(key)
        while len(_TREES) > _TREES_SIZE:
            _TREES.popitem(last=False)


def forget_trees() -> None:
    with _TREES_LOCK:
        _TREES.clear()


def _package(rel: str) -> str:
    module_name = module_name_for(rel)
    return module_name if rel.endswith("__init__.py") else module_name.rpartition(".")[0]


def edit_tree(text: str, rel: str, context: Context, parsed: ast.Module | None = None) -> EditTree:
    """The edit slice of ``text`` parsed alone: libcst never reads (nor later generates) the
    statements no codemod edits, which are most of a real module. The old ``amplitude.ai``
    API migration reads the whole module, so a file that mentions it is edited whole."""
    cut = edit_slice(text, _package(rel), context, parsed) if LEGACY_MODULE not in text else None
    if cut is None:
        return whole_tree(text, rel, context)
    reason = guard.precheck(text, depth=False)  # the depth check runs on the parsed slice
    if reason:
        raise WorkspaceError(f"{rel} cannot be instrumented: {reason}")
    module = parse_checked(cut.text, rel)
    markers = {id(stmt) for stmt in module.body if _is_marker(stmt, cut.prefix)}
    wrapper = FastWrapper(module, unsafe_skip_copy=True)
    dropped_text = "\n".join(original for _, original in cut.markers)
    return EditTree(
        module, wrapper, markers, set(), {}, cut, (dropped_text, lambda: identifiers(cut.dropped))
    )


def _is_marker(stmt: cst.BaseStatement, prefix: str) -> bool:
    """``<prefix>3_``, alone or subscripted with a string: a run of dropped statements."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    expr = stmt.body[0]
    if not isinstance(expr, cst.Expr):
        return False
    value = expr.value.value if isinstance(expr.value, cst.Subscript) else expr.value
    return isinstance(value, cst.Name) and value.value.startswith(prefix)


def whole_tree(text: str, rel: str, context: Context) -> EditTree:
    module = parse_checked(text, rel)
    # Scopes and positions of the statements detection keeps only (a focused wrapper over
    # the same nodes): resolving them for the whole tree was most of the cost.
    focus = focused_wrapper(module, text, _package(rel), context)
    if focus is None:
        return EditTree(module, load_model(text).wrapper, set(), set(), {})
    skip = {id(stmt) for stmt in focus.dropped}
    return EditTree(module, focus.wrapper, skip, focus.dropped_names, focus.lines)


def paths_to_edits(module: cst.Module, plan: Plan, skip: set[int]) -> set[int]:
    """id() of the nodes the rewriter enters: every node an edit of ``plan`` targets and the
    nodes above it. Everything else comes out as it went in; ``skip`` (dropped code, markers)
    is not even read."""
    targets = set(plan.rewrites) | set(plan.insert_after) | plan.remove
    found = {id(module)}
    stack: list[int] = []

    class Paths(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            stack.append(id(node))
            if id(node) in targets:
                found.update(stack)
            return id(node) not in skip

        def on_leave(self, original_node: cst.CSTNode) -> None:
            stack.pop()

    walk(module, Paths())
    return found
