"""Which provider SDK versions a project uses, read as data, and whether the SDK supports them.

Sources, strongest first: the project's virtualenv (``.venv``/``venv``/``env``: the
``*.dist-info`` names, never an import), lock files (``uv.lock``, ``poetry.lock``,
``pdm.lock``, ``Pipfile.lock``), then declarations (``requirements*.txt`` and
``requirements/*.txt``, ``pyproject.toml`` PEP 621 and Poetry, ``setup.cfg``). The supported
ranges come from the SDK's provider registry; comparisons use ``packaging``.
"""

from __future__ import annotations

import configparser
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from amplitude_ai.providers.registry import BY_ID, PROVIDERS, ProviderSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

Kind = Literal["installed", "locked", "declared"]
VENV_DIRS = (".venv", "venv", "env")
LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
_MAX_FILE_BYTES = 5_000_000  # lock files of big projects stay well below this


@dataclass(frozen=True)
class Found:
    """One place that says which version of a distribution the project uses."""

    distribution: str
    kind: Kind
    source: str  # path relative to the project root
    specifier: str  # "==1.11.1" for installed/locked/pinned, the declared range otherwise


@dataclass(frozen=True)
class Verdict:
    """How a provider's version in the project compares with the supported range."""

    distribution: str
    status: Literal["ok", "out_of_range", "unknown", "absent"]
    detail: str
    fix: str | None = None
    requirement: str | None = None  # the requirement to pin, when the fix is one


# ----------------------------------------------------------------------------- reading


