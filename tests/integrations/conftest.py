"""Fixtures for the framework integration tests: one local fake provider server per
session (real provider SDK clients and framework clients talk to it over HTTP), an
in-memory ``MockAmplitudeAI``, and no patches left behind."""

from __future__ import annotations

from support.llm_fixtures import ai, llm, no_leftover_patches, server  # noqa: F401
