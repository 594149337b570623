"""The source of the generated pytest file.

Every value that comes from the user's code (module names, paths, argument values, model
names) is written with ``repr`` or checked to be a dotted identifier, so nothing in the
analysed project can turn into code of the test.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from typing import Any

from .entry_points import Plan

MARKER = "# amplitude-ai: verify-test"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
# Offline stand-ins for the provider SDKs' settings (constructors fail without them); the
# fake LLM answers before any request could leave the process.
FAKE_ENV = {
    "OPENAI_API_KEY": "sk-verify-offline",
    "AZURE_OPENAI_API_KEY": "verify-offline",
    "AZURE_OPENAI_ENDPOINT": "https://verify-offline.openai.azure.com",
    "OPENAI_API_VERSION": "2024-10-21",
    "ANTHROPIC_API_KEY": "sk-ant-verify-offline",
}


@dataclass
class TestSpec:
    module: str
    module_file: str
    bootstrap: str
    import_base: str  # "" or "src"
    plans: list[Plan]
    app_env: list[str]  # environment variables the code indexes with os.environ[...]
    local_packages: list[str]  # top-level names of the project modules the test imports
    catalog_version: str


def lit(value: Any) -> str:
    """Python source for a plain value, double-quoted like formatted code."""
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


def _test_name(plan: Plan, used: set[str]) -> str:
    base = "test_" + re.sub(r"\W", "_", plan.qualname.replace(".", "_")).lower()
    if plan.route is not None:
        base = f"test_{plan.route.method.lower()}_{plan.qualname.lower()}"
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


def _call(target: str, args: list[tuple[str, Any]]) -> str:
    return f"{target}({', '.join(f'{check_dotted(k)}={lit(v)}' for k, v in args)})"


def _body(plan: Plan) -> list[str]:
    lines: list[str] = []
    indent = "        " if plan.test_session else "    "
    if plan.kind == "route":
        route = plan.route
        assert route is not None
        method = route.method.lower()
        app_name = check_dotted(route.app)
        extra = ""
        if plan.json is not None:
            lines.append(f"    body = {lit(plan.json)}")
            extra += ", json=body"
        if plan.query:
            lines.append(f"    query = {lit(plan.query)}")
            extra += ", params=query"
        if route.framework.startswith("flask"):
            if route.framework == "flask-blueprint":
                lines.append("    from flask import Flask")
                lines.append("")
                lines.append("    web = Flask(__name__)")
                lines.append(f"    web.register_blueprint(app.module.{app_name})")
            else:
                lines.append(f"    web = app.module.{app_name}")
            lines.append(f"    response = web.test_client().{method}({lit(plan.url)}{extra})")
            status, text = "response.status_code", "response.get_data(as_text=True)[:500]"
        else:
            lines.append("    from fastapi.testclient import TestClient")
            lines.append("")
            if route.framework == "fastapi-router":
                lines.append("    from fastapi import FastAPI")
                lines.append("")
                lines.append("    web = FastAPI()")
                lines.append(f"    web.include_router(app.module.{app_name})")
            else:
                lines.append(f"    web = app.module.{app_name}")
            lines.append("    with TestClient(web) as client:")
            lines.append(f"        response = client.{method}({lit(plan.url)}{extra})")
            status, text = "response.status_code", "response.text[:500]"
        lines.append(f"    where = {lit(route.method + ' ' + plan.url)}")
        lines.append(f"    assert {status} < 400, (")
        lines.append(f'        f"{{where}} answered {{{status}}}: {{{text}}}"')
        lines.append("    )")
        return lines
    if plan.test_session:
        lines.append("    with verify_session(app) as session:")
    if plan.kind == "method":
        cls, _, method = plan.qualname.rpartition(".")
        lines.append(
            f"{indent}instance = {_call(f'app.module.{check_dotted(cls)}', plan.init_args)}"
        )
        call = _call(f"instance.{check_dotted(method)}", plan.args)
    else:
        call = _call(f"app.module.{check_dotted(plan.qualname)}", plan.args)
    lines.append(f"{indent}asyncio.run({call})" if plan.is_async else f"{indent}{call}")
    return lines


def _check(plan: Plan) -> str:
    args = [f"providers={lit(sorted(plan.providers))}"]
    if plan.models is not None:
        args.append(f"models={lit(sorted(plan.models))}")
    if plan.test_session:
        args.append("session_id=session.session_id")
        args.append("user_id=VERIFY_USER")
    elif plan.expected_user is not None:
        args.append(f"user_id={lit(plan.expected_user)}")
    if not plan.opens_session and not plan.test_session:
        args.append("in_session=False")
    return f"    check_turns(app, {', '.join(args)})"


def _safe_text(text: str) -> str:
    """Text for inside a docstring: no quotes or backslashes from the analysed code."""
    return re.sub(r'["\\\r\n]', "'", text)


def _describe(plan: Plan) -> tuple[str, str]:
    if plan.route is not None:
        how = f"{plan.route.method} {plan.url} through the framework's test client"
    else:
        how = f"{plan.qualname}() with arguments built from its annotations"
    if plan.test_session:
        session = "Runs inside a session the test opens (the app opens none on this path)."
    elif plan.opens_session:
        session = "Runs in the app's own agent session."
    else:
        session = "Opens no agent session: events are checked, user and session are not."
    return _safe_text(how + "."), session


_HELPERS = """
def _import_bootstrap() -> Any:
    missing = False
    try:
        bootstrap = importlib.import_module(BOOTSTRAP)
    except ModuleNotFoundError as exc:
        if not (exc.name == BOOTSTRAP or BOOTSTRAP.startswith(f"{exc.name}.")):
            raise
        missing = True
    if missing:
        pytest.fail(
            f"{BOOTSTRAP} does not exist: {MODULE} is not instrumented yet "
            "(run the instrument_file tool on it)",
            pytrace=False,
        )
    if not isinstance(getattr(bootstrap, "ai", None), AmplitudeAI):
        pytest.fail(f"{BOOTSTRAP} defines no AmplitudeAI instance named `ai`", pytrace=False)
    return bootstrap


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    \"\"\"The instrumented module, imported fresh, with the fake LLM and the capture on.\"\"\"
    monkeypatch.syspath_prepend(str(IMPORT_ROOT))
    for name, value in FAKE_ENV.items():
        monkeypatch.setenv(name, value)
    for name in APP_ENV:
        if name not in os.environ:
            url = "URL" in name or "ENDPOINT" in name
            monkeypatch.setenv(name, "https://verify-offline.invalid" if url else "verify-offline")
    before = set(sys.modules)
    try:
        with fake_llm() as llm:
            bootstrap = _import_bootstrap()
            with MockAmplitudeAI.capture(bootstrap.ai) as mock:
                module = importlib.import_module(MODULE)
                yield SimpleNamespace(module=module, bootstrap=bootstrap, mock=mock, llm=llm)
    finally:
        for name in set(sys.modules) - before:  # the next test imports the app afresh
            if name.split(".")[0] in LOCAL_PACKAGES:
                del sys.modules[name]


