"""Runtime settings, read from the environment once at import."""
import os

AWS_REGION = os.environ.get("AWS_REGION", "us-east-1")
MODEL_ID = os.environ.get("FAQ_MODEL_ID", "anthropic.claude-3-haiku-20240307-v1:0")
SUMMARY_MODEL_ID = os.environ.get("FAQ_SUMMARY_MODEL_ID", "amazon.titan-text-express-v1")
MAX_TOKENS = int(os.environ.get("FAQ_MAX_TOKENS", "512"))
