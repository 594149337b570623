"""A Gradio-style chat callback: the UI calls respond(message, history) with (user, bot) pairs."""
from openai import OpenAI

client = OpenAI()


def respond(message, history):
    messages = [{"role": "system", "content": "Be brief."}]
    for user_turn, bot_turn in history:
        messages.append({"role": "user", "content": user_turn})
        messages.append({"role": "assistant", "content": bot_turn})
    messages.append({"role": "user", "content": message})
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    return reply.choices[0].message.content


def build_ui():
    import gradio as gr  # only when the UI is launched

    return gr.ChatInterface(fn=respond)


if __name__ == "__main__":
    build_ui().launch()
