"""Re-scanning an unchanged tree reads nothing again; an edit is always seen."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.detect import project, source
from amplitude_ai_mcp.detect.project import scan

APP = """\
import openai

client = openai.OpenAI()


def answer(question):
    return client.chat.completions.create(model="m", messages=[])
"""


def _age(path: Path, seconds: int = 60) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    project.forget_scans()
    source.clear_caches()
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    for i in range(20):
        (tmp_path / f"plain_{i}.py").write_text(f"VALUE = {i}\n", encoding="utf-8")
    for path in tmp_path.glob("*.py"):
        _age(path)
    return tmp_path


def test_rescan_of_unchanged_tree_reads_no_file(tree, monkeypatch):
    first = scan(tree)
    reads: list[Path] = []
    real = workspace.read_python
    monkeypatch.setattr(workspace, "read_python", lambda p, *a: reads.append(p) or real(p, *a))
    second = scan(tree)
    assert reads == []
    assert second.model_dump() == first.model_dump()


def test_edit_is_seen_even_with_the_same_size(tree):
    assert scan(tree).counts.call_sites == 1
    app = tree / "app.py"
    # Same size, new content: the mtime moves, the stat signature differs.
    app.write_text(APP.replace("answer", "replyx"), encoding="utf-8")
    assert [s.enclosing for s in scan(tree).call_sites] == ["replyx"]
    app.write_text(APP + "\n\ndef more():\n    return client.embeddings.create(model='m')\n")
    assert scan(tree).counts.call_sites == 2


def test_recently_written_files_are_reread(tree, monkeypatch):
    scan(tree)
    fresh = tree / "app.py"
    fresh.write_text(APP, encoding="utf-8")  # mtime = now: within the racy window
    scan(tree)  # records it
    reads: list[Path] = []
    real = workspace.read_python
    monkeypatch.setattr(workspace, "read_python", lambda p, *a: reads.append(p) or real(p, *a))
    scan(tree)
    assert reads == [fresh]  # not trusted from its stat alone, so read again


def test_plan_apply_validate_parse_each_content_once(tmp_path, monkeypatch):
    import libcst as cst

    from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file
    from amplitude_ai_mcp.detect.validate import validate_source

    source.clear_caches()
    parsed: list[str] = []
    real = cst.parse_module
    monkeypatch.setattr(cst, "parse_module", lambda text, *a: parsed.append(text) or real(text, *a))
    app = tmp_path / "app.py"
    app.write_text(APP, encoding="utf-8")
    root = tmp_path.resolve()
    planned = plan_file(root, app.resolve(), Options())
    again = plan_file(root, app.resolve(), Options())  # the apply call plans once more
    assert again.result.diff == planned.result.diff
    apply_changes(again.changes)
    written = app.read_text(encoding="utf-8")
    result = validate_source(written, "app.py", root, "app.py")
    assert result.total == 1 and result.uninstrumented == 0
    assert parsed.count(APP) == 1
    assert parsed.count(written) == 0  # the plan's own output tree was reused
    assert len(parsed) == len(set(parsed))  # no content parsed twice
