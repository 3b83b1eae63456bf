"""Eligibility evaluation: walkthroughs answered in free text (or with structured answers), scored on the
outcome a person decided from the guide, the deciding condition, the personal checklist and the number of
questions asked against the fewest that decide the case (given by the writer or found by brute force)."""

from __future__ import annotations

import time
from typing import Any

from assistant.config import Settings
from assistant.eligibility.engine import Engine, Step
from assistant.evaluation.datasets import EligibilityCase, Split, load_split
from assistant.evaluation.metrics import mean, percentile
from assistant.evaluation.min_questions import minimal_questions
from assistant.guides.schema import MatterGuide
from assistant.retrieval.search import Searcher
from assistant.text.matching import contains


def _walk_free_text(engine: Engine, case: EligibilityCase, guide: MatterGuide) -> tuple[Step, int, str]:
    """Answer each question the engine asks with the case's reply to it; (last step, questions, problem)."""
    state, step = engine.start(case.matter_code, guide)
    asked: list[str] = []
    while step.kind in ("question", "reask", "why"):
        qid = step.question.id if step.question else ""
        if step.kind == "reask":
            return step, len(asked), f"没听懂回答 {qid}：{case.replies.get(qid, '')}"
        if qid not in case.replies:
            return step, len(asked), f"问了案例没有回答的问题 {qid}"
        if qid not in asked:
            asked.append(qid)
        step = engine.reply(state, case.replies[qid], guide)
    return step, len(asked), ""


def run_case(engine: Engine, searcher: Searcher, case: EligibilityCase) -> dict[str, Any]:
    """One case: the final step, the questions asked, and each score (None where it does not apply)."""
    mentioned = searcher.registry.mentioned(case.situation) if case.situation else []
    region = next((r.code for r in mentioned if r.level != "province"), None)
    guide, _ = searcher.guide_for_region(case.matter_code, region)
    if guide is None:
        raise LookupError(f"{case.id}: 事项 {case.matter_code} 没有指南")
    t = time.perf_counter()
    if case.replies:
        step, asked, problem = _walk_free_text(engine, case, guide)
    else:
        step, asked = engine.evaluate_answers(case.matter_code, case.answers, guide)
        problem = "" if step.kind == "result" else "回答不足以得出结论"
    ms = (time.perf_counter() - t) * 1000 / max(1, asked + 1)
    r = step.result
    minimum = case.min_questions
    if minimum is None:
        minimum = minimal_questions(engine.rulesets[case.matter_code], case.answers)
    outcome_ok = r is not None and r.outcome.value == case.expected_outcome
    if case.expected_condition:
        cited = r is not None and contains(f"{r.condition}\n{r.message}", case.expected_condition)
    elif case.deciding_rule:
        cited = r is not None and r.rule_id == case.deciding_rule and bool(r.condition)
    else:
        cited = None
    names = {m.name for m in r.checklist} if r else set()
    includes = [n in names for n in case.expected_checklist_includes]
    wrongly = [n for n in case.expected_checklist_excludes if n in names]
    return {
        "outcome_ok": outcome_ok,
        "cited": cited,
        "checklist_recall": mean([1.0 if x else 0.0 for x in includes]) if includes else None,
        "checklist_clean": (not wrongly) if case.expected_checklist_excludes else None,
        # only a walkthrough that reached the right outcome says anything about the number of questions
        "within_min": (minimum is not None and asked <= minimum) if outcome_ok else None,
        "asked": asked,
        "minimum": minimum,
        "ms": ms,
        "failure": None
        if outcome_ok and cited is not False and not wrongly and asked <= (minimum or 0)
        else {
            "id": case.id,
            "expected": [case.expected_outcome, case.expected_condition or case.deciding_rule, minimum],
            "got": [r.outcome.value if r else step.kind, r.rule_id if r else None, asked],
            "problem": problem,
            "missing_materials": [
                n for n, ok in zip(case.expected_checklist_includes, includes, strict=True) if not ok
            ],
            "wrong_materials": wrongly,
        },
    }


def evaluate_eligibility(settings: Settings, split: Split = "test") -> dict[str, Any]:
    """decision_accuracy: share of cases whose outcome matches; condition_cited: share (of cases naming one)
    whose result quotes the expected condition or comes from the expected rule; checklist_recall: share of
    expected materials listed; checklist_clean: share of cases listing none of the excluded materials;
    within_min_questions: share of the cases decided right that asked no more than the fewest questions that
    decide them (questions_over_min: mean excess over those);
    step_p95_ms: time per interview step."""
    from assistant.retrieval.search import get_searcher
    from assistant.services import load_eligibility_engine

    searcher = get_searcher(settings)
    engine = load_eligibility_engine(settings, searcher)
    if engine is None:
        raise FileNotFoundError(f"{settings.knowledge_dir / 'rules'} 中没有资格预审规则")
    runs = [run_case(engine, searcher, c) for c in load_split("eligibility", EligibilityCase, split)]

    def share(key: str) -> float:
        vals = [1.0 if r[key] else 0.0 for r in runs if r[key] is not None]
        return round(mean(vals), 4)

    return {
        "cases": len(runs),
        "decision_accuracy": share("outcome_ok"),
        "condition_cited": share("cited"),
        "checklist_recall": round(
            mean([r["checklist_recall"] for r in runs if r["checklist_recall"] is not None]), 4
        ),
        "checklist_clean": share("checklist_clean"),
        "within_min_questions": share("within_min"),
        "questions_over_min": round(
            mean([r["asked"] - r["minimum"] for r in runs if r["within_min"] is not None and r["minimum"]]), 3
        ),
        "step_p95_ms": round(percentile([r["ms"] for r in runs], 95), 3),
        "failures": [r["failure"] for r in runs if r["failure"]],
    }
