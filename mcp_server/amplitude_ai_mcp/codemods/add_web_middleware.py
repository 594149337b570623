"""One agent session per web request: the SDK's middleware next to where the app is built.

For a FastAPI/Starlette app, ``app.add_middleware(AmplitudeAIMiddleware, ...)`` goes right
after ``app = FastAPI(...)`` (at module level or inside the app factory); for Flask,
``app.wsgi_app`` is wrapped with ``AmplitudeAIWSGIMiddleware``. A factory that returns the
app it builds (``return FastAPI(...)``) gets it bound to a local name first, the middleware
added to it, and that name returned. Every LLM call made while a
request is handled (framework runs included) then carries the request's session and user.

Only outside the session tier: there, sessions are opened around each handler instead, and
both would nest one session in another. Where the user id comes from is the developer's
call (a ``needs_input`` item); until it is answered the middleware runs without a resolver.
A file that already mentions the middleware class is left alone (idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameSource

from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.analysis.tree_walk import walk
from amplitude_ai_mcp.detect.analyze import FastPositionProvider as PositionProvider
from amplitude_ai_mcp.detect.analyze import FastScopeProvider as ScopeProvider
from amplitude_ai_mcp.inputs import check_expression, check_names

from ._common import Plan
from .facts import Facts

KIND = "add_web_middleware"
MODULE = "amplitude_ai.middleware"
# framework -> (request parameter name of the resolver, suggested user id expression)
_RESOLVER = {
    "asgi": ("request", 'request.headers.get("x-user-id")'),
    "wsgi": ("environ", 'environ.get("HTTP_X_USER_ID")'),
}


# Local names tried, in order, for the app a factory returns without naming it.
_LOCAL_NAMES = ("app", "application", "web_app", "amplitude_web_app")


@dataclass
class WebApp:
    statement: cst.SimpleStatementLine  # ``app = FastAPI(...)`` or ``return FastAPI(...)``
    name: str
    framework: str  # fastapi, starlette, flask
    middleware: str  # qualified name of the SDK middleware
    line: int
    returned: bool = False  # ``return FastAPI(...)``: bound to ``name`` before the return
    factory: str = ""  # the function returning it (names its needs_input item)

    @property
    def label(self) -> str:
        return f"{self.factory}()" if self.returned else self.name


class _FindApps(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (ScopeProvider, PositionProvider)

    def __init__(self) -> None:
        super().__init__()
        self.apps: list[WebApp] = []
        self._statement: cst.SimpleStatementLine | None = None
        self._functions: list[cst.FunctionDef] = []

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement = node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()

    def _web_app(self, value: cst.BaseExpression | None) -> tuple[str, str] | None:
        """(framework, middleware) when ``value`` constructs a web app."""
        if not isinstance(value, cst.Call):
            return None
        scope = self.get_metadata(ScopeProvider, value, None)
        if scope is None:
            return None
        for qn in scope.get_qualified_names_for(value.func):
            found = P.WEB_APPS.get(qn.name) if qn.source is QualifiedNameSource.IMPORT else None
            if found is not None:
                return found
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        if (
            self._statement is None
            or len(node.targets) != 1
            or not isinstance(node.targets[0].target, cst.Name)
        ):
            return
        found = self._web_app(node.value)
        if found is not None:
            line = self.get_metadata(PositionProvider, node).start.line
            name = node.targets[0].target.value
            self.apps.append(WebApp(self._statement, name, found[0], found[1], line))

    def visit_Return(self, node: cst.Return) -> None:
        statement = self._statement
        if (
            statement is None
            or not self._functions
            or len(statement.body) != 1
            or statement.body[0] is not node
        ):
            return
        found = self._web_app(node.value)
        if found is None:
            return
        used = set(_names_in(self._functions[-1]))
        name = next((n for n in _LOCAL_NAMES if n not in used), None)
        if name is None:  # pragma: no cover - every candidate name taken
            return
        line = self.get_metadata(PositionProvider, node).start.line
        factory = self._functions[-1].name.value
        self.apps.append(WebApp(statement, name, found[0], found[1], line, True, factory))


def _names_in(node: cst.CSTNode) -> list[str]:
    """Every plain name the node spells (a local must not shadow or clash with any)."""
    names: list[str] = []

    class _Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            names.append(name.value)

    walk(node, _Names())
    return names


def _bind_returned(name: str) -> Callable[[cst.CSTNode], cst.CSTNode]:
    """``return FastAPI(...)`` -> ``name = FastAPI(...)`` (comments and blank lines kept)."""

    def rewrite(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.SimpleStatementLine)
        ret = node.body[0]
        assert isinstance(ret, cst.Return)
        assert ret.value is not None
        assign = cst.Assign([cst.AssignTarget(cst.Name(name))], ret.value)
        return node.with_changes(body=[assign])

    return rewrite


def find_apps(wrapper: MetadataWrapper) -> list[WebApp]:
    finder = _FindApps()
    wrapper.visit(finder)
    return finder.apps


def plan_middleware(
    facts: Facts, plan: Plan, wrapper: MetadataWrapper, ai_name: str, tier: str
) -> None:
    apps = find_apps(wrapper)
    if not apps:
        return
    if tier == "session":
        return
    code = facts.code()
    imported: set[str] = set()
    for app in apps:
        asgi = app.framework != "flask"
        param, suggestion = _RESOLVER["asgi" if asgi else "wsgi"]
        key = f"{app.name}:user_id_resolver"  # the same once a returned app is named
        given = plan.answer(key)  # asked or not, an answer given earlier stays accepted
        cls = app.middleware.rsplit(".", 1)[-1]
        if cls in code:
            continue
        resolver = None
        if given is not None:
            resolver = check_expression(plan.input_id(key), given)
            check_names(plan.input_id(key), resolver, {param}, "the resolver")
        else:
            plan.ask(
                app.line,
                f"which user id should the sessions of {app.label}'s requests carry? Answer "
                f"with an expression of `{param}` ("
                + ("the Starlette Request" if asgi else "the WSGI environ")
                + "); until then requests are tracked without a user",
                suggestion,
                key=key,
                answer=f"a Python expression reading `{param}`",
            )
        args = [f"amplitude_ai={ai_name}"]
        if resolver is not None:
            args.append(f"user_id_resolver=lambda {param}: {resolver}")
        if asgi:
            head, args = f"{app.name}.add_middleware(", [cls, *args]
        else:
            head, args = f"{app.name}.wsgi_app = {cls}(", [f"{app.name}.wsgi_app", *args]
        one_line = head + ", ".join(args) + ")"
        if len(one_line) > 88:  # one argument a line, as formatters lay long calls out
            one_line = head + "\n" + "".join(f"    {a},\n" for a in args) + ")"
        statement = cst.parse_statement(one_line + "\n")
        plan.insert_after.setdefault(id(app.statement), []).append(statement)
        if app.returned:
            plan.rewrite(app.statement, _bind_returned(app.name))
            plan.insert_after[id(app.statement)].append(cst.parse_statement(f"return {app.name}\n"))
        plan.need_bootstrap("ai")
        if cls not in imported:
            imported.add(cls)
            plan.top_imports.append(
                cst.parse_statement(f"from {MODULE} import {cls}\n")  # type: ignore[arg-type]
            )
        plan.edit(
            app.line,
            KIND,
            f"one agent session per request of {app.label} ({app.framework}) with {cls}",
        )
