from fastapi import FastAPI

from .routers import qa


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(qa.router)
    return app


app = create_app()
