"""FastAPI application: /api/v1 (sessions, chat + SSE, feedback, handoff, guides, search), health, metrics,
the widget's static files and its demo page."""

import asyncio
import json
import logging
import os
import shutil
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import anyio.to_thread
import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, Header
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles

from assistant.answer.models import Answer
from assistant.api.eligibility_routes import router as eligibility_router
from assistant.api.errors import ERR_RESPONSES, ApiError, install_error_handlers
from assistant.api.forms_routes import router as forms_router
from assistant.api.knowledge_watch import watch_knowledge
from assistant.api.metrics import Metrics, prepare_multiprocess_dir
from assistant.api.metrics_route import metrics_router
from assistant.api.middleware import SecurityMiddleware
from assistant.api.schemas import (
    SESSION_LINKS,
    ChatRequest,
    Created,
    ErrorBody,
    FeedbackRequest,
    HandoffRequest,
    SessionCreated,
)
from assistant.config import PROJECT_ROOT, Settings, check_shared_secret, get_settings
from assistant.dialog import Assistant, InputError
from assistant.masking import setup_logging
from assistant.ratelimit import RateLimiter
from assistant.retrieval.search import SearchResult
from assistant.services import build_assistant

log = logging.getLogger("onething.api")
WIDGET_DIR = PROJECT_ROOT / "ui" / "widget"
SWAGGER_DIR = Path(fastapi_offline.__file__).parent / "static"  # Swagger UI assets shipped on PyPI


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    check_shared_secret(settings)  # several nodes need one console secret: refuse to start without it
    setup_logging()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        async def purge_daily() -> None:  # the scheduled retention task (also: `onething purge` from cron)
            from assistant.store import get_store

            while True:
                try:
                    n = await asyncio.to_thread(
                        get_store(settings.db_url).purge_older_than, settings.retention_days
                    )
                    if n:
                        log.info(
                            "retention: purged %d sessions older than %d days", n, settings.retention_days
                        )
                except Exception as exc:  # noqa: BLE001 - keep serving; try again tomorrow
                    log.warning("retention purge failed: %s", exc)
                await asyncio.sleep(24 * 3600)

        # sync endpoints run in anyio's thread pool; a few threads keep the cores busy (turns wait on the
        # database and the embedding engine without the GIL) while dozens would only fight over the GIL
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads_per_worker
        task = asyncio.create_task(purge_daily())
        warming = asyncio.create_task(asyncio.to_thread(warm_up))
        watching = (
            asyncio.create_task(watch_knowledge(app, settings))
            if settings.vector_store == "pgvector"
            else None
        )
        yield
        task.cancel()
        warming.cancel()
        if watching is not None:
            watching.cancel()

    app = FastAPI(
        lifespan=lifespan,
        title="一件事助手 API",
        version="1.0",
        description="高效办成一件事：办事指南问答、资格预审、一表申请。会话资源需在 Authorization: Bearer <token> 中携带会话令牌。",
        docs_url=None,  # served below with Swagger UI 5 from the fastapi-offline package: works offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.assistant = None
    app.state.metrics = metrics_ = Metrics()
    metrics_.cache_source = lambda: (
        app.state.assistant.searcher.query_vectors if app.state.assistant is not None else None
    )
    client_limit = RateLimiter(settings.rate_per_minute_client, settings.limits_storage, "client")
    session_limit = RateLimiter(settings.rate_per_minute_session, settings.limits_storage, "session")

    build_lock = threading.Lock()

    def bot() -> Assistant:
        if app.state.assistant is None:
            with build_lock:
                if app.state.assistant is None:
                    app.state.assistant = build_assistant(settings)
        return app.state.assistant

    app.state.warmed = threading.Event()

    def warm_up() -> None:
        """Build and exercise everything lazy before /readyz says ready (the first turn is then not slow)."""
        try:
            bot().warm()
            app.state.warmed.set()
        except Exception as exc:  # noqa: BLE001 - /readyz reports why
            log.warning("warm-up failed: %s", type(exc).__name__)

    app.state.get_assistant = bot

    def count_turn(ans: Answer, started: float) -> None:
        """Turns by answer mode and search stage (the cascade: answered without the encoder or not), timed."""
        metrics_.turn(ans.mode, str(ans.trace.get("stage") or "none"), time.perf_counter() - started)

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
    # added last, so outermost: headers and the client limit apply to every response, CORS preflights too
    app.add_middleware(
        SecurityMiddleware,
        csp=settings.csp,
        client_limit=client_limit,
        record=metrics_.request,
        max_body=settings.max_body_bytes,
        node=settings.node_name,
    )

    install_error_handlers(app)

    def session_auth(session_id: str, authorization: Annotated[str | None, Header()] = None) -> str:
        token = (authorization or "").removeprefix("Bearer ").strip()
        verdict = bot().store.authorize(session_id, token) if len(session_id) <= 64 else "missing"
        if verdict == "missing":
            raise ApiError(404, "会话不存在或已过期。")
        if not token or verdict != "ok":
            raise ApiError(403, "会话令牌无效。")
        if not session_limit.allow(session_id):
            raise ApiError(429, "发送太频繁，请稍后再试。")
        return session_id

    api = APIRouter(prefix="/api/v1")

    @api.post(
        "/sessions",
        response_model=SessionCreated,
        status_code=201,
        tags=["会话"],
        responses={201: {"description": "新会话", "links": SESSION_LINKS}},
    )
    def create_session() -> SessionCreated:
        sid, token = bot().new_session()
        return SessionCreated(session_id=sid, token=token)

    @api.get("/sessions/{session_id}/messages", tags=["会话"], responses=ERR_RESPONSES)
    def messages(session_id: Annotated[str, Depends(session_auth)]) -> list[dict]:
        return bot().store.messages(session_id)

    @api.post("/sessions/{session_id}/chat", response_model=Answer, tags=["问答"], responses=ERR_RESPONSES)
    def chat(body: ChatRequest, session_id: Annotated[str, Depends(session_auth)]) -> Answer:
        started = time.perf_counter()
        try:
            ans = bot().respond(session_id, body.message, region=body.region)
        except InputError as exc:
            raise ApiError(422, str(exc)) from exc
        count_turn(ans, started)
        return ans

    @api.post(
        "/sessions/{session_id}/chat/stream",
        tags=["问答"],
        responses=ERR_RESPONSES,
        description="服务器推送事件：token（生成中的文字）、answer（最终回答，已校验）、error。",
    )
    async def chat_stream(
        body: ChatRequest, session_id: Annotated[str, Depends(session_auth)]
    ) -> StreamingResponse:
        # the turn runs in its own thread (an LLM answer can take seconds and must not hold one of the
        # worker's few pool threads); it hands events to the event loop, which never blocks on them
        loop = asyncio.get_running_loop()
        q: asyncio.Queue = asyncio.Queue()

        def put(item: tuple[str, object] | None) -> None:
            loop.call_soon_threadsafe(q.put_nowait, item)

        def work() -> None:
            started = time.perf_counter()
            try:
                ans = bot().respond(
                    session_id, body.message, region=body.region, on_token=lambda t: put(("token", t))
                )
                if ans.mode != "llm":  # composer answers stream line by line
                    for line in ans.text.splitlines(keepends=True):
                        put(("token", line))
                count_turn(ans, started)
                put(("answer", ans.model_dump(mode="json", exclude={"trace"})))
            except InputError as exc:
                put(("error", {"code": "invalid_input", "message": str(exc)}))
            except Exception as exc:  # noqa: BLE001 - reported to the client as an event
                log.exception("stream failed: %s", type(exc).__name__)
                put(("error", {"code": "internal", "message": "服务暂时出错，请稍后再试。"}))
            put(None)

        threading.Thread(target=work, daemon=True).start()

        async def events():
            while True:
                item = await q.get()
                if item is None:
                    break
                kind, data = item
                yield f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

        # X-Accel-Buffering: a proxy in front (nginx) passes each event on at once instead of collecting them
        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @api.post(
        "/sessions/{session_id}/feedback",
        response_model=Created,
        status_code=201,
        tags=["好差评"],
        responses=ERR_RESPONSES,
    )
    def feedback(body: FeedbackRequest, session_id: Annotated[str, Depends(session_auth)]) -> Created:
        fid = bot().store.add_feedback(session_id, body.stars, body.tags, body.comment, body.message_id)
        metrics_.feedback(body.stars)
        return Created(id=fid)

    @api.post(
        "/sessions/{session_id}/handoff", response_model=Answer, tags=["转人工"], responses=ERR_RESPONSES
    )
    def handoff(body: HandoffRequest, session_id: Annotated[str, Depends(session_auth)]) -> Answer:
        return bot().request_handoff(session_id, body.note)

    @api.get("/sessions/{session_id}/handoff", tags=["转人工"], responses=ERR_RESPONSES)
    def handoff_status(session_id: Annotated[str, Depends(session_auth)]) -> list[dict]:
        return [h for h in bot().store.handoffs() if h["session_id"] == session_id]

    @api.get("/guides", tags=["办事指南"])
    def guides() -> list[dict]:
        return [
            {
                "id": g.id,
                "name": g.name,
                "matter_code": g.matter_code,
                "region_name": g.region_name,
                "updated_at": g.updated_at,
            }
            for g in sorted(bot().searcher.guides.heads.values(), key=lambda g: g.id)  # no guide parsed
        ]

    @api.get("/guides/{guide_id}", tags=["办事指南"], responses={404: {"model": ErrorBody}})
    def guide(guide_id: str) -> dict:
        guides = bot().searcher.guides
        g = guides.get(guide_id) or next(  # or by either of the portal's ids for it
            (x for x in guides.values() if guide_id in (x.source.portal_guide_id, x.source.portal_index_id)),
            None,
        )
        if g is None:
            raise ApiError(404, f"没有编号为 {guide_id[:40]} 的办事指南。")
        return g.model_dump(mode="json")

    @api.get("/search", response_model=SearchResult, tags=["办事指南"])
    def search(q: Annotated[str, "query"], region: str | None = None, k: int = 5) -> SearchResult:
        if not q.strip() or len(q) > 200:
            raise ApiError(422, "检索词应为 1–200 个字。")
        if region is not None and len(region) > 20:
            raise ApiError(422, "地区名称应不超过 20 个字。")
        if not 1 <= k <= 20:
            raise ApiError(422, "k 应在 1–20 之间。")
        return bot().searcher.search(q, region=region, k=k)

    app.include_router(api)
    app.include_router(eligibility_router(bot, session_auth))
    app.include_router(forms_router(bot, session_auth))

    @app.get("/healthz", tags=["运维"])
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["运维"])
    def readyz() -> JSONResponse:
        try:
            b = bot()
        except Exception as exc:  # noqa: BLE001
            return JSONResponse({"code": "not_ready", "message": f"索引未就绪：{exc}"}, status_code=503)
        if not app.state.warmed.wait(timeout=10):
            return JSONResponse({"code": "not_ready", "message": "服务正在预热，请稍候。"}, status_code=503)
        return JSONResponse(
            {"status": "ready", "chunks": len(b.searcher.chunks), "guides": len(b.searcher.guides)}
        )

    app.include_router(metrics_router(metrics_, settings.metrics_token))

    if settings.console_enabled:
        from assistant.console.handlers import Console
        from assistant.console.ui import mount_console

        holder: dict[str, Console] = {}

        def console_factory() -> Console:
            if "console" not in holder:
                holder["console"] = Console(bot())
            return holder["console"]

        app.state.staff_auth = mount_console(app, console_factory, settings)

    app.mount("/widget", StaticFiles(directory=WIDGET_DIR), name="widget")
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_DIR), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="一件事助手 API 文档",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    @app.get("/", include_in_schema=False)
    def demo() -> FileResponse:
        return FileResponse(WIDGET_DIR / "demo.html")

    return app


