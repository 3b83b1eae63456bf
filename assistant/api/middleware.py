"""Security headers, the per-client rate limit and request metrics as a plain ASGI middleware (Starlette's
BaseHTTPMiddleware costs a task and a stream per request; this one only wraps `send`)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.ratelimit import RateLimiter

TOO_LARGE = json.dumps(
    {"code": "too_large", "message": "提交的内容太大，请精简后再发。"}, ensure_ascii=False
).encode()
RATE_LIMITED = json.dumps(
    {"code": "rate_limited", "message": "请求太频繁，请稍后再试。"}, ensure_ascii=False
).encode()


_DOWNLOAD = re.compile(r"/forms/[^/]+/(?:json|html|pdf)$")


def _counted(scope: Scope) -> bool:
    """API requests count against the client limit; the widget's static files and form downloads do not."""
    path = scope["path"]
    return path.startswith("/api/") and not (scope["method"] == "GET" and _DOWNLOAD.search(path))


def route_label(scope: Scope, root_path: str = "") -> str:
    """A bounded metrics label for a handled request: its route's path template
    (/api/v1/sessions/{session_id}/chat), the prefix of the mount that served it (/widget, /console/app), or
    "other" (nothing matched, or refused before routing) — never the raw path: ids and junk would each make
    a new series. Read once the app has routed the request (the router records the route in the scope)."""
    inner = scope.get("root_path", "")
    if inner != root_path and inner.startswith(root_path):  # a mounted app answered: its prefix
        return inner[len(root_path) :]
    route = scope.get("route")
    return getattr(route, "path_format", None) or getattr(route, "path", None) or "other"


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        csp: str,
        client_limit: RateLimiter,
        record: Callable[[str, int, float], None],
        max_body: int = 65536,
        node: str = "",
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.client_limit = client_limit
        self.record = record  # (route label, status, seconds until the response starts)
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if node:  # which node answered, behind a load balancer (ONETHING_NODE_NAME)
            self.headers.append((b"x-onething-node", node.encode("ascii", "replace")))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        root_path = scope.get("root_path", "")
        client = scope["client"][0] if scope.get("client") else "unknown"
        if _counted(scope) and not self.client_limit.allow(client):
            await self._reply(send, 429, RATE_LIMITED, t0)
            return
        # a body over the cap is refused before anything parses it: by its declared length, or, when it
        # is sent in chunks, as soon as the bytes read pass the cap
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await self._reply(send, 413, TOO_LARGE, t0)
            return
        if declared is None and scope["method"] in ("POST", "PUT", "PATCH"):
            body = await _read_capped(receive, self.max_body)
            if body is None:
                await self._reply(send, 413, TOO_LARGE, t0)
                return
            receive = _replay(body, receive)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
                self.record(route_label(scope, root_path), message["status"], time.perf_counter() - t0)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _reply(self, send: Send, status: int, body: bytes, t0: float) -> None:
        self.record("other", status, time.perf_counter() - t0)  # refused before routing
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *self.headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _read_capped(receive: Receive, cap: int) -> bytes | None:
    """The whole request body, or None as soon as it grows past `cap` bytes."""
    body, more = b"", True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > cap:
            return None
    return body


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands out the already-read body first, then the real channel (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
