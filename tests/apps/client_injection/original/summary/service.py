from openai import OpenAI

client = OpenAI()


class Summarizer:
    """Built once by the web layer with the shared client."""

    def __init__(self, llm: OpenAI, style="short"):
        self.llm = llm
        self.style = style

    def summarize(self, text):
        reply = self.llm.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": f"A {self.style} summary of: {text}"}],
        )
        return reply.choices[0].message.content


def summarize_with(client, text):
    return Summarizer(client).summarize(text)
