"""Corrections that name no field: "身份证最后一位念错了，是X", a long code said again with one or two
characters changed, "刚才日子说错了，是11月8号，不是10月8号": each replaces the value said before.

Hand-written: which earlier value a bare corrected value replaces is a reading of the citizen's own words
against what they said before; no library does this."""

from __future__ import annotations

import re
from datetime import date

from assistant.forms.statements import LONG_CODE, near_same_code
from assistant.text.numerals import to_digits
from assistant.text.values import Unparsed, parse_date

# "是11月8号，不是10月8号": the value taken back after the new one (a digit in it: "不是独生子女" stays)
TAKEN_BACK_AFTER = re.compile(r"[，,]\s*不是[^，,。；;！!]{0,8}\d[^，,。；;！!]{0,12}")
_LAST_DIGIT = re.compile(
    r"(?:最后一位|末位|最后一个数字?|尾数)[^。；;]{0,12}?(?:应该|其实)?是\s*([0-9Xx])(?![0-9])"
)
_DATE = re.compile(r"(?:\d{2,4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]?")


def _parsed(text: str, year: str | None, today: date | None) -> str | None:
    said = to_digits(text)
    if year and not re.search(r"\d{2,4}\s*年", said):
        said = f"{year}年{said}"  # "是11月8号": the year said before stays
    try:
        return parse_date(said, today)
    except Unparsed:
        return None


def corrected_date(
    original: str, cleaned: str, dates_before: dict[str, str], today: date | None = None
) -> tuple[str, str] | None:
    """(field id, new date) when a correcting message states a date that no field took: it replaces the
    earlier date that the message takes back ("不是10月8号"), else the only date said before."""
    if not dates_before:
        return None
    new_dates = [m.group(0) for m in _DATE.finditer(to_digits(cleaned))]
    if len(new_dates) != 1:
        return None
    gone = [
        m.group(0)
        for m in _DATE.finditer(to_digits(original))
        if m.group(0) not in new_dates[0] and new_dates[0] not in m.group(0)
    ]
    target = None
    for fid, old in dates_before.items():
        if any(_parsed(g, old[:4], today) == old for g in gone):
            target = fid
    if target is None and len(dates_before) == 1:
        target = next(iter(dates_before))
    if target is None:
        return None
    value = _parsed(new_dates[0], dates_before[target][:4], today)
    return (target, value) if value and value != dates_before[target] else None


def unnamed_corrections(
    text: str,
    original: str,
    found: dict[str, str | float],
    earlier: dict[str, tuple[str, int]],
    types: dict[str, str],
    today: date | None = None,
) -> dict[str, str]:
    """Field id → corrected value, for a correcting message (`text`: with what it takes back removed;
    `earlier`: field id → (value, message index) read before; `found`: what this message already gave)."""
    out: dict[str, str] = {}
    # "身份证最后一位刚才念错了，不是7，是X": the last ID number said gets its last character replaced
    last = _LAST_DIGIT.search(text)
    ids = [k for k in earlier if types[k] == "id_number" and k not in found]
    if last and ids:
        old_id = earlier[max(ids, key=lambda k: earlier[k][1])][0]
        out.update({k: old_id[:-1] + last.group(1).upper() for k in ids if earlier[k][0] == old_id})
    # "身份证号第13位说错了，应该是4331…", "卡号中间念错了，应该是6217…": a corrected code (read for a field here,
    # or only said) replaces the near-identical one said before, whatever this message was asked
    said = {v for v in found.values() if isinstance(v, str)} | set(LONG_CODE.findall(text))
    for v in (v for v in said if len(v) >= 11):
        for j, (o, _) in earlier.items():
            if j not in found and near_same_code(o, v):
                out.setdefault(j, v)
    if not any(types[k] == "date" for k in found):
        dates = {k: v for k, (v, _) in earlier.items() if types[k] == "date"}
        if fixed := corrected_date(original, text, dates, today):
            out[fixed[0]] = fixed[1]
    return out