@contextmanager
def verify_session(app: SimpleNamespace) -> Iterator[Any]:
    \"\"\"A session for code paths where the app opens none (gives the calls a user).\"\"\"
    agent = app.bootstrap.ai.agent("amplitude-verify-test")
    with agent.session(user_id=VERIFY_USER) as session:
        yield session


def check_turns(
    app: SimpleNamespace,
    *,
    providers: list[str],
    models: list[str] | None = None,
    session_id: str | None = None,
    user_id: str | None = None,
    in_session: bool = True,
) -> None:
    \"\"\"Each LLM call tracked once, catalog-exact, with model, provider, user, session.

    ``in_session=False``: the code path opens no agent session, so identity is not checked.
    \"\"\"
    mock, llm = app.mock, app.llm
    calls = [c for c in llm.calls if c.surface != "embeddings"]
    assert calls, "the entry point made no LLM call, so there is nothing to verify"
    responses = mock.events_of_type(AI_RESPONSE)
    assert responses, (
        f"{len(calls)} LLM call(s) but no {AI_RESPONSE!r} event: the client that made "
        "them is not instrumented (build it with the amplitude_ai drop-in class and "
        "amplitude=ai), or the call ran outside an agent session and had no user id"
    )
    assert len(responses) == len(calls), (
        f"{len(calls)} LLM calls but {len(responses)} {AI_RESPONSE!r} events "
        "(every call must be tracked exactly once)"
    )
    for call in calls:
        mock.assert_event_tracked(AI_RESPONSE, model_name=call.model)
    seen = sorted({e["event_properties"].get(PROVIDER) for e in responses})
    assert seen == providers, f"providers tracked: {seen}, expected {providers}"
    if models is not None:
        tracked = sorted({e["event_properties"].get(MODEL_NAME) for e in responses})
        assert tracked == models, f"models tracked: {tracked}, expected {models}"
    messages = mock.events_of_type(USER_MESSAGE)
    assert 1 <= len(messages) <= len(calls), (
        f"{len(messages)} {USER_MESSAGE!r} events for {len(calls)} LLM calls"
    )
    ids = [e["insert_id"] for e in mock.events]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    turn = responses + messages
    if not in_session:
        mock.assert_all_valid()
        return
    sessions = {e["event_properties"].get(SESSION_ID) for e in turn}
    assert None not in sessions, "events without a session id (no agent session around them)"
    assert len(sessions) == 1, f"one conversation expected, got sessions {sessions}"
    if session_id is not None:
        assert sessions == {session_id}, f"events in session {sessions}, not {session_id}"
    users = {e.get("user_id") for e in turn}
    assert None not in users and len(users) == 1, f"user ids: {users}"
    if user_id is not None:
        assert users == {user_id}, f"events carry user {users}, expected {user_id!r}"
    mock.assert_all_valid()
    for event in mock.events:  # shown with pytest -s (or on failure)
        print(summary_line(event))
