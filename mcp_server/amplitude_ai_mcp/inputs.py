"""Answers to ``needs_input`` items: checked, then placed verbatim into generated code.

``instrument_file`` and ``generate_verify_test`` accept ``inputs``: a map from the ``id`` of a
``needs_input`` item to its answer. An answer is a Python expression (a string, e.g.
``"request.headers.get('x-user-id')"``) or any other JSON value, which is written as the Python
literal of that value (``42``, ``true`` -> ``True``, ``{"a": [1]}``).

An expression is accepted when it is one line of at most :data:`MAX_CHARS` characters, parses
as a single expression, has no comment, and looks free of side effects:

- no assignment expression (``:=``), ``lambda``, ``await``, ``yield`` or comprehension;
- no dunder attribute (``x.__class__``);
- calls only to :data:`PURE_FUNCTIONS` (conversions, ``len``, ``getattr``, ``os.getenv``)
  and to the look-up methods :data:`PURE_METHODS` (``.get(...)`` on dicts, headers, query
  parameters, ``os.environ``; Flask's ``request.get_json()``, ``.getlist(...)``);
- where the codemod knows the scope (the user id of a session), only names that scope has:
  the function's parameters, the module's names, builtins (:func:`check_names`).

The check cannot prove purity (an attribute may be a property); it refuses what obviously is
not a value lookup, so a typo or an instruction pasted as an answer fails loudly instead of
being written into the user's code.

That is the ``"lookups"`` strictness (answers written into the user's code). Answers of
``generate_verify_test`` run only inside the generated test, where building an object is the
point (``module.Memory()``, ``mock.MagicMock()``): its strictness, ``"constructors"``, allows
any call, lambdas and comprehensions, and still refuses assignment expressions, ``await``,
``yield`` and the builtins that run or open anything (:data:`FORBIDDEN_NAMES`).
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import tokenize
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from .errors import UserError

# What calls an answer may make: value look-ups only (placed in the user's code), or any
# call but :data:`FORBIDDEN_NAMES` (placed in a generated test).
Strictness = Literal["lookups", "constructors"]

MAX_CHARS = 300
PURE_FUNCTIONS = frozenset(
    {"str", "int", "float", "bool", "len", "repr", "getattr", "os.getenv", "tuple", "list"}
)
# Value look-ups: dicts, headers, query strings, os.environ; Flask's request body and lists.
PURE_METHODS = frozenset({"get", "get_json", "getlist"})
# Builtins no answer may name, at any strictness: they run code or touch files.
FORBIDDEN_NAMES = frozenset({"exec", "eval", "compile", "open", "__import__", "breakpoint"})
_ALWAYS: dict[type[ast.AST], str] = {
    ast.NamedExpr: "an assignment expression (:=)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
}
_LOOKUPS_ONLY: dict[type[ast.AST], str] = {
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
}


class Expr(str):
    """Checked answer text that generated code places verbatim (not as a string literal)."""


class InputError(UserError):
    """An answer in ``inputs`` that cannot be used; the message names the id and the fix."""


def check_expression(item_id: str, value: Any, strictness: Strictness = "lookups") -> str:
    """The Python source to place for ``value`` (an expression string or a JSON value), checked
    at ``strictness`` (see the module docstring)."""
    if not isinstance(value, str):
        return _literal(item_id, value)
    text = value.strip()
    if not text:
        raise InputError(f"inputs[{item_id!r}] is empty; give a Python expression")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"inputs[{item_id!r}] is {len(text)} characters; an answer is one expression of at "
            f"most {MAX_CHARS}"
        )
    if "\n" in text or "\r" in text:
        raise InputError(f"inputs[{item_id!r}] spans several lines; give a one-line expression")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise InputError(
            f"inputs[{item_id!r}] = {text!r} is not a Python expression ({exc.msg}); strings "
            "are expressions here, so quote a literal string: '\"support-bot\"'"
        ) from None
    if _has_comment(text):
        raise InputError(f"inputs[{item_id!r}] contains a comment; give only the expression")
    problem = _side_effect(tree, strictness)
    if problem is not None:
        hint = (
            "a value lookup such as user.id, request.headers.get('x-user-id') or a literal"
            if strictness == "lookups"
            else 'an expression that builds the value, e.g. "[\'hello\']" or "module.Settings()"'
        )
        raise InputError(
            f"inputs[{item_id!r}] = {text!r} is not allowed: it does not look side-effect free "
            f"({problem}); give {hint}"
        )
    return text


def check_names(item_id: str, text: str, known: Iterable[str], where: str) -> None:
    """Refuse an expression that reads a name defined nowhere it could come from (a typo such
    as ``request.user_id`` in a handler whose parameter is ``req``), before it is written."""
    tree = ast.parse(text, mode="eval")
    defined = set(known) | set(dir(builtins))
    bound = {
        t.id
        for node in ast.walk(tree)
        if isinstance(node, ast.comprehension)
        for t in ast.walk(node.target)
        if isinstance(t, ast.Name)
    }
    missing = sorted(
        {
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id not in defined | bound
        }
    )
    if missing:
        raise InputError(
            f"inputs[{item_id!r}] = {text!r} reads {', '.join(missing)}, which {where} does not "
            "define or import; use its parameters or module-level names (a literal string "
            "needs quotes: '\"anonymous\"')"
        )


def literal_string(item_id: str, value: Any) -> str:
    """An answer that must be a string value: a JSON string is taken as is only when it is not
    a valid expression of a string literal (``'"bot"'`` and ``"bot"`` both give ``bot``)."""
    if not isinstance(value, str):
        raise InputError(f"inputs[{item_id!r}] must be a string, got {type(value).__name__}")
    text = value.strip()
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if not isinstance(parsed, str):
        raise InputError(f"inputs[{item_id!r}] must be a string, got {text!r}")
    return parsed


def check_ids(inputs: Mapping[str, Any], known: Mapping[str, bool]) -> None:
    """Refuse ids the plan does not know, and answers to items that take none.

    ``known`` maps every id the plan produced (or settled from an earlier answer) to whether
    it accepts an answer.
    """
    unknown = sorted(set(inputs) - set(known))
    if unknown:
        valid = sorted(k for k, answerable in known.items() if answerable)
        raise InputError(
            f"unknown needs_input id{'s' if len(unknown) > 1 else ''}: {_listing(unknown)}; "
            + (
                f"the ids this call accepts are: {_listing(valid)}"
                if valid
                else "this call has no questions that take an answer"
            )
        )
    not_answerable = sorted(k for k in inputs if not known[k])
    if not_answerable:
        raise InputError(
            f"{_listing(not_answerable)} cannot be answered with a value; do what the "
            "needs_input item says instead (e.g. instrument the file it names)"
        )


def _listing(ids: list[str], at_most: int = 20) -> str:
    shown = ", ".join(ids[:at_most])
    return shown if len(ids) <= at_most else f"{shown} (and {len(ids) - at_most} more)"


def _literal(item_id: str, value: Any) -> str:
    if not _is_json(value):
        raise InputError(
            f"inputs[{item_id!r}] must be a Python expression (string) or a JSON value"
        )
    text = repr(value)
    if len(text) > MAX_CHARS:
        raise InputError(f"inputs[{item_id!r}] is over {MAX_CHARS} characters once written")
    return text


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return not isinstance(value, float) or json.dumps(value) not in ("NaN", "Infinity")
    if isinstance(value, list):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


def _has_comment(text: str) -> bool:
    try:
        tokens: Iterable[tokenize.TokenInfo] = list(
            tokenize.generate_tokens(io.StringIO(text).readline)
        )
    except (tokenize.TokenError, SyntaxError):
        return False
    return any(t.type == tokenize.COMMENT for t in tokens)


def _side_effect(tree: ast.AST, strictness: Strictness) -> str | None:
    forbidden = _ALWAYS if strictness == "constructors" else {**_ALWAYS, **_LOOKUPS_ONLY}
    for node in ast.walk(tree):
        for kind, what in forbidden.items():
            if isinstance(node, kind):
                return f"it contains {what}"
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            return f"it names {node.id}"
        if strictness == "constructors":
            continue
        if isinstance(node, ast.Attribute) and node.attr.startswith("__"):
            return f"it reads the dunder attribute {node.attr}"
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in PURE_FUNCTIONS:
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr in PURE_METHODS:
                continue
            shown = name or ast.unparse(node.func)
            allowed = [*sorted(PURE_FUNCTIONS), *(f".{m}()" for m in sorted(PURE_METHODS))]
            return f"it calls {shown}(); only {', '.join(allowed)} are allowed"
    return None


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None
