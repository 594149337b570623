"""Builds the helpdesk agents' dependencies (the clients their tools use)."""

import os

from anthropic import Anthropic
from openai import AsyncOpenAI, OpenAI

from categories.desk_deps import AuditDeps, DeskDeps, RankDeps


def desk_deps(tenant):
    return DeskDeps(tenant=tenant, llm=AsyncOpenAI(timeout=30), sms=os.environ.get("SMS"))


def admin_deps():
    return DeskDeps("admin", llm=AsyncOpenAI(base_url=os.environ.get("ADMIN_GATEWAY")))


def rank_deps(prefer_claude=False):
    # Two providers for the same field: which one a run gets depends on configuration.
    return RankDeps(llm=Anthropic()) if prefer_claude else RankDeps(llm=OpenAI())


def audit_deps(llm):
    return AuditDeps(llm=llm)
