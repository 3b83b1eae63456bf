"""The API's error contract: every failure is a JSON body with a stable code and a Chinese message; an
unexpected error is logged by id, type and place, never with the request's values."""

from __future__ import annotations

import logging
import traceback
import uuid
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.schemas import ErrorBody

log = logging.getLogger("onething.api")
ERRORS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid_input",
    429: "rate_limited",
    503: "not_ready",
}
ERR_RESPONSES = {c: {"model": ErrorBody} for c in (403, 404, 422, 429)}


class ApiError(HTTPException):
    def __init__(self, status: int, message: str):
        super().__init__(status_code=status, detail=message)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "请求有误。"
        if exc.status_code == 404 and message == "Not Found":
            message = "找不到请求的资源。"
        if exc.status_code == 405:
            message = "不支持该请求方法。"
        return JSONResponse(
            {"code": ERRORS.get(exc.status_code, "error"), "message": message}, status_code=exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors()[:5]:
            field = ".".join(str(x) for x in e.get("loc", []) if x not in ("body", "query", "path"))
            if e.get("type") == "string_too_long":
                return JSONResponse(
                    {"code": "too_large", "message": f"{field or '内容'}太长，请精简后再发。"},
                    status_code=413,
                )
            parts.append(f"{field or '请求'}：{_zh(e)}")
        return JSONResponse(
            {"code": "invalid_input", "message": "；".join(parts) or "请求格式有误。"}, status_code=422
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        # the log gets an error id, the exception type and where it happened, never the message: an
        # exception's text often repeats the request's values (a citizen's ID, phone, name)
        error_id = uuid.uuid4().hex[:12]
        frames = " < ".join(
            f"{Path(f.filename).name}:{f.lineno} {f.name}"
            for f in reversed(traceback.extract_tb(exc.__traceback__)[-6:])
        )
        log.error(
            "internal error %s on %s %s: %s at %s",
            error_id,
            request.method,
            request.url.path[:80],
            type(exc).__name__,
            frames,
        )
        return JSONResponse(
            {
                "code": "internal",
                "message": f"服务暂时出错，请稍后再试或拨打 12345（错误编号 {error_id}）。",
                "error_id": error_id,
            },
            status_code=500,
        )


def _zh(err: dict) -> str:
    t = err.get("type", "")
    ctx = err.get("ctx") or {}
    return {
        "missing": "必填",
        "string_too_short": "不能为空",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}",
        "less_than_equal": f"不能大于 {ctx.get('le')}",
        "int_parsing": "应为整数",
        "json_invalid": "JSON 格式错误",
        "model_attributes_type": "应为 JSON 对象",
        "dict_type": "应为 JSON 对象",
        "list_type": "应为列表",
        "string_type": "应为文字",
        "too_long": "条目太多",
    }.get(t, "格式不正确")
