"""A built wheel carries the event catalog inside the package and the SDK finds it there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    (built,) = out.glob("amplitude_ai-*.whl")
    return built


def test_wheel_contains_catalog_and_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "amplitude_ai/_resources/event_catalog.json" in names
    assert "amplitude_ai/_resources/event_catalog.schema.json" in names
    assert "amplitude_ai/__init__.py" in names
    packaged = zipfile.ZipFile(wheel).read("amplitude_ai/_resources/event_catalog.json")
    assert packaged == (ROOT / "resources" / "event_catalog.json").read_bytes()
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]" in text and "amplitude_ai.pytest_plugin" in text


def test_installed_wheel_reads_its_packaged_catalog(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r})\n"
        "import amplitude_ai\n"
        "from amplitude_ai.catalog import load_catalog\n"
        "c = load_catalog()\n"
        "print(amplitude_ai.__file__)\n"
        "print(c.path)\n"
        "print(len(c.events))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout.splitlines()
    assert out[0].startswith(str(site))
    assert out[1] == str(site / "amplitude_ai" / "_resources" / "event_catalog.json")
    assert out[2] == "10"
