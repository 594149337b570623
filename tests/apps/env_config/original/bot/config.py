import os

MODEL = os.environ.get("BOT_MODEL", "gpt-4o-mini")
MAX_TOKENS = int(os.environ["BOT_MAX_TOKENS"])
REGION = os.getenv("BOT_REGION")
