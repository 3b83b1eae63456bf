"""Values a citizen states without any cue, read by their shape alone: "长沙市岳麓区桃子湖路12号 租赁的 25平
热食类食品制售" in a chat message. Only when the shape picks exactly one field of the form: an area in 平
for the one field measured in 平方米, a bare address for the form's one address of its own, a field's own
value pattern (the permit's item names).

Hand-written: these are the forms' own units and patterns; the weakest reading, used only for fields
nothing else filled."""

from __future__ import annotations

import re

from assistant.forms.extract import ADDRESS_RE
from assistant.forms.quantities import approximate_count, is_household_count
from assistant.forms.roles import field_person
from assistant.forms.spec import FieldSpec
from assistant.forms.statements import clauses
from assistant.text.values import numerals_to_digits

# spoken forms of a field's unit, read as "<number><unit>"
_UNIT_WORDS = {
    "平方米": r"(?:平方米|平米|平方|个平方|平|㎡|m2)",
    "人": r"(?:个人|名员工|个员工|个工人|名店员|人)(?!有限|公司|独资|股东|一户)",  # not "一人有限公司"
}


# a clause led by a verb says what kind of address it is ("住…", "户口在…"): the cue readers handle it
_LED = re.compile(r"住|在|家|户口|户籍|地址|寄|邮寄|注册|店|我")


def _own_address_fields(fields: list[FieldSpec]) -> list[FieldSpec]:
    return [
        f
        for f in fields
        if f.type == "address" and field_person(f) is None and not f.id.startswith("applicant_")
    ]


def bare_values(fields: list[FieldSpec], text: str) -> dict[str, str | float]:
    """Field id → value for the values `text` states by their shape alone (see the module docstring)."""
    out: dict[str, str | float] = {}
    for f in fields:
        if f.pattern and (m := re.search(f.pattern, text)):
            out[f.id] = m.group(0)
    for unit, words in _UNIT_WORDS.items():
        holders = [f for f in fields if f.type == "number" and f.unit == unit and not is_household_count(f)]
        if len(holders) != 1:
            continue
        f = holders[0]
        if unit == "人" and approximate_count(text):
            continue  # "七八个人，还没定": no exact count
        digits = numerals_to_digits(text)
        m = re.search(r"(?<![\dA-Za-z])(\d+(?:\.\d+)?)\s*" + words, digits)
        if m:
            v = float(m.group(1))
            out[f.id] = int(v) if v.is_integer() else v
    own = _own_address_fields(fields)
    if len(own) == 1:
        for part in clauses(text):
            m = ADDRESS_RE.fullmatch(part)
            if m and re.search(r"[路街道巷号村组]", part) and not _LED.match(part):
                out[own[0].id] = part
                break
    return out
