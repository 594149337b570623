"""The source of the generated pytest file.

Every value that comes from the user's code (module names, paths, argument values, model
names) is written with ``repr`` or checked to be a dotted identifier, so nothing in the
analysed project can turn into code of the test.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from amplitude_ai.providers.registry import KNOWN_PROVIDERS, PROVIDERS

from .helpers_template import HELPERS
from .plans import Code, Plan

MARKER = "# amplitude-ai: verify-test"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
# Offline stand-ins for the provider SDKs' settings (constructors fail without them); the
# fake LLM answers before any request could leave the process.
FAKE_ENV = {
    key: value
    for entry in (*PROVIDERS, *(k for k in KNOWN_PROVIDERS if k.id in {p.id for p in PROVIDERS}))
    for key, value in entry.offline_env
}

# (module, attribute) of provider callback lists that report after the call returned.
PENDING_REPORTS = [
    tuple(spec.pending_reports.rsplit(".", 1)) for spec in PROVIDERS if spec.pending_reports
]


@dataclass
class Target:
    """One module under test and how to import it."""

    file: str  # root-relative path
    module: str  # import name under ``import_root``
    import_root: str  # root-relative directory put on sys.path ("" = the root)
    bootstrap: str
    plans: list[Plan]
    local_packages: list[str]  # top-level names of project modules the test imports
    app_env: list[str]  # environment variables the code needs set (read without default)
    stubs: dict[str, str] = field(default_factory=dict)  # constructor -> replacement (inputs)
    # Reaches framework sites: instrumented by integrations the bootstrap registers when the
    # app imports it, so the test imports the app first and never the bootstrap itself.
    integrations: bool = False


@dataclass
class TestSpec:
    title: str
    targets: list[Target]
    catalog_version: str


def lit(value: Any) -> str:
    """Python source for a plain value, double-quoted like formatted code."""
    if isinstance(value, Code):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a valid Python string literal, escapes included
    if isinstance(value, dict):
        return "{" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(lit(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(lit(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    raise TypeError(f"cannot render {type(value).__name__} as a literal")


def check_dotted(name: str) -> str:
    parts = name.split(".")
    if not all(_IDENTIFIER.match(p) and not keyword.iskeyword(p) for p in parts):
        raise ValueError(f"not an importable module or attribute name: {name!r}")
    return name


def _test_name(plan: Plan, target: Target, used: set[str], many: bool) -> str:
    prefix = ""
    if many:
        prefix = re.sub(r"\W", "_", target.module.rsplit(".", 1)[-1]).lower() + "_"
    if plan.kind == "script":
        base = f"test_{prefix}run_as_script"
    elif plan.route is not None:
        base = f"test_{prefix}{plan.route.method.lower()}_{plan.qualname.lower()}"
    else:
        base = "test_" + prefix + re.sub(r"\W", "_", plan.qualname.replace(".", "_")).lower()
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


def _call(target: str, args: list[tuple[str, Any]]) -> str:
    return f"{target}({', '.join(f'{check_dotted(k)}={lit(v)}' for k, v in args)})"


def _request(plan: Plan, flask: bool, indent: str, headers: Any = None) -> list[str]:
    """One request; ``headers``: what names the user to the middleware (every request)."""
    route = plan.route
    assert route is not None
    method = route.method.lower()
    extra = ""
    lines: list[str] = []
    if headers:
        lines.append(f"{indent}headers = {lit(headers)}")
        extra += ", headers=headers"
    if plan.openapi_body and not flask:
        lines.append(f"{indent}body = openapi_body(web, {lit(route.path)}, {lit(method)})")
        extra += ", json=body"
    elif plan.json is not None:
        lines.append(f"{indent}body = {lit(plan.json)}")
        extra += ", json=body"
    if plan.form is not None:
        extra += f", data={lit(plan.form)}"
    if plan.query:
        lines.append(f"{indent}query = {lit(plan.query)}")
        extra += ", " + ("query_string=query" if flask else "params=query")
    lines.append(f"{indent}response = client.{method}({lit(plan.url)}{extra})")
    lines.append(f"{indent}check_response(response, {lit(route.method + ' ' + plan.url)})")
    return lines


def _route_body(plan: Plan) -> list[str]:
    route = plan.route
    assert route is not None
    app_name = check_dotted(route.app)
    flask = route.framework.startswith("flask")
    lines: list[str] = []
    serving = None
    if plan.serving_app is not None:  # the app that includes the router, middleware and all
        module, name = plan.serving_app
        serving = f"importlib.import_module({lit(check_dotted(module))}).{check_dotted(name)}"
    if flask:
        if serving is not None:
            lines.append(f"        web = {serving}")
        elif route.framework == "flask-blueprint":
            lines += ["        from flask import Flask", ""]
            lines.append("        web = Flask(__name__)")
            lines.append(f"        web.register_blueprint(module.{app_name})")
        else:
            lines.append(f"        web = module.{app_name}")
        lines.append("        client = web.test_client()  # keeps cookies between requests")
        for earlier in plan.before:
            lines += _request(earlier, True, "        ", plan.headers)
        lines += _request(plan, True, "        ", plan.headers)
        return lines
    lines += ["        from fastapi.testclient import TestClient", ""]
    if serving is not None:
        lines.append(f"        web = {serving}")
    elif route.framework == "fastapi-router":
        lines += ["        from fastapi import FastAPI", ""]
        lines.append("        web = FastAPI()")
        lines.append(f"        web.include_router(module.{app_name})")
    else:
        lines.append(f"        web = module.{app_name}")
    lines.append("        with TestClient(web) as client:  # keeps cookies between requests")
    for earlier in plan.before:
        lines += _request(earlier, False, "            ", plan.headers)
    lines += _request(plan, False, "            ", plan.headers)
    return lines


def _body(plan: Plan) -> list[str]:
    if plan.kind == "route":
        return _route_body(plan)
    lines: list[str] = []
    indent = "            " if plan.test_session else "        "
    if plan.test_session:
        lines.append("        with verify_session(app) as session:")
    if plan.kind == "script":
        lines.append(f"{indent}run_script(app, argv={lit(plan.argv)}, answers={lit(plan.stdin)})")
        return lines
    if plan.kind == "method":
        cls, _, method = plan.qualname.rpartition(".")
        lines.append(f"{indent}instance = {_call(f'module.{check_dotted(cls)}', plan.init_args)}")
        call = _call(f"instance.{check_dotted(method)}", plan.args)
    else:
        call = _call(f"module.{check_dotted(plan.qualname)}", plan.args)
    lines.append(f"{indent}finish({call})")
    return lines


def _check(plan: Plan) -> str:
    args = [f"providers={lit(sorted(plan.providers)) if plan.providers_known else None}"]
    if plan.models is not None:
        args.append(f"models={lit(sorted(plan.models))}")
    if plan.test_session:
        args.append("session_id=session.session_id")
        args.append("user_id=VERIFY_USER")
    elif plan.expected_user is not None:
        args.append(f"user_id={lit(plan.expected_user)}")
    if plan.middleware and not plan.opens_session:
        # the middleware's session: its user is the one the test's request names
        if plan.middleware_user == "test":
            args.append("user_id=VERIFY_USER")
        elif plan.middleware_user is None:
            args.append("any_user=True")  # no way to name one: see the needs_input item
    elif not plan.opens_session and not plan.test_session:
        args.append("in_session=False")
    check = "check_embeddings" if plan.embedding else "check_turns"
    line = f"        {check}(app, {', '.join(args)})"
    if len(line) <= 100:
        return line
    return "\n".join(
        [f"        {check}(", "            app,", *(f"            {a}," for a in args), "        )"]
    )


def _fit(plan: Plan) -> list[str]:
    if not (plan.json_reply or plan.tool_calls):
        return []
    args = [f"json_keys={lit(plan.reply_keys)}"]
    if plan.json_reply:
        args.append("json_reply=True")
    if plan.tool_calls:
        args.append("tool_calls=True")
    return [f"        app.llm.answer_with(fitting_replies({', '.join(args)}))"]


def _safe_text(text: str) -> str:
    """Text for inside a docstring: no quotes or backslashes from the analysed code."""
    return re.sub(r'["\\\r\n]', "'", text)


def _describe(plan: Plan, target: Target) -> tuple[str, str]:
    if plan.kind == "script":
        how = f"runs {target.file} as __main__"
        if plan.argv:
            how += " with command-line arguments"
        if plan.stdin:
            how += ", answering input() then leaving the loop"
    elif plan.route is not None:
        how = f"{plan.route.method} {plan.url} of {target.file} through the framework's test client"
        if plan.before:
            how += " after " + ", ".join(
                f"{b.route.method} {b.url}" for b in plan.before if b.route
            )
    else:
        how = f"{plan.qualname}() of {target.file}"
    if plan.test_session:
        session = "Runs inside a session the test opens (the app opens none on this path)."
    elif plan.opens_session:
        session = "Runs in the app's own agent session."
    elif plan.middleware and plan.middleware_user == "test":
        session = "Runs in the web middleware's session for the user the request names."
    elif plan.middleware:
        session = "Runs in the web middleware's session for this request."
    else:
        session = "Opens no agent session: events are checked, user and session are not."
    return _safe_text(how + "."), session


def _target_literal(target: Target) -> str:
    check_dotted(target.module)
    check_dotted(target.bootstrap)
    for constructor in target.stubs:
        check_dotted(constructor)
    items = {
        "file": target.file,
        "module": target.module,
        "import_root": target.import_root,
        "bootstrap": target.bootstrap,
        "packages": tuple(sorted(target.local_packages)),
        "env": tuple(sorted(set(target.app_env))),
        "integrations": target.integrations,
    }
    stubs = ", ".join(f"{lit(k)}: {v}" for k, v in target.stubs.items())
    lines = [f"    {lit(k)}: {lit(v)}," for k, v in items.items()]
    lines.append(f'    "stubs": {{{stubs}}},')
    return "{\n" + "\n".join(lines) + "\n}"


def render(spec: TestSpec) -> str:
    out = [
        f'"""Verify test for {_safe_text(spec.title)} (generated by amplitude-ai-mcp).',
        "",
        "Imports the instrumented modules (or runs scripts as __main__) and drives their entry",
        "points offline: a fake LLM answers every provider SDK call the app makes, and what",
        "the bootstrap's `ai` would send to Amplitude is captured instead. No API key, no",
        "network. Regenerate with generate_verify_test rather than edit: the tool rewrites",
        "this file while the marker line below is present.",
        '"""',
        "",
        MARKER,
        f"# Event names and properties: amplitude_ai's event catalog {spec.catalog_version}.",
        "from __future__ import annotations",
        "",
        "import asyncio",
        "import importlib",
        "import importlib.util",
        "import inspect",
        "import io",
        "import os",
        "import runpy",
        "import signal",
        "import sys",
        "import threading",
        "from collections.abc import Iterator",
        "from contextlib import contextmanager",
        "from pathlib import Path",
        "from types import SimpleNamespace",
        "from typing import Any",
        "from unittest import mock",
        "",
        "import pytest",
        "from amplitude_ai import AmplitudeAI",
        "from amplitude_ai.catalog import load_catalog",
        "from amplitude_ai.providers.registry import reported_ids",
        "from amplitude_ai.delivery import summary_line",
        "from amplitude_ai.testing import MockAmplitudeAI, fake_llm, fitting_replies",
        "from amplitude_ai.testing import sample_from_schema",
        "",
        "PROJECT_ROOT = Path(__file__).resolve().parents[1]",
        "# Offline stand-ins: the provider SDKs refuse to build clients without them.",
        "FAKE_ENV = {",
        *(f"    {lit(k)}: {lit(v)}," for k, v in FAKE_ENV.items()),
        "}",
        "# Callback lists whose entries report calls after they returned (wait for them).",
        f"PENDING_REPORTS = {lit(PENDING_REPORTS)}",
        "SCRIPT_SECONDS = 60  # a script still running after this long is stopped",
        'VERIFY_USER = "verify-test-user"',
        "_CATALOG = load_catalog()",
        'USER_MESSAGE = _CATALOG.event_names["user_message"]',
        'AI_RESPONSE = _CATALOG.event_names["ai_response"]',
        'EMBEDDING = _CATALOG.event_names["embedding"]',
        'SPAN = _CATALOG.event_names["span"]',
        'SPAN_NAME = _CATALOG.property_names["span_name"]',
        'SESSION_ID = _CATALOG.property_names["session_id"]',
        'PROVIDER = _CATALOG.property_names["provider"]',
        'MODEL_NAME = _CATALOG.property_names["model_name"]',
        'DIMENSIONS = _CATALOG.property_names["embedding_dimensions"]',
        "# The modules under test: file, import name under its import root, the bootstrap",
        "# it uses, the project packages to forget between tests, settings read at import.",
    ]
    for n, target in enumerate(spec.targets):
        out.append(f"TARGET_{n} = {_target_literal(target)}")
    out += ["", HELPERS.rstrip("\n")]
    used: set[str] = set()
    many = len(spec.targets) > 1
    for n, target in enumerate(spec.targets):
        for plan in target.plans:
            name = _test_name(plan, target, used, many)
            out += ["", "", f"def {name}(monkeypatch: pytest.MonkeyPatch) -> None:"]
            how, session = _describe(plan, target)
            out += [f'    """{how}', "", f"    {session}", '    """']
            script = ", script=True" if plan.kind == "script" else ""
            out.append(f"    with open_app(monkeypatch, TARGET_{n}{script}) as app:")
            if plan.kind != "script":
                out.append("        module = app.module")
            out += _fit(plan)
            out += _body(plan)
            out.append(_check(plan))
    return "\n".join(out) + "\n"
