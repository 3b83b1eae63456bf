"""How a citizen's reply maps onto the fields an assistant's question asked ("邓超 43018119910101057X" to
"宝宝父亲的姓名和身份证号码？"): each part of the reply to the first asked field that accepts it, a "都…" for
every asked field of its kind, an unasked address to the kind the question names.

Hand-written: the reading of short Chinese replies against the question's own words; no library does this."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.forms.asked import (
    _ADDRESS_HINT,
    _ADDRESS_KINDS,
    _DATE_LIKE,
    _form_role,
    _label_pieces,
    _shared,
)
from assistant.forms.extract import BANK_WORDS, ORG_SUFFIX
from assistant.forms.quantities import count_people, is_household_count, stated_total, unit_mismatch
from assistant.forms.roles import ACTING_FOR, RELATION_OF, SELF, field_person, role_at, speaker_claims
from assistant.forms.spec import FieldSpec
from assistant.forms.statements import clauses, name_in
from assistant.forms.toggles import mention_terms, negative_choice, toggles_in
from assistant.text.names import NAME_LEAD, looks_like_name
from assistant.text.values import UNDECIDED, Unparsed, numerals_to_digits, parse_yesno


def accepts(
    f: FieldSpec, part: str, today: date | None, value_of, roles_in_form: set[str] | None = None
) -> Any:
    """The value `part` gives for field `f`, or None when the part cannot be this field's value."""
    person = field_person(f)
    if person is not None and person[0] != SELF and roles_in_form:
        named = role_at(part)
        other = _form_role(named[0], roles_in_form) if named is not None and named[1] <= 6 else None
        # "孩子妈妈廖芳" in a reply to "宝宝叫什么？" is about the mother; in a form with no mother, "写她妈妈刘畅"
        # to "法定监护人？" says who the guardian is
        if other is not None and other != person[0] and (other in roles_in_form or person[0] != "guardian"):
            return None
    if field_person(f) == (SELF, "name") and (found := role_at(part)) is not None and found[1] <= 4:
        if re.search(r"孩子|宝宝|他|她|老公|老婆|爱人|丈夫|妻子", part[: found[1]]) and not part.startswith(
            "我"
        ):
            return None  # "孩子爸田浩然" in a reply to "您的姓名？" is about someone else
    if f.type == "name":
        part = re.sub(r"^我(?:叫)?(?=[\u4e00-\u9fff]{2,3}$)", "", part)  # "我何俊"
        part = NAME_LEAD.sub("", part)  # "名字易可", "姓名是…"
        return part if looks_like_name(part) else name_in(part)
    if f.id == "applicant_relation":  # "孩子爸爸", "妈妈", "我是法人"
        found = role_at(part.removeprefix("我是").removeprefix("我"))
        rel = RELATION_OF.get(found[0]) if found else None
        if rel in f.choices:
            return rel
    if f.type == "address":
        return part if len(part) >= 4 and _ADDRESS_HINT.search(part) else None
    if f.type == "number" and (
        re.search(r"\d{7,}", part)
        or unit_mismatch(f, part)
        or (
            len(part) > 8 and re.search(r"[市区县镇乡村街路巷道].*\d+\s*[号栋]", part)
        )  # "北辰三角洲D1区2栋108"
    ):
        return None  # an ID or phone number is not a count or an amount; "两个人" is no income
    if f.type == "text":
        if len(part) < 2 or re.fullmatch(r"1[3-9]\d{9}|\d{17}[\dXx]", part) or _DATE_LIKE.search(part):
            return None
        numbered = re.search(r"号|代码|账号|卡号", f.label)
        org = next((sfx for key, sfx in ORG_SUFFIX.items() if key in f.label), None)
        if org and not numbered and not re.search(org, part):
            return None  # a police station, hospital or employer is named by its kind
        if (
            numbered
            and not re.search(r"\d", part)
            or not numbered
            and not re.search(r"[\u4e00-\u9fff]", part)
        ):
            return None  # an account number is digits; a bank, employer or reason is words
        return value_of(f, part, today)
    return value_of(f, part, today)


_SELF_INTRO = re.compile(r"(?:我叫|我是(?![他她孩宝伢小])|本人|我的?(?:名字|姓名|身份证|手机|电话))")


