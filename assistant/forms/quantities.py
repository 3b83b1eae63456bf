"""Quantities said the way people say them: a household counted by naming its members ("我和老婆两个小孩"
→ 4, "就我一个人" → 1) and durations in years for a field counted in months ("交了两年社保" → 24).

Hand-written: these are small Chinese phrasing rules over the project's own numeral parser; no library
counts family members named in a sentence."""

from __future__ import annotations

import re

from assistant.forms.spec import FieldSpec
from assistant.text.values import numerals_to_digits

_EXPLICIT = re.compile(
    r"(\d+)\s*(?:口人|口|个人|人)|^\s*(?:一共|总共|家里)?(\d+)\s*个(?=[，,、。\s]|$)"
    r"|(?:我|本人)(?:和|跟|带着?|同)[^，,。；;\d]{1,8}?(\d+)\s*个(?=[，,、。；;\s]|$)"  # "就我和孙孩子两个"
)
_ALONE = re.compile(
    r"(?:就|只有|只)?(?:我|本人)(?:自己)?一个人|单身一人|一个人(?:住|过|生活)|(?:就|只有)(?:我|本人)自己|^\s*就我一个"
)
_SPOUSE = re.compile(r"老婆|老公|妻子|丈夫|爱人|媳妇|配偶")
_KIDS = re.compile(r"(\d+)?\s*个?\s*(?:小孩子|小孩|孩子|娃娃|娃|儿子|女儿|闺女|细伢子|伢子|伢崽|崽)")
_BOTH_KIDS = re.compile(r"一儿一女|儿女各一")
_PARENTS = re.compile(r"父母|爸妈|公婆|岳父母")
_ONE_PARENT = re.compile(r"(?<![父爸公岳])(?:爸爸|妈妈|父亲|母亲|老爸|老妈|公公|婆婆|岳父|岳母)")
_ME = re.compile(r"我|本人")


def is_household_count(f: FieldSpec) -> bool:
    """A field that counts the people of a household (家庭人数, 共同申请人数…)."""
    return f.type == "number" and f.unit == "人" and bool(re.search(r"家|户|共同申请", f.label))


_TOGETHER = re.compile(r"(?:我|本人).{0,4}?(?:和|跟|与|加上?|带着?|还有)|(?:和|跟|与)(?:我|本人)|我们")


def count_people(text: str, listed: bool = False) -> int | None:
    """How many people the speaker's household has, from an explicit count ("一家三口", "4个人") or from
    the members named with the speaker ("我老婆和我，还有个小孩" → 3); None when the text names no household.
    With `listed`, members count only when the text lists them together ("我和…", "…跟我"): a spouse merely
    mentioned ("我爱人也是环卫工") says nothing about the household's size."""
    t = numerals_to_digits(text)
    if _ALONE.search(t):
        return 1
    m = _EXPLICIT.search(t)
    if m and not re.search(r"雇|员工|工人|店员", t[max(0, m.start() - 6) : m.start()]):
        # "四个，我、我老婆、两个细伢子": the count said first
        return int(m.group(1) or m.group(2) or m.group(3))
    if not _ME.search(t) or listed and not _TOGETHER.search(t):
        return None
    others = 0
    if _SPOUSE.search(t):
        others += 1
    if _BOTH_KIDS.search(text):
        others += 2
    else:
        for k in _KIDS.finditer(t):
            others += int(k.group(1)) if k.group(1) else 1
    if _PARENTS.search(t):
        others += 2
    else:
        others += len(_ONE_PARENT.findall(t))
    return 1 + others if others else None


def months_from_years(f: FieldSpec, text: str) -> int | float | None:
    """ "两年", "一年半" for a field counted in months, in months; None when the text gives no years."""
    if f.unit != "个月":
        return None
    t = numerals_to_digits(text)
    m = re.search(r"(\d+(?:\.\d+)?)\s*年(半)?(?:零?(\d+)\s*个?月)?(?!\d)", t)
    if not m or re.search(r"\d{4}\s*年", t[m.start() : m.end()]):
        return None  # "2019年" is a date, not a duration
    v = float(m.group(1)) * 12 + (6 if m.group(2) else 0) + (int(m.group(3)) if m.group(3) else 0)
    return int(v) if v.is_integer() else v


