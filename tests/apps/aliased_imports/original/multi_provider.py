import openai as oa
from anthropic import Anthropic as Claude

gpt = oa.OpenAI()
claude = Claude()


def ask_gpt(question: str) -> str:
    reply = gpt.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
    )
    return reply.choices[0].message.content or ""


def ask_claude(question: str) -> str:
    reply = claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=200,
        messages=[{"role": "user", "content": question}],
    )
    return reply.content[0].text


def is_rate_limit(error: Exception) -> bool:
    return isinstance(error, oa.RateLimitError)
