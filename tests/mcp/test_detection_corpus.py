"""Table-driven precision/recall of call-site detection over the fixture corpus.

Every expected call site is marked in the corpus with a trailing comment on the call's line (or,
where the formatter split the call, on one of its following lines):
``# expect: <provider> <api> [flags]``. Each site takes the nearest unused marker at or after its
first line, within the call's statement. Flags: ``async``/``sync``, ``stream``,
``raw``, ``instrumented``, ``test`` (in a test file), a call style (``alias``, ``reference``,
``module_function``, ``direct``) and a resolution (``annotation``, ``usage``, ``cross_file``,
``factory``, ``constructor``). Any site found on an unmarked line is a false positive.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from amplitude_ai_mcp.detect.project import scan
from amplitude_ai_mcp.detect.validate import validate_source

CORPUS = Path(__file__).parent / "detection_corpus"
MARK = re.compile(r"#\s*expect:\s*(\S+)\s+(\S+)(.*)$")
STYLES = {"alias", "reference", "module_function", "direct"}
RESOLUTIONS = {"annotation", "usage", "cross_file", "factory", "constructor"}


def _expected() -> dict[tuple[str, int], dict]:
    expected = {}
    for path in sorted(CORPUS.rglob("*.py")):
        rel = path.relative_to(CORPUS).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = MARK.search(line)
            if match:
                flags = set(match.group(3).split())
                expected[(rel, number)] = {
                    "provider": match.group(1),
                    "api": match.group(2),
                    "flags": flags,
                }
    return expected


EXPECTED = _expected()


_SPAN = 8  # lines a formatted call statement may take


def match(sites) -> tuple[dict[tuple[str, int], object], list]:
    """Pair sites with markers: {marker key: site} and the sites left without a marker."""
    matched: dict[tuple[str, int], object] = {}
    unmatched = []
    for site in sorted(sites, key=lambda s: (s.file, s.line, s.column)):
        key = next(
            (
                (site.file, line)
                for line in range(site.line, site.line + _SPAN)
                if (site.file, line) in EXPECTED and (site.file, line) not in matched
            ),
            None,
        )
        if key is None:
            unmatched.append(site)
        else:
            matched[key] = site
    return matched, unmatched


@pytest.fixture(scope="module")
def scanned():
    return scan(CORPUS.resolve(), limit=10_000)


@pytest.fixture(scope="module")
def paired(scanned):
    return match(scanned.call_sites)


def test_corpus_is_substantial():
    assert len(EXPECTED) >= 90
    assert len({rel for rel, _ in EXPECTED}) >= 20


def test_precision_and_recall_are_100_percent(scanned, paired):
    matched, false_positive = paired
    missed = sorted(set(EXPECTED) - set(matched))
    found = len(scanned.call_sites)
    precision = len(matched) / max(found, 1)
    recall = len(matched) / max(len(EXPECTED), 1)
    assert (precision, recall) == (1.0, 1.0), (
        f"precision {precision:.3f}, recall {recall:.3f}\n"
        f"false positives: {[(s.file, s.line, s.api) for s in false_positive]}\n"
        f"missed: {[(k, EXPECTED[k]) for k in missed]}"
    )


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: f"{k[0]}:{k[1]}")
def test_site_attributes(paired, key):
    site = paired[0].get(key)
    assert site is not None, f"not detected: {key} {EXPECTED[key]}"
    want = EXPECTED[key]
    flags = want["flags"]
    assert (site.provider, site.api) == (want["provider"], want["api"])
    if "async" in flags or "sync" in flags:
        assert site.is_async is ("async" in flags)
    assert site.stream is ("stream" in flags)
    assert site.raw_response is ("raw" in flags)
    assert site.instrumented is ("instrumented" in flags), site.instrumentation
    assert site.in_test is ("test" in flags)
    for style in flags & STYLES:
        assert site.call_style == style
    for resolution in flags & RESOLUTIONS:
        assert site.resolved_by == resolution


def test_scan_counts_tests_apart(scanned):
    tests = [s for s in scanned.call_sites if s.in_test]
    assert scanned.counts.test_call_sites == len(tests) == 1
    assert scanned.counts.call_sites == len(EXPECTED) - 1


@pytest.mark.parametrize(
    "rel", sorted({rel for rel, _ in EXPECTED} | {"case_lookalikes.py"}), ids=str
)
def test_validate_file_agrees_with_scan(scanned, rel):
    """One engine: a file validated on its own (other modules resolved on demand) gives the
    same sites as the project scan."""
    path = CORPUS / rel
    result = validate_source(path.read_text(), rel, CORPUS.resolve(), rel)
    mine = [(s.line, s.api, s.instrumented) for s in result.call_sites]
    theirs = [(s.line, s.api, s.instrumented) for s in scanned.call_sites if s.file == rel]
    assert mine == theirs


def test_sites_point_at_where_their_client_is_built(scanned):
    by_key = {(s.file, s.receiver): s for s in scanned.call_sites if s.enclosing != "Other.reply"}
    shared = by_key[("crossfile/service.py", "shared")]
    assert (shared.client_file, shared.client_line) == ("crossfile/clients.py", 4)
    local = by_key[("case_self_client.py", "self.client")]
    assert (local.client_file, local.client_line) == ("case_self_client.py", 7)
    param = by_key[("case_params.py", "llm")]
    assert (param.client_file, param.client_line) == (None, None)
