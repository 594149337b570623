from shop.llm import client


def recommend(product_name: str, budget_eur: int = 100) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "You are a shopping assistant."},
            {"role": "user", "content": f"Something like {product_name} under {budget_eur} EUR?"},
        ],
    )
    return response.choices[0].message.content or ""
