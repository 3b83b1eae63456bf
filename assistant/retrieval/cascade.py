"""The cascade's rule: when the words alone decide the matter, the search skips the encoder (a query
embedding costs 20–30 ms of a ~25 ms turn). Chosen on the dev split: a question that names exactly one
matter was routed by BM25 as the hybrid routes it (2 errors in 370, the same two), and a lead of 0.6 in BM25's
matter score left 1 error in 116 where the hybrid had none; smaller leads cost more (README, #20)."""

from __future__ import annotations

from assistant.retrieval.results import MatterScore


def lexical_decision(matters: list[MatterScore], names: dict[str, int], gap: float) -> str:
    """Why the words decide ("name" or "gap"), or "" when they do not: the question names exactly one
    matter (its name or an alias), or BM25's first matter leads the second by `gap`; either way the matter
    must have a guide for the region asked (no fallback to another region's guide)."""
    if not matters or matters[0].region_fallback:
        return ""
    top = matters[0]
    if len(names) == 1 and top.matter_code in names:
        return "name"
    lead = top.score - matters[1].score if len(matters) > 1 else top.score
    return "gap" if lead >= gap else ""
