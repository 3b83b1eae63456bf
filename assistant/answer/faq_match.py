"""Which of a guide's FAQs a question is about: wording overlap plus the FAQ chunk's retrieval score."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answer.aspects import aspects_asked, is_generic_howto
from assistant.answer.pinpoint import parts_in_context
from assistant.guides.schema import MatterGuide
from assistant.retrieval.search import SearchResult
from assistant.retrieval.text import normalize

# the weight of meaning (faq_similarity.faq_closeness) beside shared wording; chosen on dev: 0.1 / 0.2 / 0.3 / 0.4
# gave single-aspect key points 0.927 / 0.931 / 0.931 / 0.927 (0 → 0.922), multi-aspect unchanged
CLOSENESS_WEIGHT = 0.2
# how far a part's best FAQ must lead the guide's next best section (hybrid scores); chosen on dev: a lead of
# 0 and 0.03 gave multi-aspect 0.880, 0.05 and 0.08 0.876
PART_FAQ_LEAD = 0.03


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


def faqs_of_parts(
    text: str, guide: MatterGuide, search: Callable[[str], SearchResult], whole: SearchResult
) -> list[int]:
    """FAQs that answer a part of the question ("宅基地最多能批好大", "车还没买能先办许可吗"), in the order asked:
    the part is searched alone (with what was said just before it), and the guide's best section for it is one
    of its FAQs, ahead of the guide's next section. Parts with an aspect cue count too: "一年最多能贷好多" reads
    as a condition, and the guide answers it in a FAQ. `whole`: the question's own search, which stands for its
    only part."""
    out: list[int] = []
    prefix = f"{guide.id}#faq-"
    parts = parts_in_context(text)
    for part, before in parts:
        res = whole if len(parts) == 1 else search(before + part)
        hits = [h for h in res.hits if h.chunk_id.startswith(f"{guide.id}#")]
        if not hits or not hits[0].chunk_id.startswith(prefix):
            continue
        if len(hits) > 1 and hits[0].score - hits[1].score < PART_FAQ_LEAD:
            continue
        i = int(hits[0].chunk_id.removeprefix(prefix))
        if i not in out:
            out.append(i)
    return out
