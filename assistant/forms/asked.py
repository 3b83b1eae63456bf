"""Which form fields a question asks, in the order it asks them ("宝宝父亲的姓名和身份证号码？" → father's name,
father's ID), and how a citizen's short reply maps onto them ("邓超 43018119910101057X")."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.forms.extract import ORG_SUFFIX
from assistant.forms.quantities import count_people, is_household_count
from assistant.forms.roles import RELATION_OF, ROLE_WORDS, SELF, field_person, role_at
from assistant.forms.spec import FieldSpec
from assistant.forms.statements import clauses, name_in
from assistant.text.names import looks_like_name
from assistant.text.values import Unparsed, parse_yesno

ATTR_WORDS = {
    "name": ["姓名", "名字", "叫什么", "是谁"],
    "id_number": ["身份证", "证件号"],
    "phone": ["电话", "手机", "联系方式"],
    "gender": ["性别", "男孩还是女孩", "男还是女"],
    "birth": ["出生日期", "生日", "哪天出生", "出生年月", "哪天生"],
}
_SELF_WORDS = ["您", "你", "申请人", "本人"]
_DATE_LIKE = re.compile(r"\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]|\d{1,2}月\d{1,2}[日号]")
_ADDRESS_HINT = re.compile(r"[省市区县镇乡村街路巷道号栋单元室楼组]")


def _label_pieces(f: FieldSpec) -> list[str]:
    pieces = [p for p in re.split(r"[（）()/、·]", f.label) if len(p) >= 2]
    core = re.sub(r"（.*?）|\(.*?\)", "", f.label)
    return sorted({core, *pieces}, key=len, reverse=True)


_GENERIC = {
    "号码",
    "地址",
    "姓名",
    "名称",
    "日期",
    "是否",
    "情况",
    "类型",
    "信息",
    "证件",
    "名字",
    "时间",
    "人数",
    "同步",
}


def _shared(question: str, label: str) -> tuple[int, int]:
    """(length, position in the question) of the longest run of the label found in the question; generic
    words (地址, 号码…) alone do not count."""
    best = (0, -1)
    for i in range(len(label)):
        for j in range(len(label), i + 1, -1):
            run = label[i:j]
            if len(run) <= best[0]:
                break
            pos = question.find(run)
            if pos >= 0 and run not in _GENERIC:
                best = (len(run), pos)
                break
    return best


def asked_fields(question: str, fields: list[FieldSpec]) -> list[FieldSpec]:
    """The fields an assistant's question asks for, ordered by where the question mentions them. Option lists
    and counters in brackets ("（本人/父亲/母亲…）", "（还差 3 项）") are not what is asked."""
    question = re.sub(r"（[^）]*）|\([^)]*\)", "", question)
    found: dict[str, tuple[int, FieldSpec]] = {}
    fuzzy: dict[
        str, tuple[int, FieldSpec]
    ] = {}  # label words shared with the question: only when nothing else
    role_spans = sorted(
        (m.start(), role)
        for role, words in ROLE_WORDS.items()
        for w in words
        for m in re.finditer(w, question)
    )
    for f in fields:
        person = field_person(f)
        if person is not None:
            role, attr = person
            for w in ATTR_WORDS.get(attr, []):
                for m in re.finditer(w, question):
                    before = [r for pos, r in role_spans if pos < m.start()]
                    nearest = before[-1] if before else None
                    own = nearest == role or (
                        role == SELF and (nearest is None or any(s in question for s in _SELF_WORDS))
                    )
                    if own:
                        found.setdefault(f.id, (m.start(), f))
        if person is None and f.id not in found:
            # the field's own cue words in the question ("家里有车吗？" asks 机动车; a one-character cue only
            # in a short question)
            for c in sorted(f.cues, key=len, reverse=True):
                i = question.find(c)
                if i >= 0 and (len(c) >= 2 or len(question) <= 12):
                    found[f.id] = (i, f)
                    break
            if f.id not in found and len(question) <= 40:  # "用哪个银行？" asks 开户银行
                n, pos = _shared(question, re.sub(r"[（）()/、]", "", f.label))
                if n >= 2:
                    fuzzy[f.id] = (pos, f)
        for piece in _label_pieces(f):
            i = question.find(piece)
            if i >= 0 and (person is None or f.id not in found):
                if person is not None:  # "宝宝父亲的姓名": a person's field only when it is that person's
                    before = [r for pos, r in role_spans if pos <= i]
                    if before and before[-1] != person[0]:
                        continue
                found.setdefault(f.id, (i, f))
                break
    if not found:
        found.update(fuzzy)
    # "法定监护人？", "父亲呢？": a person named without saying what of them: their name and ID
    if not found:
        for pos, role in role_spans:
            for f in fields:
                p = field_person(f)
                if p is not None and p[0] == role and p[1] in ("name", "id_number"):
                    found.setdefault(f.id, (pos + (p[1] == "id_number"), f))
    if "关系" in question or "您是" in question:
        rel = next((f for f in fields if f.id == "applicant_relation"), None)
        if rel is not None:
            found.setdefault(rel.id, (max(question.find("关系"), question.find("您是")), rel))
    return [f for _, f in sorted(found.values(), key=lambda x: x[0])]


def accepts(f: FieldSpec, part: str, today: date | None, value_of) -> Any:
    """The value `part` gives for field `f`, or None when the part cannot be this field's value."""
    if f.type == "name":
        return part if looks_like_name(part) else name_in(part)
    if f.id == "applicant_relation":  # "孩子爸爸", "妈妈", "我是法人"
        found = role_at(part.removeprefix("我是").removeprefix("我"))
        rel = RELATION_OF.get(found[0]) if found else None
        if rel in f.choices:
            return rel
    if f.type == "address":
        return part if len(part) >= 4 and _ADDRESS_HINT.search(part) else None
    if f.type == "number" and re.search(r"\d{7,}", part):
        return None  # an ID or phone number is not a count or an amount
    if f.type == "text":
        if len(part) < 2 or re.fullmatch(r"1[3-9]\d{9}|\d{17}[\dXx]", part) or _DATE_LIKE.search(part):
            return None
        org = next((sfx for key, sfx in ORG_SUFFIX.items() if key in f.label), None)
        if org and not re.search(org, part):
            return None  # a police station, hospital or employer is named by its kind
        numbered = re.search(r"号|代码|账号|卡号", f.label)
        if (
            numbered
            and not re.search(r"\d", part)
            or not numbered
            and not re.search(r"[\u4e00-\u9fff]", part)
        ):
            return None  # an account number is digits; a bank, employer or reason is words
        return value_of(f, part, today)
    return value_of(f, part, today)


