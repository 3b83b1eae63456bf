"""The guide's own Q&As on the points asked, put after an answer ("相关问答")."""

from __future__ import annotations

from assistant.answer.composer import compose_faq
from assistant.answer.models import Citation
from assistant.guides.schema import MatterGuide

# at most; dev multi-aspect 0.880 with 3 (0.876 with 2 and a stricter lead, faq_match.PART_FAQ_LEAD)
MAX_FAQS_ADDED = 3


def with_faqs(
    guide: MatterGuide, body: str, citations: list[Citation], faqs: list[int], answered: int | None
) -> tuple[str, list[Citation]]:
    """The body with the FAQs (guide indexes, in order, once each) after it, and their citations; not the FAQ
    that is the body itself (`answered`) nor one whose answer the body already quotes whole."""
    citations = list(citations)
    for i in [i for i in dict.fromkeys(faqs) if i != answered][:MAX_FAQS_ADDED]:
        if guide.faqs[i].answer.strip() in body:
            continue  # quoted whole already ("与您问的直接相关")
        faq_body, faq_cites = compose_faq(guide, i)
        body += "\n\n相关问答：\n" + faq_body.split("\n", 1)[1]
        citations += [c for c in faq_cites if c not in citations]
    return body, citations
