"""search_docs over our own shipped docs (guide, AGENTS.md, patterns, README sections)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ._data import data_dir, data_file
from .models import DocHit, SearchResult

MAX_QUERY = 200
MAX_RESULTS = 20
_WORD = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class _Section:
    source: str
    heading: str
    text: str


@cache
def _sections() -> tuple[_Section, ...]:
    sections: list[_Section] = []
    sources = [
        ("prompts/instrument_guide.md", data_dir("prompts") / "instrument_guide.md"),
        ("AGENTS.md", data_file("AGENTS.md")),
        ("llms-full.txt", data_file("llms-full.txt")),
    ]
    for name, path in sources:
        if path.is_file():
            sections.extend(_split_markdown(name, path.read_text(encoding="utf-8")))
    for path in sorted(data_dir("patterns").glob("*.py")):
        sections.append(
            _Section(f"patterns/{path.name}", path.stem, path.read_text(encoding="utf-8"))
        )
    return tuple(sections)


def _split_markdown(source: str, text: str) -> list[_Section]:
    out: list[_Section] = []
    heading, lines = source, list[str]()
    for line in text.splitlines():
        if line.startswith("#"):
            if lines:
                out.append(_Section(source, heading, "\n".join(lines)))
            heading, lines = line.lstrip("# ").strip(), []
        else:
            lines.append(line)
    if lines:
        out.append(_Section(source, heading, "\n".join(lines)))
    return out


def search(query: str, max_results: int = 5) -> SearchResult:
    terms = _WORD.findall(query.lower())
    scored: list[tuple[float, _Section]] = []
    for section in _sections():
        haystack = (section.heading + "\n" + section.text).lower()
        words = _WORD.findall(haystack)
        if not words:
            continue
        score = 0.0
        for term in set(terms):
            hits = words.count(term)
            if hits:
                score += 1.0 + min(hits, 5) * 0.2 + (1.0 if term in section.heading.lower() else 0)
        if score:
            scored.append((score, section))
    scored.sort(key=lambda item: (-item[0], item[1].source, item[1].heading))
    results = [
        DocHit(
            source=s.source, heading=s.heading, snippet=_snippet(s.text, terms), score=round(sc, 2)
        )
        for sc, s in scored[:max_results]
    ]
    return SearchResult(query=query, results=results)


def _snippet(text: str, terms: list[str], width: int = 400) -> str:
    lower = text.lower()
    positions = [lower.find(t) for t in terms if lower.find(t) >= 0]
    start = max(0, min(positions) - 80) if positions else 0
    snippet = " ".join(text[start : start + width].split())
    return snippet + (" …" if start + width < len(text) else "")
