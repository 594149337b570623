"""Attack suite: every way out of the root is refused with a clear error; nothing is opened."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastmcp.exceptions import ToolError

from amplitude_ai_mcp.workspace import ENV_ROOTS, Roots, WorkspaceError, mask_secrets

LLM_FILE = "from openai import OpenAI\nOpenAI().chat.completions.create(model='m', messages=[])\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    target = tmp_path / "outside.py"
    target.write_text(LLM_FILE)
    return target


@pytest.mark.parametrize(
    ("make_path", "message"),
    [
        (lambda app, out: "../outside.py", "outside the project root"),
        (lambda app, out: "support_bot/../../outside.py", "outside the project root"),
        (lambda app, out: str(out), "outside the project root"),
        (lambda app, out: out.as_uri(), "outside the project root"),
        (lambda app, out: "file://evil.example.com/etc/passwd", "remote host"),
        (lambda app, out: "https://example.com/x.py", "not a local path"),
        (lambda app, out: "/etc/passwd", "outside the project root"),
        (lambda app, out: "~/.bashrc", "outside the project root|does not exist"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "file-uri", "remote-uri", "https", "etc", "home"],
)
@pytest.mark.asyncio
async def test_paths_outside_the_root_are_refused(client, example_app, outside, make_path, message):
    with pytest.raises(ToolError, match=message):
        await client.call_tool("validate_file", {"path": make_path(example_app, outside)})


@pytest.mark.asyncio
async def test_symlink_out_of_the_root_is_refused(client, example_app, outside):
    (example_app / "link.py").symlink_to(outside)
    with pytest.raises(ToolError, match="outside the project root"):
        await client.call_tool("validate_file", {"path": "link.py"})
    scanned = (await client.call_tool("scan_project", {})).structured_content
    reasons = {s["path"]: s["reason"] for s in scanned["skipped"]}
    assert reasons["link.py"] == "symlink to outside the root"
    assert scanned["counts"]["call_sites"] == 4  # the outside file's call is not counted


@pytest.mark.asyncio
async def test_symlinked_directory_is_not_followed(client, example_app, outside):
    (example_app / "linked_dir").symlink_to(outside.parent, target_is_directory=True)
    scanned = (await client.call_tool("scan_project", {})).structured_content
    assert scanned["counts"]["python_files"] == 5


@pytest.mark.asyncio
async def test_symlink_loop_terminates_with_an_error(client, example_app):
    (example_app / "a.py").symlink_to(example_app / "b.py")
    (example_app / "b.py").symlink_to(example_app / "a.py")
    (example_app / "loop").symlink_to(example_app, target_is_directory=True)
    with pytest.raises(ToolError, match="symlink loop"):
        await client.call_tool("validate_file", {"path": "a.py"})
    scanned = (await client.call_tool("scan_project", {})).structured_content
    reasons = {s["path"]: s["reason"] for s in scanned["skipped"]}
    assert reasons["a.py"] == reasons["b.py"] == "broken or looping symlink"


@pytest.mark.asyncio
async def test_fifo_is_never_opened(client, example_app):
    os.mkfifo(example_app / "pipe.py")
    with pytest.raises(ToolError, match="not a regular file"):
        await client.call_tool("validate_file", {"path": "pipe.py"})
    scanned = (await client.call_tool("scan_project", {})).structured_content
    assert scanned["counts"]["call_sites"] == 4


@pytest.mark.asyncio
async def test_file_uri_inside_the_root_works(client, example_app):
    uri = (example_app / "support_bot" / "escalation.py").as_uri()
    data = (await client.call_tool("validate_file", {"path": uri})).structured_content
    assert data["total"] == 1


@pytest.mark.parametrize("root", ["/", "~", "file:///"], ids=["slash", "home", "file-slash"])
@pytest.mark.asyncio
async def test_filesystem_root_and_home_are_never_roots(client, root):
    with pytest.raises(ToolError, match=r"filesystem root or your home directory|outside"):
        await client.call_tool("scan_project", {"root": root})


@pytest.mark.asyncio
async def test_explicit_root_must_be_inside_an_allowed_root(client, example_app, tmp_path):
    sibling = tmp_path / "other_project"
    sibling.mkdir()
    with pytest.raises(ToolError, match="outside the allowed roots"):
        await client.call_tool("scan_project", {"root": str(sibling)})
    inner = (await client.call_tool("scan_project", {"root": "support_bot"})).structured_content
    assert inner["root"] == str(example_app / "support_bot")


def test_root_chain_cli_then_env_then_cwd(tmp_path, example_app):
    other = tmp_path / "other"
    other.mkdir()
    assert Roots.from_sources([str(example_app)], env={ENV_ROOTS: str(other)}).allowed == (
        example_app,
    )
    env_roots = Roots.from_sources(None, env={ENV_ROOTS: f"{other}{os.pathsep}{example_app}"})
    assert env_roots.allowed == (other.resolve(), example_app)
    assert Roots.from_sources(None, env={}, cwd=str(other)).allowed == (other.resolve(),)
    for bad in ("/", str(Path.home())):
        with pytest.raises(WorkspaceError, match="never accepted"):
            Roots.from_sources([bad], env={})


def test_cli_refuses_slash_as_root():
    proc = subprocess.run(
        [sys.executable, "-m", "amplitude_ai_mcp", "--root", "/"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "never accepted" in proc.stderr


def test_secrets_are_masked_in_snippets():
    text = 'key = "sk-proj-abcdefghijklmnop1234"; token: "hunter2secret"; AKIAABCDEFGHIJKLMNOP'
    masked = mask_secrets(text)
    for secret in ("abcdefghijklmnop1234", "hunter2secret", "ABCDEFGHIJKLMNOP"):
        assert secret not in masked
    assert mask_secrets("client.chat.completions") == "client.chat.completions"


@pytest.mark.asyncio
async def test_a_refusal_does_not_tell_whether_an_outside_path_exists(
    client, example_app, outside, tmp_path
):
    """Same words for an existing and a missing outside file, and the resolved target of a
    symlink is never shown."""
    (example_app / "link.py").symlink_to(outside)
    (example_app / "dangling.py").symlink_to(tmp_path / "no_such_file.py")
    messages = {}
    for name, path in {
        "exists": "../outside.py",
        "missing": "../no_such_file.py",
        "link": "link.py",
        "dangling": "dangling.py",
    }.items():
        with pytest.raises(ToolError) as caught:
            await client.call_tool("validate_file", {"path": path})
        messages[name] = str(caught.value).replace(repr(path), "<path>")
        assert str(outside) not in str(caught.value)
        assert "no_such_file" not in str(caught.value).replace(path, "")
    assert len(set(messages.values())) == 1, messages
    for root in (str(tmp_path), str(tmp_path / "no_such_dir")):
        with pytest.raises(ToolError, match="outside the allowed roots"):
            await client.call_tool("scan_project", {"root": root})