def _read_text(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_FILE_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _toml(path: Path) -> dict[str, Any] | None:
    text = _read_text(path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _requirement(text: str) -> Requirement | None:
    try:
        return Requirement(text.strip())
    except InvalidRequirement:
        return None


def _installed(root: Path) -> Iterator[tuple[str, str, str]]:
    for venv in VENV_DIRS:
        base = root / venv
        if not base.is_dir():
            continue
        sites = [*base.glob("lib/python3*/site-packages"), base / "Lib" / "site-packages"]
        for site in sites:
            if not site.is_dir():
                continue
            for info in site.glob("*.dist-info"):
                name, _, version = info.name[: -len(".dist-info")].partition("-")
                if name and version:
                    yield name, version, f"{venv}/ (installed)"


def _locked(root: Path) -> Iterator[tuple[str, str, str]]:
    for lock in ("uv.lock", "poetry.lock", "pdm.lock"):
        data = _toml(root / lock)
        for package in (data or {}).get("package", []) or []:
            if isinstance(package, dict) and package.get("name") and package.get("version"):
                yield str(package["name"]), str(package["version"]), lock
    text = _read_text(root / "Pipfile.lock")
    if text is not None:
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        for section in ("default", "develop"):
            for name, entry in (data.get(section) or {}).items():
                version = entry.get("version", "") if isinstance(entry, dict) else ""
                if version.startswith("=="):
                    yield name, version[2:], "Pipfile.lock"


def _poetry_specifier(value: Any) -> str | None:
    """A Poetry constraint (``^1.2``, ``~1.2``, ``1.2.3``, ``*``, ``>=1,<2``) as PEP 440."""
    if isinstance(value, dict):
        value = value.get("version")
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value in ("", "*"):
        return ""
    parts = []
    for clause in value.split(","):
        clause = clause.strip()
        if clause.startswith(("^", "~")) and not clause.startswith("~="):
            caret = clause[0] == "^"
            numbers = [int(n) for n in re.findall(r"\d+", clause[1:])] or [0]
            if caret:
                index = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
            else:
                index = min(1, len(numbers) - 1) if len(numbers) > 1 else 0
            upper = [*numbers[:index], numbers[index] + 1]
            parts += [f">={clause[1:]}", "<" + ".".join(map(str, upper))]
        elif clause[0].isdigit():
            parts.append(f"=={clause}")
        else:
            parts.append(clause)
    return ",".join(parts)


def _declared(root: Path) -> Iterator[tuple[str, str, str]]:
    requirement_files = sorted(
        {*root.glob("requirements*.txt"), *root.glob("requirements/*.txt"), *root.glob("*.in")}
    )
    for path in requirement_files:
        text = _read_text(path)
        for line in (text or "").splitlines():
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith(("#", "-")):
                continue
            req = _requirement(line)
            if req is not None:
                yield req.name, str(req.specifier), path.relative_to(root).as_posix()
    data = _toml(root / "pyproject.toml") or {}
    project = data.get("project", {}) or {}
    groups = [project.get("dependencies", []) or []]
    groups += list((project.get("optional-dependencies", {}) or {}).values())
    groups += list((data.get("dependency-groups", {}) or {}).values())
    for group in groups:
        for item in group or []:
            req = _requirement(item) if isinstance(item, str) else None
            if req is not None:
                yield req.name, str(req.specifier), "pyproject.toml"
    poetry = (data.get("tool", {}) or {}).get("poetry", {}) or {}
    tables = [poetry.get("dependencies", {}) or {}, poetry.get("dev-dependencies", {}) or {}]
    tables += [
        (g or {}).get("dependencies", {}) or {} for g in (poetry.get("group") or {}).values()
    ]
    for table in tables:
        for name, value in table.items():
            spec = _poetry_specifier(value)
            if name != "python" and spec is not None:
                yield name, spec, "pyproject.toml"
    text = _read_text(root / "setup.cfg")
    if text is not None:
        parser = configparser.ConfigParser()
        try:
            parser.read_string(text)
        except configparser.Error:
            return
        lines = parser.get("options", "install_requires", fallback="").splitlines()
        if parser.has_section("options.extras_require"):
            for _, value in parser.items("options.extras_require"):
                lines += value.splitlines()
        for line in lines:
            req = _requirement(line) if line.strip() else None
            if req is not None:
                yield req.name, str(req.specifier), "setup.cfg"


def read_versions(root: Path, distributions: Iterable[str]) -> dict[str, list[Found]]:
    """Everything the project says about ``distributions``, strongest source first."""
    wanted = {canonicalize_name(d) for d in distributions}
    found: dict[str, list[Found]] = {d: [] for d in wanted}
    readers: tuple[tuple[Kind, Iterator[tuple[str, str, str]]], ...] = (
        ("installed", _installed(root)),
        ("locked", _locked(root)),
        ("declared", _declared(root)),
    )
    for kind, entries in readers:
        for name, value, source in entries:
            key = canonicalize_name(name)
            if key not in wanted:
                continue
            specifier = value if kind == "declared" else f"=={value}"
            item = Found(key, kind, source, specifier)
            if item not in found[key]:
                found[key].append(item)
    return found


# ---------------------------------------------------------------------------- judging


def _pinned_version(specifier: str) -> Version | None:
    match = re.fullmatch(r"===?\s*([^,\s*]+)", specifier.strip())
    if not match:
        return None
    try:
        return Version(match.group(1))
    except InvalidVersion:
        return None


def _probes(spec: ProviderSpec, declared: SpecifierSet) -> list[Version]:
    """Versions around every bound of ``declared`` and of the supported range."""
    texts = {"0.0.1", spec.floor, spec.below, "999"}
    for clause in declared:
        texts.add(clause.version.rstrip(".*"))
    probes: set[Version] = set()
    for text in texts:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        release = list(version.release) + [0] * (3 - len(version.release))
        probes.add(version)
        probes.add(Version(".".join(map(str, [*release[:-1], release[-1] + 1]))))
        lower = next((i for i in range(len(release) - 1, -1, -1) if release[i] > 0), None)
        if lower is not None:
            below = [*release[:lower], release[lower] - 1, *([999] * (len(release) - lower - 1))]
            probes.add(Version(".".join(map(str, below))))
    return sorted(probes)


def judge(spec: ProviderSpec, found: list[Found]) -> Verdict:
    """The strongest evidence decides: installed, then locked, then a pin, then a range."""
    supported = SpecifierSet(spec.specifier)
    dist = spec.distribution
    fix_pin = f"pin `{spec.requirement}` (e.g. `pip install '{spec.requirement}'`)"
    if not found:
        return Verdict(dist, "absent", f"{dist} is neither declared nor installed")
    for kind in ("installed", "locked", "declared"):
        for item in (f for f in found if f.kind == kind):
            version = _pinned_version(item.specifier)
            if version is None:
                continue
            where = f"{item.source}"
            if version in supported:
                return Verdict(
                    dist, "ok", f"{dist} {version} ({where}) is supported ({spec.requirement})"
                )
            return Verdict(
                dist,
                "out_of_range",
                f"{dist} {version} ({where}) is outside the supported range {spec.requirement}: "
                "its calls would run untracked",
                f"upgrade to a supported release: {fix_pin}, then re-run validate_setup",
                spec.requirement,
            )
    declared = [f for f in found if f.kind == "declared"]
    try:
        ranges = [(f, SpecifierSet(f.specifier)) for f in declared]
    except InvalidSpecifier:
        ranges = []
    sources = ", ".join(sorted({f.source for f in declared}))
    combined = SpecifierSet(",".join(str(r) for _, r in ranges if str(r)))
    probes = _probes(spec, combined)
    allowed = [v for v in probes if v in combined]
    if allowed and all(v in supported for v in allowed):
        detail = f"{dist}{combined} ({sources}) allows only supported releases ({spec.requirement})"
        return Verdict(dist, "ok", detail)
    if allowed and not any(v in supported for v in allowed):
        return Verdict(
            dist,
            "out_of_range",
            f"{dist}{combined} ({sources}) allows no supported release ({spec.requirement})",
            f"change the requirement to `{spec.requirement}`",
            spec.requirement,
        )
    shown = f"{dist}{combined}" if str(combined) else f"{dist} (unpinned)"
    # Keep the project's own lower bound when it has one and only add the ceiling.
    has_ceiling = any(c.operator in ("<", "<=", "==", "===", "~=") for c in combined)
    keep = (
        str(combined)
        and not has_ceiling
        and all(v in supported for v in allowed if v < Version(spec.below))
    )
    suggested = f"{dist}{combined},<{spec.below}" if keep else spec.requirement
    return Verdict(
        dist,
        "unknown",
        f"{shown} ({sources}): the version the app gets is not known (no venv, no lock file "
        f"names it) and the range allows releases outside {spec.requirement}",
        f"pin `{suggested}` (e.g. `pip install '{suggested}'`), or create the project's .venv "
        "so the installed version can be read",
        suggested,
    )


def provider_specs(provider_ids: Iterable[str]) -> list[ProviderSpec]:
    """Registry entries for detected provider ids, one per distribution."""
    specs: dict[str, ProviderSpec] = {}
    for pid in provider_ids:
        spec = BY_ID.get(pid)
        if spec is not None:
            specs.setdefault(spec.distribution, spec)
    return list(specs.values())


def verdicts(root: Path, specs: Iterable[ProviderSpec] | None = None) -> list[Verdict]:
    """A verdict per supported provider distribution (all of them by default)."""
    chosen = list(specs) if specs is not None else provider_specs(p.id for p in PROVIDERS)
    found = read_versions(root, (s.distribution for s in chosen))
    return [judge(s, found[canonicalize_name(s.distribution)]) for s in chosen]


def version_questions(root: Path, provider_ids: Iterable[str]) -> list[tuple[str, str | None]]:
    """``needs_input`` items for the providers a file uses whose version is not supported or
    not known: (question, suggested requirement)."""
    questions = []
    for verdict in verdicts(root, provider_specs(provider_ids)):
        if verdict.status in ("out_of_range", "unknown"):
            questions.append((f"{verdict.detail}. Fix: {verdict.fix}", verdict.requirement))
    return questions
