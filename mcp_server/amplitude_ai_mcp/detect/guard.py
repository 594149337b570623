"""Guarded parsing: no source text, however hostile, can crash or stall the server.

libcst's native parser recurses once per nesting level on the C stack, so ``x = --...-1``
with 100,000 minus signs overflows it (SIGSEGV, the whole process dies); far before that its
parse time grows quadratically, and its Python-level metadata visitors hit the recursion limit
after a few hundred levels. So every parse here goes through three gates:

1. cheap pre-checks on the text (size, line count, an estimate of the syntax tree's depth from
   a linear scan) reject what could not be analysed anyway, with the reason;
2. the parse and the analysis run in a worker thread with a large stack, so an estimate that
   is off cannot turn into a stack overflow;
3. a time budget per file: past it the worker is interrupted (an asynchronous exception, the
   Python-level analysis is where the time goes) and the file is reported as skipped.

Memory is bounded through the size and line caps: libcst's tree plus position metadata
measured ~320 bytes per source byte (a 550 KB module: +169 MB), so the 1 MB cap keeps one
analysis to a few hundred MB; there is no per-thread memory limit to enforce more.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Callable
from typing import TypeVar

from amplitude_ai_mcp.workspace import WorkspaceError

T = TypeVar("T")

MAX_BYTES = 1_000_000
MAX_LINES = 40_000
# In units of :func:`nesting_depth`. Real code stays below ~40; libcst's visitors fail from
# ~300 (nested lists) to ~800 (unary minus) units with the default recursion limit.
MAX_DEPTH = 200
TIME_BUDGET_S = 30.0
_STACK_BYTES = 512 * 1024 * 1024  # virtual; only the pages a deep parse touches are used


class SourceRejected(WorkspaceError):
    """The source cannot be analysed safely; ``reason`` says why (shown to the user)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _BudgetExceeded(BaseException):
    """Raised inside a worker that ran past its time budget (BaseException: not swallowed
    by the analysis' own ``except Exception`` handlers)."""


# One alternation, scanned with finditer: strings and comments are skipped as a whole; the
# other groups are what makes libcst's tree deeper.
_TOKENS = re.compile(
    r"""
    (?P<string>(?:[rRbBuU]|[fF][rR]?|[rR][fFbB]|[bB][rR])?
        (?:'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
          |\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
          |'(?:[^'\\\n]|\\.)*'?
          |"(?:[^"\\\n]|\\.)*"?))
    |(?P<word>[^\W\d]\w*)
    |(?P<skip>[ \t]+|\d[\w.]*|(?:[ \t]*(?:\#[^\n]*|\\\r?\n))+)
    |(?P<newline>(?:[ \t]*(?:\#[^\n]*)?(?:\r?\n|\r))+)
    |(?P<open>[(\[{])
    |(?P<close>[)\]}])
    |(?P<sep>(?::=|==|!=|<=|>=|->|[,;:]|=)[ \t]*)
    |(?P<dots>(?:\.[ \t]*[^\W\d]\w*)+)
    |(?P<op>\*\*|//|<<|>>|[-+*/%@&|^~<>.])
    """,
    re.VERBOSE | re.DOTALL,
)
_NESTING_KEYWORDS = frozenset(
    {"and", "or", "not", "in", "is", "if", "else", "for", "await", "lambda"}
)
_BLOCK_START = re.compile(r"[ \t]*(elif|else)\b")


def nesting_depth(text: str) -> int:
    """An over-estimate of how deep libcst's tree of ``text`` nests: bracket depth plus the
    length of operator / attribute / call / string-concatenation chains (each link nests one
    level in the tree), plus indentation and ``elif`` chains (each ``elif`` is an ``If`` in
    the previous one's ``orelse``). Linear in the text; strings and comments are skipped,
    except f-strings, whose replacement fields libcst parses as code."""
    deepest = 0
    chains = [0]  # chain length per open bracket level (outermost first)
    total = 0  # len(chains) + sum(chains), kept incrementally
    lambdas = [0]  # lambdas per bracket level still waiting for their colon
    last_string = False
    odd_string = False
    line_start = 0
    elif_runs: dict[int, int] = {}  # indentation width -> consecutive elif/else count
    statement_depth = 0
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "string":
            token = match.group()
            if "{" in token:
                quote = min(i for i in (token.find("'"), token.find('"')) if i >= 0)
                if "f" in token[:quote].lower():  # replacement fields are code to libcst
                    inner = nesting_depth(token[quote:].strip("'\""))
                    deepest = max(deepest, total + statement_depth + inner)
            if last_string:
                # Implicit concatenation nests one level per string, but strings are cheap
                # to libcst (its parser never overflowed on them; ~300 still analyse): count
                # half, so real tables like the codecs' 256-string literals pass.
                odd_string = not odd_string
                if odd_string:
                    chains[-1] += 1
                    total += 1
                    deepest = max(deepest, total + statement_depth)
            else:
                odd_string = False
            last_string = True
            continue
        if kind == "skip" or (kind == "newline" and len(chains) > 1):
            continue  # spaces, comments and bracketed line breaks keep strings adjacent
        last_string = False
        if kind == "word":
            word = match.group()
            if word not in _NESTING_KEYWORDS:
                continue
            if word == "lambda":
                lambdas[-1] += 1
        elif kind == "newline":
            if len(chains) == 1:  # a logical line ends: its chains end with it
                total -= chains[0]
                chains[0] = 0
                lambdas[0] = 0
                line_start = match.end()
                statement_depth = _statement_depth(text, line_start, elif_runs)
            continue
        if kind == "open":
            chains[-1] += 1
            chains.append(0)
            lambdas.append(0)
            total += 2
        elif kind == "close":
            if len(chains) > 1:
                total -= chains.pop() + 1
                lambdas.pop()
        elif kind == "sep":
            if lambdas[-1] and match.group()[:2] in (":", ": ", ":\t"):
                lambdas[-1] -= 1  # a lambda's own colon: its body nests inside it
            else:
                total -= chains[-1]
                chains[-1] = 0
        else:  # operators, attribute chains, keywords: each link nests one level
            links = match.group().count(".") if kind == "dots" else 1
            chains[-1] += links
            total += links
        if total + statement_depth > deepest:
            deepest = total + statement_depth
    return deepest


