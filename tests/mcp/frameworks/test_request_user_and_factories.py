"""Web apps built by factories that return the app unnamed get the middleware, and the
generated test names the request's user the way the middleware's resolver reads it (or
asks how, through a needs_input item, when it cannot read the resolver)."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file
from amplitude_ai_mcp.verify import entry_points
from amplitude_ai_mcp.verify.generate import generate
from amplitude_ai_mcp.verify.render import PENDING_REPORTS
from amplitude_ai_mcp.verify.request_identity import RequestUser, Unknown, request_user
from amplitude_ai_mcp.workspace import Roots

CHAINS = (
    "from langchain_openai import ChatOpenAI\n"
    "model = ChatOpenAI(model='gpt-4o-mini')\n"
    "def ask(q: str) -> str:\n"
    "    return model.invoke(q).content\n"
)
FASTAPI_FACTORY = (
    "from fastapi import FastAPI\n"
    "from .chains import ask\n\n\n"
    "def create_app() -> FastAPI:\n"
    "    # one app per process\n"
    "    return FastAPI(title='svc')  # docs on\n\n\n"
    "app = create_app()\n\n\n"
    "@app.post('/ask')\n"
    "def route(q: str):\n"
    "    return {'a': ask(q)}\n"
)
FLASK_FACTORY = (
    "from flask import Flask, request\n"
    "from .chains import ask\n\n\n"
    "def make_app(app=None):\n"
    "    return Flask(__name__)\n\n\n"
    "server = make_app()\n\n\n"
    "@server.post('/ask')\n"
    "def route():\n"
    "    return {'a': ask(request.get_json()['q'])}\n"
)


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in {"svc/__init__.py": "", "svc/chains.py": CHAINS, **files}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def _instrument(root: Path, rel: str, answer: str) -> str:
    apply_changes(plan_file(root, root / "svc/chains.py", Options()).changes)
    planned = plan_file(root, root / rel, Options())
    [question] = [n for n in planned.result.needs_input if "user id" in n.question]
    inputs = {question.id: answer}
    apply_changes(plan_file(root, root / rel, Options(inputs=inputs)).changes)
    text = (root / rel).read_text()
    again = plan_file(root, root / rel, Options(inputs=inputs))
    assert again.changes == []  # re-apply: byte-identical
    return text


def test_a_factory_returning_fastapi_gets_its_app_named_and_the_middleware(tmp_path):
    root = _project(tmp_path, {"svc/main.py": FASTAPI_FACTORY})
    text = _instrument(root, "svc/main.py", 'request.headers.get("x-user")')
    assert (
        "    # one app per process\n"
        "    app = FastAPI(title='svc')  # docs on\n"
        "    app.add_middleware(\n"
        "        AmplitudeAIMiddleware,\n"
    ) in text
    assert '        user_id_resolver=lambda request: request.headers.get("x-user"),\n' in text
    assert "    )\n    return app\n" in text
    ast.parse(text)


def test_a_returned_flask_app_gets_a_name_free_in_its_factory(tmp_path):
    """``app`` is a parameter of the factory, so the app is bound to another name."""
    root = _project(tmp_path, {"svc/web.py": FLASK_FACTORY})
    text = _instrument(root, "svc/web.py", 'environ.get("HTTP_X_USER")')
    assert "    application = Flask(__name__)\n" in text
    assert "    application.wsgi_app = AmplitudeAIWSGIMiddleware(\n" in text
    assert "    return application\n" in text


def test_generated_test_sends_the_header_the_middleware_reads_and_checks_the_user(tmp_path):
    root = _project(tmp_path, {"svc/main.py": FASTAPI_FACTORY})
    _instrument(root, "svc/main.py", 'request.headers.get("X-User")')
    result = generate(Roots((root,)), "svc/main.py")
    source = result.test_source
    assert 'headers = {"x-user": VERIFY_USER}' in source
    assert 'client.post("/ask", headers=headers, params=query)' in source
    assert source.rstrip().endswith('check_turns(app, providers=["openai"], user_id=VERIFY_USER)')
    assert not [n for n in result.needs_input if "middleware" in n.id]
    compile(source, "test.py", "exec")


def test_an_unreadable_resolver_is_a_needs_input_and_its_answer_is_sent(tmp_path):
    root = _project(tmp_path, {"svc/main.py": FASTAPI_FACTORY})
    _instrument(root, "svc/main.py", 'request.scope.get("user")')
    result = generate(Roots((root,)), "svc/main.py")
    [item] = [n for n in result.needs_input if n.id == "svc/main.py:middleware:request-user"]
    assert "cannot read" in item.question and item.answer
    # until answered: tracked in one session, whatever its user
    assert 'check_turns(app, providers=["openai"], any_user=True)' in result.test_source
    answered = generate(
        Roots((root,)),
        "svc/main.py",
        inputs={item.id: '{"authorization": "Bearer u-1"}'},
    )
    source = answered.test_source
    assert 'headers = {"authorization": "Bearer u-1"}' in source
    # some user, one session: the answer says which headers name a user, not which one
    assert source.rstrip().endswith('check_turns(app, providers=["openai"])')
    assert not [n for n in answered.needs_input if n.id == item.id]


def _resolver(code: str) -> RequestUser | Unknown | None:
    return request_user(cst.parse_module(code))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "app.add_middleware(AmplitudeAIMiddleware, amplitude_ai=ai,\n"
            "    user_id_resolver=lambda r: r.headers['X-User-Id'])\n",
            ("header", "x-user-id"),
        ),
        (
            "app.add_middleware(AmplitudeAIMiddleware, user_id_resolver=lambda r: "
            "r.query_params.get('uid', 'anon'))\n",
            ("query", "uid"),
        ),
        (
            "def who(request):\n    '''The caller.'''\n    return request.cookies.get('uid')\n"
            "app.add_middleware(AmplitudeAIMiddleware, user_id_resolver=who)\n",
            ("cookie", "uid"),
        ),
        (
            "app.wsgi_app = AmplitudeAIWSGIMiddleware(app.wsgi_app,\n"
            "    user_id_resolver=lambda environ: environ.get('HTTP_X_FORWARDED_USER'))\n",
            ("header", "x-forwarded-user"),
        ),
        ("app.add_middleware(AmplitudeAIMiddleware, amplitude_ai=ai)\n", (None, "")),
    ],
)
def test_resolvers_the_generator_reads(code, expected):
    found = _resolver(code)
    assert isinstance(found, RequestUser)
    assert (found.place, found.key) == expected


@pytest.mark.parametrize(
    "resolver",
    [
        "lambda r: r.state.user.id",
        "lambda r: r.headers.get('authorization').removeprefix('Bearer ')",
        "lambda environ: environ.get('REMOTE_USER')",  # WSGI, not a header
        "lambda r, extra: r.headers['x']",
        "resolve_user",  # a function of another module
    ],
)
def test_resolvers_it_cannot_read_are_unknown(resolver):
    wsgi = "environ" in resolver
    code = (
        f"app.wsgi_app = AmplitudeAIWSGIMiddleware(app.wsgi_app, user_id_resolver={resolver})\n"
        if wsgi
        else f"app.add_middleware(AmplitudeAIMiddleware, user_id_resolver={resolver})\n"
    )
    found = _resolver(code)
    assert isinstance(found, Unknown)
    assert found.line == 1


def test_no_middleware_no_request_user():
    assert _resolver("app = FastAPI()\n") is None


def test_routed_providers_come_from_the_registry():
    """LiteLLM's facts (routed, reports after return) are registry fields, not literals."""
    assert "litellm" in entry_points.ROUTED and "litellm" in entry_points.BY_CALLBACK
    assert "openai" not in entry_points.ROUTED
    assert ("litellm", "callbacks") in PENDING_REPORTS


