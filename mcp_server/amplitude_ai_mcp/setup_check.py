"""validate_setup: project-level checks, each failure with a copy-pasteable fix."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .models import SetupCheck, SetupResult

_CONTENT_MODES = ("full", "metadata_only", "customer_enriched")


def _provider_checks(root: Path, declared: dict[str, list[str]]) -> list[SetupCheck]:
    """One check per provider SDK the wrappers support that the project declares, locks or
    has installed: its version against the supported range (see ``project_versions``)."""
    from .project_versions import verdicts

    checks = []
    for verdict in verdicts(root):
        if verdict.status == "absent":
            continue
        checks.append(
            SetupCheck(
                name=f"provider_{verdict.distribution}",
                ok=verdict.status == "ok",
                detail=verdict.detail,
                fix=verdict.fix,
            )
        )
    from amplitude_ai.providers.registry import BY_ID, KNOWN_PROVIDERS

    covered = {v.distribution for v in verdicts(root)}
    for known in KNOWN_PROVIDERS:
        dist = known.distribution
        if known.id in BY_ID or dist not in declared or dist in covered:
            continue
        covered.add(dist)
        checks.append(
            SetupCheck(
                name=f"provider_{known.id}",
                ok=True,
                detail=f"{dist} is declared; {known.reason}",
            )
        )
    return checks


def _project_python(root: Path) -> Path | None:
    for name in (".venv", "venv", "env"):
        for rel in ("bin/python", "Scripts/python.exe"):
            candidate = root / name / rel
            if candidate.exists():
                return candidate
    return None


def _site_packages_has(root: Path, dist: str) -> bool:
    """Whether the project's own virtualenv has ``dist`` installed (metadata only, no import)."""
    wanted = dist.replace("-", "_").lower()
    for name in (".venv", "venv", "env"):
        for sp in (root / name).glob("lib/python3*/site-packages"):
            for info in sp.glob("*.dist-info"):
                if info.name.split("-")[0].lower() == wanted:
                    return True
    return False


def validate_setup(root: Path, env: dict[str, str] | None = None) -> SetupResult:
    from .detect.deps import read_declarations

    env = dict(os.environ) if env is None else env
    declared = read_declarations(root, root)
    checks: list[SetupCheck] = []
    has_venv = _project_python(root) is not None
    in_venv = _site_packages_has(root, "amplitude-ai")
    in_deps = "amplitude-ai" in declared.names
    dep_file = declared.files[0] if declared.files else "requirements.txt"
    checks.append(
        SetupCheck(
            name="sdk_available",
            ok=in_venv or in_deps,
            detail=(
                "amplitude-ai is installed in the project's virtualenv"
                if in_venv
                else f"amplitude-ai is declared in {', '.join(declared.names['amplitude-ai'])}"
                if in_deps
                else "amplitude-ai is neither declared nor installed in the project"
            ),
            fix=None
            if (in_venv or in_deps)
            else (
                f"add `amplitude-ai` to {dep_file}, then "
                + (
                    "`.venv/bin/pip install amplitude-ai`"
                    if has_venv
                    else "`pip install amplitude-ai`"
                )
            ),
        )
    )
    key_set = bool(env.get("AMPLITUDE_AI_API_KEY"))
    env_file = root / ".env"
    in_env_file = env_file.is_file() and any(
        line.strip().startswith("AMPLITUDE_AI_API_KEY=")
        for line in env_file.read_text(encoding="utf-8", errors="replace").splitlines()
    )
    checks.append(
        SetupCheck(
            name="api_key",
            ok=key_set or in_env_file,
            detail=(
                "AMPLITUDE_AI_API_KEY is set (value not shown)"
                if key_set
                else "AMPLITUDE_AI_API_KEY is defined in .env (value not shown)"
                if in_env_file
                else "AMPLITUDE_AI_API_KEY is not set for the server nor in .env"
            ),
            fix=None
            if (key_set or in_env_file)
            else "export AMPLITUDE_AI_API_KEY=<your Amplitude project API key>",
        )
    )
    mode = env.get("AMPLITUDE_AI_CONTENT_MODE")
    checks.append(
        SetupCheck(
            name="content_mode",
            ok=mode is None or mode in _CONTENT_MODES,
            detail=(
                f"AMPLITUDE_AI_CONTENT_MODE={mode}"
                if mode
                else "AMPLITUDE_AI_CONTENT_MODE not set: the SDK default (full) applies"
            ),
            fix=None
            if mode is None or mode in _CONTENT_MODES
            else "export AMPLITUDE_AI_CONTENT_MODE=metadata_only  # or: "
            + ", ".join(_CONTENT_MODES),
        )
    )
    checks += _provider_checks(root, declared.names)
    checks.append(
        SetupCheck(
            name="python_version",
            ok=sys.version_info >= (3, 10),
            detail=f"the server runs Python {sys.version.split()[0]}; the SDK needs >= 3.10",
            fix=None if sys.version_info >= (3, 10) else "use Python 3.10 or newer",
        )
    )
    return SetupResult(root=str(root), ok=all(c.ok for c in checks), checks=checks)
