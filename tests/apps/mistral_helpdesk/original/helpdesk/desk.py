"""Answer tickets with Mistral: a reply, a streamed draft, an async triage, FAQ vectors."""
from .config import CONFIG
from .mistral_conn import mistral

SYSTEM = "You are a concise, friendly help desk agent."


def answer_ticket(ticket_text: str) -> str:
    res = mistral.chat.complete(
        model=CONFIG.chat_model,
        temperature=CONFIG.temperature,
        messages=[
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": ticket_text},
        ],
    )
    return res.choices[0].message.content or ""


def draft_reply(ticket_text: str) -> str:
    out = []
    events = mistral.chat.stream(
        model=CONFIG.chat_model, messages=[{"role": "user", "content": ticket_text}]
    )
    for event in events:
        delta = event.data.choices[0].delta.content
        if delta:
            out.append(delta)
    return "".join(out)


async def triage(ticket_text: str) -> str:
    res = await mistral.chat.complete_async(
        model=CONFIG.chat_model,
        messages=[{"role": "user", "content": f"Label this ticket: {ticket_text}"}],
    )
    return res.choices[0].message.content or ""


def faq_vectors(questions: list[str]) -> list[list[float]]:
    res = mistral.embeddings.create(model=CONFIG.embed_model, inputs=questions)
    return [item.embedding for item in res.data]
