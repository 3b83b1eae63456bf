"""The `onething` command: ingest, index, search, eval, ask, chat, serve."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.config import get_settings

app = typer.Typer(
    help="一件事助手：办事指南知识库、检索、问答与评测", no_args_is_help=True, add_completion=False
)
console = Console(width=160)


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


@app.command()
def schema(out: Annotated[Path | None, typer.Option(help="输出路径")] = None) -> None:
    """导出 MatterGuide 的 JSON Schema（供知识编辑使用）。"""
    from assistant.guides.schema import MatterGuide

    target = out or get_settings().knowledge_dir / "schema.json"
    target.write_text(
        json.dumps(MatterGuide.model_json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    console.print(f"已写入 {target}")


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="文件或目录：项目 YAML/JSON、门户 JSON、Markdown、txt/html/pdf/docx")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """导入办事指南或参考文档到知识库；坏文件报告原因，其余照常导入。"""
    from assistant.guides.ingest import ingest as run_ingest

    settings = get_settings()
    results = run_ingest(paths, settings.knowledge_dir)
    failed = [r for r in results if r.status == "failed"]
    if as_json:
        _print_json(
            {
                "results": [r.model_dump() for r in results],
                "imported": len(results) - len(failed),
                "failed": len(failed),
            }
        )
    else:
        table = Table("文件", "结果", "类型", "编号 / 原因")
        for r in results:
            table.add_row(
                Path(r.path).name, "✓ 导入" if r.status == "imported" else "✗ 失败", r.kind, r.id or r.error
            )
        console.print(table)
        console.print(
            f"导入 {len(results) - len(failed)} 个，失败 {len(failed)} 个。运行 onething index 更新索引。"
        )
    raise typer.Exit(1 if failed else 0)


@app.command()
def index(
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    force: Annotated[bool, typer.Option("--force", help="全部重新向量化")] = False,
) -> None:
    """构建或增量更新检索索引（仅重新向量化有变化的指南）。"""
    from assistant.retrieval.index import build_index

    summary = build_index(get_settings(), progress=not as_json, force=force)
    if as_json:
        _print_json(summary.model_dump())
        return
    if not summary.rebuilt:
        console.print(
            f"索引无变化（{summary.chunks} 段，{summary.unchanged} 个来源），用时 {summary.seconds}s"
        )
    else:
        console.print(
            f"索引已更新：新增 {len(summary.added)}，变更 {len(summary.changed)}，删除 {len(summary.removed)}，"
            f"未变 {summary.unchanged}；共 {summary.chunks} 段，本次向量化 {summary.embedded_chunks} 段，用时 {summary.seconds}s"
        )
        for label, ids in (("新增", summary.added), ("变更", summary.changed), ("删除", summary.removed)):
            if ids and len(ids) <= 10:
                console.print(f"  {label}：{'、'.join(ids)}")
    for e in summary.errors:
        console.print(f"[red]跳过无效文件：{e}[/red]")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="问题")],
    region: Annotated[str | None, typer.Option(help="地区：名称或代码，如 长沙 / 430100 / 芙蓉区")] = None,
    k: Annotated[int, typer.Option(help="返回条数")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """检索：返回章节命中与事项排序（含置信度）。"""
    from assistant.guides.schema import SECTION_LABELS, Section
    from assistant.retrieval.search import search as run_search

    res = run_search(query, region=region, k=k)
    if as_json:
        _print_json(res.model_dump())
        return
    console.print(
        f"地区：{res.region_name or '未指定'}  置信度：{res.confidence:.2f}  用时 {res.timings_ms.get('total', 0):.1f}ms"
    )
    mt = Table("事项", "编码", "地区", "得分", "置信度")
    for m in res.matters[:5]:
        mt.add_row(
            m.name,
            m.matter_code,
            m.region_name + ("（回退）" if m.region_fallback else ""),
            f"{m.score:.3f}",
            f"{m.confidence:.2f}",
        )
    console.print(mt)
    ht = Table("章节", "指南", "得分", "摘要")
    for h in res.hits:
        ht.add_row(SECTION_LABELS[Section(h.section)], h.guide_id, f"{h.score:.3f}", h.snippet[:60])
    console.print(ht)


def main() -> None:  # pragma: no cover
    app()


eval_app = typer.Typer(help="离线评测", invoke_without_command=True, no_args_is_help=False)
app.add_typer(eval_app, name="eval")


@eval_app.command("add-from-session")
def eval_add_from_session(session_id: Annotated[str, typer.Argument(help="会话 ID")]) -> None:
    """把一段已存储的对话（例如差评的回答）变成评测草稿，追加到 eval/drafts.jsonl。"""
    from assistant.evaluation.drafts import DRAFTS_FILE, draft_from_session
    from assistant.store import get_store

    try:
        item = draft_from_session(get_store(get_settings().db_url), session_id)
    except LookupError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(
        f"已追加 {len(item['turns'])} 轮到 {DRAFTS_FILE}，请补全 expect 后移入 eval/dialogs.jsonl。"
    )


@eval_app.callback()
def eval_cmd(
    ctx: typer.Context,
    suite: Annotated[
        str, typer.Option(help="retrieval | qa | dialog | eligibility | forms | fast | all")
    ] = "all",
    mode: Annotated[str, typer.Option(help="composer | llm | both")] = "composer",
    baseline: Annotated[Path | None, typer.Option(help="基线 JSON；默认 eval/baseline.json")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    gate: Annotated[
        bool, typer.Option("--gate", help="低于 eval/thresholds.yaml 的阈值时以非零退出")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="只检查评测集本身（引用的事项、要点、重复、格式）")
    ] = False,
    save_baseline: Annotated[
        bool, typer.Option("--save-baseline", help="把本次结果写成 eval/baseline.json")
    ] = False,
    llm_limit: Annotated[int, typer.Option(help="LLM 模式抽样评测的问答题数（本地模型每题数秒）")] = 40,
) -> None:
    """离线评测：检索、问答、多轮对话（及资格预审、表单），生成报告并与基线比较。"""
    if ctx.invoked_subcommand is not None:
        return
    from assistant.evaluation.datasets import EVAL_DIR

    if check:
        from assistant.evaluation.check import check_datasets

        result = check_datasets(get_settings())
        if as_json:
            _print_json(result.model_dump())
        else:
            result.print(console)
        raise typer.Exit(1 if result.problems else 0)

    from assistant.evaluation.report import deltas, load_baseline, write_report
    from assistant.evaluation.report import save_baseline as write_baseline
    from assistant.evaluation.runner import run_suites

    report = run_suites(suite, mode=mode, progress=not as_json, llm_limit=llm_limit)
    base = load_baseline(baseline or EVAL_DIR / "baseline.json")
    out = write_report(report, EVAL_DIR / "reports", base)
    if save_baseline:
        write_baseline(report, EVAL_DIR / "baseline.json")
    if as_json:
        _print_json(
            report.model_dump(exclude={"qa": {"__all__": {"latencies_ms"}}})
            | {"report_dir": str(out), "deltas": deltas(report, base)}
        )
    else:
        report.print(console)
        worse = [d for d in deltas(report, base) if d["verdict"] == "变差"]
        if base:
            console.print(
                f"与基线相比：{len(worse)} 项变差"
                + ("：" + "；".join(f"{d['metric']} {d['delta']:+}" for d in worse[:10]) if worse else "")
            )
        console.print(f"报告：{out}/report.html")
    if gate and report.failures:
        raise typer.Exit(1)


def _print_answer(ans) -> None:
    console.print(ans.text, markup=False, highlight=False)
    if ans.citations:
        cites = "；".join(
            f"{c.guide_name}（{c.region_name}）·{c.section_label}·{c.updated_at}" for c in ans.citations[:3]
        )
        console.print(f"[dim]引用：{cites}[/dim]")
    if ans.suggestions:
        console.print("[dim]可以接着问：" + " | ".join(s.label for s in ans.suggestions) + "[/dim]")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题")],
    region: Annotated[str | None, typer.Option(help="地区，如 长沙市")] = None,
    session: Annotated[str | None, typer.Option(help="会话 ID：接着之前的对话问")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """问一个问题（一轮），打印回答与引用。"""
    from assistant.dialog import Assistant, InputError

    bot = Assistant()
    sid = session
    if sid:
        bot.store.ensure_session(sid)
    else:
        sid, _ = bot.new_session()
    try:
        ans = bot.respond(sid, question, region=region)
    except InputError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        _print_json(ans.model_dump())
    else:
        _print_answer(ans)
        console.print(f"[dim]会话：{sid}（用 --session {sid} 接着问）[/dim]")


@app.command()
def chat(region: Annotated[str | None, typer.Option(help="地区，如 长沙市")] = None) -> None:
    """在终端里连续对话（输入 exit 退出）。"""
    from assistant.dialog import Assistant, InputError

    bot = Assistant()
    sid, _ = bot.new_session()
    console.print("一件事助手：请问要办什么事？（输入 exit 退出）")
    while True:
        try:
            text = console.input("[bold]您：[/bold]")
        except (EOFError, KeyboardInterrupt):
            break
        if text.strip().lower() in ("exit", "quit", "退出"):
            break
        try:
            _print_answer(bot.respond(sid, text, region=region))
        except InputError as exc:
            console.print(f"[red]{exc}[/red]")


@app.command()
def calibrate(
    max_false_refusal: Annotated[float, typer.Option(help="校准集上允许的误拒比例")] = 0.02,
) -> None:
    """用 eval/calibration.jsonl 拟合“是否在知识范围内”的判定，写入 knowledge/scope.yaml。"""
    from assistant.answer.scope import calibrate as run_calibrate
    from assistant.evaluation.datasets import EVAL_DIR
    from assistant.retrieval.search import get_searcher

    settings = get_settings()
    params, report = run_calibrate(
        get_searcher(settings),
        EVAL_DIR / "calibration.jsonl",
        settings.knowledge_dir / "scope.yaml",
        max_false_refusal,
    )
    console.print(params.model_dump())
    console.print(report)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="端口")] = None,
    workers: Annotated[int, typer.Option(help="工作进程数")] = 1,
) -> None:
    """启动服务：网页挂件演示页、API（/api/v1）、工作台（/console）。"""
    from assistant.api.app import serve as run

    settings = get_settings()
    h, p = host or settings.host, port or settings.port
    if workers > 1 and settings.console_enabled:
        console.print(
            "[yellow]注意：工作台（Gradio）的页面状态在各进程内，多进程时请求可能落到不同进程。"
            "建议 API 多进程运行时设 ONETHING_CONSOLE_ENABLED=false，另用单进程启动工作台：\n"
            "  ONETHING_CONSOLE_SECRET=… onething serve --workers 1 --port 8001[/yellow]"
        )
    console.print(
        f"一件事助手已启动：http://{h}:{p}/  （挂件演示页）  接口文档 http://{h}:{p}/docs  工作台 http://{h}:{p}/console"
    )
    run(h, p, workers)


@app.command()
def check(
    matter_code: Annotated[str, typer.Argument(help="事项编码，如 43TCN0008")],
    answers: Annotated[
        Path | None, typer.Option(help="回答 JSON 文件（问题 id → 回答）；不给则交互式逐题询问")
    ] = None,
    region: Annotated[str | None, typer.Option(help="地区")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """资格预审：逐题询问（或按给定回答）判断能否办理，并给出个人材料清单。"""
    from assistant.dialog import _load_engine
    from assistant.retrieval.search import get_searcher

    settings = get_settings()
    searcher = get_searcher(settings)
    engine = _load_engine(settings, searcher)
    if engine is None or not engine.has_rules(matter_code):
        console.print(f"[red]事项 {matter_code} 暂无资格预审规则。[/red]")
        raise typer.Exit(2)
    reg = searcher.registry.find_by_name(region) if region else None
    guide, _ = searcher.guide_for_region(matter_code, reg.code if reg else None)
    if answers is not None:
        given = json.loads(answers.read_text(encoding="utf-8"))
        step, asked = engine.evaluate_answers(matter_code, given, guide)
        if as_json:
            _print_json(step.model_dump(mode="json") | {"questions_asked": asked})
        else:
            console.print(step.text, markup=False)
        raise typer.Exit(0 if step.kind == "result" else 3)
    state, step = engine.start(matter_code, guide)
    while True:
        console.print(step.text, markup=False)
        if step.kind == "result":
            break
        try:
            text = console.input("[bold]您的回答：[/bold]")
        except (EOFError, KeyboardInterrupt):
            raise typer.Exit(1) from None
        step = engine.reply(state, text, guide)
    if as_json:
        _print_json(step.model_dump(mode="json"))


@app.command()
def form(
    matter_code: Annotated[str, typer.Argument(help="事项编码，如 43PCN0009")],
    from_file: Annotated[Path, typer.Option("--from", help="对话记录文本文件，每行一条群众消息")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """一表申请：从对话记录预填申请表，输出表单 JSON 与缺项、错误。"""
    from assistant.dialog import _load_forms

    settings = get_settings()
    service = _load_forms(settings)
    if service is None or not service.has_form(matter_code):
        console.print(f"[red]事项 {matter_code} 暂无申请表定义。[/red]")
        raise typer.Exit(2)
    lines = [ln.strip() for ln in from_file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    draft = service.build(matter_code, lines)
    from assistant.retrieval.search import get_searcher

    guide, _ = get_searcher(settings).guide_for_region(matter_code, None)
    report = service.report(draft, guide)
    if as_json:
        _print_json(report.model_dump(mode="json"))
        return
    console.print_json(json.dumps(report.data, ensure_ascii=False))
    for i in report.invalid:
        console.print(f"[red]✗ {i.label}：{i.problem}[/red]")
    for m in report.missing:
        console.print(f"[yellow]缺 {m.label}：{m.question}[/yellow]")


@app.command("staff-hash")
def staff_hash(user: Annotated[str, typer.Argument(help="工作人员用户名")]) -> None:
    """生成工作台账号配置（输入密码，输出 ONETHING_STAFF_ACCOUNTS 的一项）。"""
    from assistant.console.auth import hash_password

    password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    console.print(f"{user}:{hash_password(password)}")


@app.command()
def purge(
    days: Annotated[int | None, typer.Option(help="删除超过该天数未活动的会话；默认按配置")] = None,
) -> None:
    """按保留期限删除个人数据（会话、消息、草稿、评价、转人工记录）。"""
    from assistant.store import get_store

    settings = get_settings()
    n = get_store(settings.db_url).purge_older_than(days if days is not None else settings.retention_days)
    console.print(f"已删除 {n} 个过期会话。")
