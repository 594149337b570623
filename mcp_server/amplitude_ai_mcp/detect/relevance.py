"""Relevance slicing: which top-level statements of a module can matter to detection.

Why: detection's cost is libcst. Its parser reads ~0.25 MB/s of real code, and the scope,
expression-context and position metadata plus the analyzer's own pass cost ~4x the parse,
at a fixed price per node. Real modules are mostly code that never touches an LLM client.
CPython's ``ast`` parses the same text 4-8x faster, so it is used here only to pick the
top-level statements the libcst analyzer must see. Each run of dropped statements becomes one
string statement spanning the same lines, so every line and column the analyzer reports is
the original one and libcst reads one node for the run. The libcst analyzer stays the single
detection engine (one set of rules, shared with the codemods): a slice only hands it less
text, and ``tests/mcp/test_relevance_slice.py`` checks on every Python file of the test
suite that the resolved results are identical with and without the slice.

Kept: a statement with evidence, and everything connected to a kept statement through a
module-level name in either direction (a binder of a name it uses: the value flows from there;
a user of a name it binds: callers passing a client, functions returning one). Evidence is an
import of a module that may hold a client (:meth:`Context.may_hold_client`), a name bound by
such an import, a provider-shaped or usage-judged call (``X.chat.completions.create(...)``), a
provider host or ``bedrock-runtime`` string, or a trace-processor hook. Import statements are
kept when a kept statement mentions a name they bind (or they import ``*``). Mentions are read
from the text (identifiers anywhere, strings and comments included): more mentions only keep
more. What dropped statements still contribute is added back from the ``ast`` (their import
list) or cannot lead to a client (exports that point into modules that cannot hold one, or
into other dropped statements: see :func:`live_export`, which scan uses to choose files).

No slice (``None``: analyse the whole text) when ``ast`` rejects the text, when it holds a
bare carriage return (line numbering could differ from libcst's), a star import of a module
that may hold a client, or when every statement is kept anyway.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import providers as P
from .analysis.values import ExternalRef

STDLIB = frozenset(sys.stdlib_module_names)

# Method paths that make a call evidence on their own, whatever the receiver: the provider
# shapes (probable and untracked sites) and the APIs judged by usage on an untyped receiver.
# Any other call only matters through its receiver, which connects it to evidence by name.
_USAGE_PATHS = frozenset(
    api.path for family in P.FAMILIES.values() for api in family.apis if api.usage_kwargs
)
# Text pre-check for those calls (the ``ast`` is walked only where it hits).
_SHAPE_TEXT = re.compile(
    r"\.[\s\\]*(?:"
    + "|".join(sorted({p.rsplit(".", 1)[-1] for p in (*_USAGE_PATHS, *(s.path for s in P.SHAPES))}))
    + r")\b"
)
STRINGS = (*P.PROVIDER_HOSTS, "bedrock-runtime")
# A class importing a module by name may be a proxy of a provider module (``_LazyModule
# ("litellm")``): the analyzer reads it and the module-level instances built from it.
_MODULE_PROXY_TEXT = "import_module"
# Top-level modules whose names the analyzer turns into clients, LLM functions, agents or
# patches (from the provider tables, so new providers flow in).
STRONG = frozenset(
    {c.qualname.split(".")[0] for c in P.CLIENT_CLASSES}
    | {f.qualname.split(".")[0] for f in P.MODULE_FUNCTIONS}
    | {m.split(".")[0] for m in (*P.PROVIDER_MODULES, *P.FRAMEWORK_MODULES)}
    | {P.SDK_MODULE, "agents", "pydantic_ai", "crewai", "langgraph", "boto3"}
)
_TRACE_HOOKS = frozenset({"add_trace_processor", "set_trace_processors"})


class Context:
    """What the slicer knows about the project around a module, and the cache key for it.

    ``modules``: every name the project resolves imports to (scan: module names and their
    suffixes); an import of anything else (and not of a provider/framework/SDK module) can
    never lead to a client, whatever the module. Without it (one file validated or planned),
    imports count unless they name the standard library; ``shadowed`` lists the
    standard-library names the project defines itself."""

    def __init__(self, modules: Iterable[str] | None = None, shadowed: Iterable[str] = ()) -> None:
        self.modules = frozenset(modules) if modules is not None else None
        self.shadowed = frozenset(shadowed)
        names = sorted(self.modules) if self.modules is not None else ["<files>"]
        token = hashlib.sha256("\0".join([*names, "|", *sorted(self.shadowed)]).encode())
        self.key = token.hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Context) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def may_hold_client(self, name: str) -> bool:
        """May the absolute module or ``module.attribute`` ``name`` hold a client?"""
        parts = name.split(".")
        if parts[0] in STRONG:
            return True
        prefixes = (".".join(parts[:i]) for i in range(1, len(parts) + 1))
        if self.modules is not None:
            return any(p in self.modules for p in prefixes)
        return parts[0] not in STDLIB or any(p in self.shadowed for p in prefixes)


NO_CONTEXT = Context()
_IDENT = re.compile(r"[^\W\d]\w*")
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Slice:
    """The text the analyzer reads (dropped statements blanked) and what was dropped."""

    text: str
    kept_units: int
    units: int
    # (module, line) of every import statement in dropped statements, as the analyzer
    # would record them, and the top-level modules they add to ``imported_modules``.
    dropped_imports: tuple[tuple[str, int], ...]
    dropped_modules: frozenset[str]
    kept_lines: frozenset[int]  # 1-based lines of kept statements
    # Per top-level ``ast`` statement, in order: (kept, first line incl. decorators, lineno).
    statements: tuple[tuple[bool, int, int], ...] = ()
    tree: ast.Module | None = None  # the ``ast`` the slice was cut from


# Off: every module is analysed whole (the differential tests compare both ways).
ENABLED = True


def slice_source(text: str, package: str, context: Context = NO_CONTEXT) -> Slice | None:
    """The relevance slice of ``text`` (a module of ``package``), or None to analyse it
    whole."""
    if not ENABLED:
        return None
    tree = _parse(text)
    if tree is None:
        return None
    cut = _cut(tree, text, package, context)
    if cut is None:
        return None
    units, facts, kept, lines = cut
    if len(kept) == len(units):
        return None
    kept_lines: set[int] = set()
    imports: list[tuple[str, int]] = []
    modules: set[str] = set()
    run: list[_Unit] = []  # consecutive dropped units (and the lines between them)
    for index, (unit, fact) in enumerate(zip(units, facts, strict=True)):
        if index in kept:
            kept_lines.update(range(unit.start, unit.end + 1))
            _blank(lines, run)
            run = []
            continue
        imports.extend(fact.imports)
        modules.update(fact.imported)
        run.append(unit)
    _blank(lines, run)
    return Slice(
        "".join(lines),
        len(kept),
        len(units),
        tuple(imports),
        frozenset(modules),
        frozenset(kept_lines),
        tuple(
            (index in kept, _start(stmt), stmt.lineno)
            for index, unit in enumerate(units)
            for stmt in unit.stmts
        ),
        tree,
    )


def _parse(text: str) -> ast.Module | None:
    if "\r" in text.replace("\r\n", "\n"):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


def _cut(
    tree: ast.Module, text: str, package: str, context: Context
) -> tuple[list[_Unit], list[_Facts], set[int], list[str]] | None:
    """The units of ``tree``, their facts, the indices of the kept units and the text's
    lines; None when no slice may be cut."""
    units = _units(tree.body)
    if len(units) <= 1:
        return None
    lines = _lines(text)
    if len(lines) < units[-1].end:
        return None
    facts = [_Facts(u, "".join(lines[u.start - 1 : u.end]), package, context) for u in units]
    if any(f.relevant_star for f in facts):
        return None
    return units, facts, _closure(facts), lines


def _start(stmt: ast.stmt) -> int:
    return min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])


def _shaped(func: ast.Attribute) -> bool:
    """``X.chat.completions.create(...)``-like: a provider shape or a usage-judged API."""
    segments: list[str] = []
    node: ast.expr = func
    while isinstance(node, ast.Attribute) and len(segments) <= 8:
        segments.insert(0, node.attr)
        node = node.value
    if P.shape_for(segments) is not None:
        return True
    return any(".".join(segments[i:]) in _USAGE_PATHS for i in range(len(segments)))


def _lines(text: str) -> list[str]:
    """Lines as CPython numbers them (``str.splitlines`` also splits on form feeds and
    other separators the tokenizer treats as whitespace)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _blank(lines: list[str], run: list[_Unit]) -> None:
    """Replace the lines of a run of dropped statements by one string statement of as many
    lines: line numbers stay, and libcst reads one node instead of a node per line."""
    if not run:
        return
    first, last = run[0].start - 1, run[-1].end - 1
    ending = lines[last][len(lines[last].rstrip("\r\n")) :]
    if first == last:
        lines[first] = '""' + ending
        return
    lines[first] = '"""\n'
    for line in range(first + 1, last):
        lines[line] = "\n"
    lines[last] = '"""' + ending


