from amplitude_ai import OpenAI
from amplitude_bootstrap import ai


class Assistant:
    """A support assistant; one instance per process."""

    def __init__(self, model: str = "gpt-4o-mini", system_prompt: str = "Be brief.") -> None:
        self.client = OpenAI(amplitude=ai)
        self.model = model
        self.system_prompt = system_prompt

    def reply(self, text: str) -> str:
        response = self.client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": self.system_prompt},
                {"role": "user", "content": text},
            ],
        )
        return response.choices[0].message.content or ""

    def describe(self) -> str:
        return f"Assistant({self.model})"
