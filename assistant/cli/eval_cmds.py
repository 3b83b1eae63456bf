"""`onething eval`: run the offline evaluation suites, compare with the baseline, gate; eval drafts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.base import app, console, print_json
from assistant.config import get_settings

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
        f"已追加 {len(item['turns'])} 轮到 {DRAFTS_FILE}，请补全 expect 后移入 eval/dev/dialogs.jsonl。"
    )


@eval_app.callback()
def eval_cmd(
    ctx: typer.Context,
    suite: Annotated[
        str, typer.Option(help="retrieval | qa | dialog | eligibility | forms | fast | all | new-guide")
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
    split: Annotated[str, typer.Option(help="test（默认，未调参的留出集）| dev（可随意调参）| all")] = "test",
) -> None:
    """离线评测：检索、问答、多轮对话（及资格预审、表单），生成报告并与基线比较。"""
    if ctx.invoked_subcommand is not None:
        return
    if split not in ("dev", "test", "all"):
        console.print(f"[red]未知的 --split：{split}（可选 dev、test、all）[/red]")
        raise typer.Exit(2)
    from assistant.evaluation.datasets import EVAL_DIR

    if check:
        from assistant.evaluation.check import check_datasets

        result = check_datasets(get_settings())
        if as_json:
            print_json(result.model_dump())
        else:
            result.print(console)
        raise typer.Exit(1 if result.problems else 0)

    from assistant.evaluation.report import deltas, load_baseline, write_report
    from assistant.evaluation.report import save_baseline as write_baseline
    from assistant.evaluation.runner import run_suites

    report = run_suites(suite, mode=mode, progress=not as_json, llm_limit=llm_limit, split=split)  # type: ignore[arg-type]
    base = load_baseline(baseline or EVAL_DIR / f"baseline-{split}.json")
    out = write_report(report, EVAL_DIR / "reports", base)
    if save_baseline:
        write_baseline(report, EVAL_DIR / f"baseline-{split}.json")
    if as_json:
        print_json(
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
