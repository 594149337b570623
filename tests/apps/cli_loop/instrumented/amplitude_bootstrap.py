"""Amplitude agent analytics for this app (managed by amplitude-ai-mcp)."""

# amplitude-ai: bootstrap
import os

from amplitude_ai import AIConfig, AmplitudeAI, ContentMode

ai = AmplitudeAI(
    api_key=os.environ.get("AMPLITUDE_AI_API_KEY"),
    config=AIConfig(content_mode=ContentMode.FULL),
)
cli_agent = ai.agent("terminal-assistant", description="Chats in the terminal")
