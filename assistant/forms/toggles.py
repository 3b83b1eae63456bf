"""Yes/no fields read from the clause that names them: "银行社保都注销" (both yes), "海关没备案过" (no),
"公章也注销" (yes), "清税证明还没拿到" (no).

Hand-written: a yes/no field of a form (是否同步撤销银行账户) is named in speech by its noun (银行, 社保,
公章) and answered by a verb in the same clause; one verb often answers several nouns listed before it.
No library reads that; the words are the forms' own cues and labels."""

from __future__ import annotations

import re

from assistant.forms.spec import FieldSpec
from assistant.text.values import UNDECIDED

BINARY_CHOICES = ({"是", "否"}, {"有", "无"})
_LABEL_VERBS = re.compile(r"^(?:是否|有无)?(?:已经|已)?(?:同步|一并)?(?:撤销|注销|提取|取得|办理|有)?")
# a clause also ends at a contrast ("银行注销，但公章先留着")
_CLAUSE = re.compile(r"[，,。；;！!？?\n、]*(?:但是|但|不过|可是)|[，,。；;！!？?\n]+|\s+")
_NEGATED = re.compile(r"不|没|未|无|冇|别|保留|留着|暂缓|哪(?:里|儿|个)?有|哪来的?")
_ACTION = re.compile(
    r"注销|销|撤销|撤|关|停|办|提取|提|取|拿到|取得|领到|开了|有|备案过|做过|报关|同步|一起|一并|都要|也要|要"
)
# "特殊情况先不填", "这个空着": the field is left open, not answered "no"
_UNSURE = re.compile(
    UNDECIDED.pattern + r"|考虑|(?:先|暂|暂时)不(?:填|写|选)|空着|不用填|回头再填|以后再填|晚点填"
    # "社保要不要注销得问我儿子": a question the citizen has yet to ask someone, not an answer
    r"|要不要|有没有|需不需要|是不是|(?:得|要|去|再)问(?:我|他|她|会计|老板|家里|单位|领导|股东)"
)


def is_binary(f: FieldSpec) -> bool:
    return f.type == "choice" and set(f.choices) in BINARY_CHOICES


def mention_terms(f: FieldSpec) -> list[str]:
    """What a citizen calls the field's thing: its cues of two characters or more and the noun of its
    label ("是否同步撤销银行账户" → 银行账户, 银行)."""
    label = re.sub(r"（.*?）|\(.*?\)", "", f.label)
    core = _LABEL_VERBS.sub("", "是否" + label.split("是否", 1)[1]) if "是否" in label else ""
    terms = {c for c in f.cues if len(c) >= 2}
    if len(core) >= 2:
        terms |= {core, core[:2]}
    return sorted(terms, key=len, reverse=True)


def _short_mention(clause: str, f: FieldSpec) -> tuple[int, int] | None:
    """Where a yes/no field's one-character cue (车, 章) names it: only as the topic of what follows
    ("车也冇得", "车有一台") or after a have-word close before it ("有台摩托车", "哪里有么子车");
    one character anywhere else ("车站北路", "开车") names nothing."""
    for c in (c for c in f.cues if len(c) == 1) if is_binary(f) else ():
        for m in re.finditer(re.escape(c), clause):
            after = clause[m.end() : m.end() + 4]
            before = clause[max(0, m.start() - 6) : m.start()]
            if re.match(r"(?:也|都|倒|就|子|呢|嘛)?(?:没|冇|无|不|有(?!限))", after) or re.search(
                r"(?:有(?!限)|没|冇得|无)[台辆部个了过]?[\u4e00-\u9fff]{0,4}$", before
            ):
                return m.start(), m.end()
    return None


def negative_choice(f: FieldSpec) -> str | None:
    """The choice that says "none" (否, 无, 无自有住房), when a choice field has exactly one."""
    if is_binary(f):
        return "否" if "否" in f.choices else "无"
    if f.type != "choice":
        return None
    negative = [c for c in f.choices if re.match(r"无|没有|非", c)]
    return negative[0] if len(negative) == 1 else None


def _answer(f: FieldSpec, yes: bool) -> str | None:
    if not is_binary(f):
        return None if yes else negative_choice(f)
    return ("是" if "是" in f.choices else "有") if yes else ("否" if "否" in f.choices else "无")


def toggles_in(fields: list[FieldSpec], text: str) -> dict[str, str]:
    """Field id → 是/否 (有/无) for every yes/no field a clause of `text` names with a verb that answers it.
    Several fields named before one verb share it ("银行社保公积金都同步注销")."""
    # yes/no fields, and choice fields with a "none" choice (a "no" picks it: "房子车子都没有")
    binaries = [f for f in fields if negative_choice(f) is not None]
    out: dict[str, str] = {}
    for clause in _CLAUSE.split(text):
        if not clause or _UNSURE.search(clause):
            continue
        named: list[tuple[int, int, FieldSpec]] = []
        for f in binaries:
            # a choice with a "none" option is named by its own words, never by "我是"/"属于" ("我是新就业无房职工")
            for t in (t for t in mention_terms(f) if is_binary(f) or not re.match(r"我|属于", t)):
                i = clause.find(t)
                if i >= 0:
                    named.append((i, i + len(t), f))
                    break
            else:
                if (span := _short_mention(clause, f)) is not None:
                    named.append((*span, f))
        if not named:
            continue
        # what the clause says about them: the words outside the names ("都同步注销", "没…备案过")
        rest = clause
        for a, b, _ in sorted(named, key=lambda x: -x[0]):
            rest = rest[:a] + " " + rest[b:]
        rest = rest.replace(" ", "")
        if not _ACTION.search(rest) and not _NEGATED.search(rest):
            continue
        yes = not _NEGATED.search(rest)
        for _, _, f in named:
            # the clause said last tells how it is now ("车以前有一辆，…目前家里没有机动车")
            if (answer := _answer(f, yes)) is not None:
                out[f.id] = answer
    return out
