from newsroom.agents import research, write_article


def run_pipeline(topic: str, user_id: str) -> str:
    """Research a topic, then write it up (two agents, two providers)."""
    notes = research(topic)
    return write_article(notes)
