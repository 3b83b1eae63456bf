"""GET /metrics and who may read it: with ONETHING_METRICS_TOKEN set, whoever sends it as a Bearer token;
without one, the machine itself only (a Prometheus on the node, or an SSH tunnel), never the internet."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from assistant.api.errors import ApiError
from assistant.api.metrics import CONTENT_TYPE, Metrics
from assistant.api.schemas import ErrorBody


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1, or 127.x written as an IPv4-mapped IPv6 address (a dual-stack socket)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def metrics_router(metrics: Metrics, token: str) -> APIRouter:
    router = APIRouter()

    @router.get(
        "/metrics",
        tags=["运维"],
        response_class=Response,
        responses={
            200: {"content": {"text/plain": {}}, "description": "Prometheus 文本格式"},
            401: {"model": ErrorBody},
            403: {"model": ErrorBody},
        },
        description="Prometheus 指标。设置了 ONETHING_METRICS_TOKEN 时需携带 Authorization: Bearer <令牌>；"
        "未设置时只允许本机（127.0.0.1、::1）读取。",
    )
    def read_metrics(request: Request, authorization: Annotated[str | None, Header()] = None) -> Response:
        if token:
            given = (authorization or "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                raise ApiError(
                    401, "读取指标需要有效的令牌（Authorization: Bearer <ONETHING_METRICS_TOKEN>）。"
                )
        elif not is_loopback(request.client.host if request.client else ""):
            raise ApiError(403, "指标只对本机开放；远程读取请设置 ONETHING_METRICS_TOKEN 并携带该令牌。")
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return router
