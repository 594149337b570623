"""session tier: open an agent session around each entry point that reaches an LLM call.

Entry points are route handlers (``@app.get``/``@app.route``/... decorators), serverless
handlers (``lambda_handler``, ``handler``, ``(event, context)``) and, when a file has none of
those, the module-level functions that reach an LLM call and that no other function of the file
calls. The user id comes from a parameter only when one obviously is the user id; otherwise
the session is opened without one and a ``needs_input`` item says where it probably comes from
(events without a user id are not attributed to anyone; a made-up literal would be worse).
"""

from __future__ import annotations

import libcst as cst

from amplitude_ai_mcp.detect.analysis.tree_walk import walk

from ._args import answer_expression, keyword_arg
from ._common import Plan, Rewrite, statements_after_docstring, wrap_function_body
from ._user_id_reads import key_read_suggestion
from .facts import Facts, FunctionInfo, reaches_llm

KIND = "add_session_context"
USER_ID_PARAMS = ("user_id", "userId", "uid", "user_identifier")
_SUGGESTIONS = {
    "user": "user.id",
    "current_user": "current_user.id",
    "request": "request.state.user.id",
    "req": "req.state.user.id",
    "event": 'event["requestContext"]["authorizer"]["claims"]["sub"]',
}


def entry_points(facts: Facts) -> list[FunctionInfo]:
    reach = reaches_llm(facts)
    infos = [facts.functions[name] for name in facts.functions if name in reach]
    handlers = [f for f in infos if f.is_route or f.is_serverless]
    if handlers:
        return handlers
    called = set().union(*(f.calls for f in facts.functions.values())) if facts.functions else set()
    return [f for f in infos if f.name not in called]


def _is_session_with(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.With)
        and bool(stmt.items)
        and isinstance(stmt.items[0].item, cst.Call)
        and isinstance(stmt.items[0].item.func, cst.Attribute)
        and stmt.items[0].item.func.attr.value == "session"
    )


def has_session(fn: cst.FunctionDef) -> bool:
    stmts = statements_after_docstring(fn)
    if len(stmts) != 1:
        return False
    first: cst.BaseStatement | cst.BaseSmallStatement = stmts[0]
    if isinstance(first, cst.Try) and len(first.body.body) == 1:
        first = first.body.body[0]
    return _is_session_with(first)


def _params(fn: cst.FunctionDef) -> list[str]:
    p = fn.params
    return [x.name.value for x in (*p.posonly_params, *p.params, *p.kwonly_params)]


# Responses whose body is produced lazily, after the handler has returned.
STREAM_WRAPPERS = frozenset(
    {"StreamingResponse", "EventSourceResponse", "stream_with_context", "Response"}
)


# Provider API methods (a call of one in the handler's own body runs while it runs).
_LLM_METHODS = frozenset({"create", "parse", "generate_content", "invoke", "ainvoke"})


class _LazyWork(cst.CSTVisitor):
    """Generators defined inside a handler, and the streaming responses it returns."""

    def __init__(self) -> None:
        self.generators: list[cst.FunctionDef] = []
        self.stream_calls: list[cst.Call] = []
        self.calls_llm_eagerly = False  # an API call in the handler's own body
        self._defs: list[cst.FunctionDef] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._defs.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._defs.pop()

    def _yielded(self) -> None:
        if len(self._defs) > 1 and self._defs[-1] not in self.generators:
            self.generators.append(self._defs[-1])

    def visit_Yield(self, node: cst.Yield) -> None:
        self._yielded()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        streamed = any(
            a.keyword is not None
            and a.keyword.value == "stream"
            and isinstance(a.value, cst.Name)
            and a.value.value == "True"
            for a in node.args
        )
        if len(self._defs) == 1 and isinstance(func, cst.Attribute) and name in _LLM_METHODS:
            self.calls_llm_eagerly = self.calls_llm_eagerly or not streamed
        if name in STREAM_WRAPPERS and len(self._defs) == 1 and node.args:
            self.stream_calls.append(node)


def _called_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
        return node.func.value
    return None


