"""No source text can crash or stall the analysis: hostile files are refused with a reason,
the rest of the work completes (issue: libcst's native parser overflowed its stack)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import libcst as cst
import pytest

from amplitude_ai_mcp.detect import guard, source
from amplitude_ai_mcp.detect.project import scan
from amplitude_ai_mcp.detect.validate import validate_source

sys.path.insert(0, str(Path(__file__).parent))
from adversarial_sources import fuzzed_sources, named_sources

APP = """\
import openai

client = openai.OpenAI()


def answer(question: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[])
    return reply.choices[0].message.content
"""


def test_depth_estimate_follows_each_nesting_construct():
    assert guard.nesting_depth("x = " + "-" * 50 + "1\n") == 50
    assert guard.nesting_depth("x = a" + ".b" * 30 + "\n") == 30
    assert guard.nesting_depth("x = " + "lambda: " * 40 + "1\n") == 40
    assert guard.nesting_depth("x = (" + '"a" ' * 60 + ")\n") >= 30  # half weight
    assert guard.nesting_depth("if a:\n    pass\n" + "elif b:\n    pass\n" * 70) >= 70
    # Flat structures do not add up: long argument lists, many statements, blank lines.
    assert guard.nesting_depth("f(" + "a + 1, " * 5_000 + ")\n") < 10
    assert guard.nesting_depth("x = 1\n" * 5_000 + "\n" * 5_000) < 5
    # Strings and comments are not code; f-string replacement fields are.
    assert guard.nesting_depth("x = '" + "(" * 500 + "'  # " + "-" * 500 + "\n") < 5
    assert guard.nesting_depth('x = f"{' + "-" * 300 + '1}"\n') >= 300


def test_real_modules_stay_far_below_the_limit():
    import argparse
    import asyncio.base_events
    import typing

    for module in (argparse, typing, asyncio.base_events):
        text = Path(module.__file__).read_text(encoding="utf-8")
        assert guard.precheck(text) is None
        assert guard.nesting_depth(text) < guard.MAX_DEPTH // 2


HOSTILE = {**named_sources(), **fuzzed_sources(40)}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_source_is_refused_or_analysed_never_fatal(name):
    text = HOSTILE[name]
    started = time.monotonic()
    reason = ""
    try:
        result = validate_source(text, "<source>")
    except guard.SourceRejected as exc:
        reason = exc.reason  # a reason a user can act on
    except cst.ParserSyntaxError:
        reason = "syntax error"  # not valid Python: reported as such by the tools
    else:
        assert result.total == 0
    assert reason or result.total == 0
    assert time.monotonic() - started < guard.TIME_BUDGET_S + 10


def test_refusals_name_the_reason():
    with pytest.raises(guard.SourceRejected, match="nested too deeply"):
        validate_source(named_sources()["unary_100k"], "<source>")
    with pytest.raises(guard.SourceRejected, match="too many lines"):
        validate_source(named_sources()["blank_lines_999k"], "<source>")
    with pytest.raises(guard.SourceRejected, match="too large"):
        validate_source("x = 1\n" + "#" * 1_100_000 + "\n", "<source>")


def test_code_at_the_depth_limit_is_still_analysed():
    deep = "x = " + "-" * (guard.MAX_DEPTH - 5) + "1\n"
    result = validate_source(APP + deep, "<source>")
    assert result.total == 1


def test_time_budget_interrupts_the_worker():
    stop = threading.Event()

    def forever() -> int:
        while not stop.is_set():
            sum(range(100))
        return 0

    before = threading.active_count()
    with pytest.raises(guard.SourceRejected, match="time budget"):
        guard.run_guarded(forever, budget_s=0.3)
    stop.set()
    deadline = time.monotonic() + 10
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == before  # the worker was interrupted, not leaked


def test_worker_errors_reach_the_caller_unchanged():
    def fails() -> int:
        raise KeyError("inner")

    with pytest.raises(KeyError, match="inner"):
        guard.run_guarded(fails)


def test_scan_reports_hostile_files_and_completes(tmp_path):
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    hostile = named_sources()
    for name, text in hostile.items():
        # The import makes the prefilter choose the file for full analysis.
        (tmp_path / f"{name}.py").write_text("import openai\n" + text, encoding="utf-8")
    source.clear_caches()
    result = scan(tmp_path, limit=200)
    assert [(s.file, s.line) for s in result.call_sites] == [("app.py", 7)]
    reasons = {s.path: s.reason for s in result.skipped}
    # CPython's parser reads these in the guarded worker, and no statement of them touches an
    # LLM client: libcst never sees the hostile expression, the file is analysed (no site).
    read_by_cpython_only = {"and_20k.py", "string_concat_20k.py"}
    refused = {f"{name}.py" for name in hostile} - {
        "indent_99.py",
        "long_line_900kb.py",
        "lone_surrogate_escape.py",
        *read_by_cpython_only,
    }
    assert refused <= set(reasons), sorted(refused - set(reasons))
    assert all(reasons[path] for path in refused)
    assert not read_by_cpython_only & set(reasons)


def test_a_hostile_expression_an_llm_call_uses_is_still_refused(tmp_path):
    expression = " and ".join(["a"] * 20_000)
    text = (
        "from openai import OpenAI\n\nclient = OpenAI()\n"
        f"PROMPT = {expression}\n\n\n"
        "def ask():\n"
        '    return client.chat.completions.create(model="m", messages=[PROMPT])\n'
    )
    (tmp_path / "app.py").write_text(text, encoding="utf-8")
    source.clear_caches()
    result = scan(tmp_path, limit=200)
    (skipped,) = result.skipped
    assert skipped.path == "app.py" and "nested too deeply" in skipped.reason


def test_guard_works_under_a_tight_address_space_limit(tmp_path):
    """A 512 MB worker stack cannot be mapped under ``ulimit -v 400M``: smaller stacks are used."""
    import resource
    import subprocess

    code = (
        "from amplitude_ai_mcp.detect.validate import validate_source\n"
        f"print(validate_source({APP!r}, '<source>').total)\n"
    )

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (400 * 2**20, 400 * 2**20))

    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=limit, timeout=120
    )
    assert out.stdout.strip() == "1", out.stderr
