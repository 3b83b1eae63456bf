"""The staff console (Gradio) and its login, mounted under /console of the FastAPI app."""

from __future__ import annotations

import html
import json
from urllib.parse import urlparse

import gradio as gr
import pandas as pd
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from assistant.console.auth import COOKIE, LockedOutError, StaffAuth
from assistant.console.handlers import Console
from assistant.ratelimit import Lockout

LOGIN_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>工作台登录</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>*{{box-sizing:border-box}}body{{font-family:sans-serif;max-width:360px;margin:12vh auto;padding:0 1em}}label{{display:block;margin:.8em 0 .2em}}
input{{width:100%;padding:.5em;font-size:1em}}button{{margin-top:1em;padding:.6em 1.4em;font-size:1em}}.err{{color:#b00}}</style>
</head><body><h1>一件事助手 · 工作台</h1><p class="err">{error}</p>
<form method="post" action="/console/login"><label for="u">用户名</label><input id="u" name="username" autocomplete="username" required>
<label for="p">密码</label><input id="p" name="password" type="password" autocomplete="current-password" required>
<button type="submit">登录</button></form></body></html>"""


def staff_of(request: gr.Request | None, auth: StaffAuth) -> str:
    cookie = request.cookies.get(COOKIE) if request is not None else None
    user = auth.user_from_cookie(cookie)
    if user is None:
        raise gr.Error("登录已过期，请重新登录。")
    return user


def build_blocks(console: Console, auth: StaffAuth) -> gr.Blocks:
    guide_ids = sorted(console.bot.searcher.guides)
    rule_matters = sorted(console.bot.eligibility.rulesets) if console.bot.eligibility else []
    form_matters = sorted(console.bot.forms.catalog.forms) if console.bot.forms else []

    with gr.Blocks(title="一件事助手 · 工作台") as demo:
        gr.Markdown("## 一件事助手 · 工作台")
        with gr.Tab("会话调试"):
            with gr.Row():
                q = gr.Textbox(label="以群众口吻提问", placeholder="例如：株洲开饭店要带什么材料", scale=4)
                region = gr.Textbox(label="地区（可选）", scale=1)
            sid = gr.State(None)
            ask = gr.Button("提问", variant="primary")
            answer = gr.Textbox(label="回答", lines=10)
            trace = gr.JSON(label="过程（事项排序、检索片段与得分、方面、地区、模式、校验、各阶段耗时）")
            new = gr.Button("新会话")

            def _ask(question, reg, session_id, request: gr.Request):
                staff_of(request, auth)
                out = console.debug_turn(question, reg, session_id)
                return out["answer"], out, out["session_id"]

            ask.click(_ask, [q, region, sid], [answer, trace, sid])
            q.submit(_ask, [q, region, sid], [answer, trace, sid])
            new.click(lambda: (None, "", None), None, [sid, answer, trace])

        with gr.Tab("知识库"):
            with gr.Row():
                search_box = gr.Textbox(label="搜索指南（名称、别名、编号）")
                gsel = gr.Dropdown(guide_ids, label="选择指南")
            table = gr.Dataframe(
                headers=["编号", "名称", "地区", "更新日期", "数据提示"], value=console.list_guides()
            )
            search_box.change(lambda s: console.list_guides(s), search_box, table)
            editor = gr.Code(label="指南 YAML（编辑后先校验再保存）", language="yaml", lines=24)
            gsel.change(lambda g: console.guide_yaml(g) if g else "", gsel, editor)
            save = gr.Button("校验并保存")
            status = gr.Markdown()

            def _save(g, text, request: gr.Request):
                user = staff_of(request, auth)
                try:
                    return console.save_guide_yaml(g, text, user)
                except Exception as exc:  # noqa: BLE001 - shown to staff as the reason
                    return f"❌ 未保存：{exc}"

            save.click(_save, [gsel, editor], status)
            upload = gr.File(
                label="导入：门户 JSON / Markdown 指南 / txt、html、pdf、docx 文档", file_count="multiple"
            )
            imported = gr.JSON(label="导入结果")

            def _import(files, request: gr.Request):
                user = staff_of(request, auth)
                return console.import_files([f if isinstance(f, str) else f.name for f in files or []], user)

            upload.upload(_import, upload, imported)
            reindex = gr.Button("重建索引（增量）")
            summary = gr.JSON(label="索引变化")

            def _reindex(request: gr.Request, progress=gr.Progress()):  # noqa: B008
                user = staff_of(request, auth)
                progress(0.1, desc="读取知识库")
                out = console.reindex(user)
                progress(1.0, desc="完成")
                return out

            reindex.click(_reindex, None, summary)

        with gr.Tab("资格预审"):
            em = gr.Dropdown(rule_matters, label="事项")
            ea = gr.Code(label="回答 JSON（问题 id → 回答）", language="json", value="{}")
            eb = gr.Button("预审")
            eo = gr.JSON(label="结果（下一题或结论、依据、材料清单）")
            eb.click(lambda m, a, request=None: console.eligibility(m, a), [em, ea], eo)

        with gr.Tab("表单"):
            fm = gr.Dropdown(form_matters, label="事项")
            ft = gr.Textbox(
                label="对话记录（每行一条；可带“用户：/助手：”“群众：/工作人员：”“Q：/A：”标记，只取群众的话作为来源）",
                lines=8,
            )
            fb = gr.Button("预填")
            fo = gr.JSON(label="表单 JSON、缺项与问题")
            fb.click(lambda m, t: console.form_from_transcript(m, t), [fm, ft], fo)

        with gr.Tab("评测"):
            suite = gr.Dropdown(
                ["fast", "retrieval", "qa", "dialog", "eligibility", "forms", "all"],
                value="fast",
                label="套件",
            )
            run = gr.Button("运行评测")
            eval_md = gr.Markdown()
            eval_json = gr.JSON(label="与基线的变化")

            def _run(s, request: gr.Request, progress=gr.Progress()):  # noqa: B008
                staff_of(request, auth)
                from assistant.evaluation.datasets import EVAL_DIR
                from assistant.evaluation.report import deltas, load_baseline, write_report
                from assistant.evaluation.runner import run_suites

                progress(0.05, desc="评测中…")
                report = run_suites(s, progress=False)
                base = load_baseline(EVAL_DIR / f"baseline-{report.split}.json")
                out = write_report(report, EVAL_DIR / "reports", base)
                md = (out / "report.md").read_text(encoding="utf-8")
                return md, deltas(report, base)

            run.click(_run, suite, [eval_md, eval_json])

        with gr.Tab("反馈与转人工"):
            refresh = gr.Button("刷新队列")
            queue = gr.Dataframe(
                headers=["类型", "编号", "会话", "内容（已脱敏）", "原因/评分", "状态", "时间"],
                value=console.queue(),
            )
            refresh.click(console.queue, None, queue)
            with gr.Row():
                qs = gr.Textbox(label="会话 ID")
                hid = gr.Number(label="工单编号", precision=0)
            with gr.Row():
                show = gr.Button("查看对话（脱敏）")
                reveal = gr.Button("显示原文（将记录审计）", variant="stop")
                handled = gr.Button("标记已处理")
                to_eval = gr.Button("生成评测草稿")
            conv = gr.JSON(label="对话")
            msg = gr.Markdown()

            def _show(s, request: gr.Request):
                return console.conversation(s, staff_of(request, auth), reveal=False)

            def _reveal(s, request: gr.Request):
                return console.conversation(s, staff_of(request, auth), reveal=True)

            def _handled(h, request: gr.Request):
                return console.mark_handled(int(h), staff_of(request, auth)), console.queue()

            def _to_eval(s, request: gr.Request):
                item = console.to_eval_draft(s, staff_of(request, auth))
                return f"已生成评测草稿（{len(item['turns'])} 轮），见 eval/drafts.jsonl"

            show.click(_show, qs, conv)
            reveal.click(_reveal, qs, conv)
            handled.click(_handled, hid, [msg, queue])
            to_eval.click(_to_eval, qs, msg)

        with gr.Tab("统计"):
            sbtn = gr.Button("刷新统计")
            per_day = gr.BarPlot(x="日期", y="会话数", title="每日会话数")
            top = gr.BarPlot(x="事项", y="次数", title="热门事项")
            trend = gr.LinePlot(x="日期", y="平均星级", title="评价趋势")
            gaps = gr.JSON(label="被拒答的问题（知识缺口）")

            def _stats(request: gr.Request):
                staff_of(request, auth)
                s = console.stats()
                return (
                    pd.DataFrame(s["per_day"], columns=["日期", "会话数"]),
                    pd.DataFrame(s["top_matters"], columns=["事项", "次数"]),
                    pd.DataFrame(s["rating_trend"], columns=["日期", "平均星级"]),
                    s["refused_questions"],
                )

            sbtn.click(_stats, None, [per_day, top, trend, gaps])
    return demo


# the console is never framed; its charts and Gradio's own code are served from this origin
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
_CONSOLE_HEADERS = {
    "content-security-policy": CONSOLE_CSP,
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def _same_origin(request: Request) -> bool:
    """A state-changing request from another site's page is refused (login CSRF, clickjacking helpers)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # not sent by a browser form on another page (curl, tests)
    return urlparse(origin).netloc == request.headers.get("host", "")


def mount_console(app: FastAPI, console_factory, settings) -> StaffAuth:
    """/console/login (form), /console/logout, and the Gradio app at /console/app behind the staff cookie."""
    store = console_factory().store
    revoked_cache: set[str] = set()  # an explicit cache: a revoked session never becomes valid again

    def revoked(sid: str) -> bool:
        if sid in revoked_cache:
            return True
        if sid and store.audited("logout", sid):
            revoked_cache.add(sid)
            return True
        return not sid  # cookies from before sessions had ids are not accepted

    sessions = None
    if settings.redis_url:  # several nodes: a logout on one must hold on all of them
        from assistant.console.sessions import RedisSessions

        sessions = RedisSessions(settings.redis_url)
    auth = StaffAuth(
        settings.staff_accounts,
        settings.console_secret,
        lockout=Lockout(settings.limits_storage),
        revoked=revoked,
        sessions=sessions,
    )

    def set_cookie(resp, token: str) -> None:
        resp.set_cookie(
            COOKIE,
            token,
            max_age=auth.session_seconds,
            httponly=True,
            samesite="strict",
            secure=settings.console_cookie_secure,
            path="/console",
        )

    @app.get("/console", include_in_schema=False)
    def console_root(request: Request):
        if auth.user_from_cookie(request.cookies.get(COOKIE)):
            return RedirectResponse("/console/app/", status_code=303)
        return RedirectResponse("/console/login", status_code=303)

    @app.get("/console/login", include_in_schema=False, response_class=HTMLResponse)
    def login_page() -> str:
        note = (
            ""
            if auth.accounts
            else "尚未配置工作台账号：设置 ONETHING_STAFF_ACCOUNTS（onething staff-hash 生成）。"
        )
        return LOGIN_PAGE.format(error=html.escape(note))

    @app.post("/console/login", include_in_schema=False)
    def login(
        request: Request, username: str = Form(..., max_length=64), password: str = Form(..., max_length=256)
    ):
        address = request.client.host if request.client else ""
        try:
            token = auth.login(username, password, address)
        except LockedOutError:
            store.audit(username[:64], "login_locked", address)
            return HTMLResponse(
                LOGIN_PAGE.format(error="登录失败次数过多，已暂时锁定，请 15 分钟后再试。"), status_code=429
            )
        if token is None:
            store.audit(username[:64], "login_failed", address)
            return HTMLResponse(LOGIN_PAGE.format(error="用户名或密码错误。"), status_code=401)
        store.audit(username, "login", address)
        resp = RedirectResponse("/console/app/", status_code=303)
        set_cookie(resp, token)
        return resp

    @app.get("/console/logout", include_in_schema=False)
    def logout(request: Request):
        found = auth.session_of(request.cookies.get(COOKIE))
        if found is not None:  # the session ends on the server too: the old cookie is refused from now on
            store.audit(found[0], "logout", found[1])
            revoked_cache.add(found[1])
            auth.end_session(found[1])
        resp = RedirectResponse("/console/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/console")
        return resp

    @app.middleware("http")
    async def require_staff(request: Request, call_next):
        path = request.url.path
        if not path.startswith("/console"):
            return await call_next(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            resp = HTMLResponse(
                json.dumps({"code": "forbidden", "message": "拒绝来自其他网站的请求。"}, ensure_ascii=False),
                status_code=403,
                media_type="application/json",
            )
        elif path.startswith("/console/app") and not auth.user_from_cookie(request.cookies.get(COOKIE)):
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                resp = RedirectResponse("/console/login", status_code=303)
            else:
                resp = HTMLResponse(
                    json.dumps({"code": "unauthorized", "message": "请先登录工作台。"}, ensure_ascii=False),
                    status_code=401,
                    media_type="application/json",
                )
        else:
            resp = await call_next(request)
        for k, v in _CONSOLE_HEADERS.items():
            resp.headers[k] = v
        return resp

    blocks = build_blocks(console_factory(), auth)
    gr.mount_gradio_app(app, blocks, path="/console/app")
    return auth
