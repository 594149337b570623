"""Answerable needs_input: ids on every item, answers through ``inputs``, checked expressions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytest_asyncio
from fastmcp import Client
from fastmcp.exceptions import ToolError

from amplitude_ai_mcp.inputs import (
    InputError,
    check_expression,
    check_ids,
    check_names,
    literal_string,
)
from amplitude_ai_mcp.server import create_server
from amplitude_ai_mcp.workspace import Roots

APPS = Path(__file__).resolve().parents[1] / "apps"
MAIN = "support_api/main.py"
AGENT = f"{MAIN}:agent_id"
USER = f"{MAIN}:chat:user_id"


# --------------------------------------------------------------------------- the checker


@pytest.mark.parametrize(
    ("value", "placed"),
    [
        ("req.user_id", "req.user_id"),
        ("  user.id  ", "user.id"),
        ("request.headers.get('x-user-id')", "request.headers.get('x-user-id')"),
        ('event["requestContext"]["authorizer"]["claims"]["sub"]', None),
        ("str(current_user.id)", None),
        ("os.getenv('DEFAULT_USER', 'anonymous')", None),
        ("payload.get('user') or 'anonymous'", None),
        ("f'{org}:{user}'", None),
        ('request.get_json()["user_id"]', None),
        ("request.args.getlist('ids')", None),
        ('["a", "b"]', None),
        (42, "42"),
        (True, "True"),
        (None, "None"),
        ({"service": "billing", "ids": [1, 2]}, "{'service': 'billing', 'ids': [1, 2]}"),
    ],
)
def test_accepted_answers_are_placed_verbatim(value, placed):
    assert check_expression("x", value) == (placed or value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("user.id; import os", "not a Python expression"),
        ("import os", "not a Python expression"),
        ("user.id  # the id", "comment"),
        ("a\n+ b", "several lines"),
        ("(n := 1)", "assignment expression"),
        ("lambda: 1", "lambda"),
        ("await get_user()", "await"),
        ("[u.id for u in users]", "comprehension"),
        ("delete_user(1)", r"calls delete_user\(\)"),
        ("requests.get('http://x').json()", r"calls requests.get\('http://x'\).json\(\)"),
        ("__import__('os').system('x')", r"calls __import__\('os'\).system\(\)"),
        ("user.__class__", "dunder"),
        ("x" * 400, "at most 300"),
        ([1, object()], "JSON value"),
        (float("nan"), "JSON value"),
    ],
)
def test_rejected_answers_say_why(value, reason):
    with pytest.raises(InputError, match=reason):
        check_expression("user_id:a.py:f", value)


@pytest.mark.parametrize(
    ("value", "lookups", "constructors"),
    [
        ("request.headers.get('x-user-id')", True, True),
        ("module.Memory()", False, True),
        ("mock.MagicMock(spec=['send'])", False, True),
        ("[n for n in range(3)]", False, True),
        ("lambda: 1", False, True),
        ("eval('1')", False, False),
        ("open('notes.txt').read()", False, False),
        ("(x := 1)", False, False),
        ("module.Memory()  # a comment", False, False),
    ],
)
def test_one_checker_two_strictness_levels(value, lookups, constructors):
    """instrument_file's answers go into the user's code (value look-ups only);
    generate_verify_test's run in the generated test (constructors too): one checker."""
    for strictness, accepted in (("lookups", lookups), ("constructors", constructors)):
        if accepted:
            assert check_expression("f.py:x", value, strictness) == value
        else:
            with pytest.raises(InputError, match=r"not allowed|comment"):
                check_expression("f.py:x", value, strictness)


def test_names_must_be_in_scope_where_the_answer_goes():
    check_names("x", "req.user_id or str(DEFAULT)", ["req", "DEFAULT"], "chat()")
    check_names("x", "[u for u in users]", ["users"], "chat()")  # bound by the expression
    with pytest.raises(InputError, match=r"reads request, which chat\(\) does not define"):
        check_names("x", "request.user_id", ["req"], "chat()")


def test_id_listings_stay_short():
    many = {f"f.py:g{i}:user_id": "x" for i in range(500)}
    with pytest.raises(InputError, match=r"\(and 480 more\); the ids this call accepts are: a$"):
        check_ids(many, {"a": True})


def test_string_answers_accept_a_word_or_a_quoted_literal():
    assert literal_string("a", "support") == "support"
    assert literal_string("a", '"support"') == "support"
    with pytest.raises(InputError, match="must be a string"):
        literal_string("a", 3)


# --------------------------------------------------------------------------- instrument_file


@pytest.fixture
def api(tmp_path: Path) -> Path:
    root = tmp_path / "api"
    shutil.copytree(APPS / "fastapi_app" / "original", root)
    return root.resolve()


@pytest_asyncio.fixture
async def api_client(api: Path):
    async with Client(create_server(Roots((api,)))) as connected:
        yield connected


async def _plan(client: Client, **arguments: object) -> dict:
    result = await client.call_tool("instrument_file", {"path": MAIN, **arguments})
    return result.structured_content


@pytest.mark.asyncio
async def test_every_question_has_a_stable_id_and_says_what_it_takes(api_client):
    first = await _plan(api_client, tier="session")
    again = await _plan(api_client, tier="session")
    ids = [n["id"] for n in first["needs_input"]]
    assert ids == [AGENT, USER] == [n["id"] for n in again["needs_input"]]
    by_id = {n["id"]: n for n in first["needs_input"]}
    assert "string" in by_id[AGENT]["answer"]
    assert "expression" in by_id[USER]["answer"]
    assert by_id[USER]["suggestion"] == "req.user_id"


