"""Eligibility endpoints: start a walkthrough, answer or change an answer, read the state and result."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from assistant.answer.models import Answer


class StartRequest(BaseModel):
    region: str | None = Field(None, max_length=20, examples=["长沙市"])


class AnswerRequest(BaseModel):
    question_id: str | None = Field(None, max_length=64, examples=["cancel_type"])
    value: Any = Field(
        None, examples=["simple"], description="结构化回答：是否 true/false、选项值、数字、日期"
    )
    text: str | None = Field(None, max_length=200, examples=["是的"], description="或者自由文本回答")


def router(bot, session_auth) -> APIRouter:
    r = APIRouter(prefix="/api/v1/sessions/{session_id}/eligibility", tags=["资格预审"])

    @r.post("/{matter_code}", response_model=Answer)
    def start(
        matter_code: str, body: StartRequest, session_id: Annotated[str, Depends(session_auth)]
    ) -> Answer:
        try:
            return bot().eligibility_start(session_id, matter_code, body.region)
        except KeyError as exc:
            raise HTTPException(404, f"事项 {matter_code[:20]} 暂无资格预审规则。") from exc

    @r.post("", response_model=Answer)
    def answer(body: AnswerRequest, session_id: Annotated[str, Depends(session_auth)]) -> Answer:
        b = bot()
        if body.text is not None:
            return b.respond(session_id, body.text)
        if not body.question_id:
            raise HTTPException(422, "请提供 question_id 和 value，或 text。")
        try:
            return b.eligibility_answer(session_id, body.question_id, body.value)
        except LookupError as exc:
            raise HTTPException(
                409 if not isinstance(exc, KeyError) else 404,
                str(exc) if not isinstance(exc, KeyError) else "没有这个问题。",
            ) from exc

    @r.get("")
    def status(session_id: Annotated[str, Depends(session_auth)]) -> dict:
        try:
            return bot().eligibility_status(session_id)
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from exc

    return r
