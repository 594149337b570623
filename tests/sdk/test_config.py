"""AIConfig: defaults, environment variables and configuration errors."""

from __future__ import annotations

import pytest

from amplitude_ai import AIConfig, ConfigurationError, ContentMode


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("AMPLITUDE_AI_CONTENT_MODE", "AMPLITUDE_AI_DEBUG", "AMPLITUDE_AI_SERVER_URL",
                 "AMPLITUDE_AI_SERVER_ZONE", "AMPLITUDE_AI_API_KEY"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_safe():
    cfg = AIConfig()
    assert cfg.content_mode is ContentMode.FULL
    assert (cfg.redact_pii, cfg.debug, cfg.dry_run, cfg.validate) == (False, False, False, False)
    assert cfg.server_url is None and cfg.server_zone == "US"
    assert cfg.propagate_context is False and cfg.on_event_callback is None


@pytest.mark.parametrize("raw", ["metadata_only", "METADATA_ONLY", " metadata-only "])
def test_content_mode_accepts_strings(raw):
    assert AIConfig(content_mode=raw).content_mode is ContentMode.METADATA_ONLY


def test_unknown_content_mode_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="expected one of 'full', 'metadata_only'"):
        AIConfig(content_mode="everything")


def test_environment_fills_defaults_and_explicit_values_win(monkeypatch):
    monkeypatch.setenv("AMPLITUDE_AI_CONTENT_MODE", "customer_enriched")
    monkeypatch.setenv("AMPLITUDE_AI_DEBUG", "true")
    monkeypatch.setenv("AMPLITUDE_AI_SERVER_URL", "http://127.0.0.1:8123/2/httpapi")
    monkeypatch.setenv("AMPLITUDE_AI_SERVER_ZONE", "eu")
    cfg = AIConfig()
    assert cfg.content_mode is ContentMode.CUSTOMER_ENRICHED
    assert cfg.debug is True
    assert cfg.server_url == "http://127.0.0.1:8123/2/httpapi"
    assert cfg.server_zone == "EU"
    explicit = AIConfig(content_mode="full", debug=False, server_zone="US")
    assert (explicit.content_mode, explicit.debug, explicit.server_zone) == (
        ContentMode.FULL,
        False,
        "US",
    )


def test_bad_server_zone_and_regex_and_callback_are_rejected():
    with pytest.raises(ConfigurationError, match="server_zone"):
        AIConfig(server_zone="APAC")
    with pytest.raises(ConfigurationError, match="not a valid regex"):
        AIConfig(custom_redaction_patterns=["(unclosed"])
    with pytest.raises(ConfigurationError, match="callable"):
        AIConfig(on_event_callback="print")  # type: ignore[arg-type]


def test_custom_patterns_are_compiled_once():
    cfg = AIConfig(redact_pii=True, custom_redaction_patterns=[r"ACME-\d+"])
    assert [p.pattern for p in cfg.compiled_redaction_patterns] == [r"ACME-\d+"]
