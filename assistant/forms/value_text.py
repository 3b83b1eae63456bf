"""A text or address value as the form stores it: without the words that introduced it ("单位湘潭市…",
"地址就写长沙市…"), and whether a reply says there is no value yet ("先不填", "回去查一下再告诉你").

Hand-written: these are the forms' own introducing words and Chinese non-answers; no library strips them."""

from __future__ import annotations

import re

from assistant.forms.extract import ADDRESS_RE
from assistant.forms.spec import FieldSpec
from assistant.text.values import UNDECIDED

_INTRO = ("店名", "名字", "名称", "叫做", "他单位", "她单位", "我单位", "我们单位", "我们公司", "我们店")
_FILLER = re.compile(
    r"^(?:户口|户籍|地址|住址|住|的|和|都|也|就|是|在|写|填|为|码|号|叫|归|属|：|:|，|,|\s)+"
)


def clean_text_value(f: FieldSpec, value: str) -> str:
    """A text or address value without the words that introduced it ("单位湘潭市…", "地址就写长沙市…",
    "户口和住的都是长沙市…" → the value itself)."""
    core = re.sub(r"（.*?）|\(.*?\)", "", f.label)
    bigrams = {core[i : i + 2] for i in range(len(core) - 1)} if f.type == "text" else set()
    words = sorted(
        {*(c for c in f.cues if len(c) >= 2), *re.split(r"[（）()/、]", f.label), *bigrams, *_INTRO},
        key=len,
        reverse=True,
    )
    # “张记米粉”四个字 (its opening mark may already be gone): the name inside the quotation marks
    quoted = re.search(r"[“\"「『]([^“”\"「」『』]{1,40})[”\"」』]", value) or re.match(
        r"\s*([^“”\"「」『』]{1,40})[”\"」』]", value
    )
    v = quoted.group(1) if quoted else value.strip().strip("“”\"'「」『』")
    for _ in range(3):
        before = v
        for w in words:
            left = v[len(w) :]
            if (
                len(w) >= 2
                and v.startswith(w)
                and (len(left) >= 4 or re.fullmatch(r"[\u4e00-\u9fff]{2,}[市县区镇乡]", left))
            ):
                v = v[len(w) :]
        v = _FILLER.sub("", v).strip("“”\"'「」『』")
        if v == before:
            break
    return v.strip()


_ADDRESS_LEAD = re.compile(r"住所|住在|住|租在|在|寄到|寄|到|是|于|为|地址|老家|户口|：|:")


def trim_address(value: str) -> str:
    """The address without the words before it ("我现在住怀化市…25号，社保卡也寄这里" → "怀化市…25号")."""
    m = ADDRESS_RE.search(value)
    if m is None:
        return value
    if m.start() > 0 and not _ADDRESS_LEAD.search(value[: m.start()]):
        return value  # "靖州苗族侗族自治县…": nothing introduces it, the match only started late
    v = best = m.group(0)
    for lead in _ADDRESS_LEAD.finditer(v):  # the last lead word that leaves a whole address
        rest = v[lead.end() :]
        a = ADDRESS_RE.match(rest)
        if a is not None and len(a.group(0)) == len(rest) and len(rest) >= 6:
            best = rest
    # "…3单元602租了套房": words after the house number that name no place are not the address
    tail = re.search(r"(?<=\d)(?:号|室|栋|幢|单元|楼|层)?([\u4e00-\u9fff]{2,})$", best)
    if tail and re.search(r"[了的租买住在是有要那这]", tail.group(1)):
        best = best[: tail.start(1)]
    return best


# a value that says there is no value yet ("这个不清楚", "先不填", "租的哪有证", "跟执照上一样，你们系统里有")
NO_VALUE = re.compile(
    r"没单位|没有单位|无单位|改制了|倒闭了|自己跑车|还没做好|还没做|"
    r"记不得|先不填|不用填|不填|不写|找不到|哪有|以后再|再说|"
    r"你们系统|你们能查|跟执照上一样|跟以前一样|不用寄|不寄|自己去拿|去拿|自己(?:去|到)[^，,。]{1,6}拿|自取|不挂|不弄|还在设计|还没想|"
    r"只记得|后(?:四|4|几)位|尾号|^(?:等下|等一下|等等|稍等|嗯|哦)[，,。…]*$|吗[？?]?$|[？?]$|"
    r"回去查|回去问|要问(?:一)?下|问(?:一)?下我|查(?:一下|一查)?再|再告诉|还没下来|没下来|^哪个|没有招牌|没招牌|不挂招牌|"
    r"不让挂|不能挂|挂不了|" + UNDECIDED.pattern
)
NON_ANSWER = re.compile(
    r"(?:先|暂时|暂|还)?(?:不设|不要|没有|没定|不填|不写|待定|还没想好|没想好|不知道|无)[。.！!]?"
)
