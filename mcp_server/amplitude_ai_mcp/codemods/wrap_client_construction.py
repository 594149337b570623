"""wrap tier: ``client = wrap(<original construction>, amplitude=ai)``.

The construction itself is left exactly as written (same class, same arguments); ``wrap``
instruments that instance. Constructions already inside ``wrap(...)`` are left alone.
"""

from __future__ import annotations

import libcst as cst

from ._common import SDK, Plan
from .facts import Facts

KIND = "wrap_client_construction"


def plan_wrap(facts: Facts, plan: Plan, ai_name: str) -> None:
    targets = [
        c for c in facts.constructions if id(c.call) not in facts.wrapped_args and not c.reference
    ]
    for c in facts.constructions:
        if c.reference:
            plan.skip(
                c.line,
                KIND,
                f"default_factory={c.qualname}: use tier swap here, or wrap the instance "
                "where it is used",
            )
    if not targets:
        return
    # ``wrap`` may already mean something else here (textwrap.wrap): then go through the module.
    if facts.spells("wrap"):
        func: cst.BaseExpression = cst.Attribute(cst.Name(SDK), cst.Name("wrap"))
        plan.need_sdk_module = True
    else:
        func = cst.Name("wrap")
        if "wrap" not in plan.sdk_names:
            plan.sdk_names.append("wrap")
    for c in targets:

        def rewrite(node: cst.CSTNode, func: cst.BaseExpression = func) -> cst.CSTNode:
            assert isinstance(node, cst.Call)
            return cst.Call(
                func=func,
                args=[
                    cst.Arg(node, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                    cst.Arg(
                        cst.Name(ai_name),
                        keyword=cst.Name("amplitude"),
                        equal=cst.AssignEqual(
                            whitespace_before=cst.SimpleWhitespace(""),
                            whitespace_after=cst.SimpleWhitespace(""),
                        ),
                    ),
                ],
            )

        plan.rewrite(c.call, rewrite)
        plan.need_bootstrap("ai")
        plan.edit(
            c.line, KIND, f"wrap the {c.qualname} client with amplitude_ai.wrap(amplitude=ai)"
        )
