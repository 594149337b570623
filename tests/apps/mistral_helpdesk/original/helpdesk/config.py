"""Help desk configuration (environment first, then defaults)."""
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class DeskConfig:
    chat_model: str = os.getenv("DESK_CHAT_MODEL", "mistral-small-latest")
    embed_model: str = os.getenv("DESK_EMBED_MODEL", "mistral-embed")
    temperature: float = float(os.getenv("DESK_TEMPERATURE", "0.2"))


CONFIG = DeskConfig()
