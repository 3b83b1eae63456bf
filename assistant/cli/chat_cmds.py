"""`onething ask|chat|check|form`: a citizen's turn, a terminal chat, eligibility and form filling."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.base import app, console, print_json
from assistant.config import get_settings


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
    from assistant.dialog import InputError
    from assistant.services import build_assistant

    bot = build_assistant()
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
        print_json(ans.model_dump())
    else:
        _print_answer(ans)
        console.print(f"[dim]会话：{sid}（用 --session {sid} 接着问）[/dim]")


@app.command()
def chat(region: Annotated[str | None, typer.Option(help="地区，如 长沙市")] = None) -> None:
    """在终端里连续对话（输入 exit 退出）。"""
    from assistant.dialog import InputError
    from assistant.services import build_assistant

    bot = build_assistant()
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
def check(
    matter_code: Annotated[str, typer.Argument(help="事项编码，如 43TCN0008")],
    answers: Annotated[
        Path | None, typer.Option(help="回答 JSON 文件（问题 id → 回答）；不给则交互式逐题询问")
    ] = None,
    region: Annotated[str | None, typer.Option(help="地区")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """资格预审：逐题询问（或按给定回答）判断能否办理，并给出个人材料清单。"""
    from assistant.retrieval.search import get_searcher
    from assistant.services import load_eligibility_engine

    settings = get_settings()
    searcher = get_searcher(settings)
    engine = load_eligibility_engine(settings, searcher)
    if engine is None or not engine.has_rules(matter_code):
        console.print(f"[red]事项 {matter_code} 暂无资格预审规则。[/red]")
        raise typer.Exit(2)
    reg = searcher.registry.find_by_name(region) if region else None
    guide, _ = searcher.guide_for_region(matter_code, reg.code if reg else None)
    if answers is not None:
        given = json.loads(answers.read_text(encoding="utf-8"))
        step, asked = engine.evaluate_answers(matter_code, given, guide)
        if as_json:
            print_json(step.model_dump(mode="json") | {"questions_asked": asked})
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
        print_json(step.model_dump(mode="json"))


@app.command()
def form(
    matter_code: Annotated[str, typer.Argument(help="事项编码，如 43PCN0009")],
    from_file: Annotated[
        Path,
        typer.Option(
            "--from", help="对话记录文本文件，每行一条；可带“用户：/助手：”等说话人标记，只取群众的话"
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """一表申请：从对话记录预填申请表，输出表单 JSON 与缺项、错误。"""
    from assistant.services import load_form_service

    settings = get_settings()
    service = load_form_service(settings)
    if service is None or not service.has_form(matter_code):
        console.print(f"[red]事项 {matter_code} 暂无申请表定义。[/red]")
        raise typer.Exit(2)
    lines = [ln.strip() for ln in from_file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    draft = service.build(matter_code, lines)
    from assistant.retrieval.search import get_searcher

    guide, _ = get_searcher(settings).guide_for_region(matter_code, None)
    report = service.report(draft, guide)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print_json(json.dumps(report.data, ensure_ascii=False))
    for i in report.invalid:
        console.print(f"[red]✗ {i.label}：{i.problem}[/red]")
    for m in report.missing:
        console.print(f"[yellow]缺 {m.label}：{m.question}[/yellow]")
