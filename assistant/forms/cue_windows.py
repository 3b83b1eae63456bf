"""The text right after a field's cue words in a message ("身份证号是4301…" → "4301…"): what the cue refers to,
unless the cue is part of a longer cue of another field, of a person word or of another document's name."""

from __future__ import annotations

import re

from assistant.forms.roles import OTHER_PERSON, ROLE_WORDS
from assistant.text.matching import positions

PERSON_WORDS = [w for words in ROLE_WORDS.values() for w in words] + ["经营者", "负责人", "申请人", "代理人"]

_OTHER_DOCUMENT = re.compile(
    r"(?:身份|居住|暂住|驾驶|行驶|通行|结婚|离婚|残疾|出生|准生|学生|毕业|退休|工作|营业执)$"
)


def _inside_longer_cue(text: str, start: int, end: int, others: list[str]) -> bool:
    """Whether [start, end) lies inside an occurrence of a longer cue of another field ("证号是" in "身份证号是")."""
    for c in others:
        if len(c) <= end - start:
            continue
        for i in positions(c, text):
            if i <= start and i + len(c) >= end:
                return True
    return False


def after_cues(
    text: str, cues: list[str], self_only: bool = False, others: list[str] | None = None
) -> list[str]:
    """Text after each cue (longest cues first; one-character cues are too vague and ignored). For the
    applicant's own fields, a cue preceded by another person ("我爸身份证") refers to that person: skipped.
    A cue that is part of another field's longer cue belongs to that field."""
    out = []
    for cue in sorted((c for c in cues if len(c) >= 2), key=len, reverse=True):
        for start in positions(cue, text):
            end = start + len(cue)
            if (
                self_only
                and OTHER_PERSON.search(text[max(0, start - 4) : start])
                and not OTHER_PERSON.search(cue)
            ):
                continue
            if others and _inside_longer_cue(text, start, end, others):
                continue
            if cue.startswith("证") and _OTHER_DOCUMENT.search(text[max(0, start - 3) : start]):
                continue  # "证号是" in "居住证号是…": another document's number
            if _inside_longer_cue(text, start, end, PERSON_WORDS):
                continue  # "经营" in "我是经营者": a person, not the business items
            rest = text[end:].lstrip("：: 是为")
            if rest:
                out.append(rest)
    return out


def cue_window(
    text: str, cues: list[str], width: int = 30, self_only: bool = False, others: list[str] | None = None
) -> list[str]:
    """Text right after each cue (what the cue refers to)."""
    return [rest[:width] for rest in after_cues(text, cues, self_only, others)]
