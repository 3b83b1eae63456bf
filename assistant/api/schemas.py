"""Request and response models of the HTTP API (examples feed the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from assistant.dialog import MAX_MESSAGE_CHARS
from assistant.dialog.state import strip_invisible

Clean = Annotated[str, AfterValidator(strip_invisible)]  # no NUL or zero-width characters are stored


class SessionCreated(BaseModel):
    session_id: str
    token: str = Field(
        ..., description="会话令牌：之后每个会话请求都要在 Authorization: Bearer <token> 中携带"
    )


class ChatRequest(BaseModel):
    message: str = Field(..., min_length=1, max_length=MAX_MESSAGE_CHARS, examples=["长沙开饭店要带什么材料"])
    region: Clean | None = Field(None, max_length=20, examples=["长沙市"], description="挂件所在地区（可选）")


class FeedbackRequest(BaseModel):
    message_id: int | None = Field(None, ge=1, le=2**63 - 1, description="被评价的回答")
    stars: int = Field(..., ge=1, le=5, examples=[5])
    tags: list[Annotated[Clean, Field(max_length=20)]] = Field(
        default_factory=list, max_length=10, examples=[["准确", "清楚"]]
    )
    comment: Clean = Field("", max_length=500)


class HandoffRequest(BaseModel):
    note: Clean = Field("", max_length=500, examples=["想找工作人员确认材料"])


class ErrorBody(BaseModel):
    code: str = Field(..., examples=["forbidden"])
    message: str = Field(..., examples=["会话令牌无效"])


class Created(BaseModel):
    id: int


# OpenAPI links: the session (and its token) a client gets here is what the session's operations take,
# so a stateful client or fuzzer can follow them
_SESSION_OPS = {
    "Chat": "chat_api_v1_sessions__session_id__chat_post",
    "Messages": "messages_api_v1_sessions__session_id__messages_get",
    "Feedback": "feedback_api_v1_sessions__session_id__feedback_post",
    "Handoff": "handoff_api_v1_sessions__session_id__handoff_post",
    "EligibilityStart": "start_api_v1_sessions__session_id__eligibility__matter_code__post",
    "FormDraft": "draft_api_v1_sessions__session_id__forms__matter_code__get",
    "FormPatch": "patch_api_v1_sessions__session_id__forms__matter_code__patch",
}
SESSION_LINKS = {
    name: {
        "operationId": op,
        "parameters": {
            "path.session_id": "$response.body#/session_id",
            "header.authorization": "Bearer {$response.body#/token}",
        },
    }
    for name, op in _SESSION_OPS.items()
}
