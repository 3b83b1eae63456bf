"""How close in meaning a question is to each FAQ of a guide: the query vector against the FAQ sections'
vectors (the same vectors the dense search uses), so a FAQ put in other words ("这个户是看伢子本人的还是爸妈的"
to "“户”是指…") is found although it shares few characters with the question."""

from __future__ import annotations

import numpy as np

from assistant.guides.schema import MatterGuide
from assistant.retrieval.search import Searcher


def faq_closeness(searcher: Searcher, text: str, guide: MatterGuide) -> list[float] | None:
    """Per FAQ of the guide (in order): 1 for the closest, less by its distance from it (0.05 of cosine per
    unit, never below 0); None when the guide has no FAQ or the vectors cannot be scored here."""
    if not guide.faqs:
        return None
    positions = {
        searcher.chunks[int(i)].key: int(i)
        for i in searcher.chunk_idx_by_guide.get(guide.id, ())
        if searcher.chunks[int(i)].section == "faq"
    }
    wanted = [positions.get(f"faq-{i}") for i in range(len(guide.faqs))]
    have = [p for p in wanted if p is not None]
    if not have:
        return None
    qv, _cached = searcher.query_vectors.get_or_compute(text, searcher.embed_query)
    scores = searcher.dense.scores(qv, np.array(have, dtype=np.int64))
    if scores is None:
        return None
    by_pos = dict(zip(have, scores.tolist(), strict=True))
    sims = np.array([by_pos.get(p, -1.0) if p is not None else -1.0 for p in wanted])
    return np.maximum(0.0, (sims - sims.max()) / 0.05 + 1.0).tolist()
