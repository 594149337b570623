import anthropic

client = anthropic.Anthropic()
MODEL = "claude-sonnet-4-5"


def summarize(text: str) -> str:
    message = client.messages.create(
        model=MODEL,
        max_tokens=512,
        messages=[{"role": "user", "content": f"Summarize:\n\n{text}"}],
    )
    return "".join(block.text for block in message.content if block.type == "text")


def tell_story(topic: str) -> str:
    parts = []
    with client.messages.stream(
        model=MODEL,
        max_tokens=1024,
        messages=[{"role": "user", "content": f"A very short story about {topic}."}],
    ) as stream:
        for text in stream.text_stream:
            parts.append(text)
    return "".join(parts)


def is_retryable(error: anthropic.APIStatusError) -> bool:
    return error.status_code in (429, 529)
