"""Argument synthesis: the values a generated test passes to an entry point -- call
arguments, a route's URL, body and query, a script's argv -- from annotations, defaults,
the project's own call sites and how the body uses each parameter. Whatever cannot be built
that way becomes a gap (a needs_input item) instead of a guess."""

from __future__ import annotations

import json
import re
from typing import Any

import libcst as cst

from amplitude_ai_mcp.detect import providers as P

from .cst_reading import is_request_json
from .facts_model import CliArg, Function, ModuleFacts, Usage
from .plans import Code, Gap, ModuleInfo, Plan, Reach, gap_id

_FRAMEWORK_PARAMS = frozenset(
    {"Request", "Response", "BackgroundTasks", "WebSocket", "HTTPConnection", "Session"}
)
TEXT_VALUE = "Hello from the verify test"
_CLIENT_NAMES = frozenset(
    {"client", "llm", "llm_client", *(f"{provider}_client" for provider in P.INSTRUMENTED)}
)
_CANNOT = object()
# What a script reads from input()/stdin: a question, then the usual ways to leave a loop.
STDIN_ANSWERS = (TEXT_VALUE, "exit", "quit", "q")


# --------------------------------------------------------------------------- arguments


def _annotation_name(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _annotation_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    if isinstance(node, cst.SimpleString):  # "OpenAI" forward reference
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def text_for(name: str) -> str:
    lowered = name.lower()
    if "user" in lowered and ("id" in lowered or lowered in ("user", "username")):
        return "verify-user"
    if lowered.endswith("_id"):
        return f"verify-{lowered[:-3].replace('_', '-')}"
    if "email" in lowered:
        return "verify@example.com"
    return TEXT_VALUE


class Arguments:
    """Values for parameters: annotation, then the project's own literal calls, then how
    the body uses the parameter (``_CANNOT`` when nothing shows what it is)."""

    def __init__(self, facts: ModuleFacts, literals: dict[str, Any] | None = None) -> None:
        self.facts = facts
        self.literals = literals or {}

    def qualified(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head in self.facts.imports:
            module, attr = self.facts.imports[head]
            full = ".".join(p for p in (module, attr) if p)
            return f"{full}.{rest}" if rest else full
        return name

    def is_client(self, node: cst.BaseExpression | None) -> bool:
        name = _annotation_name(node)
        if name is None:
            return False
        full = self.qualified(name)
        if full.startswith(f"{P.SDK_MODULE}."):
            return True
        return P.client_class(full) is not None

    def app_client(self) -> str | None:
        """A client the module itself builds at import (``client = OpenAI(amplitude=ai)``)."""
        for var, ctor in self.facts.built_at_import.items():
            if ctor.startswith(f"{P.SDK_MODULE}.") or P.client_class(ctor) is not None:
                return var
        return None

    def from_call_sites(self, func_name: str, index: int, name: str) -> Any:
        """The literal a call of ``func_name`` in the project passes for this parameter."""
        for positional, keywords in self.literals.get(func_name, ()):
            if name in keywords:
                return keywords[name]
            if index < len(positional):
                return positional[index]
        return _CANNOT

    def from_usage(self, name: str, usage: Usage | None) -> Any:
        lowered = name.lower()
        if usage is None:
            return text_for(name)
        if usage.called:
            return Code("lambda *args, **kwargs: None")
        if usage.keys:
            return {k: text_for(k) for k in usage.keys}
        if usage.mapping:
            return {"topic": TEXT_VALUE}
        if usage.iterated or usage.indexed:
            if usage.item_arity:  # `for user, bot in history`
                return [[TEXT_VALUE] * usage.item_arity]
            if any(w in lowered for w in ("message", "history", "turn", "conversation")):
                return [{"role": "user", "content": TEXT_VALUE}]
            return [TEXT_VALUE]
        if usage.attrs:
            fields = ", ".join(f"{a}={as_source(text_for(a))}" for a in usage.attrs)
            return Code(f"SimpleNamespace({fields})")
        if usage.arithmetic:
            return 1
        return text_for(name)

    def constructed(self, node: cst.BaseExpression | None, depth: int) -> Any:
        """``module.Cls(...)`` for a dataclass or pydantic model of this module."""
        name = _annotation_name(node)
        fields = self.facts.dataclass_fields.get(name or "") or self.facts.model_fields.get(
            name or ""
        )
        if fields is None or name is None or not name.isidentifier():
            return _CANNOT
        parts = []
        for f in fields:
            if f.has_default:
                continue
            value = self.value(f.name, f.annotation, depth + 1)
            if value is _CANNOT:
                value = text_for(f.name)
            parts.append(f"{f.name}={as_source(value)}")
        return Code(f"module.{name}({', '.join(parts)})")

    def value(self, name: str, node: cst.BaseExpression | None, depth: int = 0) -> Any:
        if node is None or depth > 3:
            return _CANNOT
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            for side in (node.left, node.right):
                if _annotation_name(side) != "None":
                    return self.value(name, side, depth + 1)
            return None
        if isinstance(node, cst.Subscript):
            base = (_annotation_name(node.value) or "").rsplit(".", 1)[-1]
            inner = node.slice[0].slice if node.slice else None
            inner_node = inner.value if isinstance(inner, cst.Index) else None
            if base == "Optional":
                return self.value(name, inner_node, depth + 1)
            if base in ("list", "List", "Sequence", "Iterable", "tuple", "Tuple", "set"):
                item = self.value(name.rstrip("s"), inner_node, depth + 1)
                if isinstance(item, dict) and not item:
                    chat = any(w in name.lower() for w in ("message", "history", "conversation"))
                    item = {"role": "user", "content": TEXT_VALUE} if chat else _CANNOT
                items = [item] if isinstance(item, (str, int, float, dict)) else []
                return tuple(items) if base in ("tuple", "Tuple") else items
            if base in ("dict", "Dict", "Mapping"):
                return {}
            return _CANNOT
        simple = (_annotation_name(node) or "").rsplit(".", 1)[-1]
        found = {
            "str": text_for(name),
            "int": 1,
            "float": 0.5,
            "bool": False,
            "list": [],
            "dict": {},
            "None": None,
            "Any": text_for(name),
        }.get(simple, _CANNOT)
        if found is _CANNOT:
            return self.constructed(node, depth)
        return found

    def model_json(self, node: cst.BaseExpression | None) -> dict[str, Any] | None:
        """A JSON body for a pydantic model defined in this module (None when not one)."""
        name = _annotation_name(node)
        fields = self.facts.model_fields.get(name or "")
        if fields is None:
            return None
        body: dict[str, Any] = {}
        for f in fields:
            if f.has_default:
                continue
            value = self.value(f.name, f.annotation)
            if value is _CANNOT or _has_code(value) or value == []:
                return None
            body[f.name] = value
        return body


def _has_code(value: Any) -> bool:
    if isinstance(value, Code):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_code(v) for v in value)
    if isinstance(value, dict):
        return any(_has_code(v) for v in value.values())
    return False


def as_source(value: Any) -> str:
    if isinstance(value, Code):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # double quotes, like the rest of the generated test
    return repr(value)


def expected_user(
    expr: cst.BaseExpression | None, plan: Plan, func: Function, body_param: str | None
) -> str | None:
    """The user id the app's own session will carry, when it follows from our inputs."""
    if expr is None:
        return None
    args = dict(plan.args) | plan.query
    if isinstance(expr, cst.Name):
        value = args.get(expr.value)
        return value if isinstance(value, str) else None
    if (
        isinstance(expr, cst.Attribute)
        and isinstance(expr.value, cst.Name)
        and expr.value.value == body_param
        and plan.json is not None
    ):
        value = plan.json.get(expr.attr.value)
        return value if isinstance(value, str) else None
    key: str | None = None
    owner: cst.BaseExpression | None = None
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
        index = expr.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            key, owner = str(index.value.evaluated_value), expr.value
    elif (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "get"
        and expr.args
        and isinstance(expr.args[0].value, cst.SimpleString)
    ):
        key, owner = str(expr.args[0].value.evaluated_value), expr.func.value
    if key is None or plan.json is None:
        return None
    is_json = (isinstance(owner, cst.Name) and owner.value in func.json_names) or (
        owner is not None and is_request_json(owner)
    )
    value = plan.json.get(key) if is_json else None
    return value if isinstance(value, str) else None


def call_args(
    func: Function,
    arguments: Arguments,
    rel: str,
    gaps: list[Gap],
    skip_first: bool,
    inputs: dict[str, str],
) -> list[tuple[str, Any]] | None:
    params = func.params[1:] if skip_first else func.params
    out: list[tuple[str, Any]] = []
    short = func.qualname.rsplit(".", 1)[-1]
    for index, p in enumerate(params):
        ident = gap_id(rel, func.qualname, p.name)
        if ident in inputs:
            out.append((p.name, Code(inputs[ident])))
            continue
        if p.has_default:
            continue
        takes_client = arguments.is_client(p.annotation) or (
            p.annotation is None and p.name in _CLIENT_NAMES
        )
        own = arguments.app_client() if takes_client else None
        if own is not None:  # the module's own (instrumented) client, never one the test builds
            out.append((p.name, Code(f"module.{own}")))
            continue
        if arguments.is_client(p.annotation):
            gaps.append(
                Gap(
                    rel,
                    func.line,
                    f"{func.qualname}() takes an LLM client (`{p.name}`); the test drives it "
                    "only through a caller that builds the instrumented client",
                    "call it from a function that constructs the client, or give the "
                    "parameter a default",
                    ident,
                )
            )
            return None
        value = arguments.value(p.name, p.annotation)
        if value is _CANNOT and p.annotation is None:
            value = arguments.from_call_sites(short, index, p.name)
            if value is _CANNOT:
                value = arguments.from_usage(p.name, func.usage.get(p.name))
        if value is _CANNOT:
            shown = cst.Module([]).code_for_node(p.annotation) if p.annotation else "no annotation"
            gaps.append(
                Gap(
                    rel,
                    func.line,
                    f"what value should the test pass for `{p.name}` of {func.qualname}() "
                    f"({shown})? Answer with a Python expression in inputs[{ident!r}] "
                    "(`module` is the module under test)",
                    "annotate it (str, int, list[str], a pydantic model) or give it a default",
                    ident,
                    f"a Python expression for `{p.name}`, evaluated in the test",
                )
            )
            return None
        out.append((p.name, value))
    return out


_PATH_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}|<(?:\w+:)?(\w+)>")


