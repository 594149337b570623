"""Precision and recall per category of the hard cases (factories, injected clients, clients
passed as arguments, deps containers, forwarding proxies, dicts of clients, instances of another
module's classes, untracked APIs; in one module and across modules), over labelled files in
``detection_corpus/categories``: ``# expect:`` marks a confirmed site, ``# probable:`` a
provider-shaped call whose client cannot be traced, ``# untracked:`` an API the SDK does not
track. Unmarked lookalikes in the same files measure precision."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from amplitude_ai_mcp.detect.project import scan
from amplitude_ai_mcp.detect.validate import validate_source

CORPUS = Path(__file__).parent / "detection_corpus"
CATEGORIES = CORPUS / "categories"
MARK = re.compile(r"#\s*(expect|probable|untracked):\s*(\S+)\s+(\S+)")
SPAN = 8


def _labels() -> dict[tuple[str, int], tuple[str, str, str]]:
    labels = {}
    for path in sorted(CATEGORIES.glob("cat_*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            found = MARK.search(line)
            if found:
                labels[(path.name, number)] = found.groups()
    return labels


LABELS = _labels()


def _kind(site) -> str:
    if not getattr(site, "tracked", True):  # confirmed CallSites carry no such field
        return "untracked"
    return "probable" if getattr(site, "confidence", "") == "probable" else "expect"


def _score(sites) -> dict[str, dict[str, float]]:
    """Per category: found, expected, matched, precision, recall."""
    per: dict[str, dict[str, float]] = {}
    used: set[tuple[str, int]] = set()
    for path in sorted(CATEGORIES.glob("cat_*.py")):
        category = path.stem.removeprefix("cat_")
        mine = [s for s in sites if s.file.endswith(f"categories/{path.name}")]
        expected = [k for k in LABELS if k[0] == path.name]
        matched = 0
        kinds = [_kind(s) for s in mine]
        for site in sorted(mine, key=lambda s: (s.line, s.column)):
            for line in range(site.line, site.line + SPAN):
                key = (path.name, line)
                label = LABELS.get(key)
                if label is None or key in used:
                    continue
                kind, provider, api = label
                if (kind, provider) == (_kind(site), site.provider) and site.api.startswith(api):
                    used.add(key)
                    matched += 1
                    break
        per[category] = {
            "found": len(mine),
            "expected": len(expected),
            "matched": matched,
            "precision": matched / len(mine) if mine else 1.0,
            "recall": matched / len(expected) if expected else 1.0,
            "confirmed": kinds.count("expect"),
            "probable": kinds.count("probable"),
            "untracked": kinds.count("untracked"),
        }
    return per


@pytest.fixture(scope="module")
def scanned():
    return scan(CORPUS.resolve(), limit=10_000)


def test_every_category_is_labelled():
    categories = {k[0] for k in LABELS}
    assert len(categories) >= 6
    kinds = {v[0] for v in LABELS.values()}
    assert kinds == {"expect", "probable", "untracked"}


def test_precision_and_recall_per_category(scanned, capsys):
    per = _score([*scanned.call_sites, *scanned.uncertain_sites])
    with capsys.disabled():
        print(
            "\ncategory                 found expected precision recall"
            " confirmed probable untracked"
        )
        for name, row in per.items():
            print(
                f"{name:25s}{row['found']:5.0f}{row['expected']:9.0f}"
                f"{row['precision']:10.2f}{row['recall']:7.2f}"
                f"{row['confirmed']:10.0f}{row['probable']:9.0f}{row['untracked']:10.0f}"
            )
    for name, row in per.items():
        assert (row["precision"], row["recall"]) == (1.0, 1.0), (name, row)


def test_counts_separate_confirmed_probable_untracked(scanned):
    uncertain = [s for s in scanned.uncertain_sites if not s.in_test]  # tests count apart
    assert scanned.counts.probable == sum(s.confidence == "probable" for s in uncertain) >= 2
    assert scanned.counts.untracked == sum(not s.tracked for s in uncertain) >= 6
    assert not any(s in scanned.call_sites for s in uncertain)
    for site in uncertain:
        assert site.evidence
        if site.confidence == "probable":
            assert "could not be traced" in site.evidence


@pytest.mark.parametrize("name", sorted({k[0] for k in LABELS}))
def test_validate_file_agrees_with_scan(scanned, name):
    rel = f"categories/{name}"
    result = validate_source((CATEGORIES / name).read_text(), rel, CORPUS.resolve(), rel)
    mine = [(s.line, s.api, s.confidence, s.tracked) for s in result.uncertain_sites]
    theirs = [
        (s.line, s.api, s.confidence, s.tracked) for s in scanned.uncertain_sites if s.file == rel
    ]
    assert mine == theirs
    assert result.probable + result.untracked >= len(mine) > 0 or result.total > 0


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("cat_dict_lookup.py", "the key is not a literal"),
        ("cat_dict_cross_module.py", "(the key is not a literal)"),
        ("cat_deps_container.py", "do not all pass a client of one provider"),
        ("cat_deps_cross_module.py", "constructions of the class prove a client"),
    ],
)
def test_probable_sites_say_why(scanned, name, reason):
    """A look-up or deps field that stays probable names what kept it from being confirmed."""
    probable = [
        s
        for s in scanned.uncertain_sites
        if s.file == f"categories/{name}" and s.confidence == "probable"
    ]
    assert probable
    assert any(reason in s.evidence for s in probable), [s.evidence for s in probable]