def bind_reply(
    question: str,
    reply: str,
    asked: list[FieldSpec],
    today: date | None,
    value_of,
    other_fields: list[FieldSpec] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """Map a reply onto the asked fields: each part of the reply goes to the first asked field (in the order
    asked) that accepts it; a yes to “保障类型是租赁补贴？” takes the choice the question proposes."""
    if not asked:
        return {}
    out: dict[str, Any] = {}
    if len(asked) == 1 and asked[0].type == "choice":
        f = asked[0]
        proposed = [c for c in f.choices if c in question]
        try:
            yes = parse_yesno(reply)
        except Unparsed:
            yes = None
        if yes is True and len(proposed) == 1 and len(reply) <= 4:
            return {f.id: proposed[0]}
        binary = [c for c in ("是", "有") if c in f.choices]
        echo = re.fullmatch(r"(不|没|没有|别)?([\u4e00-\u9fff]{1,3})[了的啊呀吧]?[。！!]?", reply.strip())
        if binary and echo and all(ch in question for ch in echo.group(2)) and yes is None:
            # "公积金同步提取吗？" — "提" / "不提": a yes-no question answered by repeating its verb
            no = "否" if binary[0] == "是" else "无"
            return {f.id: no if echo.group(1) else binary[0]}
    parts = clauses(reply)
    free = list(asked)
    for f in asked:  # "我跟我媳妇，还有两个娃": a household counted across the reply's clauses
        if is_household_count(f) and (people := count_people(reply)) is not None:
            out[f.id] = people
            free.remove(f)
    asked_ids = {f.id for f in asked}
    for part in parts:
        if any(
            any(c in part for c in f.cues if len(c) >= 2)
            or _shared(part, re.sub(r"[（）()/、]", "", f.label))[0] >= 2
            for f in other_fields
            if f.id not in asked_ids
        ):
            continue  # "医保在岳塘区" answers the 医保 field, not the address that was asked
        for f in free:
            v = accepts(f, part, today, value_of)
            if v not in (None, ""):
                out[f.id] = v
                free.remove(f)
                break
    if not out and len(asked) == 1:
        v = value_of(asked[0], reply, today)
        if v not in (None, ""):
            out[asked[0].id] = v
    return out
