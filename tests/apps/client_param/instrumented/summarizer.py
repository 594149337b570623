from amplitude_ai import OpenAI
from amplitude_bootstrap import ai


def summarize(client: OpenAI, text: str, max_words: int = 50) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"In {max_words} words: {text}"}],
    )
    return response.choices[0].message.content or ""


def summarize_all(texts: list[str]) -> list[str]:
    client = OpenAI(amplitude=ai)
    return [summarize(client, text) for text in texts]
