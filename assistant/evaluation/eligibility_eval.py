"""Eligibility evaluation: decision accuracy, deciding condition cited, questions asked against the minimum."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, Field

from assistant.config import Settings
from assistant.evaluation.datasets import EVAL_DIR, read_jsonl
from assistant.evaluation.metrics import mean, percentile


class EligibilityCase(BaseModel):
    id: str
    matter_code: str
    answers: dict[str, Any]
    expected_outcome: str
    deciding_rule: str
    expected_checklist_includes: list[str] = Field(default_factory=list)
    max_questions: int


def evaluate_eligibility(settings: Settings) -> dict[str, Any]:
    """decision_accuracy: share of cases whose outcome matches; condition_cited: share whose deciding rule is the
    expected one and carries a non-empty cited condition; checklist_recall: share of expected materials listed;
    within_min_questions: share of cases asking ≤ max_questions; step_p95_ms: time per interview step."""
    from assistant.retrieval.search import get_searcher
    from assistant.services import load_eligibility_engine

    searcher = get_searcher(settings)
    engine = load_eligibility_engine(settings, searcher)
    if engine is None:
        raise FileNotFoundError(f"{settings.knowledge_dir / 'rules'} 中没有资格预审规则")
    cases = read_jsonl(EVAL_DIR / "eligibility.jsonl", EligibilityCase)
    acc, cited, recall, within, steps = [], [], [], [], []
    failures = []
    for c in cases:
        guide, _ = searcher.guide_for_region(c.matter_code, None)
        t = time.perf_counter()
        step, asked = engine.evaluate_answers(c.matter_code, c.answers, guide)
        steps.append((time.perf_counter() - t) * 1000 / max(1, asked + 1))
        r = step.result
        ok = r is not None and r.outcome.value == c.expected_outcome
        acc.append(1.0 if ok else 0.0)
        cited.append(1.0 if r is not None and r.rule_id == c.deciding_rule and r.condition else 0.0)
        names = {m.name for m in r.checklist} if r else set()
        if c.expected_checklist_includes:
            recall.append(
                sum(1 for n in c.expected_checklist_includes if n in names)
                / len(c.expected_checklist_includes)
            )
        within.append(1.0 if asked <= c.max_questions else 0.0)
        if not ok or asked > c.max_questions or (r and r.rule_id != c.deciding_rule):
            failures.append(
                {
                    "id": c.id,
                    "expected": [c.expected_outcome, c.deciding_rule, c.max_questions],
                    "got": [r.outcome.value if r else step.kind, r.rule_id if r else None, asked],
                }
            )
    return {
        "cases": len(cases),
        "decision_accuracy": round(mean(acc), 4),
        "condition_cited": round(mean(cited), 4),
        "checklist_recall": round(mean(recall), 4),
        "within_min_questions": round(mean(within), 4),
        "step_p95_ms": round(percentile(steps, 95), 3),
        "failures": failures,
    }