def _lazy_target(
    facts: Facts, info: FunctionInfo
) -> tuple[cst.FunctionDef | None, list[str], str | None]:
    """(where to open the session, the parameters in scope there, why none fits).

    A handler that returns a stream only *defines* lazy work: the session must be opened
    inside the generator that produces the stream (it then lasts until the body is read)."""
    work = _LazyWork()
    walk(info.node, work)
    if work.calls_llm_eagerly:  # the handler itself calls the model: the session goes there
        return info.node, _params(info.node), None
    if work.generators:
        return work.generators[0], _params(info.node) + _params(work.generators[0]), None
    for call in work.stream_calls:
        for arg in call.args:
            inner = arg.value
            if _called_name(inner) == "stream_with_context" and inner.args:  # type: ignore[attr-defined]
                inner = inner.args[0].value  # type: ignore[attr-defined]
            target = facts.functions.get(_called_name(inner) or "")
            if target is not None and target.is_generator:
                return target.node, _params(target.node), None
    if any(
        (c.func.value if isinstance(c.func, cst.Name) else c.func.attr.value)  # type: ignore[attr-defined]
        != "Response"
        for c in work.stream_calls
    ):
        return (
            None,
            [],
            f"{info.name} returns a stream produced by code this edit cannot place a session "
            "in; a session around the handler would end before the stream is read. Open the "
            "session where the stream is consumed (inside its generator)",
        )
    return info.node, _params(info.node), None


def plan_session(facts: Facts, plan: Plan, agent_var: str) -> None:
    for info in entry_points(facts):
        fn, params, problem = _lazy_target(facts, info)
        if problem is not None or fn is None:
            plan.skip(info.line, KIND, problem or f"{info.name}: no place for a session")
            continue
        user_key = f"{info.name}:user_id"
        if has_session(fn):
            plan.answer(user_key)  # answered earlier: re-applying with the same inputs is fine
            continue
        if not isinstance(fn.body, cst.IndentedBlock) or not statements_after_docstring(fn):
            plan.ask(
                info.line,
                f"{info.name}: a one-line function; open {agent_var}.session() "
                "around its LLM call by hand",
                key=f"{info.name}:session_by_hand",
            )
            continue
        user = next((p for p in USER_ID_PARAMS if p in params), None)
        args: list[cst.Arg] = []
        given = plan.answer(user_key) if user is None else None
        if user is not None:
            args.append(keyword_arg("user_id", cst.Name(user)))
            reason = f"agent session around {info.name} with user_id={user} (its parameter)"
            if fn is not info.node:
                reason += f", opened inside the generator {fn.name.value} that streams its reply"
        elif given is not None:
            text, expr = answer_expression(
                plan.input_id(user_key), given, [*params, *facts.all_names()], f"{info.name}()"
            )
            args.append(keyword_arg("user_id", expr))
            reason = f"agent session around {info.name} with user_id={text} (from inputs)"
        else:
            suggestion = (
                _body_field_suggestion(facts, fn) or key_read_suggestion(fn, params)
            ) or next((s for p, s in _SUGGESTIONS.items() if p in params), None)
            plan.ask(
                info.line,
                f"{info.name}: where does the user id come from? Pass it as "
                f"{agent_var}.session(user_id=...); until then this session's events are not "
                "attributed to a user",
                suggestion,
                key=user_key,
                answer=f"a Python expression for the user id, evaluated at the start of "
                f"{info.name}()",
            )
            reason = f"agent session around {info.name} (user id: see needs_input)"
            if fn is not info.node:
                reason += f", opened inside the generator {fn.name.value} that streams its reply"
        call = cst.Call(cst.Attribute(cst.Name(agent_var), cst.Name("session")), args=args)
        plan.rewrite(fn, _wrap_body(call))
        plan.need_bootstrap(agent_var)
        plan.edit(info.line, KIND, reason)


def _body_field_suggestion(facts: Facts, fn: cst.FunctionDef) -> str | None:
    """``req.user_id`` when a parameter is annotated with a class of this module (a pydantic
    request body, a dataclass) that declares a user-id field."""
    classes = {
        stmt.name.value: stmt for stmt in facts.module.body if isinstance(stmt, cst.ClassDef)
    }
    p = fn.params
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        annotation = param.annotation.annotation if param.annotation else None
        if not isinstance(annotation, cst.Name) or annotation.value not in classes:
            continue
        body = classes[annotation.value].body
        if not isinstance(body, cst.IndentedBlock):
            continue
        for stmt in body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if (
                    isinstance(small, cst.AnnAssign)
                    and isinstance(small.target, cst.Name)
                    and small.target.value in USER_ID_PARAMS
                ):
                    return f"{param.name.value}.{small.target.value}"
    return None


def _wrap_body(call: cst.Call) -> Rewrite:
    return wrap_function_body(lambda body: cst.With(items=[cst.WithItem(call)], body=body))
