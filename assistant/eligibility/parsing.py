"""Turn a free-text answer into the value an eligibility question asks for (value parsing lives in
assistant.text.values; regions are looked up in the region registry)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.eligibility.rules import Question
from assistant.guides.regions import RegionRegistry
from assistant.text.answers import _LEADING_YES, _SELF_CORRECTION, _UNSURE, IN_HUNAN, answer_yesno
from assistant.text.synonyms import plain_words, synonym_variants
from assistant.text.values import Unparsed, numerals_to_digits, parse_choice, parse_date, parse_number

__all__ = ["Unparsed", "parse_answer", "parse_region"]


def parse_region(text: str, registry: RegionRegistry) -> str:
    found = registry.mentioned(text) or ([r] if (r := registry.find_by_name(text.strip())) else [])
    if not found:
        raise Unparsed(text)
    return found[0].code


_YESNO_VALUES = {"yes", "no", "unsure"}


# "不是食品药品也不是特种设备": each negated choice up to the next 也/又/和, not beyond
_NEGATED_CHOICE = re.compile(
    r"(?:不是|不能|不想|不走|不要|不搞|不选|不用|不办)[^，,。；;！!？?\s也又和、]{1,10}"
)


def parse_answer(text: str, q: Question, registry: RegionRegistry, today: date | None = None) -> Any:
    """The value a free-text reply gives to question `q`, read against the question's own wording (its
    thresholds and negations) and, for choices, against everyday words for each choice (the same synonyms
    the forms use)."""
    text = plain_words(text)  # "冇享受过" is "没享受过"

    def in_hunan(t: str) -> bool:  # a Hunan city word, or any county the registry knows ("宁乡")
        return bool(IN_HUNAN.search(t)) or bool(registry.mentioned(t))

    if q.type == "yesno":
        try:
            return answer_yesno(q.text, text, in_hunan)
        except Unparsed:
            for variant in synonym_variants(text):  # "买过一套房改房" to "…房改购房…政策？"
                try:
                    return answer_yesno(q.text, variant, in_hunan)
                except Unparsed:
                    continue
            raise
    if q.type == "number":
        corrections = list(_SELF_CORRECTION.finditer(text))
        if corrections and corrections[-1].end() < len(text):  # "十五年…哦不对，是十四年零十一个月"
            text = text[corrections[-1].end() :]
        if q.unit == "年":  # "十四年零十一个月" is just under fifteen years
            both = re.search(r"(\d+)\s*年\s*(?:零|又)?\s*(\d+)\s*个?月", numerals_to_digits(text))
            if both:
                return round(int(both.group(1)) + int(both.group(2)) / 12, 2)
        if "月" in q.unit:  # "半年多了", "一年半" for a count of months
            t = numerals_to_digits(text)
            both = re.search(r"(\d+)\s*年\s*(?:零|又)?\s*(\d+)\s*个?月", t)
            if both:  # "一年零两个月"
                return int(both.group(1)) * 12 + int(both.group(2))
            years = re.search(r"(\d+(?:\.\d+)?)\s*年(半)?", t)
            if years and not re.search(r"\d+\s*个?月", t):
                return float(years.group(1)) * 12 + (6 if years.group(2) else 0)
            if re.search(r"半年", t) and not re.search(r"\d", t):
                return 6
        return parse_number(text)
    if q.type == "date":
        return parse_date(text, today)
    if q.type == "choice":
        values = {c.value for c in q.choices}
        if {"yes", "no"} <= values <= _YESNO_VALUES:  # a yes/no question with a "not sure" option
            try:
                return "yes" if answer_yesno(q.text, text) else "no"
            except Unparsed:
                if "unsure" in values and _UNSURE.search(text):
                    return "unsure"
                raise
        if "unsure" in values and _UNSURE.search(text):  # "我搞不清白，不知道选哪个"
            return "unsure"
        # "听讲不能简易注销，就走普通注销", "不是到期": a choice said in the negative is not the one picked
        kept = _NEGATED_CHOICE.sub("", text)
        for variant in ([kept] if kept.strip() and kept != text else []) + [text, *synonym_variants(text)]:
            try:
                return parse_choice(variant, q.choices)
            except Unparsed:
                continue
        # "到了，上个月满的" to 已达到 / 未达到，特殊工种 / 未达到: a plain yes or no picks the yes or no choice
        if {"yes", "no"} <= values:
            if _LEADING_YES.match(text):
                return "yes"
            try:
                return "yes" if answer_yesno(q.text, text, in_hunan) else "no"
            except Unparsed:
                pass
        raise Unparsed(text)
    return parse_region(text, registry)