@dataclass
class _Unit:
    """Top-level statements that share lines (``a = 1; b = 2``) are kept or dropped together."""

    stmts: list[ast.stmt]
    start: int
    end: int


def _units(body: list[ast.stmt]) -> list[_Unit]:
    units: list[_Unit] = []
    for stmt in body:
        start = _start(stmt)
        end = stmt.end_lineno or stmt.lineno
        if units and start <= units[-1].end:
            units[-1].stmts.append(stmt)
            units[-1].end = max(units[-1].end, end)
        else:
            units.append(_Unit([stmt], start, end))
    return units


class _Facts:
    """What one unit binds at module level, mentions, and whether it is evidence by itself."""

    def __init__(self, unit: _Unit, segment: str, package: str, context: Context) -> None:
        self.binds: set[str] = set()
        # Every identifier spelled in the unit's text (attributes, strings and comments
        # included): more mentions only connect more statements, so text is enough.
        self.mentions: set[str] = set(_IDENT.findall(segment))
        self.evidence = (
            any(s in segment for s in STRINGS)
            or not _TRACE_HOOKS.isdisjoint(self.mentions)
            or _MODULE_PROXY_TEXT in segment
        )
        self.relevant_star = False
        self.star = False
        self.sdk_import = False  # the analyzer asks whether the module imports the SDK
        self.pure_import = all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in unit.stmts)
        self.import_binds: set[str] = set()  # names bound by imports of relevant modules
        self.imports: list[tuple[str, int]] = []
        self.imported: set[str] = set()
        self._package = package
        self._context = context
        for stmt in unit.stmts:
            self._bind_module_level(stmt)
        shaped = _SHAPE_TEXT.search(segment) is not None
        if shaped or "import" in segment or "global" in segment:
            for node in (n for stmt in unit.stmts for n in ast.walk(stmt)):
                self._look(node, shaped)
        self.mentions |= self.binds
        self._stmts = unit.stmts

    def names_used(self) -> set[str]:
        """The names the unit's code uses (``ast`` names and string annotations): a mention
        in a comment or a plain string is no evidence."""
        names: set[str] = set(self.binds)
        for node in (n for stmt in self._stmts for n in ast.walk(stmt)):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, (ast.arg, ast.AnnAssign)):
                self._string_annotation(node.annotation, names)
            elif isinstance(node, _FUNCS):
                self._string_annotation(node.returns, names)
        return names

    @staticmethod
    def _string_annotation(annotation: ast.expr | None, names: set[str]) -> None:
        for sub in ast.walk(annotation) if annotation is not None else ():
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                names.update(_IDENT.findall(sub.value))

    def _look(self, node: ast.AST, shaped: bool) -> None:
        if isinstance(node, ast.Call):
            if shaped and not self.evidence and isinstance(node.func, ast.Attribute):
                self.evidence = _shaped(node.func)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                self.imports.append((alias.name, node.lineno))
                self.imported.add(alias.name)
                self.sdk_import |= alias.name.split(".")[0] == P.SDK_MODULE
                if self._relevant(alias.name):
                    self.evidence = True
                    self.import_binds.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = self._absolute("." * node.level + (node.module or ""))
            relevant = bool(base) and self._relevant(base)
            if base:
                self.imported.add(base)
                self.imports.append((base, node.lineno))
                self.sdk_import |= base.split(".")[0] == P.SDK_MODULE
            for alias in node.names:
                if alias.name == "*":
                    self.star = True
                    self.relevant_star = self.relevant_star or relevant
                    continue
                if base:
                    self.imports.append((f"{base}.{alias.name}", node.lineno))
                if relevant or alias.name in _TRACE_HOOKS or self._relevant(f"{base}.{alias.name}"):
                    self.evidence = True
                    self.import_binds.add(alias.asname or alias.name)
        elif isinstance(node, ast.Global):
            self.binds.update(node.names)

    def _relevant(self, name: str) -> bool:
        return self._context.may_hold_client(name)

    def _absolute(self, name: str) -> str:
        # The analyzer's rule (``_Analyzer._absolute``), so dropped imports read the same.
        if not name.startswith("."):
            return name
        dots = len(name) - len(name.lstrip("."))
        rest = name[dots:]
        parts = self._package.split(".") if self._package else []
        if dots - 1 > len(parts):
            return rest
        base = parts[: len(parts) - (dots - 1)]
        return ".".join([*base, rest] if rest else base)

    def _bind_module_level(self, stmt: ast.stmt) -> None:
        """Names ``stmt`` binds in the module scope (an over-approximation is safe: it only
        connects more statements)."""
        stack: list[ast.AST] = [stmt]
        while stack:
            node = stack.pop()
            if isinstance(node, (*_FUNCS, ast.ClassDef)):
                self.binds.add(node.name)
                stack.extend(node.decorator_list)
                if isinstance(node, ast.ClassDef):
                    stack.extend(node.bases)
                    stack.extend(node.keywords)
                else:
                    stack.append(node.args)
                continue
            if isinstance(node, ast.Lambda):
                stack.append(node.args)
                continue
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                self.binds.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name != "*":
                        self.binds.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
                self.binds.add(node.name)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                self.binds.add(node.rest)
            stack.extend(ast.iter_child_nodes(node))


