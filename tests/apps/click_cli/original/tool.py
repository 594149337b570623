import click
from anthropic import Anthropic


@click.command()
@click.argument("topic")
@click.option("--tone", required=True, type=click.Choice(["formal", "casual"]))
@click.option("--words", default=50, type=int)
def write(topic, tone, words):
    """Write a short paragraph about TOPIC."""
    client = Anthropic()
    message = client.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=300,
        messages=[{"role": "user", "content": f"In a {tone} tone, {words} words on {topic}"}],
    )
    click.echo(message.content[0].text)


if __name__ == "__main__":
    write()
