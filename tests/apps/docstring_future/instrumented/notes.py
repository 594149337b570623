# -*- coding: utf-8 -*-
"""Meeting notes helper.

Summarises notes with OpenAI; "OpenAI()" in this docstring is text, not code.
"""
from __future__ import annotations

from dataclasses import dataclass

from amplitude_ai import OpenAI
from amplitude_bootstrap import ai

client = OpenAI(amplitude=ai)


@dataclass
class Note:
    title: str
    body: str


def action_items(title: str, body: str) -> list[str]:
    note = Note(title, body)
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"Action items of {note.title}: {note.body}"}],
    )
    text = response.choices[0].message.content or ""
    return [line.lstrip("- ") for line in text.splitlines() if line.strip()]
