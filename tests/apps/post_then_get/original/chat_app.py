from flask import Flask, Response, jsonify, request, session, stream_with_context
from openai import OpenAI

app = Flask(__name__)
app.secret_key = "dev"
client = OpenAI()


@app.post("/message")
def post_message():
    session["prompt"] = request.get_json()["text"]
    return jsonify(ok=True)


@app.get("/reply")
def reply():
    prompt = session.get("prompt")
    if not prompt:
        return jsonify(error="post a message first"), 400

    def generate():
        stream = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}], stream=True
        )
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    return Response(stream_with_context(generate()), mimetype="text/plain")
