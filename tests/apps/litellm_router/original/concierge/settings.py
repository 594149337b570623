"""Model routing, read from the environment so ops can switch providers without a deploy."""
import os

# LiteLLM model strings: "<provider>/<model>".
CHAT_MODEL = os.environ.get("CONCIERGE_CHAT_MODEL", "openai/gpt-4o-mini")
SUMMARY_MODEL = os.environ.get("CONCIERGE_SUMMARY_MODEL", "anthropic/claude-3-5-haiku-20241022")
EMBED_MODEL = os.environ.get("CONCIERGE_EMBED_MODEL", "openai/text-embedding-3-small")

TEMPERATURE = float(os.environ.get("CONCIERGE_TEMPERATURE", "0.2"))
RETRIES = int(os.environ.get("CONCIERGE_RETRIES", "2"))
