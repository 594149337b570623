from anthropic import Anthropic

client = Anthropic()
TEXT = "Large language models predict the next token."

message = client.messages.create(
    model="claude-3-5-haiku-latest",
    max_tokens=200,
    system="Summarize in one sentence.",
    messages=[{"role": "user", "content": TEXT}],
)
print(message.content[0].text)
