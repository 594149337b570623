from pydantic import BaseModel


class Question(BaseModel):
    user_id: str
    text: str
    tags: list[str] = []
