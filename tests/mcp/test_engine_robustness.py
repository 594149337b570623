"""The engine never crashes on damaged or odd input: it answers or reports a syntax error."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from amplitude_ai_mcp.detect.validate import validate_source

CORPUS = Path(__file__).parent / "detection_corpus"
FILES = sorted(CORPUS.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_dropping_lines_never_crashes_the_engine(path):
    lines = path.read_text().splitlines(keepends=True)
    for cut in sorted({len(lines) // 4, len(lines) // 2, (3 * len(lines)) // 4}):
        damaged = "".join(lines[:cut] + lines[cut + 1 :])
        try:
            result = validate_source(damaged, "<damaged>")
        except cst.ParserSyntaxError:
            continue
        assert result.total == len(result.call_sites)


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\n\n# only a comment\n",
        "x = (" + "(" * 50 + ")" * 51,
        "async def f():\n    return [x async for x in y]\n",
        "match command:\n    case {'model': m}:\n        pass\n",
        "lambda: None\n",
        "from . import *\nclient.chat.completions.create(model='m', messages=[])\n",
        "import openai\nopenai = None\nopenai.ChatCompletion.create(model='m', messages=[])\n",
        "x = OpenAI\nx().chat.completions.create(model='m', messages=[])\n",
        "a = b = c = a\na.chat.completions.create(model='m', messages=[])\n",
        "class A(A):\n    def f(self):\n        return self.c.chat.completions.create()\n",
    ],
)
def test_odd_sources_are_analysed_without_crashing(source):
    result = validate_source(source, "<odd>")
    assert result.total >= 0