def _closure(facts: list[_Facts]) -> set[int]:
    """Indices of kept units: evidence and everything connected to it through a
    module-level name (names only imports bind connect nothing), then the import statements
    that bind a name the kept units mention (star imports always stay: their names are
    unknown). A dropped import contributes only its entry in the import list."""
    binders: dict[str, list[int]] = {}
    for i, fact in enumerate(facts):
        for name in fact.binds:
            binders.setdefault(name, []).append(i)
    import_only = {
        name for name, where in binders.items() if all(facts[i].pure_import for i in where)
    }
    relevant_imports = {name for fact in facts if fact.pure_import for name in fact.import_binds}
    by_name: dict[str, list[int]] = {}
    kept: set[int] = set()
    pending: list[int] = []
    for i, fact in enumerate(facts):
        # An import of the SDK stays wherever it is: the analyzer asks whether the module
        # imports it (framework integrations registered without passing an SDK object).
        if fact.sdk_import or (
            not fact.pure_import
            and (
                fact.evidence
                or (fact.mentions & relevant_imports and fact.names_used() & relevant_imports)
            )
        ):
            kept.add(i)
            pending.append(i)
        for name in fact.mentions:
            if name in binders and name not in import_only:
                by_name.setdefault(name, []).append(i)
    seen_names: set[str] = set()
    while pending:
        fact = facts[pending.pop()]
        for name in fact.mentions:
            if name in seen_names or name not in by_name:
                continue
            seen_names.add(name)
            for j in by_name[name]:
                if j not in kept:
                    kept.add(j)
                    pending.append(j)
    mentioned = {name for i in kept for name in facts[i].mentions}
    for i, fact in enumerate(facts):
        if fact.pure_import and (fact.star or not fact.binds.isdisjoint(mentioned)):
            kept.add(i)
    return kept


