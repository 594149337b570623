import os

MODEL_NAME = os.environ.get("RECIPES_MODEL", "openai:gpt-4o-mini")
