"""Replies that fit how the code reads them (used by generated verify tests): a requested
JSON schema gets an instance of it, JSON-parsing code gets JSON, tool loops get tool calls
then an answer — through the real provider clients."""

from __future__ import annotations

import json

import anthropic
import openai
from pydantic import BaseModel

from amplitude_ai.testing import fake_llm, fitting_replies, sample_from_schema
from providers._caps import needs_anthropic_tools, needs_beta_chat_parse, needs_openai_tools


class Verdict(BaseModel):
    label: str
    confidence: float
    tags: list[str]


@needs_beta_chat_parse
def test_parse_gets_an_instance_of_the_requested_schema():
    client = openai.OpenAI(api_key="k")
    with fake_llm() as llm:
        llm.answer_with(fitting_replies())
        done = client.beta.chat.completions.parse(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "great"}],
            response_format=Verdict,
        )
    parsed = done.choices[0].message.parsed
    assert isinstance(parsed, Verdict) and parsed.tags and isinstance(parsed.confidence, float)


def test_json_reading_code_gets_the_keys_it_reads():
    client = openai.OpenAI(api_key="k")
    with fake_llm() as llm:
        llm.answer_with(fitting_replies(["name", "email"], json_reply=True))
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        )
    assert set(json.loads(reply.choices[0].message.content)) == {"name", "email"}


@needs_openai_tools
def test_a_tool_loop_gets_one_round_of_tool_calls_then_an_answer():
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                },
            },
        }
    ]
    client = openai.OpenAI(api_key="k")
    with fake_llm() as llm:
        llm.answer_with(fitting_replies(tool_calls=True))
        messages: list = [{"role": "user", "content": "weather?"}]
        first = client.chat.completions.create(model="m", messages=messages, tools=tools)
        (call,) = first.choices[0].message.tool_calls
        assert call.function.name == "get_weather"
        assert json.loads(call.function.arguments) == {
            "city": "Hello from the verify test",
            "days": 1,
        }
        messages += [
            first.choices[0].message,
            {"role": "tool", "tool_call_id": call.id, "content": "ok"},
        ]
        second = client.chat.completions.create(model="m", messages=messages, tools=tools)
    assert second.choices[0].message.tool_calls is None
    assert second.choices[0].message.content


@needs_anthropic_tools
def test_anthropic_tool_use_then_answer():
    tools = [
        {
            "name": "lookup",
            "input_schema": {"type": "object", "properties": {"id": {"type": "string"}}},
        }
    ]
    client = anthropic.Anthropic(api_key="k")
    with fake_llm() as llm:
        llm.answer_with(fitting_replies(tool_calls=True))
        messages: list = [{"role": "user", "content": "order?"}]
        first = client.messages.create(model="c", max_tokens=10, tools=tools, messages=messages)
        assert first.stop_reason == "tool_use"
        block = next(b for b in first.content if b.type == "tool_use")
        messages += [
            {"role": "assistant", "content": first.content},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": block.id, "content": "x"}],
            },
        ]
        second = client.messages.create(model="c", max_tokens=10, tools=tools, messages=messages)
    assert second.stop_reason != "tool_use"


def test_sample_follows_refs_enums_and_nullable():
    schema = {
        "type": "object",
        "properties": {
            "kind": {"enum": ["a", "b"]},
            "child": {"$ref": "#/$defs/Child"},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 3}]},
        },
        "$defs": {"Child": {"type": "object", "properties": {"email": {"type": "string"}}}},
    }
    assert sample_from_schema(schema) == {
        "kind": "a",
        "child": {"email": "verify@example.com"},
        "maybe": 3,
    }
