from flask import Flask, Response, request, stream_with_context
from openai import OpenAI

app = Flask(__name__)
client = OpenAI()


def relay(question, user_id):
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content


@app.route("/ask", methods=["POST"])
def ask():
    question = request.form["question"]
    return Response(stream_with_context(relay(question, request.form.get("user_id"))), mimetype="text/plain")
