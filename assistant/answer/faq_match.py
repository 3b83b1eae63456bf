"""Which of a guide's FAQs a question is about: wording overlap plus the FAQ chunk's retrieval score."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answer.aspects import aspects_asked, is_generic_howto
from assistant.guides.schema import MatterGuide
from assistant.retrieval.search import SearchResult
from assistant.retrieval.text import normalize

# the weight of meaning (faq_similarity.faq_closeness) beside shared wording; chosen on dev: 0.1 / 0.2 / 0.3 / 0.4
# gave single-aspect key points 0.927 / 0.931 / 0.931 / 0.927 (0 → 0.922), multi-aspect unchanged
CLOSENESS_WEIGHT = 0.2


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"[^\u4e00-\u9fffa-z0-9]", "", normalize(text))
    return {t[i : i + 2] for i in range(len(t) - 1)}


def match_faqs(
    text: str,
    guide: MatterGuide,
    res: SearchResult,
    aspect: str | list[str] | None,
    closeness: Callable[[], list[float] | None] | None = None,
) -> list[int]:
    """The guide's FAQs the question is about, best first (at most two, the second only when it is
    nearly as close): wording overlap with the FAQ question plus the FAQ chunk's retrieval score.
    A question with no aspect cue needs less evidence. `closeness` (meaning, one encoder run) is asked for
    only when it could lift a FAQ over the bar."""
    hit_scores = {h.chunk_id: h.score for h in res.hits}
    q = _bigrams(text)
    worded = [
        len(q & _bigrams(f.question)) / max(1, min(len(q), 12))
        + 0.5 * hit_scores.get(f"{guide.id}#faq-{i}", 0.0)
        + _aspect_fit(f.question, aspect)
        for i, f in enumerate(guide.faqs)
    ]
    needed = 0.6 if (aspect or is_generic_howto(text)) else 0.45
    near = closeness is not None and bool(worded) and max(worded) + CLOSENESS_WEIGHT >= needed
    meaning = (closeness() if near and closeness is not None else None) or [0.0] * len(worded)
    scored = sorted(
        ((w + CLOSENESS_WEIGHT * c, i) for i, (w, c) in enumerate(zip(worded, meaning, strict=True))),
        reverse=True,
    )
    if not scored or scored[0][0] < needed:
        return []
    picked = [scored[0][1]]
    if len(scored) > 1 and scored[1][0] >= 0.85 * scored[0][0]:
        picked.append(scored[1][1])
    return picked


def _aspect_fit(faq_question: str, aspect: str | list[str] | None) -> float:
    """A FAQ asking about an aspect asked ("是否收费？" to "收不收钱") fits better than its shared words say; a
    question asking several aspects is fitted by a FAQ on any of them.
    (Lowering FAQs about another aspect as well lost more multi-aspect answers on dev than it gained.)"""
    asked = {aspect} if isinstance(aspect, str) else set(aspect or ())
    asked -= {"overview", "faq"}
    if not asked:
        return 0.0
    return 0.3 if asked & set(aspects_asked(faq_question)) else 0.0
