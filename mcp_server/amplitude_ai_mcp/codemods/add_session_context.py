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

from ._args import answer_expression, keyword_arg
from ._common import Facts, FunctionInfo, Plan, Rewrite, is_docstring, reaches_llm
from ._user_id_reads import key_read_suggestion

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


def statements_after_docstring(fn: cst.FunctionDef) -> list[cst.BaseStatement]:
    body = fn.body
    if not isinstance(body, cst.IndentedBlock):
        return []
    stmts = list(body.body)
    return stmts[1:] if stmts and is_docstring(stmts[0]) else stmts


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
    first = stmts[0]
    if isinstance(first, cst.Try) and len(first.body.body) == 1:
        first = first.body.body[0]
    return _is_session_with(first)


def _params(fn: cst.FunctionDef) -> list[str]:
    p = fn.params
    return [x.name.value for x in (*p.posonly_params, *p.params, *p.kwonly_params)]


def plan_session(facts: Facts, plan: Plan, agent_var: str) -> None:
    for info in entry_points(facts):
        fn = info.node
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
        if info.is_generator:
            plan.ask(
                info.line,
                f"{info.name} is a generator: a session opened around its body would stay open "
                f"between yields; open {agent_var}.session(...) where the stream is consumed",
                key=f"{info.name}:session_in_generator",
            )
            continue
        params = _params(fn)
        user = next((p for p in USER_ID_PARAMS if p in params), None)
        args: list[cst.Arg] = []
        given = plan.answer(user_key) if user is None else None
        if user is not None:
            args.append(keyword_arg("user_id", cst.Name(user)))
            reason = f"agent session around {info.name} with user_id={user} (its parameter)"
        elif given is not None:
            text, expr = answer_expression(
                plan.input_id(user_key), given, [*params, *facts.names], f"{info.name}()"
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
    def rewrite(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.FunctionDef)
        assert isinstance(node.body, cst.IndentedBlock)
        stmts = list(node.body.body)
        head = stmts[:1] if stmts and is_docstring(stmts[0]) else []
        rest = stmts[len(head) :]
        with_stmt = cst.With(items=[cst.WithItem(call)], body=cst.IndentedBlock(body=rest))
        return node.with_changes(body=node.body.with_changes(body=[*head, with_stmt]))

    return rewrite
