from anthropic import Anthropic

client = Anthropic()
TOOLS = [
    {
        "name": "lookup_order",
        "description": "Look up an order",
        "input_schema": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
        },
    }
]


def lookup_order(order_id):
    return f"order {order_id}: shipped"


def resolve(question, customer):
    messages = [{"role": "user", "content": f"{customer['name']}: {question}"}]
    while True:
        response = client.messages.create(
            model="claude-3-5-haiku-latest", max_tokens=300, tools=TOOLS, messages=messages
        )
        if response.stop_reason != "tool_use":
            return response.content[0].text
        messages.append({"role": "assistant", "content": response.content})
        results = []
        for block in response.content:
            if block.type == "tool_use":
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": block.id,
                        "content": lookup_order(**block.input),
                    }
                )
        messages.append({"role": "user", "content": results})
