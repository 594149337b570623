"""Async menu planner on client.aio."""
import asyncio

from .genai_client import GENAI
from .settings import GEMINI_MODEL, MAX_IDEAS


async def plan_menu(theme: str) -> list[str]:
    async def one(n):
        r = await GENAI.aio.models.generate_content(model=GEMINI_MODEL, contents=f"{theme} idea {n}")
        return r.text or ""

    return list(await asyncio.gather(*(one(n) for n in range(MAX_IDEAS))))
