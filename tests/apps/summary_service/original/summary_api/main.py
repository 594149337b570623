"""HTTP API: POST a document, get a summary back."""
from fastapi import FastAPI
from pydantic import BaseModel, Field

from .chains import summary_chain
from .settings import get_settings


def create_app() -> FastAPI:
    settings = get_settings()
    return FastAPI(title=settings.service_name, version="0.3.0", docs_url="/docs")


app = create_app()


class SummaryRequest(BaseModel):
    document: str = Field(min_length=1)
    max_words: int = 60


class SummaryResponse(BaseModel):
    summary: str


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/v1/summaries", response_model=SummaryResponse)
async def create_summary(req: SummaryRequest) -> SummaryResponse:
    text = await summary_chain.ainvoke({"document": req.document, "max_words": req.max_words})
    return SummaryResponse(summary=text)
