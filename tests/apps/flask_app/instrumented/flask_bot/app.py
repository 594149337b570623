from amplitude_ai import Anthropic
from flask import Flask, jsonify, request

from flask_bot.amplitude_bootstrap import ai, flask_bot_agent

app = Flask(__name__)
client = Anthropic(amplitude=ai)


@app.get("/")
def index():
    return "ask me something at POST /ask"


@app.post("/ask")
def ask():
    payload = request.get_json()
    with flask_bot_agent.session(user_id=payload["user_id"]):
        message = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=256,
            messages=[{"role": "user", "content": payload["question"]}],
        )
        return jsonify(answer=message.content[0].text, asked_by=payload["user_id"])
