"""Everyday words for the forms' choice labels ("一般注销" for 普通注销, "老伴过世了" for 丧偶, "租来的" for
租赁): each rule rewrites a phrase into the label words, and a choice is looked for in the text and in
each rewrite.

Hand-written: a short table of plain Chinese paraphrases of administrative labels; no library maps these."""

from __future__ import annotations

import re

_SPOUSE = r"(?:老公|老婆|爱人|配偶|丈夫|妻子|老伴|另一半|媳妇|老头子|老太婆|老头|老婆子)"
_FOLLOW = r"(?:跟|随|落在|上在|挂在|落到|上到|迁到|报在|落|上)"
_CHILD = r"孩子|宝宝|伢子|伢儿|小孩|娃"
# "跟" and a bare "上" also join two people ("我跟我老婆都是土家族", "早上我老公…"): a spouse is followed only
# after a verb that can mean nothing else (the rules read "FOLLOW + SIDE", so SIDE's last branch has its own verb)
_ONTO = r"(?:随|落在|上在|挂在|落到|上到|迁到|报在|落)"
_FATHER_SIDE = r"(?:我(?:崽|儿子)(?:户口|那边|的)|他(?:那边|户口))|" + _ONTO + r"我?(?:老公|丈夫|男人)"
_MOTHER_SIDE = r"(?:我(?:女儿|闺女)(?:户口|那边|的)|她(?:那边|户口))|" + _ONTO + r"我?(?:老婆|媳妇|妻子|堂客)"
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"一般"), "普通"),
    (re.compile(r"普通"), "一般"),
    (re.compile(_SPOUSE + r".{0,6}?(?:过世|去世|走了|不在了|病故|死了|没了)"), "丧偶"),
    (re.compile(r"离了婚|离婚|离了"), "离异"),
    (re.compile(r"没结过婚|还没结婚|没结婚|未结婚|单身|没成家|还单着|单着|没对象"), "未婚"),
    (
        re.compile(
            r"结婚了|结了婚|成家了|已经结婚|结过婚了|结婚[\d一二三四五六七八九十几两多]{1,3}年"
            r"|(?<![没未冇])(?:领|扯)(?:了|的|过)?(?:结婚)?证"
        ),
        "已婚",
    ),
    (re.compile(r"租来的|租的|租别人的|租了|租房|在租"), "租赁 租住房"),
    (re.compile(r"自己的房子?|自家的?房子?|自己家的|自己买的房"), "自有 自有产权房"),
    (re.compile(r"不动产权证书?|不动产证"), "房产证"),
    # housing policies by their everyday names
    (re.compile(r"房改房"), "房改购房"),
    (re.compile(r"经适房|经济适用房"), "经济适用住房"),
    (re.compile(r"集资房"), "集资建房"),
    (re.compile(r"一个人的公司|一人公司|就我一个股东|只有一个股东"), "一人有限责任公司"),
    # whose household a newborn joins: "跟她爸", "上他妈妈那边", "上到我崽户口上" (a grandparent: the son is the
    # father), "上她那边" (said by the father); "我" alone is the speaker's side (forms/reading.py)
    (
        re.compile(_FOLLOW + r"(?:" + _CHILD + r"|他|她)?的?(?:爸爸|爸|父亲|老爸)|" + _FOLLOW + _FATHER_SIDE),
        "随父",
    ),
    (
        re.compile(_FOLLOW + r"(?:" + _CHILD + r"|他|她)?的?(?:妈妈|妈|母亲|老妈)|" + _FOLLOW + _MOTHER_SIDE),
        "随母",
    ),
]


def synonym_variants(text: str) -> list[str]:
    """The text rewritten by each rule that applies (the original is not included)."""
    return [rule.sub(label, text) for rule, label in _RULES if rule.search(text)]


# Hunan (and wider southern) everyday words for plain Mandarin ones: "冇得" is 没有, "晓得" is 知道
_DIALECT = [
    (re.compile(r"冇得|没得(?=[\u4e00-\u9fff]|$|[，,。！!？?])"), "没有"),
    (re.compile(r"冇"), "没"),
    (re.compile(r"晓得"), "知道"),
    (re.compile(r"啥子|么子"), "什么"),
    (re.compile(r"啵(?=$|[，,。？?！!\s])"), "吗"),  # "还能走这个一件事啵？"
    # a child's sex is kept where the word says it: "崽伢子", "孙伢子" and "是个伢子" are boys
    (re.compile(r"崽伢子|崽伢|男伢子?|(?<=是个)伢子|(?<=生了个)伢子"), "男孩"),
    (re.compile(r"孙伢子|孙伢"), "孙子"),
    (re.compile(r"妹伢子|妹伢|妹坨"), "女孩"),
    (re.compile(r"伢儿|伢子|细伢子"), "孩子"),
]


def plain_words(text: str) -> str:
    """The text with dialect words replaced by their plain Mandarin equivalents."""
    for rule, plain in _DIALECT:
        text = rule.sub(plain, text)
    return text
