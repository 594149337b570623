from fastapi import APIRouter
from langchain_core.output_parsers import StrOutputParser
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from ..prompts import SUMMARY_PROMPT
from ..settings import get_settings

router = APIRouter(prefix="/summaries", tags=["summaries"])
summary_chain = (
    SUMMARY_PROMPT | ChatOpenAI(model=get_settings().model, temperature=0) | StrOutputParser()
)


class SummaryRequest(BaseModel):
    document: str = Field(min_length=1)
    max_words: int = 60


class SummaryResponse(BaseModel):
    summary: str


@router.post("", response_model=SummaryResponse)
async def create_summary(req: SummaryRequest) -> SummaryResponse:
    text = await summary_chain.ainvoke({"document": req.document, "max_words": req.max_words})
    return SummaryResponse(summary=text)
