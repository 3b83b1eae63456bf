"""Questions that ask several aspects at once: is every aspect asked answered, with its key points?"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from assistant.dialog import Assistant
from assistant.evaluation.datasets import MultiAspectItem, Split, load_split
from assistant.evaluation.metrics import mean, percentile
from assistant.evaluation.qa_eval import ask
from assistant.text.matching import contains


class MultiAspectScores(BaseModel):
    mode: str
    n: int
    all_aspects_answered: float = Field(
        ..., description="share of questions with every aspect's key points found"
    )
    aspect_recall: float = Field(
        ..., description="share of (question, aspect) pairs with all key points found"
    )
    key_point_recall: float = Field(..., description="found key points / key points, over all questions")
    matter_accuracy: float
    refused: int
    must_not_violations: int
    llm_verified_rate: float | None = Field(
        None, description="LLM mode: share of generated answers the verifier passed (the rest: composer)"
    )
    llm_answer_chars_median: float | None = None
    failures: list[dict] = Field(default_factory=list)


def evaluate_qa_multi(
    bot: Assistant,
    mode: str = "composer",
    progress: Callable[[int], None] | None = None,
    split: Split = "test",
    limit: int | None = None,
) -> MultiAspectScores:
    """`limit` takes an evenly spread sample (for the slow LLM mode); None scores every item."""
    items = load_split("qa_multi", MultiAspectItem, split)
    if limit:
        items = items[:: max(1, len(items) // limit)][:limit]
    llm_stats: list[dict] = []
    all_ok, aspect_ok, kp, matter_ok = [], [], [], []
    refused = violations = 0
    failures = []
    for it in items:
        sid, _ = bot.new_session()
        ans = ask(bot, sid, it.question, it.region)
        refused += 1 if ans.mode == "refusal" else 0
        if "llm" in ans.trace:
            llm_stats.append(ans.trace["llm"])
        missing: dict[str, list[str]] = {}
        for aspect in it.aspects:
            points = it.key_points.get(aspect, [])
            found = [contains(ans.text, p) for p in points]
            kp.extend(1.0 if f else 0.0 for f in found)
            aspect_ok.append(1.0 if all(found) else 0.0)
            if not all(found):
                missing[aspect] = [p for p, f in zip(points, found, strict=True) if not f]
        all_ok.append(0.0 if missing else 1.0)
        matter_ok.append(1.0 if ans.matter_code == it.matter_code else 0.0)
        bad = [m for m in it.must_not if contains(ans.text, m)]
        violations += 1 if bad else 0
        if missing or bad:
            failures.append(
                {
                    "id": it.id,
                    "question": it.question,
                    "aspects": it.aspects,
                    "answered_aspect": ans.aspect,
                    "missing": missing,
                    "must_not": bad,
                    "mode": ans.mode,
                }
            )
        if progress:
            progress(1)
    return MultiAspectScores(
        mode=mode,
        n=len(items),
        all_aspects_answered=round(mean(all_ok), 4),
        aspect_recall=round(mean(aspect_ok), 4),
        key_point_recall=round(mean(kp), 4),
        matter_accuracy=round(mean(matter_ok), 4),
        refused=refused,
        must_not_violations=violations,
        llm_verified_rate=round(mean([1.0 if x.get("verified") else 0.0 for x in llm_stats]), 4)
        if llm_stats
        else None,
        llm_answer_chars_median=round(percentile([x["chars"] for x in llm_stats if x.get("chars")], 50), 1)
        if any(x.get("chars") for x in llm_stats)
        else None,
        failures=failures,
    )
