"""Property tests: on generated and mutated programs instrument_file never crashes (only clear
WorkspaceErrors for unusable input), never returns unparsable code, and is idempotent."""

from __future__ import annotations

import tempfile
from pathlib import Path

from codemod_harness import write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fixture_apps import CASES

from amplitude_ai_mcp.codemods.plan import TIERS, Options, apply_changes, plan_file
from amplitude_ai_mcp.workspace import WorkspaceError

HEADERS = [
    '"""Module docstring: from openai import OpenAI."""\n',
    "# -*- coding: utf-8 -*-\n",
    "from __future__ import annotations\n",
    "#!/usr/bin/env python\n",
]
IMPORTS = [
    "from openai import OpenAI\n",
    "from openai import AsyncOpenAI as AO\n",
    "from openai import APIError, AzureOpenAI\n",
    "import openai\n",
    "import openai as oa\n",
    "import anthropic\n",
    "from anthropic import Anthropic, AsyncAnthropic\n",
    "from groq import Groq\n",
    "import litellm\n",
    "from amplitude_ai import OpenAI as Instrumented\n",
    "import os\n",
]
BLOCKS = [
    "client = OpenAI()\n",
    "aclient = AO(timeout=3)\n",
    'az = AzureOpenAI(\n    api_version="2024-06-01",\n    azure_endpoint="https://x",\n)\n',
    "mod_client = openai.OpenAI(max_retries=0)\n",
    "aliased = oa.AsyncOpenAI()\n",
    "claude = anthropic.Anthropic()\n",
    "claude2 = Anthropic(max_retries=2,)\n",
    "g = Groq()\n",
    "ai = 'not ours'\n",
    "wrap = None\n",
    'TEXT = "client = OpenAI()  # in a string"\n',
    "# client = OpenAI()  in a comment\n",
    "\n\ndef ask(q):\n    return client.chat.completions.create(model='m', messages=[])\n",
    "\n\nasync def aask(q):\n    return await aclient.responses.create(model='m', input=q)\n",
    "\n\ndef handler(event, context):\n    '''Doc.'''\n"
    "    return claude.messages.create(model='m', max_tokens=1, messages=[])\n",
    "\n\ndef use(c, q):\n    return c.chat.completions.create(model='m', messages=[])\n",
    "\n\ndef make():\n    return OpenAI(\n        timeout=1\n    )\n",
    "\n\nclass Bot:\n    def __init__(self):\n        self.c = Anthropic()\n\n"
    "    def go(self):\n"
    "        return self.c.messages.stream(model='m', max_tokens=1, messages=[])\n",
    "\n\n@app.post('/x')\ndef route(user_id, q):\n    return ask(q)\n",
    "\n\ndef gen(q):\n"
    "    yield client.chat.completions.create(model='m', messages=[], stream=True)\n",
    "\n\ndef one_liner(q): return client.chat.completions.create(model='m', messages=[])\n",
    "\n\ndef completion(q):\n    return litellm.completion(model='m', messages=[])\n",
    "x = Instrumented()\n",
    "if True:\n    inner = OpenAI()\n",
]


def _check(root: Path, rel: str, tier: str, agent_id: str | None) -> None:
    options = Options(tier=tier, agent_id=agent_id)
    refused: str | None = None
    try:
        first = plan_file(root, (root / rel).resolve(), options)
    except WorkspaceError as exc:
        refused = str(exc)
    if refused is not None:  # only for input that is not valid Python (or not decodable:
        # dropping a latin-1 file's coding cookie leaves bytes that are not UTF-8)
        reasons = ("not valid Python", "too deeply nested", "not valid UTF-8")
        assert any(reason in refused for reason in reasons), refused
        return
    for change in first.changes:
        compile(change.new, str(change.path), "exec")  # bytes: honours a coding cookie
    apply_changes(first.changes)
    second = plan_file(root, (root / rel).resolve(), options)
    assert second.changes == [], second.result.diff


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    headers=st.lists(st.sampled_from(HEADERS), max_size=2, unique=True),
    imports=st.lists(st.sampled_from(IMPORTS), min_size=1, max_size=5, unique=True),
    blocks=st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=7),
    tabs=st.booleans(),
    crlf=st.booleans(),
    tier=st.sampled_from(TIERS),
    agent=st.sampled_from([None, "bot", "support-bot"]),
)
def test_generated_programs(headers, imports, blocks, tabs, crlf, tier, agent) -> None:
    header = "".join(h for h in headers if "coding" in h or "#!" in h)
    rest = [h for h in headers if h not in header]
    text = header + "".join(rest) + "".join(imports) + "app = None\n" + "".join(blocks)
    if tabs:
        text = text.replace("    ", "\t")
    if crlf:
        text = text.replace("\n", "\r\n")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        write_project(root, {"pkg/__init__.py": "", "pkg/mod.py": text})
        _check(root, "pkg/mod.py", tier, agent)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=st.sampled_from(CASES),
    ops=st.lists(
        st.tuples(st.sampled_from(["drop", "dup", "indent", "dedent"]), st.integers(0, 60)),
        max_size=4,
    ),
    tier=st.sampled_from(TIERS),
)
def test_mutated_fixture_apps(case, ops, tier) -> None:
    raw = case.files[case.target]
    data = raw.encode() if isinstance(raw, str) else raw
    encoding = "latin-1" if b"latin-1" in data[:60] else "utf-8"
    lines = data.decode(encoding).splitlines(keepends=True)
    for op, index in ops:
        if not lines:
            break
        i = index % len(lines)
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = "    " + lines[i]
        else:
            lines[i] = lines[i].lstrip(" \t")
    files = dict(case.files)
    files[case.target] = "".join(lines).encode(encoding)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        write_project(root, files)
        _check(root, case.target, tier, "bot")
