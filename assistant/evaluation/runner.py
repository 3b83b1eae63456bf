"""Run eval suites, compare with thresholds and a baseline, and print a summary table."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from assistant.evaluation.datasets import EVAL_DIR, Split
from assistant.evaluation.dialog_eval import DialogScores, evaluate_dialogs
from assistant.evaluation.multi_eval import MultiAspectScores, evaluate_qa_multi
from assistant.evaluation.own_data_eval import OwnDataScores, evaluate_own_data
from assistant.evaluation.qa_eval import QAScores, evaluate_qa
from assistant.evaluation.retrieval_eval import RetrievalScores, evaluate_retrieval

SUITES: dict[str, list[str]] = {
    "retrieval": ["retrieval"],
    "qa": ["qa"],
    "dialog": ["dialog"],
    "eligibility": ["eligibility"],
    "forms": ["forms"],
    "fast": ["retrieval", "qa", "dialog"],
    "all": ["retrieval", "qa", "dialog", "eligibility", "forms"],
    "new-guide": ["new_guide"],
}


class EvalReport(BaseModel):
    started_at: str = ""
    split: str = "test"
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    suites: list[str] = Field(default_factory=list)
    modes: list[str] = Field(default_factory=list)
    retrieval: list[RetrievalScores] = Field(default_factory=list)
    qa: list[QAScores] = Field(default_factory=list)
    qa_multi: list[MultiAspectScores] = Field(default_factory=list)
    own_data: list[OwnDataScores] = Field(default_factory=list)
    dialog: list[DialogScores] = Field(default_factory=list)
    eligibility: list[dict[str, Any]] = Field(default_factory=list)
    forms: list[dict[str, Any]] = Field(default_factory=list)
    new_guide: list[dict[str, Any]] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list, description="gate failures: metric, value, threshold")
    thresholds: dict[str, Any] = Field(default_factory=dict)

    def headline(self) -> dict[str, float]:
        """Flat metric name -> value, used for thresholds and baseline deltas."""
        out: dict[str, float] = {}
        for r in self.retrieval:
            if r.mode == "hybrid":
                for k in (
                    "matter_hit_at_1",
                    "matter_hit_at_3",
                    "matter_hit_at_5",
                    "mrr",
                    "ndcg_at_5",
                    "section_hit_at_3",
                    "latency_p50_ms",
                    "latency_p95_ms",
                    "lexical_share",
                ):
                    out[f"retrieval.{k}"] = getattr(r, k)
            if r.mode == "hybrid_no_cascade":
                out["retrieval.no_cascade_hit_at_1"] = r.matter_hit_at_1
                out["retrieval.no_cascade_latency_p50_ms"] = r.latency_p50_ms
        for q in self.qa:
            prefix = "qa" if q.mode == "composer" else f"qa_{q.mode}"
            for k in (
                "key_point_recall",
                "key_point_item_accuracy",
                "must_not_violations",
                "matter_accuracy",
                "aspect_accuracy",
                "citation_correctness",
                "refusal_precision",
                "refusal_recall",
                "refusal_f1",
                "false_refusal_rate",
                "handoff_correctness",
                "tickets_unasked",
                "first_screen_median",
                "in_scope_answered",
                "latency_p50_ms",
                "latency_p95_ms",
                "llm_first_token_p50_ms",
                "llm_total_p50_ms",
                "llm_fallback_rate",
            ):
                if getattr(q, k) is not None:
                    out[f"{prefix}.{k}"] = getattr(q, k)
        for m in self.qa_multi:
            prefix = "qa_multi" if m.mode == "composer" else f"qa_multi_{m.mode}"
            for k in ("all_aspects_answered", "aspect_recall", "key_point_recall", "must_not_violations"):
                out[f"{prefix}.{k}"] = getattr(m, k)
        for o in self.own_data:
            out["own_data.not_refused"] = o.not_refused
            out["own_data.tickets"] = o.tickets
            if o.matter_accuracy is not None:
                out["own_data.matter_accuracy"] = o.matter_accuracy
        for r in self.retrieval:
            if r.mode == "hybrid" and "no_alias" in r.hit_at_1_by_style:
                out["retrieval.no_alias_hit_at_1"] = r.hit_at_1_by_style["no_alias"]
        for d in self.dialog:
            prefix = "dialog" if d.mode == "composer" else f"dialog_{d.mode}"
            for k in ("turn_success", "dialog_success", "followup_resolution", "clarification_when_required"):
                out[f"{prefix}.{k}"] = getattr(d, k)
        for e in self.eligibility:
            for k, v in e.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out[f"eligibility.{k}"] = v
        for f in self.forms:
            for k, v in f.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out[f"forms.{k}"] = v
        for n in self.new_guide:
            for k in ("hit_at_1", "key_point_recall"):
                out[f"new_guide.{k}"] = n[k]
        return out

    def print(self, console: Console) -> None:
        if self.retrieval:
            t = Table(
                "方式",
                "题数",
                "hit@1",
                "hit@3",
                "hit@5",
                "MRR",
                "nDCG@5",
                "章节hit@3",
                "p50ms",
                "p95ms",
                title="检索评测",
            )
            for r in self.retrieval:
                t.add_row(
                    r.mode,
                    str(r.n),
                    f"{r.matter_hit_at_1:.3f}",
                    f"{r.matter_hit_at_3:.3f}",
                    f"{r.matter_hit_at_5:.3f}",
                    f"{r.mrr:.3f}",
                    f"{r.ndcg_at_5:.3f}",
                    f"{r.section_hit_at_3:.3f}",
                    f"{r.latency_p50_ms:.1f}",
                    f"{r.latency_p95_ms:.1f}",
                )
            console.print(t)
        if self.qa:
            t = Table(
                "模式",
                "要点召回",
                "全部命中",
                "违禁",
                "事项准确",
                "引用正确",
                "拒答P",
                "拒答R",
                "误拒率",
                "转人工",
                "p50ms",
                "p95ms",
                title="问答评测",
            )
            for q in self.qa:
                t.add_row(
                    q.mode,
                    f"{q.key_point_recall:.3f}",
                    f"{q.key_point_item_accuracy:.3f}",
                    str(q.must_not_violations),
                    f"{q.matter_accuracy:.3f}",
                    "—" if q.citation_correctness is None else f"{q.citation_correctness:.3f}",
                    f"{q.refusal_precision:.3f}",
                    f"{q.refusal_recall:.3f}",
                    f"{q.false_refusal_rate:.3f}",
                    f"{q.handoff_correctness:.3f}",
                    f"{q.latency_p50_ms:.1f}",
                    f"{q.latency_p95_ms:.1f}",
                )
            console.print(t)
        if self.dialog:
            t = Table(
                "模式",
                "对话",
                "轮次",
                "单轮成功",
                "整段成功",
                "追问解析",
                "该追问时追问",
                title="多轮对话评测",
            )
            for d in self.dialog:
                t.add_row(
                    d.mode,
                    str(d.dialogs),
                    str(d.turns),
                    f"{d.turn_success:.3f}",
                    f"{d.dialog_success:.3f}",
                    f"{d.followup_resolution:.3f}",
                    f"{d.clarification_when_required:.3f}",
                )
            console.print(t)
        for m in self.qa_multi:
            console.print(
                f"一问多答（{m.n} 题）：全部方面都答到 {m.all_aspects_answered:.3f}，"
                f"方面召回 {m.aspect_recall:.3f}，要点召回 {m.key_point_recall:.3f}"
            )
        for o in self.own_data:
            console.print(
                f"群众给出自己的个人信息（{o.n} 条）：未被拒答 {o.not_refused:.3f}，"
                f"事项正确 {o.matter_accuracy if o.matter_accuracy is not None else '—'}，误开工单 {o.tickets}"
            )
        for e in self.eligibility:
            console.print("资格预审评测：", {k: v for k, v in e.items() if not isinstance(v, list)})
        for f in self.forms:
            console.print("表单评测：", {k: v for k, v in f.items() if not isinstance(v, list)})
        for n in self.new_guide:
            t = Table(
                "事项", "来源", "检索题", "hit@1", "问答题", "要点召回", title="新导入指南（逐个留出事项）"
            )
            for code, v in n["per_matter"].items():
                t.add_row(
                    code,
                    v["imported_from"],
                    str(v["retrieval_items"]),
                    "—" if v["hit_at_1"] is None else f"{v['hit_at_1']:.3f}",
                    str(v["qa_items"]),
                    "—" if v["key_point_recall"] is None else f"{v['key_point_recall']:.3f}",
                )
            t.add_row("平均", "", "", f"{n['hit_at_1']:.3f}", "", f"{n['key_point_recall']:.3f}")
            console.print(t)
        for n in self.notes:
            console.print(f"[yellow]{n}[/yellow]")
        console.print(f"评测集：{self.split}；用时 {self.seconds:.1f}s，峰值内存 {self.peak_rss_mb:.0f} MB")
        for f in self.failures:
            console.print(f"[red]未达标：{f}[/red]")


def load_thresholds(path: Path | None = None) -> dict[str, Any]:
    path = path or EVAL_DIR / "thresholds.yaml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


# the suite that produces each metric group (the part of a metric's name before the dot)
METRIC_SUITE = {
    "retrieval": "retrieval",
    "qa": "qa",
    "qa_multi": "qa",
    "own_data": "qa",
    "dialog": "dialog",
} | {
    "eligibility": "eligibility",
    "forms": "forms",
    "new_guide": "new_guide",
}


def check_thresholds(report: EvalReport, thresholds: dict[str, Any]) -> list[str]:
    """`min:` metrics must be ≥ their threshold, `max:` metrics ≤. A threshold whose suite ran but whose metric
    the run did not produce (or produced as undefined) fails too: a gate must not pass by not measuring."""
    values = report.headline()
    failures = []
    for kind, limits in (("min", thresholds.get("min") or {}), ("max", thresholds.get("max") or {})):
        for name, limit in limits.items():
            if METRIC_SUITE.get(name.split(".")[0]) not in report.suites:
                continue
            if name not in values or values[name] is None:
                failures.append(f"{name} 缺失：本次评测没有产生这个指标")
            elif kind == "min" and values[name] < limit:
                failures.append(f"{name} = {values[name]:.4f}，低于阈值 {limit}")
            elif kind == "max" and values[name] > limit:
                failures.append(f"{name} = {values[name]:.4f}，高于上限 {limit}")
    return failures


def run_suites(
    suite: str, mode: str = "composer", progress: bool = True, llm_limit: int = 40, split: Split = "test"
) -> EvalReport:
    from rich.progress import Progress

    from assistant.config import get_settings
    from assistant.evaluation.eligibility_eval import evaluate_eligibility
    from assistant.evaluation.forms_eval import evaluate_forms
    from assistant.evaluation.new_guide_eval import evaluate_new_guides
    from assistant.retrieval.search import get_searcher
    from assistant.services import build_assistant
    from assistant.store import Store

    names = SUITES.get(suite)
    if names is None:
        raise ValueError(f"未知的评测套件：{suite}（可选：{'、'.join(SUITES)}）")
    t0 = time.perf_counter()
    report = EvalReport(
        started_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        split=split,
        suites=names,
        thresholds=load_thresholds(),
    )
    # no shared on-disk query vectors: every run embeds its questions afresh, so the latencies it reports
    # stay comparable from run to run (the in-process cache still serves repeats within the run)
    settings = get_settings().model_copy(update={"query_cache_disk": False})
    searcher = get_searcher(settings)
    modes = ["composer", "llm"] if mode == "both" else [mode]
    report.modes = modes
    with (
        tempfile.TemporaryDirectory(prefix="onething-eval-") as tmp,
        Progress(disable=not progress, transient=True) as bar,
    ):
        store = Store(f"sqlite:///{tmp}/eval.db")  # eval conversations never mix with real ones
        if "retrieval" in names:
            task = bar.add_task("检索评测", total=4)
            for m in ("dense", "bm25", "hybrid"):
                report.retrieval.append(evaluate_retrieval(searcher, mode=m, split=split))
                bar.advance(task)
            if settings.cascade:  # the same hybrid without the cascade, so both are in every report
                report.retrieval.append(
                    evaluate_retrieval(searcher, mode="hybrid", split=split, cascade=False)
                )
                bar.advance(task)
        for m in modes if {"qa", "dialog", "forms"} & set(names) else []:
            if m == "llm" and settings.llm == "none":
                report.notes.append("LLM 模式已跳过：未配置生成模型（ONETHING_LLM=none）。")
                continue
            bot = build_assistant(
                settings.model_copy(update={"llm": settings.llm if m == "llm" else "none"}),
                searcher=searcher,
                store=store,
            )
            if "qa" in names:
                task = bar.add_task(f"问答评测（{m}）", total=None)
                limit = llm_limit if m == "llm" else None
                report.qa.append(
                    evaluate_qa(
                        bot, mode=m, progress=lambda n, t=task: bar.advance(t, n), limit=limit, split=split
                    )
                )
                report.qa_multi.append(
                    evaluate_qa_multi(bot, mode=m, split=split, limit=limit // 2 if limit else None)
                )
                if m == "composer":
                    report.own_data.append(evaluate_own_data(bot, split=split))
                if limit:
                    report.notes.append(f"LLM 模式只评测了均匀抽取的 {limit} 道问答题（本地模型每题数秒）。")
            if "dialog" in names and m == "composer":
                task = bar.add_task(f"多轮对话（{m}）", total=None)
                report.dialog.append(
                    evaluate_dialogs(bot, mode=m, progress=lambda n, t=task: bar.advance(t, n), split=split)
                )
            if "forms" in names and m == "composer":
                report.forms.append(evaluate_forms(settings, bot=bot, split=split))
            elif "forms" in names and m == "llm":  # the chat model fills what the reading missed
                from assistant.llm import get_chat_model

                llm_forms = evaluate_forms(settings, split=split, llm=get_chat_model(bot.settings))
                report.forms.append({f"llm_{k}": v for k, v in llm_forms.items()})
        if "eligibility" in names:
            report.eligibility.append(evaluate_eligibility(settings, split=split))
        if "new_guide" in names:
            task = bar.add_task("新导入指南（逐个留出事项）", total=None)
            report.new_guide.append(
                evaluate_new_guides(settings, split=split, progress=lambda _c, t=task: bar.advance(t, 1))
            )
    report.seconds = round(time.perf_counter() - t0, 1)
    report.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report.failures = check_thresholds(report, report.thresholds)
    return report
