"""Shared OpenAI client for the triage package."""
from openai import OpenAI

client = OpenAI()
