import openai as oa
import amplitude_ai
from amplitude_ai import Anthropic as Claude
from amplitude_bootstrap import ai

gpt = amplitude_ai.OpenAI(amplitude=ai)
claude = Claude(amplitude=ai)


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
