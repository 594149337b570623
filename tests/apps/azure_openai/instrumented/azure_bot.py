import os

from amplitude_ai import AzureOpenAI
from amplitude_bootstrap import ai

client = AzureOpenAI(
    api_version="2024-10-21",
    azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
    amplitude=ai,
)
DEPLOYMENT = "gpt-4o-support"


def classify_ticket(ticket_text: str) -> str:
    """One word: billing, bug, or question."""
    completion = client.chat.completions.create(
        model=DEPLOYMENT,
        messages=[
            {"role": "system", "content": "Classify the ticket: billing, bug or question."},
            {"role": "user", "content": ticket_text},
        ],
    )
    return (completion.choices[0].message.content or "").strip().lower()
