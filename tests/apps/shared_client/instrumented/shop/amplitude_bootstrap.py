"""Amplitude agent analytics for this app (managed by amplitude-ai-mcp)."""

# amplitude-ai: bootstrap
import os

from amplitude_ai import AIConfig, AmplitudeAI, ContentMode

ai = AmplitudeAI(
    api_key=os.environ.get("AMPLITUDE_AI_API_KEY"),
    config=AIConfig(content_mode=ContentMode.FULL),
)
shop_agent = ai.agent("shop", description="Recommends products")
