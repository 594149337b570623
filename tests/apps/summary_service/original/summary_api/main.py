"""HTTP API: POST a document, get a summary back."""
from fastapi import FastAPI

from .routers import summaries
from .settings import get_settings


def create_app() -> FastAPI:
    settings = get_settings()
    return FastAPI(title=settings.service_name, version="0.3.0", docs_url="/docs")


app = create_app()
app.include_router(summaries.router, prefix="/v1")


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
