"""`onething schema|ingest|index|search|calibrate`: the knowledge base and its index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assistant.cli.base import app, console, print_json
from assistant.config import get_settings


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
    self_check: Annotated[
        bool,
        typer.Option(
            "--self-check/--no-self-check",
            help="导入后更新索引，并检查每份新指南能否被自己的联办事项和章节名找到",
        ),
    ] = True,
    compare: Annotated[
        bool,
        typer.Option("--check", help="不导入：把知识库里的指南 YAML 与门户原文逐字段比较，列出所有不同之处"),
    ] = False,
) -> None:
    """导入办事指南或参考文档到知识库；坏文件报告原因，其余照常导入。"""
    from assistant.guides.ingest import ingest as run_ingest

    settings = get_settings()
    if compare:
        _report_drift(paths, settings.knowledge_dir, as_json)
        return
    check = self_check
    results = run_ingest(paths, settings.knowledge_dir)
    failed = [r for r in results if r.status == "failed"]
    checks = []
    guide_ids = [r.id for r in results if r.status == "imported" and r.kind != "document" and r.id]
    if check and guide_ids:
        from assistant.retrieval.index import build_index
        from assistant.retrieval.search import Searcher
        from assistant.retrieval.selfcheck import route_check

        build_index(settings)
        searcher = Searcher(settings)
        checks = [route_check(searcher, searcher.guides[g]) for g in guide_ids if g in searcher.guides]
    if as_json:
        print_json(
            {
                "results": [r.model_dump() for r in results],
                "imported": len(results) - len(failed),
                "failed": len(failed),
                "self_check": [c.model_dump() for c in checks],
            }
        )
    else:
        table = Table("文件", "结果", "类型", "编号 / 原因")
        for r in results:
            table.add_row(
                Path(r.path).name, "✓ 导入" if r.status == "imported" else "✗ 失败", r.kind, r.id or r.error
            )
        console.print(table)
        console.print(f"导入 {len(results) - len(failed)} 个，失败 {len(failed)} 个。")
        for c in checks:
            console.print(f"自检 {c.guide_id}：{c.routed}/{c.probes} 个联办事项名和章节名找到了这份指南")
            for m in c.misses[:8]:
                console.print(f"  [yellow]未找到：{m}[/yellow]", markup=True)
        if not checks:
            console.print("运行 onething index 更新索引。")
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
        print_json(summary.model_dump())
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
        print_json(res.model_dump())
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


@app.command()
def calibrate(
    max_false_refusal: Annotated[float, typer.Option(help="校准集上允许的误拒比例")] = 0.02,
    new_guides: Annotated[
        bool,
        typer.Option(
            help="在范围内的题再按“所属指南刚导入、没有别名”各读一遍（每个事项重建一次索引，约 3 分钟）；"
            "第八轮在开发集上试过：拒答召回下降，默认不用（见 README“新导入的指南”）"
        ),
    ] = False,
) -> None:
    """用 eval/calibration.jsonl 拟合“是否在知识范围内”的判定，写入 knowledge/scope.yaml。"""
    from assistant.answer.scope import calibrate as run_calibrate
    from assistant.answer.scope_new_guides import uncurated_rows
    from assistant.evaluation.datasets import EVAL_DIR
    from assistant.retrieval.search import get_searcher

    settings = get_settings()
    params, report = run_calibrate(
        get_searcher(settings),
        EVAL_DIR / "calibration.jsonl",
        settings.knowledge_dir / "scope.yaml",
        max_false_refusal,
        (lambda about: uncurated_rows(settings, about, lambda c: console.print(f"未整理导入：{c}")))
        if new_guides
        else None,
    )
    console.print(params.model_dump())
    console.print(report)


def _report_drift(paths: list[Path], knowledge_dir: Path, as_json: bool) -> None:
    from assistant.guides.drift import drift

    found, missing = drift(paths, knowledge_dir)
    if as_json:
        print_json({"differences": [d.model_dump() for d in found], "not_imported": missing})
    else:
        table = Table("指南", "字段", "知识库 YAML", "门户原文")
        for d in found:
            table.add_row(d.guide_id, d.field, d.in_yaml[:60], d.in_portal[:60])
        if found:
            console.print(table)
        for m in missing:
            console.print(f"[yellow]尚未导入：{m}[/yellow]")
        console.print(f"与门户原文不同的字段 {len(found)} 个；尚未导入的门户文件 {len(missing)} 个。")
    if found or missing:
        raise typer.Exit(1)
