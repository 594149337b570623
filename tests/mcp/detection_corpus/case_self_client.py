from anthropic import AsyncAnthropic
from openai import OpenAI


class Bot:
    def __init__(self) -> None:
        self.client = OpenAI()
        self._claude = AsyncAnthropic()

    def reply(self, text: str) -> str:
        return self.client.chat.completions.create(
            model="m", messages=[]
        )  # expect: openai chat.completions.create sync direct

    async def escalate(self, text: str) -> str:
        return await self._claude.messages.create(
            model="c", max_tokens=10, messages=[]
        )  # expect: anthropic messages.create async


class Other:
    def reply(self) -> None:
        # ``self.client`` here is not Bot's client: its type is judged by the call's shape.
        self.client.chat.completions.create(
            model="m", messages=[]
        )  # expect: openai chat.completions.create usage
