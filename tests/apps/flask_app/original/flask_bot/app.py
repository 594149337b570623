from anthropic import Anthropic
from flask import Flask, jsonify, request

app = Flask(__name__)
client = Anthropic()


@app.get("/")
def index():
    return "ask me something at POST /ask"


@app.post("/ask")
def ask():
    payload = request.get_json()
    message = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=256,
        messages=[{"role": "user", "content": payload["question"]}],
    )
    return jsonify(answer=message.content[0].text, asked_by=payload["user_id"])
