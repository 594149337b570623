"""``pip install amplitude-ai`` without extras: the SDK and its two runtime dependencies
only. Builds the wheel, installs it into a fresh venv (from the package index, like a user
would), tracks an event into a local capture server from there, and checks that the MCP
server's stack is absent and that ``amplitude-ai-mcp`` says which extra it needs.

Marked ``packaging`` (about 40 s): the default run skips it, ``.ci/run`` runs it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

_TESTS_DIR = str(Path(__file__).resolve().parents[1])
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from support.capture_server import CaptureServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.packaging

APP = textwrap.dedent(
    """
    import sys
    from importlib import metadata

    from amplitude_ai import AIConfig, AmplitudeAI

    ai = AmplitudeAI(api_key="test-key", config=AIConfig(server_url=sys.argv[1]))
    with ai.agent("base-install").session(user_id="user-1") as session:
        session.new_trace()
        session.track_user_message(content="hello from a bare install")
    ai.shutdown(timeout=20)
    absent = []
    for dist in ("fastmcp", "mcp", "libcst", "openai", "anthropic"):
        try:
            metadata.version(dist)
        except metadata.PackageNotFoundError:
            absent.append(dist)
    print(",".join(absent))
    """
)


@pytest.fixture(scope="module")
def base_venv(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("base-install")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(work / "dist"), str(ROOT)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = (work / "dist").glob("amplitude_ai-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return env_dir


def test_bare_install_tracks_events_without_the_server_stack(base_venv, tmp_path):
    app = tmp_path / "app.py"
    app.write_text(APP)
    with CaptureServer() as capture:
        out = subprocess.run(
            [str(base_venv / "bin" / "python"), str(app), capture.url],
            capture_output=True, text=True, check=True, cwd=tmp_path, timeout=120,
        )  # fmt: skip
        events = capture.events()
    assert [e["event_type"] for e in events] == ["[Agent] User Message", "[Agent] Session End"]
    absent = out.stdout.strip().splitlines()[-1].split(",")
    # The server's stack is not installed, and neither is any provider SDK (pydantic may
    # be: genai-prices depends on it).
    assert absent == ["fastmcp", "mcp", "libcst", "openai", "anthropic"]


def test_the_server_entry_point_names_the_extra(base_venv, tmp_path):
    result = subprocess.run(
        [str(base_venv / "bin" / "amplitude-ai-mcp")],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "pip install 'amplitude-ai[mcp]'" in lines[0]
    assert "fastmcp" in lines[0]


def test_the_sdk_declares_only_its_runtime_dependencies(base_venv):
    code = (
        "from importlib import metadata;"
        "print('\\n'.join(r for r in metadata.requires('amplitude-ai') if 'extra ==' not in r))"
    )
    out = subprocess.run(
        [str(base_venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted(r.split(">")[0].split("<")[0] for r in out) == [
        "amplitude-analytics",
        "genai-prices",
    ]
