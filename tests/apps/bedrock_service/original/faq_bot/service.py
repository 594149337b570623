"""Answers customer questions from the FAQ; streams long answers to the chat widget."""
import json

from . import settings
from .clients import bedrock_runtime

SYSTEM = "You answer questions about Acme Cloud billing. Be brief and cite the FAQ entry."


class FaqService:
    def __init__(self):
        self.runtime = bedrock_runtime()

    def answer(self, question):
        response = self.runtime.converse(
            modelId=settings.MODEL_ID,
            system=[{"text": SYSTEM}],
            messages=[{"role": "user", "content": [{"text": question}]}],
            inferenceConfig={"maxTokens": settings.MAX_TOKENS, "temperature": 0.2},
        )
        blocks = response["output"]["message"]["content"]
        return "".join(block.get("text", "") for block in blocks)

    def stream_answer(self, question):
        response = self.runtime.converse_stream(
            modelId=settings.MODEL_ID,
            system=[{"text": SYSTEM}],
            messages=[{"role": "user", "content": [{"text": question}]}],
        )
        for event in response["stream"]:
            delta = event.get("contentBlockDelta", {}).get("delta", {})
            if "text" in delta:
                yield delta["text"]

    def summarize(self, article):
        body = {
            "inputText": f"Summarize this FAQ article in two sentences:\n{article}",
            "textGenerationConfig": {"maxTokenCount": 200, "temperature": 0},
        }
        response = self.runtime.invoke_model(
            modelId=settings.SUMMARY_MODEL_ID,
            body=json.dumps(body),
            contentType="application/json",
            accept="application/json",
        )
        payload = json.loads(response["body"].read())
        return payload["results"][0]["outputText"].strip()