ROUTER = (
    "from fastapi import APIRouter\n"
    "from langchain_openai import ChatOpenAI\n"
    "router = APIRouter(prefix='/qa')\n"
    "model = ChatOpenAI(model='gpt-4o-mini')\n\n\n"
    "@router.post('/ask')\n"
    "def ask(q: str):\n"
    "    return {'a': model.invoke(q).content}\n"
)
ROUTER_APP = (
    "from fastapi import FastAPI\n"
    "from .routers import qa\n\n\n"
    "def create_app() -> FastAPI:\n"
    "    application = FastAPI()\n"
    "    application.include_router(qa.router, prefix='/api/')\n"
    "    return application\n\n\n"
    "app = create_app()\n"
)


def test_a_router_route_is_driven_through_the_app_with_the_middleware(tmp_path):
    """The route runs in the app that includes its router (and its middleware), at the
    include's prefix, with the user the middleware's resolver reads."""
    root = _project(
        tmp_path,
        {"svc/routers/__init__.py": "", "svc/routers/qa.py": ROUTER, "svc/main.py": ROUTER_APP},
    )
    apply_changes(plan_file(root, root / "svc/routers/qa.py", Options()).changes)
    text = _instrument(root, "svc/main.py", 'request.headers.get("x-user")')
    assert "    application.add_middleware(\n" in text  # the factory's own local name
    source = generate(Roots((root,)), "svc/routers/qa.py").test_source
    assert 'web = importlib.import_module("svc.main").app' in source
    assert 'client.post("/api/qa/ask", headers=headers, params=query)' in source
    assert source.rstrip().endswith("user_id=VERIFY_USER)")
    # without the middleware in the app, the router is driven in a bare app, as before
    (root / "svc/main.py").write_text(ROUTER_APP)
    bare = generate(Roots((root,)), "svc/routers/qa.py").test_source
    assert "web.include_router(module.router)" in bare and "svc.main" not in bare


def test_a_returned_starlette_app_in_an_async_factory_gets_the_middleware(tmp_path):
    root = _project(
        tmp_path,
        {
            "svc/asgi.py": (
                "from starlette.applications import Starlette\n"
                "from .chains import ask\n\n\n"
                "async def build(debug: bool = False) -> Starlette:\n"
                "    return Starlette(debug=debug)\n"
            )
        },
    )
    text = _instrument(root, "svc/asgi.py", "request.query_params.get('user')")
    assert "    app = Starlette(debug=debug)\n    app.add_middleware(\n" in text
    assert text.endswith("    )\n    return app\n")


def test_routes_on_an_app_built_by_a_factory_of_another_module_are_driven(tmp_path):
    root = _project(
        tmp_path,
        {
            "svc/factory.py": (
                "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
            ),
            "svc/views.py": (
                "from flask import request\n"
                "from .chains import ask\n"
                "from .factory import create_app\n\n"
                "app = create_app()\n\n\n"
                "@app.post('/ask')\n"
                "def view():\n"
                "    return {'a': ask(request.get_json()['q'])}\n"
            ),
        },
    )
    apply_changes(plan_file(root, root / "svc/chains.py", Options()).changes)
    result = generate(Roots((root,)), "svc/views.py")
    assert [e.name.rsplit(":", 1)[-1] for e in result.entry_points] == ["view"]
    assert 'client.post("/ask", json=body)' in result.test_source
