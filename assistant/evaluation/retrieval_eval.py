"""Retrieval evaluation: matter hit@1/3/5, MRR, nDCG@5 and section hit@3 per search mode."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field

from assistant.evaluation.datasets import RetrievalItem, Split, load_split
from assistant.evaluation.metrics import hit_at_k, mean, ndcg_at_k, percentile, reciprocal_rank
from assistant.retrieval.search import Mode, Searcher


class RetrievalScores(BaseModel):
    mode: str
    n: int
    matter_hit_at_1: float
    matter_hit_at_3: float
    matter_hit_at_5: float
    mrr: float
    ndcg_at_5: float
    section_hit_at_3: float
    latency_p50_ms: float
    latency_p95_ms: float
    lexical_share: float = Field(
        0.0, description="share of searches the cascade answered without the encoder"
    )
    hit_at_1_by_style: dict[str, float] = Field(
        default_factory=dict, description="matter hit@1 per question style (no_alias: neither name nor alias)"
    )
    misses: list[dict] = Field(default_factory=list, description="items whose matter was not ranked first")
    confusions: list[tuple[str, str, int]] = Field(default_factory=list)


def evaluate_retrieval(
    searcher: Searcher,
    items: list[RetrievalItem] | None = None,
    mode: Mode = "hybrid",
    split: Split = "test",
    cascade: bool | None = None,
) -> RetrievalScores:
    """`cascade`: score the hybrid with the cascade forced on or off (None: as configured); the row is
    labelled "hybrid" or "hybrid_no_cascade"."""
    items = items if items is not None else load_split("retrieval", RetrievalItem, split)
    configured = searcher.settings
    if cascade is not None:
        searcher.settings = configured.model_copy(update={"cascade": cascade})
    try:
        scores = _evaluate(searcher, items, mode)
    finally:
        searcher.settings = configured
    if mode == "hybrid" and not (configured.cascade if cascade is None else cascade):
        scores.mode = "hybrid_no_cascade"
    return scores


def _evaluate(searcher: Searcher, items: list[RetrievalItem], mode: Mode) -> RetrievalScores:
    by_style: dict[str, list[float]] = {}
    h1, h3, h5, rr, nd, s3, lat = [], [], [], [], [], [], []
    misses, conf = [], Counter()
    lexical = 0
    for it in items:
        res = searcher.search(it.question, k=5, mode=mode)
        lexical += res.stage == "lexical"
        ranked = [m.matter_code for m in res.matters]
        h1.append(hit_at_k(ranked, it.matter_code, 1))
        by_style.setdefault(it.style or "unlabelled", []).append(h1[-1])
        h3.append(hit_at_k(ranked, it.matter_code, 3))
        h5.append(hit_at_k(ranked, it.matter_code, 5))
        rr.append(reciprocal_rank(ranked, it.matter_code))
        rel = [
            2.0
            if (h.matter_code == it.matter_code and h.section == it.section)
            else (1.0 if h.matter_code == it.matter_code else 0.0)
            for h in res.hits
        ]
        nd.append(ndcg_at_k(rel, 5))
        s3.append(1.0 if any(r == 2.0 for r in rel[:3]) else 0.0)
        lat.append(res.timings_ms.get("total", 0.0))
        if ranked and ranked[0] != it.matter_code:
            misses.append({"id": it.id, "question": it.question, "gold": it.matter_code, "got": ranked[0]})
            conf[(it.matter_code, ranked[0])] += 1
    return RetrievalScores(
        mode=mode,
        n=len(items),
        matter_hit_at_1=round(mean(h1), 4),
        matter_hit_at_3=round(mean(h3), 4),
        matter_hit_at_5=round(mean(h5), 4),
        mrr=round(mean(rr), 4),
        ndcg_at_5=round(mean(nd), 4),
        section_hit_at_3=round(mean(s3), 4),
        latency_p50_ms=round(percentile(lat, 50), 2),
        latency_p95_ms=round(percentile(lat, 95), 2),
        lexical_share=round(lexical / len(items), 4) if items else 0.0,
        hit_at_1_by_style={k: round(mean(v), 4) for k, v in sorted(by_style.items())},
        misses=misses,
        confusions=[(a, b, c) for (a, b), c in conf.most_common(10)],
    )
