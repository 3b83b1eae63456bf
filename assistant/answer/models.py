"""The answer a turn produces, as a pydantic model shared by the CLI, the API and the widget."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    guide_id: str
    guide_name: str
    region_name: str
    section: str = Field(..., description="section key, e.g. materials")
    section_label: str = Field(..., description="section name in Chinese, e.g. 申请材料")
    updated_at: str = ""
    updated_scope: Literal["section", "guide"] = Field(
        "guide", description="updated_at is this section's own update date, or the guide's latest"
    )
    url: str = ""
    link_kind: Literal["section", "guide", "online_entry", ""] = Field(
        "", description="what `url` opens: the section's own portal page, the guide page, or the online entry"
    )


class Suggestion(BaseModel):
    label: str = Field(..., description="text on the chip")
    text: str = Field(..., description="what is sent when the chip is clicked")
    kind: Literal["followup", "choice", "handoff"] = "followup"


class Handoff(BaseModel):
    ticket_id: int | None = None
    reason: str
    phone: str
    message: str


class Answer(BaseModel):
    text: str
    citations: list[Citation] = Field(default_factory=list)
    matter_code: str | None = None
    matter_name: str | None = None
    aspect: str | None = None
    region_code: str | None = None
    region_name: str | None = None
    confidence: float = 0.0
    mode: Literal["composer", "llm", "clarify", "refusal", "eligibility", "form"] = "composer"
    suggestions: list[Suggestion] = Field(default_factory=list)
    fold_at: int | None = Field(
        None,
        description="where the first screen ends in `text`; the rest is folded (展开全部). None: all shown",
    )
    handoff: Handoff | None = None
    eligibility: dict[str, Any] | None = Field(None, description="资格预审：当前问题（含选项）或结果")
    form: dict[str, Any] | None = Field(None, description="一表申请：草稿、缺项与下载信息")
    session_id: str | None = None
    message_id: int | None = None
    trace: dict[str, Any] = Field(
        default_factory=dict, description="why: ranking, aspect, timings (for staff)"
    )
