from flask import Flask, jsonify, request
from langchain_core.messages import HumanMessage, SystemMessage

from .config import Config
from .llm import chat


def get_application() -> Flask:
    return Flask(__name__)


app = get_application()
app.config.from_object(Config)


@app.post("/define")
def define():
    term = request.get_json()["term"]
    reply = chat.invoke(
        [
            SystemMessage(content=f"Define the term in one {Config.TONE} sentence."),
            HumanMessage(content=term),
        ]
    )
    return jsonify({"term": term, "definition": reply.content})
