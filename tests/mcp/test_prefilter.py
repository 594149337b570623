"""The scan's text prefilter: its substring shortcut never changes what the regex decides."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from amplitude_ai_mcp.detect.prefilter import _DISTINCTIVE, imported_modules, strong_candidate

CASES = [
    "reply = client.chat.completions.create(model='m')",
    "x = self.llm.responses.create(input='q')",
    "stream = c.messages.stream(max_tokens=5)",
    "v = api.embeddings.with_raw_response.create(input='a')",
    "embeddings.create(input='a')",  # no leading dot
    "obj.chat.completions",  # no method
    "obj.messages",
    "email.messages.items()",
    "a.responses . create()",
    "",
]


@pytest.mark.parametrize("text", CASES)
def test_shortcut_agrees_with_the_regex_on_cases(text):
    assert strong_candidate(text, set()) is (_DISTINCTIVE.search(text) is not None)


def test_shortcut_agrees_with_the_regex_on_the_standard_library():
    lib = Path(sysconfig.get_paths()["stdlib"])
    checked = 0
    for path in sorted(lib.glob("**/*.py"))[:1500]:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        assert strong_candidate(text, set()) is (_DISTINCTIVE.search(text) is not None), path
        checked += 1
    assert checked > 500


def test_a_strong_import_decides_without_the_text():
    assert strong_candidate("", {"openai.types"})
    assert not strong_candidate("", {"os", "json"})
    assert imported_modules("import openai\nfrom .x import y\n") == {"openai", ".x"}
