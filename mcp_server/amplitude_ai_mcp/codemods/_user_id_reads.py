"""Where a handler reads its user id from, as an expression valid at the handler's first line.

The session is opened before the body runs, so ``payload["user_id"]`` after
``payload = request.get_json()`` becomes ``request.get_json()["user_id"]``: the read is
rewritten in terms of the parameters and module-level names (a suggestion for needs_input,
never applied without the caller's answer).
"""

from __future__ import annotations

import json

import libcst as cst

from amplitude_ai_mcp.detect.analysis.cst_shapes import dotted
from amplitude_ai_mcp.detect.analysis.tree_walk import walk

USER_KEYS = ("user_id", "userId", "uid", "user_identifier")


def key_read_suggestion(fn: cst.FunctionDef, params: list[str]) -> str | None:
    """``x["user_id"]`` / ``x.get("user_id")`` read in ``fn``'s body (``x`` a name or a dotted
    path from a parameter or module name), with ``x`` replaced by what it was assigned from
    when it is a local."""
    finder = _Reads()
    walk(fn.body, finder)
    code = cst.Module([]).code_for_node
    for base, key, via_get in finder.reads:
        root, _, rest = base.partition(".")
        if rest and root in {*params, *finder.free}:
            source = base  # request.args, req.headers: readable at the first line as is
        elif base in params:
            source = base
        elif base in finder.assigned and _names(finder.assigned[base]) <= {*params, *finder.free}:
            source = code(finder.assigned[base])
        else:
            continue
        quoted = json.dumps(key)  # double quotes, as formatted code has them
        return f"{source}.get({quoted})" if via_get else f"{source}[{quoted}]"
    return None


class _Reads(cst.CSTVisitor):
    def __init__(self) -> None:
        self.reads: list[tuple[str, str, bool]] = []  # (name, key, read with .get)
        self.assigned: dict[str, cst.BaseExpression] = {}  # first plain assignment per name
        self._targets: set[str] = set()
        self._used: set[str] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.assigned.setdefault(target.target.value, node.value)
                self._targets.add(target.target.value)

    def visit_Name(self, node: cst.Name) -> None:
        self._used.add(node.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        base = dotted(node.value)
        if base is not None and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index):
                self._record(base, index.value, via_get=False)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args:
            base = dotted(func.value)
            if base is not None:
                self._record(base, node.args[0].value, via_get=True)

    def _record(self, base: str, key: cst.BaseExpression, via_get: bool) -> None:
        if isinstance(key, cst.SimpleString) and key.evaluated_value in USER_KEYS:
            self.reads.append((base, str(key.evaluated_value), via_get))

    @property
    def free(self) -> set[str]:
        """Names the body reads but never assigns (module-level names, imports)."""
        return self._used - self._targets


def _names(node: cst.BaseExpression) -> set[str]:
    """Root names an expression reads (``request`` in ``request.get_json()``)."""
    found: set[str] = set()

    class Roots(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            walk(node.value, self)
            return False  # the attribute name is not a variable

        def visit_Name(self, node: cst.Name) -> None:
            found.add(node.value)

    walk(node, Roots())
    return found
