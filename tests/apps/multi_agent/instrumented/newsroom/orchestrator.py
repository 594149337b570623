from newsroom.agents import research, write_article
from newsroom.amplitude_bootstrap import orchestrator_agent


def run_pipeline(topic: str, user_id: str) -> str:
    """Research a topic, then write it up (two agents, two providers)."""
    with orchestrator_agent.session(user_id=user_id):
        notes = research(topic)
        return write_article(notes)
