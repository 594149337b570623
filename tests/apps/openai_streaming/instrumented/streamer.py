import sys

from amplitude_ai import OpenAI
from amplitude_bootstrap import ai

client = OpenAI(max_retries=1, amplitude=ai)


def stream_answer(prompt: str) -> str:
    """Print the answer as it arrives; return the whole text."""
    parts: list[str] = []
    stream = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": prompt}],
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
            sys.stdout.write(chunk.choices[0].delta.content)
    return "".join(parts)
