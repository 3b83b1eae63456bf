"""Turn a free-text answer into the value an eligibility question asks for (value parsing lives in
assistant.text.values; regions are looked up in the region registry)."""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.eligibility.rules import Question
from assistant.guides.regions import RegionRegistry
from assistant.text.values import Unparsed, parse_choice, parse_date, parse_number, parse_yesno

__all__ = ["Unparsed", "parse_answer", "parse_region"]


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
        return parse_choice(text, q.choices)
    return parse_region(text, registry)
