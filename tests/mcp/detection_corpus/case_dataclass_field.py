from dataclasses import dataclass, field

from anthropic import Anthropic
from openai import AsyncOpenAI


@dataclass
class Service:
    llm: Anthropic = field(default_factory=Anthropic)
    oai: AsyncOpenAI | None = None

    def run(self) -> object:
        return self.llm.messages.create(
            model="c", max_tokens=5, messages=[]
        )  # expect: anthropic messages.create sync annotation

    async def run_async(self) -> object:
        return await self.oai.responses.create(
            model="m", input="x"
        )  # expect: openai responses.create async annotation


class Holder:
    client = AsyncOpenAI()

    async def go(self) -> object:
        return await self.client.embeddings.create(
            model="e", input="x"
        )  # expect: openai embeddings.create async
