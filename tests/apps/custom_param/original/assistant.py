from openai import OpenAI

client = OpenAI()


class Memory:
    """Recent turns kept by the caller."""

    def __init__(self, size=3):
        self.size = size
        self.turns = []

    def recall(self):
        return self.turns[-self.size :]


def reply(message: str, memory: Memory) -> str:
    messages = [*memory.recall(), {"role": "user", "content": message}]
    response = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    memory.turns.append({"role": "user", "content": message})
    return response.choices[0].message.content
