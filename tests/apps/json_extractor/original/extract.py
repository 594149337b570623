import json

from openai import OpenAI

client = OpenAI()


def extract_contact(text):
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        response_format={"type": "json_object"},
        messages=[
            {"role": "system", "content": "Extract name and email as JSON."},
            {"role": "user", "content": text},
        ],
    )
    data = json.loads(response.choices[0].message.content)
    return f"{data['name']} <{data['email']}>"
