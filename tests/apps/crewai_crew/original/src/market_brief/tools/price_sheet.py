from typing import Type

from crewai.tools import BaseTool
from pydantic import BaseModel, Field


PRICE_SHEET = {
    "standing desks": {"Flexi Basic": 289, "Flexi Pro": 549, "Oakline Duo": 799},
    "office chairs": {"Ergo One": 219, "Ergo Plus": 389, "Aeron-ish": 1049},
}


class PriceSheetInput(BaseModel):
    """Input schema for PriceSheetTool."""

    product: str = Field(..., description="The product category to look up.")


class PriceSheetTool(BaseTool):
    name: str = "price_sheet"
    description: str = (
        "Returns the list prices we track for a product category, as model: price lines."
    )
    args_schema: Type[BaseModel] = PriceSheetInput

    def _run(self, product: str) -> str:
        prices = PRICE_SHEET.get(product.lower().strip())
        if not prices:
            return f"No prices on file for {product}."
        return "\n".join(f"{model}: ${price}" for model, price in prices.items())
