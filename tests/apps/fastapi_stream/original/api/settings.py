import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    app_name: str
    model: str


@lru_cache
def get_settings() -> Settings:
    return Settings(app_name=os.environ["APP_NAME"], model="gpt-4o-mini")
