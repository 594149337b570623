"""A file Python accepts is never called "not valid Python", whatever libcst makes of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplitude_ai_mcp.codemods.plan import Options, plan_file
from amplitude_ai_mcp.workspace import WorkspaceError

HEADER = "from openai import OpenAI\n\nclient = OpenAI()\n\n"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "app.py"
    path.write_text(HEADER + body)
    return path


def test_a_huge_implicit_concatenation_is_valid_python_libcst_cannot_read(tmp_path):
    parts = "\n".join('    "one line of a very long system prompt "' for _ in range(6000))
    # The prompt feeds an LLM call, so detection must read it (an unrelated statement is
    # never handed to libcst: see test_an_unrelated_unreadable_statement_does_not_matter).
    path = write(
        tmp_path,
        f"from openai import OpenAI\n\nclient = OpenAI()\nPROMPT = (\n{parts}\n)\n\n\n"
        "def ask():\n"
        '    return client.chat.completions.create(model="m", messages=[PROMPT])\n',
    )
    compile(path.read_text(), "app.py", "exec")  # Python itself accepts it
    with pytest.raises(WorkspaceError) as caught:
        plan_file(tmp_path, path, Options())
    message = str(caught.value)
    assert "is valid Python that the libcst parser cannot read" in message
    assert "not valid Python" not in message


@pytest.mark.parametrize(
    "body",
    [
        'PROMPT = "a" "b" f"{1}" "c"\n',
        'PROMPT = ("a"  # why\n    "b")\n',
        'reply = client.chat.completions.create(model="gpt-" "4o", messages=[])\n',
    ],
)
def test_ordinary_implicit_concatenations_plan_normally(tmp_path, body):
    outcome = plan_file(tmp_path, write(tmp_path, body), Options())
    assert outcome.result.file == "app.py"


def test_a_real_syntax_error_is_still_called_one(tmp_path):
    with pytest.raises(WorkspaceError, match="not valid Python: syntax error"):
        plan_file(tmp_path, write(tmp_path, 'PROMPT = "a" "b\n'), Options())


@pytest.mark.asyncio
async def test_validate_and_scan_say_the_same(tmp_path):
    from fastmcp import Client
    from fastmcp.exceptions import ToolError

    from amplitude_ai_mcp.server import create_server
    from amplitude_ai_mcp.workspace import Roots

    parts = "\n".join('    "one line of a very long system prompt "' for _ in range(6000))
    # The prompt feeds an LLM call, so detection must read it (an unrelated statement is
    # never handed to libcst: see test_an_unrelated_unreadable_statement_does_not_matter).
    path = write(
        tmp_path,
        f"from openai import OpenAI\n\nclient = OpenAI()\nPROMPT = (\n{parts}\n)\n\n\n"
        "def ask():\n"
        '    return client.chat.completions.create(model="m", messages=[PROMPT])\n',
    )
    async with Client(create_server(Roots((tmp_path.resolve(),)))) as client:
        for arguments in ({"path": "app.py"}, {"source": path.read_text()}):
            with pytest.raises(ToolError, match="valid Python that the libcst parser cannot"):
                await client.call_tool("validate_file", arguments)
        scanned = (await client.call_tool("scan_project", {})).structured_content
    (skip,) = scanned["skipped"]
    assert skip["reason"].startswith("valid Python that the libcst parser cannot read")


@pytest.mark.asyncio
async def test_an_unrelated_unreadable_statement_does_not_matter(tmp_path):
    from fastmcp import Client

    from amplitude_ai_mcp.server import create_server
    from amplitude_ai_mcp.workspace import Roots

    parts = "\n".join('    "one line of a very long system prompt "' for _ in range(6000))
    write(
        tmp_path,
        f"from openai import OpenAI\n\nclient = OpenAI()\nPROMPT = (\n{parts}\n)\n\n\n"
        "def ask(q):\n"
        '    return client.chat.completions.create(model="m", messages=[q])\n',
    )
    async with Client(create_server(Roots((tmp_path.resolve(),)))) as client:
        checked = (await client.call_tool("validate_file", {"path": "app.py"})).structured_content
        scanned = (await client.call_tool("scan_project", {})).structured_content
    assert [s["line"] for s in checked["call_sites"]] == [HEADER.count("\n") + 6009]
    assert scanned["skipped"] == [] and scanned["counts"]["call_sites"] == 1
