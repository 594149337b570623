"""Integration patterns: real Python files in ``resources/patterns/`` (the tests run them)."""

from __future__ import annotations

import ast
import difflib
from functools import cache

from ._data import data_dir
from .errors import UserError
from .models import PatternResult, PatternSummary


class PatternError(UserError):
    """Unknown pattern id."""


@cache
def _load() -> dict[str, PatternResult]:
    patterns: dict[str, PatternResult] = {}
    for path in sorted(data_dir("patterns").glob("*.py")):
        if path.name.startswith("_"):
            continue
        code = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(code)) or path.stem
        title, _, rest = doc.partition("\n")
        summary = " ".join(rest.split())
        patterns[path.stem] = PatternResult(
            id=path.stem, title=title.strip().rstrip("."), summary=summary, code=code
        )
    return patterns


def pattern_ids() -> list[str]:
    return list(_load())


def summaries() -> list[PatternSummary]:
    return [PatternSummary(id=p.id, title=p.title, summary=p.summary) for p in _load().values()]


def get(pattern_id: str) -> PatternResult:
    patterns = _load()
    if pattern_id not in patterns:
        close = difflib.get_close_matches(pattern_id, list(patterns), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise PatternError(f"unknown pattern {pattern_id!r}{hint} Known: {', '.join(patterns)}")
    return patterns[pattern_id]
