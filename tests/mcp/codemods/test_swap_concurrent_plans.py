"""The server may plan different files at once (one worker thread each): a plan of the swap
tier must not read another plan's state.

The swap tier indexes which statement owns each ``from ... import`` (one walk per plan). That
index used to be a module-level cache (``_OWNERS``): a thread switch between storing it and
reading it back let one plan read the other file's index, so the plan of ``a.py`` lost its
import move. Thread switches are not deterministic, so the test forces the interleaving: the
thread planning ``a.py`` pauses while it holds its index, until the plan of ``b.py`` has run in
another thread. Where the index is kept decides where it pauses: right after reading the entry
it stored, when the module has such a cache (a stand-in list replaces it); otherwise in the
middle of building its own index. Either way each file's plan must equal the plan of the same
file made alone.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from codemod_harness import write_project

from amplitude_ai_mcp.codemods import swap_client_import
from amplitude_ai_mcp.codemods.plan import Options, Outcome, plan_file

# Each import also names something that stays on the provider import: the swap splits it, which
# is what reads the statement index.
FILES = {
    "a.py": (
        "from openai import APIError, OpenAI\n"
        "\n"
        "client = OpenAI()\n"
        "\n"
        "\n"
        "def ask(question):\n"
        "    try:\n"
        "        return client.chat.completions.create(\n"
        '            model="gpt-4o-mini", messages=[{"role": "user", "content": question}]\n'
        "        )\n"
        "    except APIError:\n"
        "        return None\n"
    ),
    "b.py": (
        "from anthropic import Anthropic, APIError\n"
        "\n"
        "claude = Anthropic()\n"
        "\n"
        "\n"
        "def summarize(text):\n"
        "    try:\n"
        "        return claude.messages.create(\n"
        '            model="claude-3-5-haiku-latest",\n'
        "            max_tokens=200,\n"
        '            messages=[{"role": "user", "content": text}],\n'
        "        )\n"
        "    except APIError:\n"
        "        return None\n"
    ),
}


def _plan(root: Path, rel: str) -> Outcome:
    return plan_file(root, (root / rel).resolve(), Options(tier="swap"))


def _shape(outcome: Outcome) -> tuple[str, list[tuple[int, str, str]]]:
    result = outcome.result
    return result.diff, [(e.line, e.kind, e.reason) for e in result.edits]


class _SwitchAfterOwnRead(list[Any]):
    """A module-level cache as the swap tier kept one (``[(module, index)]``): the first time
    the ``a.py`` thread reads an entry it has just stored, it waits until ``b.py`` is planned."""

    def __init__(self, a_thread: list[threading.Thread], b_done: threading.Event) -> None:
        super().__init__()
        self.a_thread = a_thread
        self.b_done = b_done
        self.a_paused = threading.Event()
        self.held = threading.Event()  # a.py did pause while holding its index

    def __getitem__(self, index: Any) -> Any:
        entry = super().__getitem__(index)
        if (
            threading.current_thread() is self.a_thread[0]
            and not self.a_paused.is_set()
            and self.stored_by_a
        ):
            self.held.set()
            self.a_paused.set()
            self.b_done.wait(timeout=60)
            entry = super().__getitem__(index)  # the read after the switch
        return entry

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self.stored_by_a = threading.current_thread() is self.a_thread[0]

    stored_by_a = False


def test_concurrent_swap_plans_of_two_files_match_their_plans_made_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, FILES)
    alone = {rel: _shape(_plan(tmp_path, rel)) for rel in FILES}
    assert "from amplitude_ai import OpenAI" in alone["a.py"][0]
    assert "from amplitude_ai import Anthropic" in alone["b.py"][0]

    a_thread: list[threading.Thread] = []
    b_done = threading.Event()
    cache = _SwitchAfterOwnRead(a_thread, b_done)
    if hasattr(swap_client_import, "_OWNERS"):
        monkeypatch.setattr(swap_client_import, "_OWNERS", cache)
    else:
        index = swap_client_import._index

        def paused_index(node: Any, owners: Any) -> None:
            if threading.current_thread() is a_thread[0] and not cache.a_paused.is_set():
                cache.held.set()
                cache.a_paused.set()
                b_done.wait(timeout=60)
            index(node, owners)

        monkeypatch.setattr(swap_client_import, "_index", paused_index)
    results: dict[str, Any] = {}

    def run(rel: str) -> None:
        try:
            results[rel] = _shape(_plan(tmp_path, rel))
        except BaseException as exc:  # reported below, not lost with the thread
            results[rel] = exc

    def run_a() -> None:
        try:
            run("a.py")
        finally:
            cache.a_paused.set()  # never paused: let b.py go anyway

    def run_b() -> None:
        cache.a_paused.wait(timeout=60)  # a.py holds its index now
        try:
            run("b.py")
        finally:
            b_done.set()

    threads = [threading.Thread(target=run_a), threading.Thread(target=run_b)]
    a_thread.append(threads[0])
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    assert cache.held.is_set()  # the interleaving did happen
    assert results == alone