def _statement_depth(text: str, start: int, elif_runs: dict[int, int]) -> int:
    """Depth contributed by the block structure at the logical line starting at ``start``."""
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    if end >= len(text) or text[end] in "\r\n#":
        return sum(elif_runs.values())  # blank or comment line: no statement starts here
    width = end - start
    for deeper in [w for w in elif_runs if w > width]:
        del elif_runs[deeper]
    keyword = _BLOCK_START.match(text, start)
    if keyword is not None:
        elif_runs[width] = elif_runs.get(width, 0) + 1
    else:
        elif_runs.pop(width, None)
    # Each indentation level nests a block and a statement (~2 levels); ``width`` over-counts.
    return sum(elif_runs.values()) + min(width, 400) // 2


def precheck(text: str, depth: bool = True) -> str | None:
    """Why ``text`` must not be parsed (None: it is safe to parse). Linear, no parse.
    ``depth`` False: size and line caps only (for CPython's parser, which is safe on any
    nesting in the guarded worker; libcst's input gets the depth scan too)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        return f"too large to analyse ({size:,} bytes; the limit is {MAX_BYTES:,})"
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        return f"too many lines to analyse ({lines:,}; the limit is {MAX_LINES:,})"
    if not depth:
        return None
    depth_found = nesting_depth(text)
    if depth_found > MAX_DEPTH:
        return (
            f"nested too deeply to analyse safely (estimated depth {depth_found:,}; the limit is "
            f"{MAX_DEPTH}): very long operator, attribute, call or elif chains"
        )
    return None


_in_worker = threading.local()
_spawn_lock = threading.Lock()


def run_guarded(work: Callable[[], T], budget_s: float | None = None) -> T:
    """Run ``work`` in a worker thread with a large stack and a time budget; its exceptions
    propagate. Past the budget -> :class:`SourceRejected`. Nested calls run inline (the
    outer worker already has the stack and the budget)."""
    if getattr(_in_worker, "active", False):
        return work()
    budget = TIME_BUDGET_S if budget_s is None else budget_s
    outcome: dict[str, object] = {}

    def target() -> None:
        _in_worker.active = True
        try:
            outcome["value"] = work()
        except _BudgetExceeded:
            outcome["timeout"] = True
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    worker = _start(target)
    worker.join(budget)
    if worker.is_alive():
        _interrupt(worker)
        worker.join(5.0)
        raise SourceRejected(f"analysis exceeded its time budget ({budget:g} s)")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    if outcome.get("timeout"):
        raise SourceRejected(f"analysis exceeded its time budget ({budget:g} s)")
    return outcome["value"]  # type: ignore[return-value]


def _start(target: Callable[[], None]) -> threading.Thread:
    """Start ``target`` on a thread with the largest stack the process may map (a tight
    ``ulimit -v`` can refuse 512 MB: fall back to smaller stacks, the pre-checks still hold)."""
    with _spawn_lock:  # stack_size() is process-wide: set, start, restore
        for size in (_STACK_BYTES, _STACK_BYTES // 8, 0):
            previous = threading.stack_size(size)
            try:
                worker = threading.Thread(target=target, name="amplitude-ai-parse", daemon=True)
                worker.start()
                return worker
            except RuntimeError:  # "can't start new thread": not enough address space
                if size == 0:
                    raise
            finally:
                threading.stack_size(previous)
    raise AssertionError("unreachable")  # pragma: no cover


def _interrupt(worker: threading.Thread) -> None:
    """Raise :class:`_BudgetExceeded` in ``worker`` at its next Python bytecode."""
    if worker.ident is None:  # pragma: no cover - started threads have an ident
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(worker.ident), ctypes.py_object(_BudgetExceeded)
    )


def describe_failure(exc: BaseException) -> str:
    """A reason for a file whose analysis failed in an unexpected way (never a traceback)."""
    if isinstance(exc, SourceRejected):
        return exc.reason
    if isinstance(exc, RecursionError):
        return "nested too deeply to analyse"
    if isinstance(exc, MemoryError):
        return "too large to analyse (out of memory)"
    return f"could not be analysed ({type(exc).__name__})"
