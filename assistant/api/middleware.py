"""Security headers, the per-client rate limit and request metrics as a plain ASGI middleware (Starlette's
BaseHTTPMiddleware costs a task and a stream per request; this one only wraps `send`)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.ratelimit import RateLimiter

RATE_LIMITED = json.dumps(
    {"code": "rate_limited", "message": "请求太频繁，请稍后再试。"}, ensure_ascii=False
).encode()


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        csp: str,
        client_limit: RateLimiter,
        count: Callable[[str, float], None],
    ) -> None:
        self.app = app
        self.client_limit = client_limit
        self.count = count
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        if scope["path"].startswith("/api/") and not self.client_limit.allow(client):
            await self._reply_429(send)
            return
        t0 = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
                self.count(f'onething_http_requests_total|status="{message["status"]}"', 1.0)
                self.count("onething_http_request_seconds_sum", time.perf_counter() - t0)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _reply_429(self, send: Send) -> None:
        self.count('onething_http_requests_total|status="429"', 1.0)
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(RATE_LIMITED)).encode()),
                    *self.headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": RATE_LIMITED})
