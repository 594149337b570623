"""The fresh-venv install tests (marker ``packaging``, ~40 s) run when selected with
``-m packaging`` (as ``.ci/run`` does); the default run skips them and says how to run them."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "packaging" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="fresh-venv install test: run with -m packaging")
    for item in items:
        if item.get_closest_marker("packaging") is not None:
            item.add_marker(skip)
