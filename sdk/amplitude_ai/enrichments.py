"""Structured session classifications sent with ``[Agent] Session Enrichment``/``Session End``.

The field names mirror the server-side evaluation vocabulary (topic models, rubrics,
outcome, flags) so SDK-provided enrichments line up with Amplitude's own. Serialisation
(:meth:`to_dict`) drops unset optional fields and keeps boolean flags, which are
meaningful when ``False``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


def _serialize(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): _serialize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize(v) for v in value]
    return value


class _Serializable:
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without the fields left at ``None``."""
        return {
            f.name: _serialize(getattr(self, f.name))
            for f in fields(self)  # type: ignore[arg-type]
            if getattr(self, f.name) is not None
        }


@dataclass
class MessageLabel(_Serializable):
    """A key/value tag on one message, optionally with a classifier's confidence (0-1)."""

    key: str
    value: str
    confidence: float | None = None


@dataclass
class EvidenceQuote(_Serializable):
    """An excerpt of the conversation backing a rubric score."""

    quote: str
    turn_index: int
    role: str | None = None


@dataclass
class TopicClassification(_Serializable):
    """One topic model's verdict: ``l1`` for single-select, ``values``/``primary`` for multi."""

    l1: str | None = None
    values: list[str] | None = None
    primary: str | None = None
    l2: str | None = None  # kept for older payloads; prefer ``subcategories``
    subcategories: list[str] | None = None
    topics_covered: list[str] | None = None
    outcomes_by_topic: dict[str, str] | None = None


@dataclass
class RubricScore(_Serializable):
    """A 0-1 score on one evaluation rubric, with optional rationale and evidence."""

    name: str
    score: float
    rationale: str | None = None
    evidence: list[EvidenceQuote] | None = None
    improvement_opportunities: str | None = None


@dataclass
class SessionEnrichments(_Serializable):
    """Everything you know about a finished session, in Amplitude's enrichment vocabulary."""

    topic_classifications: dict[str, TopicClassification] | None = None
    rubrics: list[RubricScore] | None = None
    overall_outcome: str | None = None
    quality_score: float | None = None
    sentiment_score: float | None = None
    has_task_failure: bool = False
    has_negative_feedback: bool = False
    has_data_quality_issues: bool = False
    has_technical_failure: bool = False
    task_failure_type: str | None = None
    task_failure_reason: str | None = None
    negative_feedback_phrases: list[str] | None = None
    data_quality_issues: list[str] | None = None
    technical_error_count: int | None = None
    agent_chain: list[str] | None = None
    root_agent_name: str | None = None
    request_complexity: str | None = None
    error_categories: list[str] | None = None
    behavioral_patterns: list[str] | None = None
    custom_metadata: dict[str, Any] | None = None
    schema_version: str = "2.0"
    message_labels: dict[str, list[MessageLabel]] | None = None
