"""A second agent: hard cases go to Claude."""

from anthropic import Anthropic


class Escalation:
    def __init__(self) -> None:
        self.client = Anthropic()

    def handle(self, message: str) -> str:
        response = self.client.messages.create(
            model="claude-3-5-haiku-latest",
            max_tokens=512,
            messages=[{"role": "user", "content": message}],
        )
        return response.content[0].text
