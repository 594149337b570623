"""Small readings of libcst nodes the module facts are made of: dotted names, string
values, relative imports, ``__main__`` guards, JSON parsing, CLI argument definitions and
plain literal values."""

from __future__ import annotations

import math
from typing import Any

import libcst as cst

from amplitude_ai_mcp.detect.analysis.cst_shapes import dotted as dotted_name

from .facts_model import CliArg


def absolute_module(module: str, relative_dots: int, package: str) -> str:
    """The absolute name of ``from <dots><module> import ...`` inside ``package``."""
    if not relative_dots:
        return module
    parts = package.split(".") if package else []
    if relative_dots > 1:
        parts = parts[: len(parts) - (relative_dots - 1)]
    return ".".join([*parts, module] if module else parts)


def string_value(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def is_request_json(node: cst.BaseExpression) -> bool:
    """``request.json`` / ``request.get_json(...)`` (Flask)."""
    if isinstance(node, cst.Call):
        return dotted_name(node.func) == "request.get_json"
    return dotted_name(node) == "request.json"


def is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    left, right = test.left, test.comparisons[0].comparator
    names = {dotted_name(left), dotted_name(right)}
    strings = {string_value(left), string_value(right)}
    return "__name__" in names and "__main__" in strings


def parses_json(node: cst.BaseExpression) -> bool:
    if not isinstance(node, cst.Call):
        return False
    name = dotted_name(node.func) or ""
    last = name.rsplit(".", 1)[-1]
    return name in ("json.loads", "loads", "orjson.loads") or last in (
        "model_validate_json",
        "parse_raw",
        "validate_json",
    )


def cli_arg(call: cst.Call, positional: bool | None) -> CliArg | None:
    """An argparse ``add_argument`` or click ``argument``/``option`` call as argv."""
    names = [v for v in (string_value(a.value) for a in call.args if a.keyword is None) if v]
    if not names:
        return None
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    flag = next((n for n in names if n.startswith("--")), names[0])
    is_positional = not flag.startswith("-") if positional is None else positional
    kind = "str"
    type_name = dotted_name(keywords.get("type"))
    if type_name in ("int", "float"):
        kind = type_name
    action = string_value(keywords.get("action"))
    if (
        action in ("store_true", "store_false", "count")
        or dotted_name(keywords.get("is_flag")) == "True"
    ):
        kind = "flag"
    required = dotted_name(keywords.get("required")) == "True"
    nargs = string_value(keywords.get("nargs"))
    if is_positional:
        required = "default" not in keywords and nargs not in ("?", "*")
    choice = None
    choices = keywords.get("choices")
    kind_call = keywords.get("type")
    if isinstance(kind_call, cst.Call) and (dotted_name(kind_call.func) or "").endswith("Choice"):
        choices = kind_call.args[0].value if kind_call.args else None
    if isinstance(choices, (cst.List, cst.Tuple)) and choices.elements:
        first = choices.elements[0].value
        choice = string_value(first) or (first.value if isinstance(first, cst.Integer) else None)
    return CliArg(flag if not is_positional else flag.lstrip("-"), required, kind, choice)


def has_default(value: cst.BaseExpression | None) -> bool:
    """A pydantic field default: ``Field(min_length=1)`` is none, ``Field("x")`` is."""
    if value is None:
        return False
    if isinstance(value, cst.Call) and (dotted_name(value.func) or "").endswith("Field"):
        return any(
            (a.keyword is None and dotted_name(a.value) != "...")
            or (a.keyword is not None and a.keyword.value in ("default", "default_factory"))
            for a in value.args
        )
    return True


def plain(value: Any, depth: int = 0) -> bool:
    """A value the test can write back as a literal (no bytes, sets or complex numbers)."""
    if depth > 4:
        return False
    if value is None or isinstance(value, (str, bool, int, float)):
        return not isinstance(value, float) or math.isfinite(value)  # no NaN or inf
    if isinstance(value, (list, tuple)):
        return all(plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v, depth + 1) for k, v in value.items())
    return False
