"""Check every number, phone, URL, day count and material name of a generated answer against its sources."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.text.matching import normalize_for_match
from assistant.text.numerals import to_digits as _to_digits

_URL = re.compile(r"https?://[^\s）)\]，。；]+")
_PHONE = re.compile(r"(?<!\d)(?:0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|\d{7,8}|12345|12333|12329)(?!\d)")
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
_CITE = re.compile(r"\[(\d+)\]")
_LIST_MARK = re.compile(r"(?:^|\n)\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*[.、)）．]\s*")


class Verdict(BaseModel):
    ok: bool
    problems: list[str] = Field(default_factory=list)


def verify(
    answer: str, sources: list[str], known_materials: list[str], required: list[int] | None = None
) -> Verdict:
    """Every fact-like token of `answer` must occur in `sources` (after normalisation). Material names the
    knowledge base knows must not appear unless a source has them; at least one valid citation is required,
    and each source in `required` (1-based: one per aspect asked) must be cited: every aspect is answered."""
    problems: list[str] = []
    joined = "\n".join(sources)
    norm_src = normalize_for_match(joined)
    text = _LIST_MARK.sub("\n", _CITE.sub(" ", answer))  # list numbering ("1. ", "2、") is not a fact
    for url in _URL.findall(text):
        if url not in joined:
            problems.append(f"网址不在来源中：{url}")
    text_wo_urls = _URL.sub(" ", text)
    for phone in _PHONE.findall(text_wo_urls):
        if normalize_for_match(phone) not in norm_src:
            problems.append(f"电话不在来源中：{phone}")
    source_numbers = set(_NUMBER.findall(_to_digits(joined)))
    for num in _NUMBER.findall(_PHONE.sub(" ", _to_digits(text_wo_urls))):
        if num not in source_numbers:
            problems.append(f"数字不在来源中：{num}")
    for name in known_materials:
        if len(name) >= 4 and name in answer and name not in joined:
            problems.append(f"材料不在来源中：{name}")
    cites = [int(n) for n in _CITE.findall(answer)]
    if not cites and len(sources) > 1:
        problems.append(
            "没有标注出处"
        )  # with a single source the citation is that source, attached by the system
    elif any(n < 1 or n > len(sources) for n in cites):
        problems.append(f"出处编号超出范围：{sorted(set(cites))}")
    if required and len(sources) > 1:
        unanswered = [n for n in required if n not in cites]
        if unanswered:
            problems.append(f"有方面没有回答（未引用 {unanswered}）")
    return Verdict(ok=not problems, problems=problems)
