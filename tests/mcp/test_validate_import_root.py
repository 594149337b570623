"""validate_file resolves a file's imports from its own package root, not only the project
root (a service in a subdirectory importing its own package)."""

from __future__ import annotations

from pathlib import Path

from amplitude_ai_mcp.detect.validate import infer_import_root, validate_source

CLIENTS = "from amplitude_ai import OpenAI\n\nclient = OpenAI()\n"
MAIN = """\
from app.clients import client


def ask(q):
    return client.chat.completions.create(model="m", messages=[{"role": "user", "content": q}])
"""


def _project(tmp_path: Path) -> Path:
    app = tmp_path / "services" / "api" / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "clients.py").write_text(CLIENTS)
    (app / "main.py").write_text(MAIN)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "tool.py").write_text("from helpers import x\n")
    return tmp_path.resolve()


def test_import_root_is_the_top_package_parent_or_the_script_dir(tmp_path):
    root = _project(tmp_path)
    assert infer_import_root(root, "services/api/app/main.py") == root / "services" / "api"
    assert infer_import_root(root, "scripts/tool.py") == root / "scripts"
    assert infer_import_root(root, "top.py") == root
    assert infer_import_root(None, None) is None


def test_cross_module_client_resolves_without_a_root_argument(tmp_path):
    root = _project(tmp_path)
    rel = "services/api/app/main.py"
    result = validate_source((root / rel).read_text(), rel, root, rel)
    assert result.total == 1
    site = result.call_sites[0]
    assert site.resolved_by == "cross_file"
    assert site.instrumented, site.instrumentation  # the SDK's drop-in client, one module away
    assert site.client_file == "services/api/app/clients.py"
