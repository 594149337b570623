"""Answers a helpdesk question with the agents of definitions.py."""
from agents import Runner

from .definitions import triage_agent


async def handle_question(question: str) -> str:
    result = await Runner.run(triage_agent, question)
    return result.final_output
