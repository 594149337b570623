"""The Bedrock runtime client, configured in one place."""
import boto3
from botocore.config import Config

from . import settings

_RETRIES = Config(retries={"max_attempts": 3, "mode": "standard"}, read_timeout=60)


def bedrock_runtime():
    return boto3.client("bedrock-runtime", region_name=settings.AWS_REGION, config=_RETRIES)
