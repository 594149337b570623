"""Windows-edited bot: CRLF line endings throughout."""
from amplitude_ai import AsyncAnthropic
from amplitude_bootstrap import ai

client = AsyncAnthropic(amplitude=ai)


async def haiku(subject: str) -> str:
    message = await client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=120,
        messages=[{"role": "user", "content": f"A haiku about {subject}."}],
    )
    return message.content[0].text
