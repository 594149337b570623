"""Keyword arguments: adding one to a call in the call's own layout (one line or one per line),
and building one from an answer the caller gave through ``inputs``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import libcst as cst

from amplitude_ai_mcp.inputs import check_expression, check_names


def add_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``f(a)`` -> ``f(a, name=value)``; multi-line calls get the new argument on its own line
    with the indentation of the first argument, and keep a trailing comma if they had one."""
    new = cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    between = call.whitespace_before_args
    if isinstance(between, cst.SimpleWhitespace) or not _is_multiline(between):
        between = cst.SimpleWhitespace(" ")
    if isinstance(last.comma, cst.Comma):
        # Trailing comma: ours goes after it and inherits it (and what follows it).
        new = new.with_changes(comma=last.comma)
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=between))
    else:
        new = new.with_changes(whitespace_after_arg=last.whitespace_after_arg)
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=between),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
    return call.with_changes(args=[*args, new])


def _is_multiline(ws: cst.BaseParenthesizableWhitespace) -> bool:
    return isinstance(ws, cst.ParenthesizedWhitespace)


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    """``name=value`` with PEP 8 spacing (no blanks around ``=``)."""
    return cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def answer_expression(
    item_id: str, value: Any, names: Iterable[str], where: str
) -> tuple[str, cst.BaseExpression]:
    """An answer from ``inputs`` as checked source text and the libcst node placed verbatim;
    the names it reads must be among ``names`` (what is in scope ``where`` it goes) or
    builtins."""
    text = check_expression(item_id, value)
    check_names(item_id, text, names, where)
    return text, cst.parse_expression(text)
