"""Cron job: post a fact of the day (the request carries only a system prompt)."""
from openai import OpenAI

client = OpenAI()
PROMPT = "You write one surprising fact about space, under 30 words."


def fact_of_the_day():
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "system", "content": PROMPT}]
    )
    return reply.choices[0].message.content.strip()


if __name__ == "__main__":
    print(fact_of_the_day())
