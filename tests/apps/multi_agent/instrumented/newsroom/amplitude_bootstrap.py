"""Amplitude agent analytics for this app (managed by amplitude-ai-mcp)."""

# amplitude-ai: bootstrap
import os

from amplitude_ai import AIConfig, AmplitudeAI, ContentMode

ai = AmplitudeAI(
    api_key=os.environ.get("AMPLITUDE_AI_API_KEY"),
    config=AIConfig(content_mode=ContentMode.FULL),
)
orchestrator_agent = ai.agent("newsroom-orchestrator", description="Runs research then writing")
researcher_agent = ai.agent("researcher", description="Collects facts")
writer_agent = ai.agent("writer", description="Writes the article")
