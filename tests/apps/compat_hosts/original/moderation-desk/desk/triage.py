"""Triage of user reports: screen with OpenAI moderation, then draft a reply."""
from . import backends
from .config import FAST, LOCAL


def screen(text):
    result = backends.platform.moderations.create(model="omni-moderation-latest", input=text)
    return result.results[0].flagged


def draft_reply(report):
    chat = backends.fast().chat.completions.create(
        model=FAST.model,
        messages=[
            {"role": "system", "content": "You answer abuse reports politely and briefly."},
            {"role": "user", "content": report},
        ],
    )
    return chat.choices[0].message.content


def offline_summary(report):
    # The on-prem model, so the report never leaves the building.
    out = backends.local().chat.completions.create(
        model=LOCAL.model,
        messages=[{"role": "user", "content": "Summarise: " + report}],
    )
    return out.choices[0].message.content


def legacy_tagline(topic):
    old = backends.platform.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="Tagline for " + topic, max_tokens=20
    )
    return old.choices[0].text
