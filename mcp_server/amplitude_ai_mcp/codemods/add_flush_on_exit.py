"""Flush where it actually runs: a serverless handler's process may freeze as soon as it
returns, so its body gets ``try: ... finally: ai.flush()``. Long-running servers and scripts
need nothing here: the Amplitude client flushes in the background and at interpreter exit."""

from __future__ import annotations

import libcst as cst

from ._common import Plan, Rewrite, statements_after_docstring, wrap_function_body
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
    def around(body: cst.IndentedBlock) -> cst.Try:
        flush = cst.SimpleStatementLine(
            [cst.Expr(cst.Call(cst.Attribute(cst.Name(ai_name), cst.Name("flush"))))]
        )
        return cst.Try(body=body, finalbody=cst.Finally(body=cst.IndentedBlock(body=[flush])))

    return wrap_function_body(around)
