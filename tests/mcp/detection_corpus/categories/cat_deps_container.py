"""Agent tools reaching their client through a dependencies container (``ctx.deps``): the
container's field is untyped, ``object`` or ``Any``; the agent's ``deps_type`` or the tool's
``RunContext[...]`` names the class, and the constructions of that class prove the field."""

import os
from dataclasses import dataclass, field
from typing import Any

from anthropic import Anthropic
from openai import AsyncOpenAI, OpenAI
from pydantic_ai import Agent, RunContext


@dataclass
class SupportDeps:
    openai: Any
    customer_id: str = ""
    tags: list = field(default_factory=list)


support_agent = Agent("openai:gpt-4o-mini", deps_type=SupportDeps, retries=2)


@support_agent.tool
async def summarize_ticket(ctx, ticket_id: str) -> str:
    answer = await ctx.deps.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": ticket_id}]
    )  # expect: openai chat.completions.create
    return answer.choices[0].message.content


def support_deps(customer_id):
    return SupportDeps(openai=AsyncOpenAI(timeout=15), customer_id=customer_id)


def admin_deps():
    return SupportDeps(AsyncOpenAI(base_url=os.environ.get("ADMIN_GATEWAY")), "admin")


@dataclass
class ReportDeps:
    llm: object
    model: str = "claude-3-5-haiku-latest"


async def draft_section(ctx: RunContext[ReportDeps], outline: str) -> str:
    reply = ctx.deps.llm.messages.create(
        model=ctx.deps.model, max_tokens=500, messages=[{"role": "user", "content": outline}]
    )  # expect: anthropic messages.create
    return reply.content[0].text


REPORT_DEPS = ReportDeps(llm=Anthropic(max_retries=3))


@dataclass
class RouterDeps:
    backend: Any


router_agent = Agent("openai:gpt-4o-mini", deps_type=RouterDeps)


@router_agent.tool
def classify(ctx, text: str) -> str:
    # The constructions disagree (an OpenAI client here, something unknown there).
    return ctx.deps.backend.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
    )  # probable: openai chat.completions.create


def router_deps(backend=None):
    return RouterDeps(backend=backend or OpenAI()) if backend else RouterDeps(backend=OpenAI())


def plugin_deps(plugin_backend):
    return RouterDeps(backend=plugin_backend)


@dataclass
class AppDeps:
    openai: object
    model: str = "gpt-4o-mini"


async def lookup_tool(ctx, query):
    # No annotation and no agent: which container ``ctx.deps`` is cannot be known.
    answer = await ctx.deps.openai.chat.completions.create(
        model=ctx.deps.model, messages=[{"role": "user", "content": query}]
    )  # probable: openai chat.completions.create
    return answer.choices[0].message.content


def dependencies():
    return AppDeps(openai=AsyncOpenAI())


@dataclass
class NotifyDeps:
    sms: object


notify_agent = Agent("openai:gpt-4o-mini", deps_type=NotifyDeps)


@notify_agent.tool
def page_oncall(ctx, text: str) -> str:
    # A messaging client behind the same shape of call: no provider keywords, not reported.
    return ctx.deps.sms.messages.create(body=text, to="+15550100")


def notify_deps(sms_client):
    return NotifyDeps(sms=sms_client)


@dataclass
class TypedDeps:
    llm: AsyncOpenAI
    temperature: float = 0.0


async def typed_tool(ctx: RunContext[TypedDeps], query: str) -> str:
    answer = await ctx.deps.llm.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": query}]
    )  # expect: openai chat.completions.create
    return answer.choices[0].message.content
