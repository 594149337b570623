from anthropic import Anthropic
from openai import OpenAI

researcher = OpenAI()
writer = Anthropic()


def research(topic: str) -> str:
    notes = researcher.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": f"Three facts about {topic}."}],
    )
    return notes.choices[0].message.content or ""


def write_article(notes: str) -> str:
    article = writer.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=800,
        messages=[{"role": "user", "content": f"Write a short article from:\n{notes}"}],
    )
    return article.content[0].text
