import os

MODEL = os.getenv("DIGEST_MODEL", "gpt-4o-mini")
AUDIENCE = os.getenv("DIGEST_AUDIENCE", "the engineering team")
