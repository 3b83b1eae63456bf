"""Understand free-text answers: 是/对/有/没有, numbers including Chinese numerals, dates, choices, regions."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from assistant.eligibility.rules import Question
from assistant.guides.regions import RegionRegistry
from assistant.textnum import to_digits as _to_digits

_NO = re.compile(
    r"^(没有|没|不是|不对|不|否|无|未|不需要|不符合|没用|从来没|no|n)\b|^(没有|没|不是|不对|不|否|无|未)|不(是|对|符合|需要|存在|涉及)|没有|^无$",
    re.I,
)
_YES = re.compile(r"^(是|对|有|符合|需要|嗯|恩|yes|y|好|可以|已经|存在|涉及|确实)|是的|对的|有的", re.I)


class Unparsed(ValueError):
    """The answer could not be understood; the engine re-asks with the choices."""


def parse_yesno(text: str) -> bool:
    t = text.strip().lower()
    if _NO.search(t):
        return False
    if _YES.search(t):
        return True
    raise Unparsed(text)


def parse_number(text: str) -> float:
    m = re.search(r"-?\d+(?:\.\d+)?", _to_digits(text))
    if not m:
        raise Unparsed(text)
    v = float(m.group(0))
    return int(v) if v.is_integer() else v


def parse_date(text: str, today: date | None = None) -> str:
    today = today or date.today()
    t = _to_digits(text.strip())
    rel = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}
    for word, back in sorted(rel.items(), key=lambda x: -len(x[0])):
        if word in t:
            return (today - timedelta(days=back)).isoformat()
    m = re.search(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})", t)
    if m:
        y, mo, d = map(int, m.groups())
    else:
        m = re.search(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?", t)
        if not m:
            raise Unparsed(text)
        y, mo, d = today.year, int(m.group(1)), int(m.group(2))
        if date(y, mo, d) > today:
            y -= 1  # "3月5号" said in February means last year's
    try:
        return date(y, mo, d).isoformat()
    except ValueError as exc:
        raise Unparsed(text) from exc


def parse_choice(text: str, q: Question) -> str:
    t = text.strip()
    for c in q.choices:
        if t == c.value or t == c.label:
            return c.value
    m = re.fullmatch(r"(?:第)?\s*([1-9一二三四五六七八九])\s*(?:个|项|种)?", t)
    if m:
        idx = int(_to_digits(m.group(1))) - 1
        if 0 <= idx < len(q.choices):
            return q.choices[idx].value
    hits = [c for c in q.choices if c.label in t or (len(c.value) > 2 and c.value in t)]
    if len(hits) == 1:
        return hits[0].value
    # partial: a choice label whose distinctive part the user typed ("简易" for 简易注销)
    hits = [c for c in q.choices if len(t) >= 2 and t in c.label]
    if len(hits) == 1:
        return hits[0].value
    raise Unparsed(text)


def parse_region(text: str, registry: RegionRegistry) -> str:
    found = registry.mentioned(text) or ([r] if (r := registry.find_by_name(text.strip())) else [])
    if not found:
        raise Unparsed(text)
    return found[0].code


def parse_answer(text: str, q: Question, registry: RegionRegistry, today: date | None = None) -> Any:
    if q.type == "yesno":
        return parse_yesno(text)
    if q.type == "number":
        return parse_number(text)
    if q.type == "date":
        return parse_date(text, today)
    if q.type == "choice":
        return parse_choice(text, q)
    return parse_region(text, registry)
