import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

from openai import OpenAI

client = OpenAI()
create = client.chat.completions.create


def via_alias() -> object:
    return create(model="m", messages=[])  # expect: openai chat.completions.create alias


async def via_thread() -> object:
    return await asyncio.to_thread(
        client.chat.completions.create, model="m", messages=[]
    )  # expect: openai chat.completions.create reference


def via_partial() -> object:
    bound = functools.partial(
        client.embeddings.create, model="e"
    )  # expect: openai embeddings.create reference
    return bound(input="x")


def via_executor(pool: ThreadPoolExecutor) -> object:
    return pool.submit(
        client.responses.create, model="m", input="x"
    )  # expect: openai responses.create reference
