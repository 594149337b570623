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


class RunContext:
    """Stand-in for an agent framework's run context generic over its dependencies."""

    def __class_getitem__(cls, item):
        return cls


@dataclass
class TypedDeps:
    llm: AsyncOpenAI
    temperature: float = 0.0


async def typed_tool(ctx: RunContext[TypedDeps], query: str) -> str:
    answer = await ctx.deps.llm.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": query}]
    )  # expect: openai chat.completions.create async annotation
    return answer.choices[0].message.content
