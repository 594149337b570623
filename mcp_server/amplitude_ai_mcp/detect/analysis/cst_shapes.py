"""Small syntactic helpers over libcst nodes: arguments, dotted names, string literals."""

from __future__ import annotations

import builtins

import libcst as cst

from .tree_walk import walk


def _argument(call: cst.Call, index: int, name: str) -> cst.BaseExpression | None:
    """The argument ``call`` passes for parameter ``name`` at position ``index``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in positional[: index + 1]) or index < 0 or index >= len(positional):
        return None
    return positional[index].value


def _is_verb(node: cst.SimpleString) -> bool:
    value = node.evaluated_value
    return isinstance(value, str) and value.upper() in ("GET", "POST", "PUT", "PATCH")


def dotted(node: cst.BaseExpression | None) -> str | None:
    """``a.b.c`` for a chain of names and attributes; None for anything else.

    The one spelling of this for the whole server: detection, codemods and verify import it.
    """
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _string_arg(call: cst.Call, index: int, keyword: str) -> str | None:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            value = arg.value
            break
    else:
        if len(positional) <= index:
            return None
        value = positional[index].value
    if isinstance(value, cst.SimpleString):
        evaluated = value.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    return None


def _names_in(node: cst.CSTNode) -> list[str]:
    """Dotted names appearing in an expression (for string annotations)."""
    found: list[str] = []

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            dotted_path = dotted(node)
            if dotted_path:
                found.append(dotted_path)
                return False
            return True

        def visit_Name(self, node: cst.Name) -> None:
            found.append(node.value)

    walk(node, _Collect())
    return found


def _expressions_in(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """Name/Attribute nodes inside an expression, outermost first."""
    found: list[cst.BaseExpression] = []

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            found.append(node)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    walk(node, _Collect())
    return found


_BUILTINS = frozenset(dir(builtins))
