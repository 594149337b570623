"""Agent tools whose deps container is a class of another module (desk_deps.py), built in a
third (desk_wiring.py): the constructions across the project prove the field, or do not."""

from pydantic_ai import Agent, RunContext

from categories.desk_deps import AuditDeps, DeskDeps, RankDeps

desk_agent = Agent("openai:gpt-4o-mini", deps_type=DeskDeps, instructions="Be brief.")
rank_agent = Agent("openai:gpt-4o-mini", deps_type=RankDeps)


@desk_agent.tool
async def draft_reply(ctx, ticket: str) -> str:
    reply = await ctx.deps.llm.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": ticket}]
    )  # expect: openai chat.completions.create
    return reply.choices[0].message.content


@desk_agent.tool
def text_customer(ctx, body: str) -> str:
    # The SMS gateway behind a look-alike call: not an LLM.
    return ctx.deps.sms.messages.create(body=body, to=ctx.deps.tenant)


@rank_agent.tool
def rerank(ctx: RunContext[RankDeps], query: str) -> str:
    # RankDeps is built with an OpenAI client in one place and an Anthropic one in another.
    return ctx.deps.llm.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": query}]
    )  # probable: openai chat.completions.create


async def audit(ctx: RunContext[AuditDeps], entry: str) -> str:
    # AuditDeps is only ever given what its caller passes: nothing proves a client.
    reply = await ctx.deps.llm.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": entry}]
    )  # probable: openai chat.completions.create
    return reply.choices[0].message.content
