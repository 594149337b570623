"""Test helpers shared by the suites (imported as ``support.*``; see tests/sdk/conftest.py)."""