"""


def render(spec: TestSpec) -> str:
    check_dotted(spec.module)
    check_dotted(spec.bootstrap)
    uses_async = any(p.is_async and p.kind != "route" for p in spec.plans)
    import_root = "Path(__file__).resolve().parents[1]"
    if spec.import_base:
        import_root += f" / {lit(spec.import_base)}"
    out = [
        f'"""Verify test for {_safe_text(spec.module_file)} (generated by amplitude-ai-mcp).',
        "",
        "Imports the instrumented module and drives its entry points offline: a fake LLM",
        "answers every OpenAI / Azure OpenAI / Anthropic call and what the bootstrap's `ai`",
        "would send to Amplitude is captured instead. No API key, no network. Regenerate",
        "with generate_verify_test rather than edit: the tool rewrites this file while the",
        "marker line below is present.",
        '"""',
        "",
        MARKER,
        f"# Event names and properties: amplitude_ai's event catalog {spec.catalog_version}.",
        "from __future__ import annotations",
        "",
        *(["import asyncio"] if uses_async else []),
        "import importlib",
        "import os",
        "import sys",
        "from collections.abc import Iterator",
        "from contextlib import contextmanager",
        "from pathlib import Path",
        "from types import SimpleNamespace",
        "from typing import Any",
        "",
        "import pytest",
        "from amplitude_ai import AmplitudeAI",
        "from amplitude_ai.catalog import load_catalog",
        "from amplitude_ai.delivery import summary_line",
        "from amplitude_ai.testing import MockAmplitudeAI, fake_llm",
        "",
        f"IMPORT_ROOT = {import_root}",
        f"MODULE = {lit(spec.module)}",
        f"BOOTSTRAP = {lit(spec.bootstrap)}",
        f"LOCAL_PACKAGES = {lit(tuple(sorted(spec.local_packages)))}",
        "# Offline stand-ins: the provider SDKs refuse to build clients without them.",
        "FAKE_ENV = {",
        *(f"    {lit(k)}: {lit(v)}," for k, v in FAKE_ENV.items()),
        "}",
        "# Read by the app with os.environ[...]; set to a placeholder only when missing.",
        f"APP_ENV = {lit(tuple(sorted(set(spec.app_env))))}",
        'VERIFY_USER = "verify-test-user"',
        "_CATALOG = load_catalog()",
        'USER_MESSAGE = _CATALOG.event_names["user_message"]',
        'AI_RESPONSE = _CATALOG.event_names["ai_response"]',
        'SESSION_ID = _CATALOG.property_names["session_id"]',
        'PROVIDER = _CATALOG.property_names["provider"]',
        'MODEL_NAME = _CATALOG.property_names["model_name"]',
        "",
        _HELPERS.rstrip("\n"),
    ]
    used: set[str] = set()
    for plan in spec.plans:
        out += ["", "", f"def {_test_name(plan, used)}(app: SimpleNamespace) -> None:"]
        how, session = _describe(plan)
        out += [f'    """{how}', "", f"    {session}", '    """']
        out += _body(plan)
        out.append(_check(plan))
    return "\n".join(out) + "\n"
