"""An agent tool reaching its client through a dependencies container (``ctx.deps``)."""

from dataclasses import dataclass

from openai import AsyncOpenAI


@dataclass
class AppDeps:
    openai: object
    model: str = "gpt-4o-mini"


async def lookup_tool(ctx, query):
    answer = await ctx.deps.openai.chat.completions.create(
        model=ctx.deps.model, messages=[{"role": "user", "content": query}]
    )  # probable: openai chat.completions.create
    return answer.choices[0].message.content


def dependencies():
    return AppDeps(openai=AsyncOpenAI())
