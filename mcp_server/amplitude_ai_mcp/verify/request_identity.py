"""What a request must carry for the SDK's web middleware to give its session a user.

The middleware asks ``user_id_resolver(request)`` (a Starlette ``Request``) or
``user_id_resolver(environ)`` (WSGI) for the user. When the resolver plainly returns one
request value -- a header, a query parameter, a cookie -- the generated test sends the
test user in that place and checks that the events carry exactly that user. Any other
resolver is the developer's to explain (a ``needs_input`` item), never silently skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.analysis.tree_walk import walk

_WSGI = "AmplitudeAIWSGIMiddleware"
_MIDDLEWARES = frozenset(m.rsplit(".", 1)[-1] for _, m in P.WEB_APPS.values())
# Request attribute read by the resolver -> where the test puts the user id.
_ASGI_PLACES = {"headers": "header", "query_params": "query", "cookies": "cookie"}


@dataclass(frozen=True)
class RequestUser:
    """Where the middleware reads the user id from (``place`` None: no resolver at all)."""

    place: str | None  # header, query, cookie
    key: str = ""
    line: int = 0


@dataclass(frozen=True)
class Unknown:
    """A resolver the generator cannot read; ``line`` is where the middleware is added."""

    line: int
    shown: str


def _middleware_calls(tree: cst.Module) -> list[cst.Call]:
    found: list[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else None
            if isinstance(func, cst.Name):
                name = func.value
            if name == "add_middleware" and node.args:
                first = node.args[0].value
                cls = first.attr.value if isinstance(first, cst.Attribute) else None
                if isinstance(first, cst.Name):
                    cls = first.value
                if cls in _MIDDLEWARES:
                    found.append(node)
            elif name in _MIDDLEWARES:
                found.append(node)

    walk(tree, _Calls())
    return found


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _read(expr: cst.BaseExpression, param: str) -> tuple[cst.BaseExpression, str] | None:
    """``owner.get("k"[, default])`` or ``owner["k"]`` -> (owner, "k")."""
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "get"
        and 1 <= len(expr.args) <= 2
        and expr.args[0].keyword is None
    ):
        key = _string(expr.args[0].value)
        return (expr.func.value, key) if key is not None else None
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
        index = expr.slice[0].slice
        if isinstance(index, cst.Index):
            key = _string(index.value)
            return (expr.value, key) if key is not None else None
    return None


def _place(expr: cst.BaseExpression, param: str, wsgi: bool) -> RequestUser | None:
    read = _read(expr, param)
    if read is None:
        return None
    owner, key = read
    if wsgi:  # environ["HTTP_X_USER_ID"]: the header X-User-Id
        if isinstance(owner, cst.Name) and owner.value == param and key.startswith("HTTP_"):
            return RequestUser("header", key[5:].replace("_", "-").lower())
        return None
    if (
        isinstance(owner, cst.Attribute)
        and isinstance(owner.value, cst.Name)
        and owner.value.value == param
        and owner.attr.value in _ASGI_PLACES
    ):
        place = _ASGI_PLACES[owner.attr.value]
        return RequestUser(place, key.lower() if place == "header" else key)
    return None


def _resolver_body(
    value: cst.BaseExpression, tree: cst.Module
) -> tuple[cst.BaseExpression, str] | None:
    """(returned expression, parameter) of a one-parameter lambda or a module-level
    function that only returns an expression."""
    if isinstance(value, cst.Lambda):
        params = value.params.params
        return (value.body, params[0].name.value) if len(params) == 1 else None
    if not isinstance(value, cst.Name):
        return None
    for stmt in tree.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == value.value:
            params = stmt.params.params
            body = [
                s
                for s in stmt.body.body
                if not (
                    isinstance(s, cst.SimpleStatementLine)
                    and isinstance(s.body[0], cst.Expr)
                    and isinstance(s.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
                )
            ]
            if (
                len(params) == 1
                and len(body) == 1
                and isinstance(body[0], cst.SimpleStatementLine)
                and isinstance(body[0].body[0], cst.Return)
                and body[0].body[0].value is not None
            ):
                return body[0].body[0].value, params[0].name.value
    return None


def _line(code: str) -> int:
    """The line that adds the middleware (where the needs_input item points)."""
    for number, text in enumerate(code.splitlines(), 1):
        if "add_middleware(" in text or f"{_WSGI}(" in text:
            return number
    return 1


def request_user(tree: cst.Module) -> RequestUser | Unknown | None:
    """How a request names its user to the module's middleware (None: no middleware here)."""
    calls = _middleware_calls(tree)
    if not calls:
        return None
    call = calls[0]
    line = _line(tree.code)
    wsgi = not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "add_middleware")
    resolver = next(
        (a.value for a in call.args if a.keyword and a.keyword.value == "user_id_resolver"), None
    )
    if resolver is None:
        return RequestUser(None, line=line)
    shown = cst.Module([]).code_for_node(resolver)
    body = _resolver_body(resolver, tree)
    found = _place(body[0], body[1], wsgi) if body is not None else None
    if found is None:
        return Unknown(line, shown)
    return RequestUser(found.place, found.key, line)
