"""Where each model lives. Ops point these at Groq, Together or a local Ollama box."""
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Backend:
    base_url: str
    api_key_env: str
    model: str


FAST = Backend(
    base_url=os.environ.get("DESK_FAST_URL", "https://api.groq.com/openai/v1"),
    api_key_env="GROQ_API_KEY",
    model=os.environ.get("DESK_FAST_MODEL", "llama-3.1-8b-instant"),
)
LOCAL = Backend(
    base_url=os.environ.get("DESK_LOCAL_URL", "http://localhost:11434/v1"),
    api_key_env="OLLAMA_API_KEY",
    model="llama3.2",
)
