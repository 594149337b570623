import os

from amplitude_ai import OpenAI
from amplitude_bootstrap import ai

client = OpenAI(amplitude=ai)
MODEL = os.environ.get("CHAT_MODEL", "gpt-4o-mini")


def answer(question: str, temperature: float = 0.2) -> str:
    """Answer one question in a sentence or two."""
    response = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": question},
        ],
        temperature=temperature,
    )
    return response.choices[0].message.content or ""


if __name__ == "__main__":
    print(answer("What is the capital of France?"))
