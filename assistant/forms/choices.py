"""Which choice of a form field a text picks, from the field's keywords and choice labels and the everyday
synonyms of text/synonyms.py: negation understood ("我不是独生子女父母" → 否), the choice said last winning
("随爸爸吧…等下，还是随母"), a choice said with 是 before one inside a name ("我们是分公司").

Hand-written: the forms' own keyword lists read with Chinese negation; no library does this."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.forms.spec import FieldSpec
from assistant.text.synonyms import plain_words, synonym_variants

_COUPLE = re.compile(r"女儿女婿|儿子儿媳|儿子媳妇|闺女女婿")
_NEGATION = re.compile(r"(不|没|未|非|无|别)[是有用要办]?$")
_NEGATIVE_WORD = re.compile(r"^(不|没|未|非|无)")
_BINARY = [{"是", "否"}, {"有", "无"}]


def choice_in(f: FieldSpec, text: str, reply: bool = False) -> str | None:
    """The choice a text picks for field `f`, from the field's keywords or its choice labels, negation
    understood: “我不是独生子女父母” picks 否, “没有车” picks 无; a negated keyword of a many-way choice is skipped."""
    text = _COUPLE.sub("孩子父母", text)  # "女儿女婿都上班" (a grandparent speaking) says nothing of a girl
    # dialect first: "以前有台面包车…现在冇得车" must see the later "没有车" to let it win
    plain = plain_words(text)
    # the words as said last: a dialect keyword of the form ("崽伢子", "是个伢子") is gone from the plain text
    for variant in (plain, *synonym_variants(plain), text):
        found = _choice_in(f, variant, reply)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=4096)
def _keyword_pattern(word: str) -> re.Pattern[str]:
    """A choice word as a pattern; a long one also matches with a filler word inside ("公积金一起取" in
    "公积金也一起取"). An explicit cache: the same few hundred words are looked for in every message."""
    return re.compile(".?".join(map(re.escape, word)) if len(word) >= 4 else re.escape(word))


_IN_DOUBT = re.compile(
    r"算不算|能不能算|是不是|不晓得|不知道|不清楚|不确定|还没(?:去)?(?:认定|评定|评上|批下来)"
)


def _clause_at(text: str, start: int, end: int) -> str:
    """The clause of `text` that holds the span: between the sentence or clause marks around it."""
    left = max(text.rfind(p, 0, start) for p in "，,。；;！!？?\n")
    rights = [i for i in (text.find(p, end) for p in "，,。；;！!？?\n") if i >= 0]
    return text[left + 1 : min(rights) if rights else len(text)]


def _choice_in(f: FieldSpec, text: str, reply: bool) -> str | None:
    """The choice said last wins ("随爸爸吧…等下，还是随母", "…有限公司长沙分公司", "等退了再取，现在不取"); a choice
    said with 是 ("我们是分公司") wins over one inside a name; of overlapping words the longest counts."""
    binary = next((b for b in _BINARY if set(f.choices) == b), None)
    candidates = [(w, c) for c, words in f.keywords.items() for w in words] + [(c, c) for c in f.choices]
    hits: list[tuple[int, int, int, str]] = []  # (said with 是, end, length, choice)
    for word, choice in candidates:
        if len(word) < 2 and not reply:  # "是", "男" anywhere in a message say nothing about this field
            continue
        for m in _keyword_pattern(word).finditer(text):
            if _IN_DOUBT.search(_clause_at(text, m.start(), m.end())):
                continue  # "我们算不算低收入家庭", "低收入家庭我不晓得算不算，还没去认定": asked, not said
            negated = bool(
                _NEGATION.search(text[max(0, m.start() - 3) : m.start()])
            ) and not _NEGATIVE_WORD.match(word)
            picked = choice
            if (
                negated
            ):  # "没有房子，车也没有": each negated mention is the other choice, not a flip of the last
                if not binary:
                    continue
                picked = next(iter(binary - {choice}))
            said = bool(
                re.search(r"(?:是|属于|为)(?:个|一个|一家)?$", text[max(0, m.start() - 4) : m.start()])
            )
            hits.append((int(said), m.end(), len(word), picked))
    if not hits:
        return None
    return max(hits)[3]


def items_in(f: FieldSpec, text: str) -> str | None:
    """A list field's items from everyday words ("卖米粉，再做点奶茶" → 热食类食品制售、自制饮品制售), in the order
    first said; None when the field has no such words or the text names none."""
    if f.type != "text" or not f.keywords:
        return None
    # "熊记米粉店", "奶茶店": the kind of a shop's name says what it is called, not what the form lists
    plain = re.sub(r"[\u4e00-\u9fff]{1,4}(?:店|馆|铺|摊|坊)", " ", plain_words(text))
    first = {
        item: min(i for w in words if (i := plain.find(w)) >= 0)
        for item, words in f.keywords.items()
        if any(w in plain for w in words)
    }
    return "、".join(sorted(first, key=first.get)) if first else None  # type: ignore[arg-type]
