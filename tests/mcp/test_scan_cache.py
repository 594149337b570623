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
    assert [Path(p) for p in reads] == [fresh]  # not trusted from its stat alone: read again


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


# --- the whole-tree reuse of an unchanged re-scan must never outlive a change --------------

CLIENTS = """\
import openai

client = openai.OpenAI()
"""

USER = """\
from clients import client


def ask(question):
    return client.chat.completions.create(model="m", messages=[])
"""


@pytest.fixture
def split_tree(tree: Path) -> Path:
    (tree / "clients.py").write_text(CLIENTS, encoding="utf-8")
    (tree / "user.py").write_text(USER, encoding="utf-8")
    for path in tree.glob("*.py"):
        _age(path)
    return tree


def _sites(result) -> list[tuple[str, int]]:
    return sorted((s.file, s.line) for s in result.call_sites)


def test_unchanged_rescan_is_reused_whole_and_equal(split_tree, monkeypatch):
    first = scan(split_tree)
    calls: list[int] = []
    real = project._scan_files
    monkeypatch.setattr(project, "_scan_files", lambda *a: calls.append(1) or real(*a))
    second = scan(split_tree)
    assert calls == []  # nothing re-resolved
    assert second.model_dump() == first.model_dump()
    third = scan(split_tree, offset=1, limit=1)  # paging still applies to the reused outcome
    assert third.call_sites == first.call_sites[1:2]
    expected = first.model_dump()
    second.call_sites[0].line = 999  # a caller's edit of a result never reaches the next one
    second.agents.clear()
    assert scan(split_tree).model_dump() == expected


def test_rescan_sees_an_edit_of_an_imported_module_that_changes_resolution(split_tree):
    assert ("user.py", 5) in _sites(scan(split_tree))
    clients = split_tree / "clients.py"
    clients.write_text("client = None\n", encoding="utf-8")
    _age(clients, 30)  # an old mtime: only the stat signature (size, inode...) moved
    assert ("user.py", 5) not in _sites(scan(split_tree))
    clients.write_text(CLIENTS, encoding="utf-8")
    _age(clients, 20)
    assert ("user.py", 5) in _sites(scan(split_tree))


def test_rescan_sees_a_rename(split_tree):
    scan(split_tree)
    (split_tree / "app.py").rename(split_tree / "renamed.py")
    result = scan(split_tree)
    files = {s.file for s in result.call_sites}
    assert "renamed.py" in files and "app.py" not in files


def test_rescan_sees_a_delete_and_an_added_file(split_tree):
    scan(split_tree)
    (split_tree / "user.py").unlink()
    result = scan(split_tree)
    assert "user.py" not in {s.file for s in result.call_sites}
    assert result.counts.python_files == 22
    added = split_tree / "more.py"
    added.write_text(APP.replace("answer", "more"), encoding="utf-8")
    _age(added)
    result = scan(split_tree)
    assert "more.py" in {s.file for s in result.call_sites}
    assert result.counts.python_files == 23


def test_a_file_that_could_not_be_read_is_retried_on_the_next_scan(split_tree, monkeypatch):
    real = workspace.read_python

    def refuse(path, *args):
        if str(path).endswith("app.py"):
            raise PermissionError(13, "Permission denied")
        return real(path, *args)

    monkeypatch.setattr(workspace, "read_python", refuse)
    first = scan(split_tree)
    assert "app.py" in {s.path for s in first.skipped}
    monkeypatch.setattr(workspace, "read_python", real)
    second = scan(split_tree)
    assert "app.py" not in {s.path for s in second.skipped}
    assert "app.py" in {s.file for s in second.call_sites}


def test_rescan_sees_a_dependency_file_change(split_tree):
    assert scan(split_tree).dependency_files == []
    (split_tree / "requirements.txt").write_text("openai>=1\n", encoding="utf-8")
    assert scan(split_tree).dependency_files == ["requirements.txt"]
