"""Run eval suites, compare with thresholds, and print a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from assistant.evaluation.datasets import EVAL_DIR
from assistant.evaluation.retrieval_eval import RetrievalScores, evaluate_retrieval
from assistant.retrieval.search import get_searcher

SUITES = {"retrieval": ["retrieval"], "fast": ["retrieval"], "all": ["retrieval"]}


class EvalReport(BaseModel):
    retrieval: list[RetrievalScores] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)
    thresholds: dict[str, Any] = Field(default_factory=dict)

    def print(self, console: Console) -> None:
        if self.retrieval:
            t = Table("检索方式", "题数", "事项 hit@1", "hit@3", "hit@5", "MRR", "nDCG@5", "章节 hit@3", "p50 ms", "p95 ms", title="检索评测")
            for r in self.retrieval:
                t.add_row(
                    r.mode, str(r.n), f"{r.matter_hit_at_1:.3f}", f"{r.matter_hit_at_3:.3f}", f"{r.matter_hit_at_5:.3f}",
                    f"{r.mrr:.3f}", f"{r.ndcg_at_5:.3f}", f"{r.section_hit_at_3:.3f}", f"{r.latency_p50_ms:.1f}", f"{r.latency_p95_ms:.1f}",
                )
            console.print(t)
            hybrid = next((r for r in self.retrieval if r.mode == "hybrid"), None)
            if hybrid and hybrid.misses:
                console.print("混合检索未排第一的问题：")
                for m in hybrid.misses[:15]:
                    console.print(f"  {m['id']} {m['question']}  期望 {m['gold']} 实得 {m['got']}")
        for f in self.failures:
            console.print(f"[red]未达标：{f}[/red]")


def load_thresholds(path: Path | None = None) -> dict[str, Any]:
    path = path or EVAL_DIR / "thresholds.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.exists() else {}


def run_suites(suite: str, progress: bool = True) -> EvalReport:
    names = SUITES.get(suite, [suite])
    report = EvalReport(thresholds=load_thresholds())
    if "retrieval" in names:
        searcher = get_searcher()
        for mode in ("dense", "bm25", "hybrid"):
            report.retrieval.append(evaluate_retrieval(searcher, mode=mode))
        hybrid = report.retrieval[-1]
        for metric, minimum in (report.thresholds.get("retrieval") or {}).items():
            value = getattr(hybrid, metric)
            if value < minimum:
                report.failures.append(f"retrieval.{metric} = {value:.4f} < 阈值 {minimum}")
    return report
