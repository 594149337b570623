from agents import Agent, function_tool


@function_tool
def order_status(order_id: str) -> str:
    """Look up an order's shipping status."""
    return f"Order {order_id} ships tomorrow."


billing_agent = Agent(
    name="Billing",
    instructions="You answer billing questions for ACME customers.",
    model="gpt-4o-mini",
)

triage_agent = Agent(
    name="Triage",
    instructions="Help the customer; hand billing questions to the billing agent.",
    model="gpt-4o-mini",
    tools=[order_status],
    handoffs=[billing_agent],
)
