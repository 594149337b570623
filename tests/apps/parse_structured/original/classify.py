from openai import OpenAI
from pydantic import BaseModel


class Verdict(BaseModel):
    label: str
    confidence: float


client = OpenAI()


def classify(review):
    completion = client.beta.chat.completions.parse(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Classify the review."},
            {"role": "user", "content": review},
        ],
        response_format=Verdict,
    )
    verdict = completion.choices[0].message.parsed
    return verdict.label, verdict.confidence
