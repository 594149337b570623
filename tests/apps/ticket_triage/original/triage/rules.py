from .llm import client


def summarize(tickets, payload):
    """tickets: list of ticket titles; payload: the alert webhook body."""
    lines = "\n".join(f"- {t.strip()}" for t in tickets)
    prompt = f"Service {payload['service']} (severity {payload.get('severity')}):\n{lines}"
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": prompt}],
    )
    return response.choices[0].message.content