@pytest.mark.asyncio
async def test_answers_are_placed_and_the_questions_go_away(api_client, api: Path):
    inputs = {AGENT: "support", USER: "req.user_id"}
    plan = await _plan(api_client, tier="session", inputs=inputs)
    assert plan["needs_input"] == []
    assert "+    with support_agent.session(user_id=req.user_id):" in plan["diff"]
    assert '+support_agent = ai.agent("support")' in plan["diff"]
    assert any("(from inputs)" in e["reason"] for e in plan["edits"])

    applied = await _plan(
        api_client, tier="session", inputs=inputs, apply=True, expected_sha256=plan["sha256"]
    )
    assert applied["applied"] is True
    assert "session(user_id=req.user_id):" in (api / MAIN).read_text(encoding="utf-8")
    # Re-applying with the same answers is accepted and changes nothing.
    again = await _plan(api_client, tier="session", inputs=inputs, apply=True)
    assert again["files"] == [] and again["needs_input"] == []


@pytest.mark.asyncio
async def test_unknown_ids_fail_with_the_valid_ones(api_client, api: Path):
    before = (api / MAIN).read_bytes()
    with pytest.raises(
        ToolError, match=rf"unknown needs_input id: user_id; .*are: {AGENT}, {USER}"
    ):
        await _plan(api_client, tier="session", inputs={"user_id": "req.user_id"}, apply=True)
    with pytest.raises(ToolError, match="this call has no questions"):
        await _plan(api_client, inputs={USER: "req.user_id"})  # the swap tier asks nothing
    assert (api / MAIN).read_bytes() == before


@pytest.mark.asyncio
async def test_bad_answers_fail_before_anything_is_written(api_client, api: Path):
    before = (api / MAIN).read_bytes()
    with pytest.raises(ToolError, match=r"does not look side-effect free \(it calls lookup\(\)"):
        await _plan(api_client, tier="session", inputs={USER: "lookup(req)"}, apply=True)
    with pytest.raises(ToolError, match="reads request, which chat"):  # its parameter is req
        await _plan(api_client, tier="session", inputs={USER: "request.user_id"}, apply=True)
    with pytest.raises(ToolError, match="agent_id 'not ok!' is not accepted"):
        await _plan(api_client, tier="session", inputs={AGENT: "not ok!"}, apply=True)
    assert (api / MAIN).read_bytes() == before
    assert not (api / "support_api" / "amplitude_bootstrap.py").exists()


@pytest.mark.asyncio
async def test_items_that_take_no_value_refuse_one(tmp_path: Path):
    (tmp_path / "llm.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    (tmp_path / "use.py").write_text(
        "from llm import client\n\n\ndef ask(q):\n"
        "    return client.chat.completions.create(model='m', messages=[])\n"
    )
    async with Client(create_server(Roots((tmp_path.resolve(),)))) as client:
        plan = (await client.call_tool("instrument_file", {"path": "use.py"})).structured_content
        (item,) = plan["needs_input"]
        assert item["id"] == "use.py:client:built_elsewhere" and item["answer"] is None
        with pytest.raises(ToolError, match="cannot be answered with a value"):
            await client.call_tool(
                "instrument_file", {"path": "use.py", "inputs": {item["id"]: "x"}}
            )


# --------------------------------------------------------------------------- generate_verify_test

SUMMARIZER = """\
from openai import OpenAI

client = OpenAI()


def summarize(lines):
    text = "\\n".join(lines)
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
    )
    return reply.choices[0].message.content
"""


@pytest.mark.asyncio
async def test_verify_test_arguments_come_from_inputs(tmp_path: Path):
    (tmp_path / "summarizer.py").write_text(SUMMARIZER)
    async with Client(create_server(Roots((tmp_path.resolve(),)))) as client:
        await client.call_tool("instrument_file", {"path": "summarizer.py", "apply": True})
        item_id = "summarizer.py:summarize:lines"  # any argument of a driven entry point
        answered = await client.call_tool(
            "generate_verify_test",
            {"path": "summarizer.py", "inputs": {item_id: ["first line", "second line"]}},
        )
        data = answered.structured_content
        assert [e["name"] for e in data["entry_points"]] == ["summarize"]
        assert "['first line', 'second line']" in data["test_source"]
        assert item_id not in {n["id"] for n in data["needs_input"]}
        with pytest.raises(ToolError, match="lines"):  # an unknown id fails, naming it
            await client.call_tool(
                "generate_verify_test", {"path": "summarizer.py", "inputs": {"lines": "[]"}}
            )


def test_version_questions_have_stable_ids_and_take_no_value(tmp_path: Path):
    from amplitude_ai_mcp.codemods.plan import Options, plan_file

    (tmp_path / "requirements.txt").write_text("openai==0.28.1\n")
    (tmp_path / "app.py").write_text(
        "from openai import OpenAI\nclient = OpenAI()\n"
        "client.chat.completions.create(model='m', messages=[])\n"
    )
    needs = plan_file(tmp_path, (tmp_path / "app.py").resolve(), Options()).result.needs_input
    (item,) = [n for n in needs if "0.28.1" in n.question]
    assert item.id == "app.py:openai:version" and item.answer is None
    with pytest.raises(InputError, match="cannot be answered with a value"):
        plan_file(tmp_path, (tmp_path / "app.py").resolve(), Options(inputs={item.id: "'1.0'"}))
