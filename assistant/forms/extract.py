"""Deterministic extractors: IDs, phones, 统一社会信用代码, Chinese dates, names after cues, addresses, numbers.
A value is only ever taken from a message, and the message is recorded with it."""

from __future__ import annotations

import re
from datetime import date

import cn2an
from pydantic import BaseModel

from assistant.eligibility.parsing import Unparsed, parse_date
from assistant.forms.spec import FieldSpec

ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
USCC_RE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
DATE_RE = re.compile(r"\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*[日号]?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|今天|昨天|前天|大前天")
ADDRESS_RE = re.compile(r"(?:[\u4e00-\u9fff]{2,6}省)?[\u4e00-\u9fff]{2,6}[市州](?:[\u4e00-\u9fff]{1,6}[区县市])?[\u4e00-\u9fff0-9A-Za-z\-号栋单元室楼路街道巷弄村组]{2,40}")
NAME_RE = re.compile(r"^[\u4e00-\u9fff·]{2,4}")
_STOP_AFTER_NAME = re.compile(r"[，,。；;\s、]|身份证|电话|手机|今年|出生|是|的")


class Extracted(BaseModel):
    value: str | float
    source: str
    message_index: int


def _after_cues(text: str, cues: list[str]) -> list[str]:
    out = []
    for cue in sorted(cues, key=len, reverse=True):
        for m in re.finditer(re.escape(cue), text):
            rest = text[m.end():].lstrip("：: 是为")
            if rest:
                out.append(rest)
    return out


def _window(text: str, cues: list[str], width: int = 30) -> list[str]:
    """Text right after each cue (what the cue refers to)."""
    return [rest[:width] for rest in _after_cues(text, cues)]


def extract_field(f: FieldSpec, text: str, today: date | None = None) -> str | float | None:
    """The value of field `f` stated in one message, or None. Cue-less patterns (IDs, phones) are only taken
    when the field's cues appear or the message has exactly one candidate and the field is the applicant's."""
    windows = _window(text, f.cues) if f.cues else []
    if f.type == "id_number":
        for w in windows:
            m = ID_RE.search(w)
            if m:
                return m.group(0).upper()
        return None
    if f.type == "phone":
        for w in windows:
            m = MOBILE_RE.search(w) or LANDLINE_RE.search(w)
            if m:
                return m.group(0)
        return None
    if f.type == "uscc":
        for w in windows + ([text] if not f.cues else []):
            m = USCC_RE.search(w.upper())
            if m:
                return m.group(0)
        return None
    if f.type == "date":
        for w in windows or ([text] if not f.cues else []):
            m = DATE_RE.search(cn2an.transform(w, "cn2an") if re.search(r"[〇一二三四五六七八九十]", w) else w)
            if m:
                try:
                    return parse_date(m.group(0), today)
                except Unparsed:
                    continue
        # "2026年10月3日出生": the date comes before the cue
        for cue in f.cues:
            for m in re.finditer(r"(" + DATE_RE.pattern + r")\s*(?:在[\u4e00-\u9fff]{1,12})?" + re.escape(cue), text):
                try:
                    return parse_date(m.group(1), today)
                except Unparsed:
                    continue
        return None
    if f.type == "choice":
        for w in windows:
            for c in f.choices:
                if w.startswith(c) or w[: len(c) + 2].find(c) >= 0:
                    return c
        for choice, words in f.keywords.items():
            if any(k in text for k in words):
                return choice
        return None
    if f.type == "number":
        for w in windows:
            m = re.search(r"\d+(?:\.\d+)?", cn2an.transform(w, "cn2an") if re.search(r"[一二三四五六七八九十百千]", w) else w)
            if m:
                v = float(m.group(0))
                return int(v) if v.is_integer() else v
        return None
    if f.type == "name":
        for w in windows:
            m = NAME_RE.match(w)
            if m:
                name = _STOP_AFTER_NAME.split(m.group(0))[0]
                if len(name) >= 2:
                    return name
        return None
    if f.type == "address":
        for w in _window(text, f.cues, 60):
            m = ADDRESS_RE.search(w)
            if m:
                return m.group(0)
            cut = re.split(r"[，,。；;]", w)[0].strip()
            if len(cut) >= 4:
                return cut
        return None
    # free text
    for w in _window(text, f.cues, 60):
        cut = re.split(r"[，,。；;]", w)[0].strip()
        if cut:
            return cut
    return None


def extract_all(fields: list[FieldSpec], messages: list[str], today: date | None = None) -> dict[str, Extracted]:
    """Go through the conversation in order; a later statement of a field replaces an earlier one."""
    out: dict[str, Extracted] = {}
    for i, msg in enumerate(messages):
        for f in fields:
            v = extract_field(f, msg, today)
            if v is not None:
                out[f.id] = Extracted(value=v, source=msg, message_index=i)
    return out