_ORDER = "一二三四五六七八九"
_APPROX = re.compile(
    r"([一二三四五六七八九])([二三四五六七八九])(?=个|人|名|十)|[十百]几|几十|\d+多(?=个|人|名)|十来"
)


def approximate_count(text: str) -> bool:
    """Whether the text gives a count only roughly ("七八个人", "二十几个", "十来个"): no exact value to fill."""
    for m in _APPROX.finditer(text):
        if m.group(1) is None or _ORDER.index(m.group(2)) == _ORDER.index(m.group(1)) + 1:
            return True
    return False


def months_near(f: FieldSpec, text: str) -> int | float | None:
    """A duration in months said in the clause that names the field's thing (a cue's noun: 社保 of 社保交了)."""
    nouns = {c[:2] for c in f.cues if len(c) >= 3} | {c[-2:] for c in f.cues if len(c) >= 3}
    for clause in re.split(r"[，,。；;！!？?\s]", text):
        if not any(n in clause for n in nouns) or VAGUE_AMOUNT.search(clause):
            continue
        digits = numerals_to_digits(clause)
        years = months_from_years(f, digits)
        if years is not None:
            return years
        m = re.search(r"(\d+)\s*个月", digits)
        if m:
            return int(m.group(1))
    return None


# "加一点养老金", "一楼门面": words with a numeral in them that count nothing
NOT_AMOUNTS = re.compile(
    r"一点|一些|一下|一起|一直|一样|一般|一定|一边|一块儿|一家|一手|[一二三四五六七八九十\d]+(?:楼|层)(?!高)"
)

# "三十来个平方", "四千出头", "一年出头", "两个多月": a rough amount, no exact value to fill
VAGUE_AMOUNT = re.compile(
    r"(?:\d|[十百千万年])(?:来|出头)|(?:\d|[十百千万])多(?:个|平|块|元|月|年|岁|人|名|万|米)|个多月|[十百千]几(?!号)|几[十百千万]"
)


def rough_amount(f: FieldSpec, text: str) -> bool:
    """Whether the text gives field `f`'s number only roughly: a count of people ("七八个人", "十来个"; a household
    counted member by member is exact) or an amount ("四千出头", "三十来个平方", "一年出头")."""
    if is_household_count(f):
        return False
    return (f.unit == "人" and approximate_count(text)) or bool(VAGUE_AMOUNT.search(text))


_UNIT_WORDS = {
    "人": r"个?人|口|名|位",
    "元": r"块|元|万|千(?!米)|百块",
    "平方米": r"个?平(?:方|米)?(?:米)?|㎡",
    "个月": r"个月|年",
}


def unit_mismatch(f: FieldSpec, text: str) -> bool:
    """Whether the first number of `text` is said in another field's unit ("两个人" is no income, "十八平" no
    headcount): the unit word right after it belongs to a different kind of quantity."""
    if f.unit not in _UNIT_WORDS or f.unit == "个月":
        return False
    t = re.sub(r"(?:一|每|1)个?月|每年|一年到头|(?:一|1)个人(?:住|过|带|做|干)", "", numerals_to_digits(text))
    m = re.search(r"\d+(?:\.\d+)?\s*", t)
    if m is None:
        return False
    after = t[m.end() : m.end() + 4]
    return any(
        unit != f.unit and re.match(words, after) for unit, words in _UNIT_WORDS.items()
    ) and not re.match(_UNIT_WORDS[f.unit], after)


_TOTAL = re.compile(r"(?:一共|总共|合计|加起来|共|总计)\D{0,3}?(\d+)\s*(?:个?人|名|个)")


def stated_total(text: str) -> int | None:
    """ "厨房三个，服务员四个…总共九个人": the total said after the parts."""
    m = _TOTAL.search(numerals_to_digits(text))
    return int(m.group(1)) if m else None
