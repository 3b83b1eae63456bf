"""Evaluation metrics, each defined once; docstrings say exactly how each number is computed."""

from __future__ import annotations

import math
from collections.abc import Sequence


def hit_at_k(ranked: Sequence[str], gold: str, k: int) -> float:
    """1.0 if `gold` is among the first k items of `ranked`, else 0.0."""
    return 1.0 if gold in list(ranked)[:k] else 0.0


def reciprocal_rank(ranked: Sequence[str], gold: str) -> float:
    """1/rank of the first occurrence of `gold` (rank starts at 1); 0.0 when absent. MRR is its mean."""
    for i, item in enumerate(ranked, start=1):
        if item == gold:
            return 1.0 / i
    return 0.0


def ndcg_at_k(relevances: Sequence[float], k: int) -> float:
    """nDCG@k for graded relevances listed in ranked order: DCG = Σ rel_i / log2(i+1) over the first k,
    divided by the DCG of the same relevances sorted descending (ideal). 0.0 when nothing is relevant."""
    rel = list(relevances)[:k]
    dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rel))
    ideal = sorted(relevances, reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; 0.0 for an empty sequence."""
    return sum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between closest ranks."""
    if not values:
        return 0.0
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision tp/(tp+fp), recall tp/(tp+fn), F1 their harmonic mean; each 0.0 when undefined."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f
