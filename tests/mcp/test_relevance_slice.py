"""The relevance slice (detect/relevance.py) never changes what detection reports.

Every Python file of the test suite (detection corpus, example apps, codemod fixtures, the
tests themselves) is analysed whole and through its slice; the resolved call sites, uncertain
sites, imports, patches, agents, client arguments and the exports that may lead to a client
must be identical. The scan of the corpus and of every example app must be identical too.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from amplitude_ai_mcp.codemods.edit_slice import edit_slice
from amplitude_ai_mcp.detect import analyze, relevance
from amplitude_ai_mcp.detect.project import forget_scans, imported_modules, scan, strong_candidate
from amplitude_ai_mcp.detect.relevance import (
    NO_CONTEXT,
    Context,
    live_export,
    slice_source,
)
from amplitude_ai_mcp.detect.resolve import finalize, finalize_uncertain
from amplitude_ai_mcp.detect.source import clear_caches, with_dropped_imports
from amplitude_ai_mcp.detect.validate import LazyModules

TESTS = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)
_DETECTION_DIRS = ("detection_corpus", "apps", "codemods")


def _detection_files() -> list[Path]:
    """The labelled corpus, the example apps, the codemod fixtures, and every other test file
    the scan would analyse (it imports a provider/framework/SDK or spells an LLM API)."""
    chosen = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        if any(part in _DETECTION_DIRS for part in path.relative_to(TESTS).parts) or (
            strong_candidate(text, imported_modules(text))
        ):
            chosen.append(path)
    return chosen


def _outcome(analysis: analyze.FileAnalysis, context: Context) -> tuple[object, ...]:
    modules = LazyModules(None, analysis)
    live = {
        key: repr(value)
        for key, value in analysis.exports.items()
        if live_export(analysis.exports, analysis.module, key, context)
    }
    return (
        finalize(analysis, "f.py", modules),
        finalize_uncertain(analysis, "f.py", modules),
        analysis.imports,
        analysis.imported_modules,
        analysis.patches,
        analysis.patch_in_function,
        analysis.agents,
        analysis.handoffs,
        analysis.client_args,
        live,
    )


def _analyse(text: str) -> analyze.FileAnalysis:
    return analyze._analyze(MetadataWrapper(cst.parse_module(text)), "pkg.mod", False)


def _agree(files: list[Path]) -> int:
    contexts = (NO_CONTEXT, Context(["pkg", "pkg.mod", "mod"]))
    sliced = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        cuts = [slice_source(text, "pkg", context) for context in contexts]
        if all(cut is None for cut in cuts):
            continue
        try:
            whole = _analyse(text)
        except cst.ParserSyntaxError:
            continue
        for context, cut in zip(contexts, cuts, strict=True):
            if cut is not None:
                sliced += 1
                part = with_dropped_imports(_analyse(cut.text), cut)
                assert _outcome(part, context) == _outcome(whole, context), path
            # The codemods' slice (imports and docstring kept, runs as markers): detection
            # runs on it in a plan, and its markers give the original text back.
            edit = edit_slice(text, "pkg", context)
            if edit is not None:
                edited = _analyse(edit.text)
                edited.imports = sorted([*edited.imports, *edit.dropped_imports], key=_line)
                edited.imported_modules |= edit.dropped_modules
                assert _outcome(edited, context) == _outcome(whole, context), path
                assert edit.restore(cst.parse_module(edit.text).code) == text, path
    return sliced


def _line(item: tuple[str, int]) -> int:
    return item[1]


def test_slice_and_whole_module_agree_on_detection_files() -> None:
    assert _agree(_detection_files()) > 100  # the check must actually compare slices


@pytest.mark.reliability
def test_slice_and_whole_module_agree_on_every_test_file() -> None:
    assert _agree(FILES) > 200


def _scan_both(root: Path) -> tuple[object, object]:
    results = []
    for enabled in (False, True):
        relevance.ENABLED = enabled
        clear_caches()
        forget_scans()
        try:
            result = scan(root, limit=10_000)
        finally:
            relevance.ENABLED = True
        results.append(result.model_dump(exclude={"counts"}) | {"sites": result.counts})
    return results[0], results[1]


@pytest.mark.parametrize(
    "root",
    [
        TESTS / "mcp" / "detection_corpus",
        *sorted(p for p in (TESTS / "apps").iterdir() if p.is_dir()),
    ],
    ids=lambda p: p.name,
)
def test_scan_is_the_same_with_and_without_slices(root: Path) -> None:
    whole, sliced = _scan_both(root)
    assert sliced == whole


def test_slice_keeps_lines_and_drops_unrelated_code() -> None:
    text = (
        '"""Doc."""\n'
        "import json\n"
        "from openai import OpenAI\n"
        "\n"
        "def unrelated(path):\n"
        "    # mentions OpenAI() only in a comment\n"
        "    return json.load(open(path))\n"
        "\n"
        "client = OpenAI()\n"
        "\n"
        "def ask(q):\n"
        "    return client.chat.completions.create(model='m', messages=[q])\n"
    )
    cut = slice_source(text, "")
    assert cut is not None
    assert cut.text.count("\n") == text.count("\n")
    assert "unrelated" not in cut.text and "import json" not in cut.text
    assert cut.kept_lines == {3, 9, 11, 12}
    sites = _analyse(cut.text).sites
    assert [(s.line, s.column) for s in sites] == [(12, 12)]


def test_a_project_module_named_like_the_stdlib_is_evidence() -> None:
    text = "import json\n\ndef a():\n    return json.client\n\ndef b():\n    return 1\n"
    assert slice_source(text, "", Context(shadowed=["json"])).kept_lines == {1, 3, 4}
    assert slice_source(text, "", Context(["app", "json"])).kept_lines == {1, 3, 4}
    cut = slice_source(text, "", NO_CONTEXT)
    assert cut is not None and cut.kept_lines == frozenset()


def test_invalid_or_unsliceable_text_is_analysed_whole() -> None:
    assert slice_source("def broken(:\n", "") is None
    assert slice_source("x = 1\r y = 2\n", "") is None
    assert slice_source("from app.lib import *\nx = 1\n", "", Context(["app.lib"])) is None
