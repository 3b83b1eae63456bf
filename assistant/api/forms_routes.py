"""Form endpoints: the current draft as JSON, patch a field, printable HTML and PDF."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field


class PatchRequest(BaseModel):
    field: str = Field(..., max_length=64, examples=["applicant_phone"])
    # the length bound belongs to the text alternative only (on a number, pydantic would raise TypeError)
    value: Annotated[str, Field(max_length=500)] | float | None = Field(
        ..., examples=["13812345678"], description="字段的新值：文字（≤ 500 字）或数字"
    )


def router(bot, session_auth) -> APIRouter:
    r = APIRouter(prefix="/api/v1/sessions/{session_id}/forms/{matter_code}", tags=["一表申请"])

    def load(session_id: str, matter_code: str):
        try:
            return bot().form_draft(session_id, matter_code)
        except KeyError as exc:
            raise HTTPException(404, f"事项 {matter_code[:20]} 暂无申请表。") from exc

    @r.get("")
    @r.get("/json")
    def draft(matter_code: str, session_id: Annotated[str, Depends(session_auth)]) -> dict:
        _, report = load(session_id, matter_code)
        return report.model_dump(mode="json")

    @r.patch("")
    def patch(
        matter_code: str, body: PatchRequest, session_id: Annotated[str, Depends(session_auth)]
    ) -> dict:
        load(session_id, matter_code)
        try:
            _, report = bot().form_patch(session_id, matter_code, body.field, body.value)
        except KeyError as exc:
            raise HTTPException(422, f"表单中没有字段 {body.field[:40]}。") from exc
        return report.model_dump(mode="json")

    @r.get("/html", response_class=HTMLResponse)
    def as_html(matter_code: str, session_id: Annotated[str, Depends(session_auth)]) -> str:
        _, report = load(session_id, matter_code)
        return bot().forms.render_html(report)

    @r.get("/pdf")
    def as_pdf(matter_code: str, session_id: Annotated[str, Depends(session_auth)]) -> Response:
        _, report = load(session_id, matter_code)
        return Response(
            bot().forms.render_pdf(report),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{matter_code}.pdf"'},
        )

    return r
