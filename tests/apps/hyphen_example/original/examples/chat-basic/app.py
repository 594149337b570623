"""The SDK's basic chat example."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[
        {"role": "system", "content": "You are a poet."},
        {"role": "user", "content": "Write a haiku about the sea."},
    ],
)
print(completion.choices[0].message.content)
