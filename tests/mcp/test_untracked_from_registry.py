"""Detection lists the registry's untracked APIs (``ProviderSpec.untracked``, the field the
SDK reports those calls from) with the registry's reason: on a client it traced as
confirmed, on an untraced receiver that passes the identifying arguments as probable."""

from __future__ import annotations

from amplitude_ai.providers.registry import BY_ID
from amplitude_ai_mcp.detect.validate import validate_source

SOURCE = """
import boto3

runtime = boto3.client("bedrock-runtime", region_name="us-east-1")


def later(prompt):
    return runtime.start_async_invoke(
        modelId="amazon.nova-reel-v1:0",
        modelInput={"text": prompt},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://bucket/out"}},
    )


def untraced(client):
    return client.start_async_invoke(modelId="m", modelInput={}, outputDataConfig={})


def lookalike(job):
    return job.start_async_invoke()
"""


def test_untracked_bedrock_operations_are_listed_with_the_registry_reason() -> None:
    result = validate_source(SOURCE, "jobs.py")
    found = [(s.line, s.api, s.confidence, s.tracked) for s in result.uncertain_sites]
    assert found == [
        (8, "start_async_invoke", "confirmed", False),
        (16, "start_async_invoke", "probable", False),
    ]
    reason = BY_ID["bedrock"].untracked_reason("start_async_invoke")
    assert reason and all(reason in s.evidence for s in result.uncertain_sites)
    assert result.total == 0 and result.untracked == 2
