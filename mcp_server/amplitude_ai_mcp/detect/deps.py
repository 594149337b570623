"""Dependency declarations: PEP 621 / Poetry pyproject, requirements files, setup.cfg,
setup.py, Pipfile. Read as data (TOML, INI, Python AST) — never executed."""

from __future__ import annotations

import ast
import configparser
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)")
REQUIREMENT_GLOBS = ("requirements*.txt", "requirements/*.txt", "requirements/*.in", "*.in")
LOCK_FILES = ("uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock")
_MAX_INCLUDES = 20


@dataclass
class Declared:
    """Distribution names (normalised) and which files declared them."""

    names: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    locks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, requirement: str, source: str) -> None:
        match = _NAME.match(requirement)
        if match:
            name = normalise(match.group(1))
            self.names.setdefault(name, [])
            if source not in self.names[name]:
                self.names[name].append(source)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_declarations(directory: Path, root: Path) -> Declared:
    """All dependency declarations directly in ``directory`` (one package of the project)."""
    declared = Declared()

    def rel(p: Path) -> str:
        return p.relative_to(root).as_posix()

    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        declared.files.append(rel(pyproject))
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            declared.problems.append(f"{rel(pyproject)}: not valid TOML ({exc})")
            data = {}
        _from_pyproject(data, rel(pyproject), declared)
    seen: set[Path] = set()
    for pattern in REQUIREMENT_GLOBS:
        for req in sorted(directory.glob(pattern)):
            _from_requirements(req, root, declared, seen, 0)
    setup_cfg = directory / "setup.cfg"
    if setup_cfg.is_file():
        declared.files.append(rel(setup_cfg))
        parser = configparser.ConfigParser()
        try:
            parser.read_string(setup_cfg.read_text(encoding="utf-8"))
            for line in parser.get("options", "install_requires", fallback="").splitlines():
                declared.add(line, rel(setup_cfg))
        except (configparser.Error, UnicodeDecodeError, OSError) as exc:
            declared.problems.append(f"{rel(setup_cfg)}: unreadable ({exc})")
    setup_py = directory / "setup.py"
    if setup_py.is_file():
        declared.files.append(rel(setup_py))
        _from_setup_py(setup_py, rel(setup_py), declared)
    pipfile = directory / "Pipfile"
    if pipfile.is_file():
        declared.files.append(rel(pipfile))
        try:
            data = tomllib.loads(pipfile.read_text(encoding="utf-8"))
            for section in ("packages", "dev-packages"):
                for name in data.get(section, {}):
                    declared.add(name, rel(pipfile))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            declared.problems.append(f"{rel(pipfile)}: not valid TOML ({exc})")
    declared.locks = [rel(directory / n) for n in LOCK_FILES if (directory / n).is_file()]
    return declared


def _from_pyproject(data: dict, source: str, declared: Declared) -> None:
    project = data.get("project", {})
    for req in project.get("dependencies", []) or []:
        declared.add(str(req), source)
    for reqs in (project.get("optional-dependencies", {}) or {}).values():
        for req in reqs or []:
            declared.add(str(req), source)
    for reqs in (data.get("dependency-groups", {}) or {}).values():
        for req in reqs or []:
            if isinstance(req, str):
                declared.add(req, source)
    poetry = data.get("tool", {}).get("poetry", {})
    for table in ("dependencies", "dev-dependencies"):
        for name in poetry.get(table, {}) or {}:
            if name != "python":
                declared.add(name, source)
    for group in (poetry.get("group", {}) or {}).values():
        for name in (group or {}).get("dependencies", {}) or {}:
            declared.add(name, source)


def _from_requirements(
    path: Path, root: Path, declared: Declared, seen: set[Path], depth: int
) -> None:
    resolved = path.resolve()
    if resolved in seen or depth > _MAX_INCLUDES or not resolved.is_file():
        return
    try:
        resolved.relative_to(root)
    except ValueError:
        declared.problems.append(f"{path.name}: include outside the project root was not read")
        return
    seen.add(resolved)
    source = resolved.relative_to(root).as_posix()
    declared.files.append(source)
    try:
        lines = resolved.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError) as exc:
        declared.problems.append(f"{source}: unreadable ({exc})")
        return
    for line in lines:
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        include = re.match(r"^(?:-r|--requirement|-c|--constraint)\s*=?\s*(\S+)", line)
        if include:
            _from_requirements(resolved.parent / include.group(1), root, declared, seen, depth + 1)
        elif not line.startswith("-"):
            declared.add(line, source)


def _from_setup_py(path: Path, source: str, declared: Declared) -> None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, OSError) as exc:
        declared.problems.append(f"{source}: not parseable ({exc})")
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("install_requires", "extras_require"):
            for const in ast.walk(node.value):
                if isinstance(const, ast.Constant) and isinstance(const.value, str):
                    declared.add(const.value, source)
