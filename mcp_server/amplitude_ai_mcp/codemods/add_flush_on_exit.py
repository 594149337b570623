"""Flush where it actually runs: a serverless handler's process may freeze as soon as it
returns, so its body gets ``try: ... finally: ai.flush()``. Long-running servers and scripts
need nothing here: the Amplitude client flushes in the background and at interpreter exit."""

from __future__ import annotations

import libcst as cst

from ._common import Plan, Rewrite, is_docstring
from .add_session_context import statements_after_docstring
from .facts import Facts, reaches_llm

KIND = "add_flush_on_exit"


def _flushes(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.Try) or stmt.finalbody is None:
        return False
    for s in stmt.finalbody.body.body:
        if isinstance(s, cst.SimpleStatementLine):
            for small in s.body:
                if (
                    isinstance(small, cst.Expr)
                    and isinstance(small.value, cst.Call)
                    and isinstance(small.value.func, cst.Attribute)
                    and small.value.func.attr.value == "flush"
                ):
                    return True
    return False


def plan_flush(facts: Facts, plan: Plan, ai_name: str) -> None:
    reach = reaches_llm(facts)
    for info in facts.functions.values():
        if not info.is_serverless or info.name not in reach or info.is_generator:
            continue
        stmts = statements_after_docstring(info.node)
        if not stmts or any(_flushes(s) for s in stmts):
            continue
        plan.rewrite(info.node, _wrap_in_finally(ai_name))
        plan.need_bootstrap("ai")
        plan.edit(
            info.line,
            KIND,
            f"{info.name} is a serverless handler: flush the events in a finally block before "
            "the runtime freezes the process",
        )


def _wrap_in_finally(ai_name: str) -> Rewrite:
    def rewrite(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.FunctionDef)
        assert isinstance(node.body, cst.IndentedBlock)
        stmts = list(node.body.body)
        head = stmts[:1] if stmts and is_docstring(stmts[0]) else []
        rest = stmts[len(head) :]
        flush = cst.SimpleStatementLine(
            [cst.Expr(cst.Call(cst.Attribute(cst.Name(ai_name), cst.Name("flush"))))]
        )
        try_stmt = cst.Try(
            body=cst.IndentedBlock(body=rest),
            finalbody=cst.Finally(body=cst.IndentedBlock(body=[flush])),
        )
        return node.with_changes(body=node.body.with_changes(body=[*head, try_stmt]))

    return rewrite