def uvicorn_options(settings: Settings | None = None) -> dict:
    """X-Forwarded-For is believed only from the configured proxies (uvicorn's default trusts 127.0.0.1,
    so anyone on the machine could pick their own client address and escape the rate limit)."""
    trusted = (settings or get_settings()).trusted_proxies.strip()
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


def serve(host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    settings = get_settings()
    check_shared_secret(settings)
    if workers > 1 and not settings.rate_limit_storage and not settings.redis_url:
        # limits hold across the workers: their counters live in one file (inherited through the environment);
        # with a Redis URL they already live there (shared by every worker of every node)
        os.environ["ONETHING_RATE_LIMIT_STORAGE"] = f"onething-sqlite:///{settings.data_dir / 'ratelimit.db'}"
        get_settings.cache_clear()
    if workers > 1:  # separate processes share nothing but the database: sessions live in the store
        # one OpenMP thread per worker for the embedding engine, so N workers never oversubscribe the cores
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
        # metrics: each worker writes its values to files in one folder, /metrics sums them
        metrics_dir, created = prepare_multiprocess_dir()
        from assistant.api.workers import reuse_port_supported, serve_reuse_port

        try:
            if reuse_port_supported():
                serve_reuse_port(host, port, workers)
                return
            uvicorn.run(
                "assistant.api.app:create_app",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
                **uvicorn_options(),
            )
        finally:
            if created:
                shutil.rmtree(metrics_dir, ignore_errors=True)
    else:
        uvicorn.run(create_app(), host=host, port=port, log_level="warning", **uvicorn_options())


if __name__ == "__main__":  # pragma: no cover
    s = get_settings()
    serve(s.host, s.port)
