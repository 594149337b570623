"""The session tier suggests where the user id comes from, as an expression valid where the
session opens (the handler's first line); the suggestion answers needs_input as is."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from codemod_harness import write_project

from amplitude_ai_mcp.codemods.plan import Options, plan_file

FLASK = """\
from anthropic import Anthropic
from flask import Flask, jsonify, request

app = Flask(__name__)
client = Anthropic()


@app.post("/ask")
def ask():
    payload = request.get_json()
    message = client.messages.create(model="m", max_tokens=9, messages=[])
    return jsonify(answer=message.content[0].text, asked_by=payload["user_id"])
"""


@pytest.mark.parametrize(
    ("body", "suggested"),
    [
        (
            "    payload = request.get_json()\n    who = payload['user_id']\n",
            'request.get_json()["user_id"]',
        ),
        ("    who = request.args.get('uid')\n", 'request.args.get("uid")'),
        ("    who = request.headers['x-user']\n", None),  # not a user-id key
        ("    data = request.json\n    who = data.get('userId')\n", 'request.json.get("userId")'),
        ("    data = load()\n    load = None\n    who = data['user_id']\n", None),  # not at line 1
    ],
)
def test_a_key_the_handler_reads_becomes_the_suggestion(tmp_path: Path, body, suggested):
    text = textwrap.dedent(
        """\
        from openai import OpenAI
        from flask import Flask, request

        app = Flask(__name__)
        client = OpenAI()


        @app.post("/ask")
        def ask():
        {body}    return client.chat.completions.create(model="m", messages=[])
        """
    ).replace("{body}", body)
    write_project(tmp_path, {"app.py": text})
    out = plan_file(tmp_path, (tmp_path / "app.py").resolve(), Options("session", "bot"))
    (need,) = out.result.needs_input
    assert need.suggestion == suggested


def test_the_suggestion_is_a_valid_answer(tmp_path: Path):
    write_project(tmp_path, {"app.py": FLASK})
    first = plan_file(tmp_path, (tmp_path / "app.py").resolve(), Options("session", "bot"))
    (need,) = first.result.needs_input
    answered = plan_file(
        tmp_path,
        (tmp_path / "app.py").resolve(),
        Options("session", "bot", inputs={need.id: need.suggestion}),
    )
    assert answered.result.needs_input == []
    assert '+    with bot_agent.session(user_id=request.get_json()["user_id"]):' in (
        answered.result.diff
    )
