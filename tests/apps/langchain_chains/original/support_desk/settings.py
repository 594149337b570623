"""Settings read from the environment once, at import."""
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    model: str = os.getenv("SUPPORT_MODEL", "gpt-4o-mini")
    temperature: float = float(os.getenv("SUPPORT_TEMPERATURE", "0.2"))


settings = Settings()
