from anthropic import Anthropic

from . import config

claude = Anthropic()


def answer(question: str) -> str:
    message = claude.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=config.MAX_TOKENS,
        messages=[{"role": "user", "content": f"[{config.REGION}] {question}"}],
    )
    return message.content[0].text
