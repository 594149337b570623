from amplitude_ai import OpenAI
from amplitude_bootstrap import ai

client = OpenAI(amplitude=ai)


def translate(text: str, language: str = "French") -> str:
	if not text:
		return ""
	response = client.chat.completions.create(
		model="gpt-4o-mini",
		messages=[
			{"role": "system", "content": f"Translate into {language}."},
			{"role": "user", "content": text},
		],
	)
	return response.choices[0].message.content or ""
