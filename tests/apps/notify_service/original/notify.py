import os
import smtplib

from openai import OpenAI

client = OpenAI()
mailer = smtplib.SMTP(os.environ["SMTP_HOST"], timeout=5)


def alert(incident):
    summary = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"Summarize: {incident['title']}"}],
    )
    body = summary.choices[0].message.content
    mailer.sendmail("bot@example.com", [incident["owner"]], body)
    return body
