"""Dataset hygiene: every eval item refers to real matters, its key points occur in the guide, no duplicates."""

from __future__ import annotations

import json
from collections import Counter

from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from assistant.answer.composer import ASPECT_TO_SECTION
from assistant.config import Settings
from assistant.evaluation.datasets import (
    EVAL_DIR,
    DatasetError,
    DialogItem,
    QAItem,
    RefusalItem,
    RetrievalItem,
    read_jsonl,
)
from assistant.guides.loader import load_guides
from assistant.guides.regions import RegionRegistry
from assistant.guides.schema import MatterGuide
from assistant.text.matching import contains


class CheckResult(BaseModel):
    counts: dict[str, int] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)
    coverage: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="matter -> aspect/section -> items"
    )

    def print(self, console: Console) -> None:
        console.print("评测集条目数：", self.counts)
        t = Table(
            "事项", *sorted({a for v in self.coverage.values() for a in v}), title="覆盖情况（事项 × 方面）"
        )
        aspects = sorted({a for v in self.coverage.values() for a in v})
        for code, row in sorted(self.coverage.items()):
            t.add_row(code, *[str(row.get(a, 0)) for a in aspects])
        console.print(t)
        if self.problems:
            console.print(f"[red]发现 {len(self.problems)} 个问题：[/red]")
            for p in self.problems[:100]:
                console.print(f"  - {p}")
        else:
            console.print("[green]评测集检查通过。[/green]")


def _guide_text(g: MatterGuide) -> str:
    return json.dumps(g.model_dump(mode="json"), ensure_ascii=False)


def check_datasets(settings: Settings) -> CheckResult:
    guides, errors = load_guides(settings.guides_dir)
    registry = RegionRegistry.load(settings.knowledge_dir / "regions.yaml")
    by_code: dict[str, list[MatterGuide]] = {}
    for g in guides:
        by_code.setdefault(g.matter_code, []).append(g)
    result = CheckResult(problems=[str(e) for e in errors])
    coverage: dict[str, Counter] = {}

    def load(name: str, model):
        try:
            return read_jsonl(EVAL_DIR / name, model)
        except (DatasetError, FileNotFoundError) as exc:
            result.problems.append(str(exc))
            return []

    def guide_for(code: str, region: str | None) -> MatterGuide | None:
        options = by_code.get(code, [])
        if region:
            reg = registry.find_by_name(region)
            options = [g for g in options if reg and g.region_code == reg.code] or options
        return options[0] if options else None

    seen_ids: set[str] = set()
    seen_q: dict[str, str] = {}

    def unique(item_id: str, question: str, where: str) -> None:
        if item_id in seen_ids:
            result.problems.append(f"{where} {item_id}: id 重复")
        seen_ids.add(item_id)
        key = question.strip()
        if key in seen_q and seen_q[key] != where:
            pass  # the same question in two different files is allowed (e.g. retrieval and QA)
        elif key in seen_q:
            result.problems.append(f"{where} {item_id}: 问题与 {key[:20]}… 重复")
        seen_q[key] = where

    for it in load("retrieval.jsonl", RetrievalItem):
        unique(it.id, it.question, "retrieval.jsonl")
        if it.matter_code not in by_code:
            result.problems.append(f"retrieval.jsonl {it.id}: 事项 {it.matter_code} 不存在")
        if it.section not in {s.value for s in ASPECT_TO_SECTION.values()}:
            result.problems.append(f"retrieval.jsonl {it.id}: 未知章节 {it.section}")
        coverage.setdefault(it.matter_code, Counter())[f"r:{it.section}"] += 1
    qa = load("qa.jsonl", QAItem)
    for it in qa:
        unique(it.id, it.question, "qa.jsonl")
        g = guide_for(it.matter_code, it.region)
        if g is None:
            result.problems.append(f"qa.jsonl {it.id}: 事项 {it.matter_code} 不存在")
            continue
        text = _guide_text(g)
        for kp in it.key_points:
            days = kp.removesuffix("个工作日")
            if kp.endswith("个工作日") and days.replace(".", "").isdigit():
                allowed = {g.promised_days, *[lm.promised_days for lm in g.linked_matters]}
                if float(days) not in {float(a) for a in allowed if a is not None}:
                    result.problems.append(f"qa.jsonl {it.id}: 时限要点“{kp}”与指南 {g.id} 不符")
            elif not contains(text, kp):
                result.problems.append(f"qa.jsonl {it.id}: 要点“{kp}”不在指南 {g.id} 中")
        for mn in it.must_not:
            if contains(text, mn):
                result.problems.append(f"qa.jsonl {it.id}: 禁止出现的“{mn}”其实在指南 {g.id} 中")
        coverage.setdefault(it.matter_code, Counter())[f"q:{it.aspect}"] += 1
    for it in load("qa_refusal.jsonl", RefusalItem):
        unique(it.id, it.question, "qa_refusal.jsonl")
    for d in load("dialogs.jsonl", DialogItem):
        unique(d.id, " / ".join(t.user for t in d.turns), "dialogs.jsonl")
        for i, t in enumerate(d.turns, 1):
            e = t.expect
            if e.matter_code and e.matter_code not in by_code:
                result.problems.append(f"dialogs.jsonl {d.id} 第{i}轮: 事项 {e.matter_code} 不存在")
            if e.refuse and (e.matter_code or e.key_points):
                result.problems.append(f"dialogs.jsonl {d.id} 第{i}轮: 拒答轮不应带事项或要点")
            if (
                e.clarify_region
                and e.matter_code
                and len(
                    {
                        registry.lineage(g.region_code)[-2].code
                        if len(registry.lineage(g.region_code)) > 1
                        else g.region_code
                        for g in by_code.get(e.matter_code, [])
                    }
                )
                < 2
            ):
                result.problems.append(f"dialogs.jsonl {d.id} 第{i}轮: 事项只有一个地区，不应追问地区")
            if e.key_points and e.matter_code:
                g = guide_for(e.matter_code, e.region)
                if g:
                    for kp in e.key_points:
                        if not kp.endswith("个工作日") and not contains(_guide_text(g), kp):
                            result.problems.append(
                                f"dialogs.jsonl {d.id} 第{i}轮: 要点“{kp}”不在指南 {g.id} 中"
                            )
    result.counts = {
        "retrieval": sum(1 for _ in (EVAL_DIR / "retrieval.jsonl").open(encoding="utf-8")),
        "qa": len(qa),
        "refusal": sum(1 for _ in (EVAL_DIR / "qa_refusal.jsonl").open(encoding="utf-8")),
        "dialogs": sum(1 for _ in (EVAL_DIR / "dialogs.jsonl").open(encoding="utf-8")),
    }
    result.coverage = {k: dict(v) for k, v in coverage.items()}
    return result