def shadowed_under(directories: Iterable[Path | None]) -> frozenset[str]:
    """Standard-library names that the given import roots define as project modules."""
    found: set[str] = set()
    for directory in directories:
        if directory is None:
            continue
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        for entry in entries:
            name = entry.removesuffix(".py")
            if name in STDLIB:
                found.add(name)
    return frozenset(found)


def live_export(
    exports: Mapping[str, object], module: str, key: str, context: Context, depth: int = 0
) -> bool:
    """Whether ``exports[key]`` may hold (or lead to) a client, judged the same on a slice as
    on the whole module: references to modules that cannot hold one are inert, and
    references to this module's own names are followed (a dropped statement only leads to
    other dropped statements)."""
    value = exports.get(key)
    if value is None:
        return False
    if not isinstance(value, ExternalRef):
        return True
    qualname = value.qualname
    if qualname.startswith(f"{module}.") and depth < 6:
        name = qualname[len(module) + 1 :]
        if value.called:
            return live_export(exports, module, f"{name}()", context, depth + 1) or (
                isinstance(exports.get(name), ExternalRef)
                and live_export(exports, module, name, context, depth + 1)
            )
        return live_export(exports, module, name, context, depth + 1)
    return context.may_hold_client(qualname)


def identifiers(stmts: Iterable[ast.stmt]) -> set[str]:
    """Every identifier the code of ``stmts`` spells (names, attributes, parameters, keyword
    arguments, import parts, pattern captures): what libcst holds as ``Name`` nodes, plus
    ``True``/``False``/``None``."""
    found = {"True", "False", "None"}
    for node in (n for stmt in stmts for n in ast.walk(stmt)):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, (*_FUNCS, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.arg, ast.keyword)) and node.arg:
            found.add(node.arg)
        elif isinstance(node, ast.alias):
            found.update(node.name.split("."))
            if node.asname:
                found.add(node.asname)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(node.module.split("."))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            found.update(node.names)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            found.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            found.add(node.rest)
        elif isinstance(node, ast.MatchClass):
            found.update(node.kwd_attrs)
    return found