def _names_field(f: FieldSpec, part: str) -> bool:
    """Whether a part of a reply names this field ("社保才交了五个月", "户口在…", "现在租在…"): one of its cues,
    or the word of its address kind."""
    if any(c in part for c in f.cues if len(c) >= 2):
        return True
    if f.type in ("number", "text") and _shared(part, re.sub(r"[（）()/、]", "", f.label))[0] >= 2:
        return True  # "社保才交了五个月" names 本市连续缴纳社保月数
    if f.type == "address":
        return any(re.search(kind, f.label) and re.search(words, part) for kind, words in _ADDRESS_KINDS[:4])
    return False


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
        said = clauses(reply)
        last = said[-1] if said else ""
        short = re.fullmatch(
            r"(不用|不要|不需要|不了|不|算了|要|要的|需要|可以|好的?|对|是的?)[了的吧啊呀。！!]*",
            last.strip(),
        )
        if binary and len(said) > 1 and not short and re.search(r"没|无|冇|不", last):
            # "车离婚的时候判给他了，现在我名下没有车": the last clause says how it is now
            closing = value_of(f, last, today)
            if closing in f.choices and closing != binary[0]:
                return {f.id: closing}
        if binary and short and len(said) > 1:  # "基本户上个月就销掉了，不用": the closing word answers
            no = short.group(1) in ("不用", "不要", "不需要", "不了", "不", "算了")
            return {f.id: ("否" if binary[0] == "是" else "无") if no else binary[0]}
        echo = re.fullmatch(r"(不|没|没有|别)?([\u4e00-\u9fff]{1,3})[了的啊呀吧]?[。！!]?", reply.strip())
        if binary and echo and all(ch in question for ch in echo.group(2)) and yes is None:
            # "公积金同步提取吗？" — "提" / "不提": a yes-no question answered by repeating its verb
            no = "否" if binary[0] == "是" else "无"
            return {f.id: no if echo.group(1) else binary[0]}
    # "都没有" to "本地有无住房？有无机动车？": no to every asked field that has a "none" choice
    if len(asked) >= 2 and re.match(
        r"(?:都|全都|两个都|两样都|全部|这些都|几个都)(?:还|先|暂时)?(?:没有|没|无|没得|不用|不要|不需要|不办|不是|不)(?:买|办|开|交|有)?[的了啊呀过]*(?:[，,。！!；;]|$)",
        reply.strip(),
    ):
        nos = {f.id: c for f in asked if (c := negative_choice(f)) is not None}
        if nos:
            return nos
    parts = clauses(reply)
    free = list(asked)
    for f in list(free):  # "热食类食品制售、冷食类食品制售": a list in the field's own shape is one value
        if f.pattern and (m := re.search(f.pattern, reply)) and not any(m.group(0) == p for p in parts):
            out[f.id] = m.group(0)
            free.remove(f)
            parts = [p for p in parts if p not in m.group(0)]
    # "银行社保都注销，没有海关备案": yes/no fields named in the reply, several sharing one verb
    toggled = toggles_in(asked, reply)
    if toggled:
        out.update(toggled)
        free = [f for f in free if f.id not in toggled]
        terms = [t for f in asked if f.id in toggled for t in mention_terms(f)]
        parts = [p for p in parts if not any(t in p for t in terms)]
    total = stated_total(reply)
    for f in [g for g in free if g.unit == "人" and not is_household_count(g)] if total is not None else ():
        out[f.id] = total  # "厨房三个，服务员四个…总共九个人": the total, not a part
        free.remove(f)
        parts = [p for p in parts if not re.search(r"\d+\s*(?:个|人|名)", numerals_to_digits(p))]
    for f in asked:  # "我跟我媳妇，还有两个娃": a household counted across the reply's clauses
        if is_household_count(f) and (people := count_people(reply)) is not None:
            out[f.id] = people
            free.remove(f)
    asked_ids = {f.id for f in asked}
    # "身份证4302…" answering "您爱人的…身份证号码？": an ID cue answers the ID that was asked
    asked_types = {f.type for f in asked if f.type in ("id_number", "phone", "date")}
    roles_in_form = {p[0] for f in (*other_fields, *asked) if (p := field_person(f)) is not None}
    asked_words = {w for f in asked for w in (*[c for c in f.cues if len(c) >= 2], *_label_pieces(f))}
    asked_words |= {p[i : i + 3] for f in asked for p in _label_pieces(f) for i in range(len(p) - 2)}
    named_before: set[str] = set()
    # the other fields a part may name instead (their cues and plain labels), worked out once per reply
    unasked = [
        ([c for c in f.cues if len(c) >= 2], re.sub(r"[（）()/、]", "", f.label))
        for f in other_fields
        if f.id not in asked_ids and f.type not in asked_types
    ]
    card = BANK_WORDS.search(reply)
    # whom the speaker's own facts never fill: the child; the insured when the speaker acts for them
    acting_for = ACTING_FOR & set(speaker_claims(reply))
    not_me = {"child"} | ({"insured"} if acting_for else set())
    about: str | None = None  # the person the reply's clauses are about so far ("我爸匡炳生，身份证…")
    # "我爸妈就我一个…公积金他还没想好": a field the reply names further on is answered there, not before
    named_at = {
        g.id: max(i for i, p in enumerate(parts) if _names_field(g, p))
        for g in free
        if any(_names_field(g, p) for p in parts)
    }
    # and only when a later part holds a value for it: "8月30号，张家界市人民医院生的" names the date last
    last_value = {
        g.id: max(held)
        for g in free
        if g.id in named_at
        and (
            held := [
                i
                for i, p in enumerate(parts)
                if accepts(g, p, today, value_of, roles_in_form) not in (None, "")
            ]
        )
    }
    # the speaker has just said who they are ("我叫胡德贵，身份证…"): the facts that follow are their own
    introduced = False
    for at, part in enumerate(parts):
        opened = role_at(part)
        if _SELF_INTRO.match(part):
            introduced = True
        elif opened is not None or re.match(r"我(?:家|们家|崽|女儿|儿子|孙|外孙)", part):
            introduced = False
        if part.startswith(("我是", "我就是", "本人", "我叫", "我的")) or (opened and opened[1] >= len(part)):
            about = SELF  # "我是宝宝妈妈，叫…", "妈妈，邱雪，4301…" to "您是宝宝的？": the speaker
        elif opened is not None and opened[1] <= 4:
            about = _form_role(opened[0], roles_in_form)  # "我爸匡炳生", "孩子爸爸叫…"
        elif part.startswith("我"):
            about = SELF
        shaped = next((f for f in free if f.pattern and re.search(f.pattern, part)), None)
        if (
            shaped is not None
        ):  # "证号湘（2022）长沙市不动产权第0456012号": the value's own shape says the field
            out[shaped.id] = re.search(shaped.pattern, part).group(0)  # type: ignore[arg-type, union-attr]
            free.remove(shaped)
            continue
        if any(
            any(c in part for c in cues) or _shared(part, label)[0] >= 2 for cues, label in unasked
        ) and not any(w in part for w in asked_words):
            named_before = {g.id for g in free if _names_field(g, part)}  # "户口刚迁到单位集体户，…"
            continue  # "医保在岳塘区" answers the 医保 field, not the address that was asked
        # the field the part names first, or the one the part before named without a value
        # ("户口刚迁到单位集体户，长沙市…679号")
        named = [g for g in free if _names_field(g, part)] or [g for g in free if g.id in named_before]
        named_before = set()
        # "公积金他还没想好，等他自己定": not decided, and the rest of the reply does not decide it
        for g in [g for g in named if UNDECIDED.search(part)]:
            free.remove(g)
        named = [g for g in named if g in free]
        if not named and any(g not in free and _names_field(g, part) for g in asked):
            continue  # "我爸妈就我一个，独生子女证有的": more on a field answered already, not the next one's value
        for f in sorted(free, key=lambda g: g not in named):
            if f.type == "id_number" and card and re.fullmatch(r"\d{16,19}", part) and len(part) != 18:
                continue  # "养老金用长沙银行，6214…" to "身份证号码？": a bank card, not a mistyped ID
            if about not in (None, SELF) and (field_person(f) or ("", ""))[0] == SELF:
                continue  # "我爸匡炳生，身份证…" to "您的身份证号码？": the father's, not the citizen's
            if introduced and (field_person(f) or ("", ""))[0] in not_me:
                continue  # "我叫胡德贵，身份证…" to "学生的身份证号码？": the speaker's own, not the child's
            later = named_at.get(f.id, -1)
            if (
                later > at
                # "联系地址嘛，我在搬家，新房子地址还没定": named further on, and said to have no value yet
                and (last_value.get(f.id, -1) > at or any(UNDECIDED.search(p) for p in parts[later:]))
                and f not in named
            ):
                continue  # answered where the reply names it, further on
            v = accepts(f, part, today, value_of, roles_in_form)
            if v not in (None, ""):
                out[f.id] = v
                free.remove(f)
                break
        else:
            named_before = {g.id for g in free if _names_field(g, part)}
    # "都填长沙市…", "户口和住的都在…": one value given for every asked field of its kind
    if (
        re.search(r"^(?:两个|两处|全都|全部|一样的?|相同)|都(?:是|在|填|写|一样)", reply.strip())
        and len(out) == 1
    ):
        ((fid, v),) = out.items()
        kind = next(f.type for f in asked if f.id == fid)
        for f in [g for g in free if g.type == kind and (kind != "choice" or v in g.choices)]:
            out[f.id] = v  # "都是土家族": not the 落户 choice asked beside the ethnic group
            free.remove(f)
    # "汉族，随父，湘潭市…45号" to "民族和落户？": an address nobody asked for is the kind the question names
    for part in parts:
        if any(v == part or (isinstance(v, str) and v in part) for v in out.values()):
            continue
        if any(c in part for f in other_fields for c in f.cues if len(c) >= 2):
            continue  # "证号湘（2022）长沙市…" is a certificate number, whatever place it names
        if not (len(part) >= 6 and re.search(r"[市县区镇乡].*[路街巷道村组号栋室]", part)):
            continue
        kinds = [
            f
            for f in other_fields
            if f.type == "address" and f.id not in out and field_person(f) is None
            for kind, words in _ADDRESS_KINDS[:4]  # 住/户口/店/注册: not 联系 or 寄, asked only by name
            if re.search(kind, f.label) and re.search(words, question)
        ]
        if len(kinds) == 1:
            out[kinds[0].id] = value_of(kinds[0], part, today)
    mine = bool(_SELF_INTRO.match(reply.strip())) and (field_person(asked[0]) or ("", ""))[0] in not_me
    if not out and len(asked) == 1 and not mine:  # not "我叫胡德贵，身份证…" for the child's ID asked
        v = value_of(asked[0], reply, today)
        if v not in (None, ""):
            out[asked[0].id] = v
    return out
