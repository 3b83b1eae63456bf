"""Answer evaluation: single-turn QA and refusals, scored on the Answer the dialog returns."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

from pydantic import BaseModel, Field

from assistant.answer.composer import section_text
from assistant.answer.models import Answer
from assistant.dialog import Assistant
from assistant.evaluation.datasets import QAItem, RefusalItem, Split, load_split
from assistant.evaluation.metrics import mean, percentile, precision_recall_f1
from assistant.text.matching import contains


class QAScores(BaseModel):
    mode: str
    n_answerable: int
    n_refusal: int
    key_point_recall: float = Field(..., description="mean over items of found key points / key points")
    key_point_item_accuracy: float = Field(..., description="share of items with every key point found")
    must_not_violations: int
    matter_accuracy: float
    region_accuracy: float
    aspect_accuracy: float
    citation_correctness: float | None = Field(
        ...,
        description="share of answers whose found key points all occur in a cited section; over answers "
        "with at least one key point found (None when there is none: nothing to check)",
    )
    citation_checked: int = Field(0, description="answers the citation check applied to")
    refusal_precision: float
    refusal_recall: float
    refusal_f1: float
    false_refusal_rate: float = Field(
        ..., description="refused / answerable, answerable = QA items + in_scope"
    )
    in_scope_answered: float | None = Field(
        None,
        description="near-miss questions (refusal set, category in_scope) answered with the right matter",
    )
    handoff_correctness: float
    first_screen_median: float | None = Field(
        None, description="median characters shown before the fold, over overview and materials answers"
    )
    tickets_unasked: int = Field(
        0, description="转人工 tickets opened on a single question nobody asked a person for"
    )
    latency_p50_ms: float
    latency_p95_ms: float
    per_matter: dict[str, float] = Field(default_factory=dict)
    latencies_ms: list[float] = Field(default_factory=list)
    failures: list[dict] = Field(default_factory=list)
    refusal_confusion: dict[str, int] = Field(default_factory=dict)
    llm_first_token_p50_ms: float | None = None
    llm_total_p50_ms: float | None = None
    llm_answer_chars_median: float | None = Field(None, description="length of the generated answers")
    llm_fallback_rate: float | None = Field(
        None, description="share of generated answers the verifier rejected"
    )


def ask(bot: Assistant, sid: str, question: str, region: str | None) -> Answer:
    """One question as a citizen asks it. An item without a region, about a matter with guides in several
    cities, gets the city question first; the citizen then names the first city offered (the item's key points
    hold in every city), and that answer is the one scored."""
    ans = bot.respond(sid, question, region=region)
    if region is None and ans.mode == "clarify" and ans.trace.get("route") == "clarify_region":
        city = next((s.text for s in ans.suggestions if s.kind == "choice"), None)
        if city:
            ans = bot.respond(sid, city)
    return ans


def key_points_found(answer: Answer, points: list[str]) -> list[bool]:
    return [contains(answer.text, p) for p in points]


def citation_correct(bot: Assistant, answer: Answer, points: list[str]) -> bool:
    """Every key point found in the answer occurs in the text of a section the answer cites."""
    if not answer.citations:
        return False
    texts = []
    for c in answer.citations:
        g = bot.searcher.guides.get(c.guide_id)
        if g is not None:
            texts.append(section_text(g, c.section if c.section != "time_limit" else "time_limit"))
    found = [p for p in points if contains(answer.text, p)]
    return all(any(contains(t, p) for t in texts) for p in found)


def evaluate_qa(
    bot: Assistant,
    mode: str = "composer",
    progress: Callable[[int], None] | None = None,
    limit: int | None = None,
    split: Split = "test",
) -> QAScores:
    """`limit` takes an evenly spread sample (for the slow LLM mode); None scores every item."""
    items = load_split("qa", QAItem, split)
    refusals = load_split("qa_refusal", RefusalItem, split)
    if limit:
        items = items[:: max(1, len(items) // limit)][:limit]
        refusals = refusals[:: max(1, len(refusals) // max(1, limit // 4))][: max(1, limit // 4)]
    llm_stats: list[dict] = []
    recall, all_found, matter_ok, region_ok, aspect_ok, cite_ok, lat = [], [], [], [], [], [], []
    violations = 0
    per_matter: dict[str, list[float]] = {}
    failures: list[dict] = []
    tp = fp = fn = 0
    handoff_ok = []
    in_scope_ok: list[float] = []
    tickets = 0
    first_screens: list[float] = []
    confusion = Counter()
    for it in items:
        sid, _ = bot.new_session()
        t = time.perf_counter()
        ans = ask(bot, sid, it.question, it.region)
        tickets += 1 if ans.handoff is not None and ans.handoff.ticket_id is not None else 0
        if ans.aspect in ("overview", "materials") and ans.mode in ("composer", "llm"):
            first_screens.append(float(len(ans.text[: ans.fold_at] if ans.fold_at else ans.text)))
        lat.append((time.perf_counter() - t) * 1000)
        if "llm" in ans.trace:
            llm_stats.append(ans.trace["llm"])
        refused = ans.mode == "refusal"
        if refused:
            fn += 0
            fp += 1
            confusion["answerable→refused"] += 1
        else:
            confusion["answerable→answered"] += 1
        found = key_points_found(ans, it.key_points)
        r = sum(found) / len(found) if found else 1.0
        recall.append(r)
        all_found.append(1.0 if all(found) else 0.0)
        bad = [m for m in it.must_not if contains(ans.text, m)]
        violations += 1 if bad else 0
        matter_ok.append(1.0 if ans.matter_code == it.matter_code else 0.0)
        region_ok.append(1.0 if (it.region is None or ans.region_name == it.region) else 0.0)
        aspect_ok.append(1.0 if ans.aspect == it.aspect else 0.0)
        if any(found):  # nothing found, nothing whose source could be checked
            cite_ok.append(1.0 if (not refused and citation_correct(bot, ans, it.key_points)) else 0.0)
        per_matter.setdefault(it.matter_code, []).append(r)
        if r < 1.0 or bad or ans.matter_code != it.matter_code:
            failures.append(
                {
                    "id": it.id,
                    "question": it.question,
                    "expected": it.matter_code,
                    "got": ans.matter_code,
                    "aspect": [it.aspect, ans.aspect],
                    "missing": [p for p, f in zip(it.key_points, found, strict=True) if not f],
                    "must_not": bad,
                    "mode": ans.mode,
                }
            )
        if progress:
            progress(1)
    for it in refusals:
        sid, _ = bot.new_session()
        t = time.perf_counter()
        ans = bot.respond(sid, it.question)
        tickets += 1 if ans.handoff is not None and ans.handoff.ticket_id is not None else 0
        lat.append((time.perf_counter() - t) * 1000)
        if it.category == "in_scope":
            answered = ans.mode != "refusal" and ans.matter_code == it.matter_code
            in_scope_ok.append(1.0 if answered else 0.0)
            if ans.mode == "refusal":
                fp += 1
            confusion[f"in_scope→{'refused' if ans.mode == 'refusal' else 'answered'}"] += 1
            if not answered:
                failures.append(
                    {
                        "id": it.id,
                        "question": it.question,
                        "expected": it.matter_code,
                        "got": ans.matter_code,
                        "mode": ans.mode,
                    }
                )
        elif ans.mode == "refusal":
            tp += 1
            confusion[f"{it.category}→refused"] += 1
            # a refusal offers a way on: a hotline and a 转人工 chip (a ticket only when the citizen asks)
            offered = any(sg.kind == "handoff" for sg in ans.suggestions) or bool(
                ans.handoff and ans.handoff.ticket_id
            )
            handoff_ok.append(1.0 if ans.handoff and ans.handoff.phone and offered else 0.0)
        else:
            fn += 1
            confusion[f"{it.category}→answered"] += 1
            failures.append(
                {
                    "id": it.id,
                    "question": it.question,
                    "expected": "refusal",
                    "got": ans.matter_code,
                    "mode": ans.mode,
                }
            )
        if progress:
            progress(1)
    p, r_, f = precision_recall_f1(tp, fp, fn)
    answerable = len(items) + len(in_scope_ok)
    return QAScores(
        mode=mode,
        n_answerable=answerable,
        n_refusal=len(refusals) - len(in_scope_ok),
        key_point_recall=round(mean(recall), 4),
        key_point_item_accuracy=round(mean(all_found), 4),
        must_not_violations=violations,
        matter_accuracy=round(mean(matter_ok), 4),
        region_accuracy=round(mean(region_ok), 4),
        aspect_accuracy=round(mean(aspect_ok), 4),
        citation_correctness=round(mean(cite_ok), 4) if cite_ok else None,
        citation_checked=len(cite_ok),
        refusal_precision=round(p, 4),
        refusal_recall=round(r_, 4),
        refusal_f1=round(f, 4),
        false_refusal_rate=round(fp / answerable, 4) if answerable else 0.0,
        in_scope_answered=round(mean(in_scope_ok), 4) if in_scope_ok else None,
        handoff_correctness=round(mean(handoff_ok), 4),
        tickets_unasked=tickets,
        first_screen_median=round(percentile(first_screens, 50), 1) if first_screens else None,
        latency_p50_ms=round(percentile(lat, 50), 2),
        latency_p95_ms=round(percentile(lat, 95), 2),
        per_matter={k: round(mean(v), 4) for k, v in sorted(per_matter.items())},
        latencies_ms=[round(x, 2) for x in lat],
        failures=failures,
        refusal_confusion=dict(confusion),
        llm_first_token_p50_ms=round(
            percentile([x["first_token_ms"] for x in llm_stats if x.get("first_token_ms")], 50), 1
        )
        if llm_stats
        else None,
        llm_total_p50_ms=round(percentile([x["total_ms"] for x in llm_stats if x.get("total_ms")], 50), 1)
        if llm_stats
        else None,
        llm_answer_chars_median=round(percentile([x["chars"] for x in llm_stats if x.get("chars")], 50), 1)
        if llm_stats and any(x.get("chars") for x in llm_stats)
        else None,
        llm_fallback_rate=round(sum(1 for x in llm_stats if not x.get("verified")) / len(llm_stats), 4)
        if llm_stats
        else None,
    )
