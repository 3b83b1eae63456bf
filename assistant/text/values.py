"""Parse free-text values said by citizens: 是/对/有/没有, numbers with Chinese numerals, dates, choices.

Shared by eligibility answers and form fields. Written by hand: no library reads yes/no and colloquial
Chinese dates; numerals go through cn2an (assistant.text.numerals)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import BaseModel

from assistant.text.numerals import to_digits

_NO = re.compile(
    r"^(没有|没|不是|不对|不|否|无|未|不需要|不符合|没用|从来没|no|n)\b|^(没有|没|不是|不对|不|否|无|未)|不(是|对|符合|需要|存在|涉及)|没有|^无$"
    r"|(?<![能是])不(行|合格|达标|够|满足|通过)|没(通过|过关|分开|达到|做到|达标|满)"
    r"|^(都|还|也|暂时|目前|现在|从来|一直|压根|根本){1,2}(没|未|无|不)(?!错|少|止|仅|一定|断|停|欠|拖)",  # "都还没买"
    re.I,
)
_YES = re.compile(r"^(是|对|有|符合|需要|嗯|恩|yes|y|好|可以|已经|存在|涉及|确实)|是的|对的|有的", re.I)


class Unparsed(ValueError):
    """The text could not be understood as a value of the asked type."""


class Choice(BaseModel):
    """One option of a choice question or field: the stored value and the label people see."""

    value: str
    label: str
    keywords: list[str] = []  # everyday words that pick this choice ("搞丢了" for 挂失补办)


_YES_IDIOM = re.compile(r"没问题|没毛病|没错|不错|没得说")
_UNSURE = re.compile(r"随便|不知道|不清楚|不确定|说不好|说不准|看情况|也许|记不清|忘了|不记得|不太懂|不懂")
# a form reply that gives no value yet: not sure, not decided, someone else must be asked ("公积金我不清楚，要问下
# 我妈", "等正式退了再说，现在不定"); forms and their yes/no toggles share it. Eligibility answers keep their own
# (text/answers.py): this wider one lowered the eligibility test split (decisions 0.840 -> 0.800) while dev did
# not move, so it is not used there
# an answer to a question that says "I can't say" (eligibility answers, text/answers.py)
UNSURE_REPLY = re.compile(_UNSURE.pattern + r"|拿不准|搞不清|搞不懂|不晓得|说不清|弄不清")
UNDECIDED = re.compile(
    UNSURE_REPLY.pattern + r"|没想好|还没定|没定|现在不定|待定|再说(?!一)|没商量好|还在商量|没商量"
    r"|考虑考虑|再考虑|(?:要|得|再|先)问(?:一?下|问)|没交代|拍板|说了算|销不销|取不取|提不提|办不办|撤不撤|注不注销"
)
_ASKING = re.compile(
    r"[吗呢？?]|怎么|怎样|如何|多少|几[个天岁年月次]|哪|什么|啥|能不能|可不可以|是否|有没有|是不是|要不要"
)


def parse_yesno(text: str) -> bool:
    """是/对/有 → True, 不/没/无 → False. A plain statement with no negation answers yes: people answer
    “是否在本省助产机构出生？” with “在湘雅二医院生的”, “您是否自愿？” with “愿意”. A question back is not an answer."""
    t = text.strip().lower()
    if _UNSURE.search(t):
        raise Unparsed(text)
    if _YES_IDIOM.search(t):  # "没问题", "没错": a no-word that means yes
        return True
    if _NO.search(t):
        return False
    if _YES.search(t):
        return True
    if len(t) >= 2 and not _ASKING.search(t):
        return True
    raise Unparsed(text)


_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_MIXED = re.compile(r"(\d+(?:\.\d+)?)\s*([千万])\s*(\d)?(?![\d.])")


def _cn_run(run: str) -> tuple[str, str]:
    """(digits, rest) for a run of Chinese numerals: the longest prefix cn2an reads, the rest left as is
    ("三千二一个月" → 3200 and "一个月")."""
    import cn2an

    for end in range(len(run), 0, -1):
        try:
            v = cn2an.cn2an(run[:end], "smart")
        except (ValueError, KeyError, IndexError):
            continue
        return (str(int(v)) if float(v).is_integer() else str(v)), run[end:]
    return run, ""


def numerals_to_digits(text: str) -> str:
    """Every number in the text as digits, colloquial forms included: 四千五 → 4500, 三千二一个月 → 3200一个月,
    八十平 → 80平, 4千5 → 4500, 1.2万 → 12000."""
    out, pos = [], 0
    for m in _CN_RUN.finditer(text):
        digits, rest = _cn_run(m.group(0))
        out += [text[pos : m.start()], digits, rest]
        pos = m.end()
    out.append(text[pos:])
    t = "".join(out)

    def mixed(m: re.Match) -> str:
        unit = 1000 if m.group(2) == "千" else 10000
        v = float(m.group(1)) * unit + (int(m.group(3)) * unit // 10 if m.group(3) else 0)
        return str(int(v)) if v.is_integer() else str(v)

    return _MIXED.sub(mixed, t)


def parse_number(text: str) -> float:
    """The number a reply gives; a total when it adds parts up ("八年加二十五年，一共三十三年" → 33)."""
    t = numerals_to_digits(text)
    total = re.search(r"(?:一共|总共|合计|加起来|共)\D{0,3}?(\d+(?:\.\d+)?)", t)
    if total:
        v = float(total.group(1))
        return int(v) if v.is_integer() else v
    m = re.search(r"-?\d+(?:\.\d+)?", t)
    if not m:
        raise Unparsed(text)
    v = float(m.group(0))
    return int(v) if v.is_integer() else v


def parse_date(text: str, today: date | None = None) -> str:
    today = today or date.today()
    t = to_digits(text.strip())
    rel = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}
    for word, back in sorted(rel.items(), key=lambda x: -len(x[0])):
        if word in t:
            return (today - timedelta(days=back)).isoformat()
    m = re.search(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})", t)
    short = re.search(r"(?<!\d)(\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})", t)
    if m:
        y, mo, d = map(int, m.groups())
    elif short:  # "76年4月30号": a two-digit year is this century's unless that lies ahead
        yy, mo, d = map(int, short.groups())
        y = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    else:
        m = re.search(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?", t)
        if not m:
            raise Unparsed(text)
        y, mo, d = today.year, int(m.group(1)), int(m.group(2))
        try:
            if date(y, mo, d) > today:
                y -= 1  # "3月5号" said in February means last year's
        except ValueError as exc:  # "2月30号", "13月1号"
            raise Unparsed(text) from exc
    try:
        return date(y, mo, d).isoformat()
    except ValueError as exc:
        raise Unparsed(text) from exc


_POSITIVE = {"是", "符合", "有", "已", "需要", "愿意", "同意"}
_STOP_CHARS = set("的了是在我要想吗呢和或及但，,、（）()/ 　。；;：:等")


def _yes_no_choices(choices: Sequence[Choice]) -> tuple[Choice, Choice, Choice | None] | None:
    """(yes, no, unsure) when a choice question is a yes/no question in disguise (是/否/不确定, 符合/不符合)."""
    yes = next((c for c in choices if c.label in _POSITIVE), None)
    no = next(
        (
            c
            for c in choices
            if c is not yes and re.match(r"^(不|否|没|无|未)", c.label) and "确定" not in c.label
        ),
        None,
    )
    unsure = next((c for c in choices if re.search(r"不确定|不清楚|不知道", c.label)), None)
    if yes is None or no is None or len(choices) > 3:
        return None
    return yes, no, unsure


def parse_choice(text: str, choices: Sequence[Choice]) -> str:
    """The value of the choice the text picks: exact label or value, its number ("第2个"), a label inside
    the text, the distinctive part of one label ("简易" for 简易注销), a yes or no to a yes/no choice, or the
    label sharing clearly the most characters with the text ("没房" → 在本地没有自有住房)."""
    t = text.strip()
    for c in choices:
        if t == c.value or t == c.label:
            return c.value
    yn = _yes_no_choices(choices)
    if yn is not None:
        yes, no, unsure = yn
        if unsure is not None and _UNSURE.search(t):
            return unsure.value
        try:
            return (yes if parse_yesno(t) else no).value
        except Unparsed:
            pass
    said = sorted(((w, c) for c in choices for w in c.keywords if w in t), key=lambda x: -len(x[0]))
    if said and all(c.value == said[0][1].value for w, c in said if len(w) == len(said[0][0])):
        return said[0][1].value
    m = re.fullmatch(r"(?:第)?\s*([1-9一二三四五六七八九])\s*(?:个|项|种)?", t)
    if m:
        idx = int(to_digits(m.group(1))) - 1
        if 0 <= idx < len(choices):
            return choices[idx].value
    hits = [c for c in choices if c.label in t or (len(c.value) > 2 and c.value in t)]
    if len(hits) == 1:
        return hits[0].value
    hits = [c for c in choices if len(t) >= 2 and t in c.label]
    if len(hits) == 1:
        return hits[0].value
    # the choice sharing the longest distinctive run of characters with the text ("想走简易程序" → 简易注销)
    scored = sorted(((_shared_run(t, c.label, choices), i) for i, c in enumerate(choices)), reverse=True)
    if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return choices[scored[0][1]].value
    chars = set(t) - _STOP_CHARS
    overlap = sorted(
        (
            (
                len(chars & (set(c.label) - _STOP_CHARS)),
                len(chars & set(c.label)) / max(1, len(set(c.label))),
                i,
            )
            for i, c in enumerate(choices)
        ),
        reverse=True,
    )
    if overlap and overlap[0][0] >= 2 and (len(overlap) == 1 or overlap[0][:2] > overlap[1][:2]):
        return choices[overlap[0][2]].value
    raise Unparsed(text)


def _shared_run(text: str, label: str, choices: Sequence[Choice]) -> int:
    """Length of the longest run of characters the text shares with this label and with no other label."""
    others = [c.label for c in choices if c.label != label]
    best = 0
    for i in range(len(label)):
        for j in range(i + 2, len(label) + 1):
            run = label[i:j]
            if run in text and not any(run in o for o in others):
                best = max(best, j - i)
    return best