def route_plan(
    plan: Plan,
    func: Function,
    arguments: Arguments,
    rel: str,
    gaps: list[Gap],
    inputs: dict[str, str],
) -> str | None:
    """Fill url/json/query of a route plan; returns the body parameter name (FastAPI)."""
    route = plan.route
    assert route is not None
    path_values: dict[str, Any] = {}
    body_param: str | None = None
    path_names = {a or b for a, b in _PATH_PARAM.findall(route.path)}
    if route.framework.startswith("flask"):
        for name in path_names:
            path_values[name] = 1 if f"int:{name}" in route.path else text_for(name)
        if func.json_keys and route.method != "GET":
            plan.json = {k: text_for(k) for k in func.json_keys}
        if func.form_keys:
            values = {k: text_for(k) for k in func.form_keys}
            if route.method == "GET":
                plan.query.update(values)
            else:
                plan.form = values
    else:
        for p in func.params:
            ident = gap_id(rel, func.qualname, p.name)
            ann = (_annotation_name(p.annotation) or "").rsplit(".", 1)[-1]
            if p.default_is_depends or ann in _FRAMEWORK_PARAMS:
                continue
            body = arguments.model_json(p.annotation)
            if body is not None:
                plan.json, body_param = body, p.name
                continue
            if ann in arguments.facts.model_fields or (
                p.annotation is not None and arguments.value(p.name, p.annotation) is _CANNOT
            ):
                plan.openapi_body, body_param = True, p.name  # the app's schema says what fits
                continue
            if p.has_default and p.name not in path_names:
                continue
            if ident in inputs:
                value: Any = Code(inputs[ident])
            elif p.annotation is None:
                value = text_for(p.name)  # FastAPI reads unannotated parameters as text
            else:
                value = arguments.value(p.name, p.annotation)
            if value is _CANNOT or isinstance(value, (list, dict, tuple)):
                if p.name not in path_names and route.method != "GET":
                    plan.openapi_body = True  # the app's own schema says what it accepts
                    body_param = p.name
                    continue
                gaps.append(
                    Gap(
                        rel,
                        func.line,
                        f"what should the test send for `{p.name}` of {route.method} "
                        f"{route.path}? Answer with a Python expression in inputs[{ident!r}]",
                        "annotate it with a scalar type or a pydantic model",
                        ident,
                        f"a Python expression for `{p.name}`, evaluated in the test",
                    )
                )
                return "__cannot__"
            if p.name in path_names:
                path_values[p.name] = value
            else:
                plan.query[p.name] = value
    plan.url = _PATH_PARAM.sub(
        lambda m: str(path_values.get(m.group(1) or m.group(2), "1")), route.path
    )
    return body_param


def script_argv(module: ModuleInfo, reach: Reach) -> list[str]:
    """Command-line arguments for argparse / click / typer entry points."""
    args: list[CliArg] = list(module.facts.cli_args)
    for func in reach.functions:
        if func.is_cli_command:
            args.extend(func.cli_args)
            if not func.cli_args:  # typer: parameters without defaults are positional
                args.extend(CliArg(p.name, True, "str") for p in func.params if not p.has_default)
    argv: list[str] = []
    for arg in args:
        if not arg.required:
            continue
        value = arg.choice or {"int": "1", "float": "0.5"}.get(arg.kind, TEXT_VALUE)
        if arg.flag.startswith("-"):
            argv += [arg.flag] if arg.kind == "flag" else [arg.flag, str(value)]
        else:
            argv.append(str(value))
    return argv
