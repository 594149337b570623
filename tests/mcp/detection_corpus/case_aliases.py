import openai as oa
from openai import AsyncOpenAI as AOAI
from openai import OpenAI as OAI

sync_client = OAI()
async_client = AOAI()
via_module = oa.OpenAI()


def ask(q: str) -> str:
    r = sync_client.chat.completions.create(
        model="gpt-4o", messages=[]
    )  # expect: openai chat.completions.create sync
    via_module.embeddings.create(model="e", input=q)  # expect: openai embeddings.create sync
    return r


async def ask_async(q: str) -> str:
    return await async_client.chat.completions.create(
        model="gpt-4o", messages=[]
    )  # expect: openai chat.completions.create async
