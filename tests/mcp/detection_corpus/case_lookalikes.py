"""Nothing here is an LLM call.

client.chat.completions.create(model="gpt-4o", messages=[]) in a docstring.
"""

import subprocess

from click.testing import CliRunner
from discord import Client as DiscordClient
from slack_sdk import WebClient
from sqlalchemy.orm import Session
from twilio.rest import Client
from typer.testing import CliRunner as TyperRunner

SNIPPET = "client.chat.completions.create(model='gpt-4o')"
# openai.ChatCompletion.create(model="gpt-4") in a comment

sms = Client("sid", "token")
slack = WebClient(token="x")
discord = DiscordClient()


def create_completion(prompt: str) -> str:
    """An app-level wrapper with an LLM-ish name."""
    return prompt


def run(session: Session) -> None:
    sms.messages.create(to="+1", from_="+2", body="hi")
    slack.chat_postMessage(channel="#c", text="hi")
    discord.messages.create(content="x")
    create_completion("hello")
    session.query(object).all()
    CliRunner().invoke(run, ["--help"])
    TyperRunner().invoke(run, [])
    subprocess.run(["ls"], check=False)
    config = {"chat": {"completions": None}}
    config.get("chat")
