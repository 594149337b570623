from flask import Flask, jsonify, request
from langchain_core.messages import HumanMessage, SystemMessage

from .llm import chat_model

app = Flask(__name__)
app.config.from_prefixed_env("WIKI")


@app.post("/explain")
def explain():
    topic = request.get_json()["topic"]
    reply = chat_model.invoke(
        [
            SystemMessage(content="Explain the topic like a wiki intro paragraph."),
            HumanMessage(content=topic),
        ]
    )
    return jsonify({"text": reply.content})
