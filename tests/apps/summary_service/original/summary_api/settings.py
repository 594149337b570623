"""Service settings, read from the environment once."""
import os
from functools import lru_cache

from pydantic import BaseModel


class Settings(BaseModel):
    service_name: str = "summary-api"
    model: str = "gpt-4o-mini"
    max_words: int = 80


@lru_cache
def get_settings() -> Settings:
    return Settings(
        service_name=os.environ.get("SUMMARY_SERVICE_NAME", "summary-api"),
        model=os.environ.get("SUMMARY_MODEL", "gpt-4o-mini"),
    )
