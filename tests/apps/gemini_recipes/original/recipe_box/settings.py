"""Runtime settings, read once from the environment."""
import os

GEMINI_MODEL = os.getenv("RECIPE_MODEL", "gemini-2.0-flash")
EMBED_MODEL = os.environ.get("RECIPE_EMBED_MODEL", "text-embedding-004")
MAX_IDEAS = int(os.getenv("RECIPE_MAX_IDEAS", "3"))
