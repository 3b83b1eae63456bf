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
from assistant.forms.toggles import mention_terms, negative_choice, toggles_in
from assistant.text.names import looks_like_name
from assistant.text.values import Unparsed, parse_yesno

ATTR_WORDS = {
    "name": ["姓名", "名字", "叫什么", "是谁", "填谁", "写谁"],
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


_PERSON_WORDS = [w for ws in ROLE_WORDS.values() for w in ws] + [
    "经营者",
    "负责人",
    "申请人",
    "代理人",
    "投资人",
]
_SENTENCE_END = re.compile(r"[？?。！!；;]")
_WHERE = re.compile(r"地址|地方|哪里|哪儿|在哪|住哪")
# the kind of an address field (from its label) and the words a question uses for that kind
_ADDRESS_KINDS = [
    (r"居住|现住|住址", r"住"),
    (r"户籍|落户", r"户口|户籍|落户"),
    (r"经营|营业", r"店|经营|营业|门面|铺面"),
    (r"注册|住所", r"注册|住所|执照"),
    (r"邮寄", r"寄"),
    (r"联系", r"联系"),
]


def _form_role(role: str, roles_in_form: set[str]) -> str:
    """A person the question names, as one of the form's persons: the citizen's father or mother is the
    insured person of a form that has no father or mother ("您父亲的姓名" in a retirement form)."""
    if role in roles_in_form:
        return role
    if role in ("father", "mother", "speaker_parent", "spouse") and "insured" in roles_in_form:
        return "insured"  # "您爱人的姓名" when a wife retires her husband
    return role


def _role_spans(question: str) -> list[tuple[int, str]]:
    """(position, role) of every person the question names, the citizen ("您") included; a shorter role
    word inside a longer one ("父亲" in "孩子父亲") is not counted twice."""
    spans: list[tuple[int, int, str]] = []
    words = [(w, role) for role, ws in ROLE_WORDS.items() for w in ws] + [(w, SELF) for w in _SELF_WORDS]
    for w, role in sorted(words, key=lambda x: -len(x[0])):
        for m in re.finditer(re.escape(w), question):
            if any(a <= m.start() and m.end() <= b for a, b, _ in spans):
                continue
            spans.append((m.start(), m.end(), role))
    return sorted((a, r) for a, _, r in spans)


def question_subject(question: str, fields: list[FieldSpec]) -> str | None:
    """The person a question is about at its end (the last person it names), for the next question that
    names nobody ("孩子姓名？" then "身份证号码和出生日期？")."""
    roles_in_form = {p[0] for f in fields if (p := field_person(f)) is not None}
    spans = _role_spans(re.sub(r"（[^）]*）|\([^)]*\)", "", question))
    return _form_role(spans[-1][1], roles_in_form) if spans else None


def _subject_at(question: str, pos: int, spans: list[tuple[int, str]], context: str | None) -> str | None:
    """Who a word at `pos` asks about: the nearest person named before it in its sentence; else the
    citizen when an earlier sentence of the question addressed them ("您是宝宝的？请提供姓名"), else the
    last person named earlier in the question, else the previous question's subject."""
    start = max((m.end() for m in _SENTENCE_END.finditer(question, 0, pos)), default=0)
    same = [r for p, r in spans if start <= p < pos]
    if same:
        return same[-1]
    earlier = [(p, r) for p, r in spans if p < start]
    if earlier:
        first_of_last = max((m.end() for m in _SENTENCE_END.finditer(question, 0, earlier[-1][0])), default=0)
        opening = [r for p, r in earlier if p >= first_of_last]
        return SELF if opening and opening[0] == SELF else earlier[-1][1]
    return context


def _listed_with(question: str, pos: int, spans: list[tuple[int, str]]) -> set[str]:
    """The persons listed together just before `pos` ("父亲、母亲的…", "爸爸和妈妈的…"): every one of them."""
    before = [(p, r) for p, r in spans if p < pos]
    if len(before) < 2:
        return set()
    out = {before[-1][1]}
    for (p1, r1), (p2, _) in zip(before[-2::-1], before[:0:-1], strict=False):
        gap = question[p1:p2]
        if not re.fullmatch(r"[\u4e00-\u9fff]{1,4}?[、和跟及与,，]", gap):
            break
        out.add(r1)
    return out


def _possessor(question: str, pos: int, person_words: list[tuple[int, int]]) -> bool:
    """Whether the person word at `pos` only owns the person named right after it ("孩子的监护人")."""
    end = max((b for a, b in person_words if a == pos), default=pos)
    return any(a > end and re.fullmatch(r"的[\u4e00-\u9fff]{0,3}", question[end:a]) for a, _ in person_words)


def asked_fields(question: str, fields: list[FieldSpec], context: str | None = None) -> list[FieldSpec]:
    """The fields an assistant's question asks for, ordered by where the question mentions them. Option lists
    and counters in brackets ("（本人/父亲/母亲…）", "（还差 3 项）") are not what is asked. `context` is the
    person the previous question was about (see `question_subject`)."""
    question = re.sub(r"（[^）]*）|\([^)]*\)", "", question)
    roles_in_form = {p[0] for f in fields if (p := field_person(f)) is not None}
    found: dict[str, tuple[int, FieldSpec]] = {}
    # label words shared with the question: only when nothing else
    fuzzy: dict[str, tuple[int, FieldSpec]] = {}
    spans = [(p, _form_role(r, roles_in_form)) for p, r in _role_spans(question)]
    role_spans = [(p, r) for p, r in spans if r != SELF]
    person_words = [(m.start(), m.end()) for w in _PERSON_WORDS for m in re.finditer(re.escape(w), question)]
    unclaimed: dict[str, int] = {}  # person attributes asked of someone without such a field
    for f in fields:
        person = field_person(f)
        if person is not None:
            role, attr = person
            for w in ATTR_WORDS.get(attr, []):
                for m in re.finditer(w, question):
                    subject = _subject_at(question, m.start(), spans, context)
                    listed = _listed_with(question, m.start(), spans)
                    if subject == role or (role == SELF and subject is None):
                        found.setdefault(f.id, (m.start(), f))
                    elif role in listed:  # "宝宝父亲、母亲的姓名和身份证号码？": asked of both
                        found.setdefault(f.id, (m.start() - 1, f))
                    elif not any(field_person(g) == (subject or SELF, attr) for g in fields):
                        unclaimed.setdefault(attr, m.start())
        if person is None and f.id not in found:
            # the field's own cue words in the question ("家里有车吗？" asks 机动车; a one-character cue only
            # in a short question); a cue inside a person word ("监护人") names that person, not this field
            for c in sorted(f.cues, key=len, reverse=True):
                i = question.find(c)
                if i >= 0 and any(a <= i and i + len(c) < b for a, b in person_words):
                    continue
                if i >= 0 and any(
                    len(o) > len(c) and o.find(c) >= 0 and question.find(o) == i - o.find(c)
                    for g in fields
                    if g.id != f.id
                    for o in (*g.cues, g.label)
                ):
                    continue  # "经营" inside "经营场所" asks for the premises, not the business items
                if i >= 0 and (len(c) >= 2 or len(question) <= 12):
                    found[f.id] = (i, f)
                    break
            named = [c for c in f.choices if len(c) >= 2 and c in question]
            if f.type == "choice" and len(named) >= 2 and re.search(r"还是|或者|或|/", question):
                # "实物配租还是租赁补贴？": the question offers this field's choices
                found.setdefault(f.id, (min(question.find(c) for c in named), f))
            if f.type == "address" and f.id not in found and _WHERE.search(question):
                for kind, words in _ADDRESS_KINDS:
                    if re.search(kind, f.label) and (m := re.search(words, question)):
                        found[f.id] = (m.start(), f)
                        break
            core = re.sub(r"（.*?）|\(.*?\)", "", f.label)
            if f.id not in found and len(core) == 4 and core[2:] not in _GENERIC and core[:2] in question:
                # "注销类型和原因？" asks 注销原因 too: the label's two words, both in the question
                i = question.find(core[2:], question.find(core[:2]))
                if i >= 0:
                    found[f.id] = (i, f)
            if f.id not in found and len(question) <= 40:  # "用哪个银行？" asks 开户银行
                n, pos = _shared(question, re.sub(r"[（）()/、]", "", f.label))
                if n >= 2:
                    fuzzy[f.id] = (pos, f)
        for piece in _label_pieces(f):
            i = question.find(piece)
            if i >= 0 and (person is None or f.id not in found):
                if person is not None:  # "宝宝父亲的姓名": a person's field only when it is that person's
                    if piece in _GENERIC:
                        continue
                    before = [r for pos, r in spans if pos <= i]
                    if before and before[-1] != person[0]:
                        continue
                found.setdefault(f.id, (i, f))
                break
    # "出生日期？" in a form where only the child has a birth date
    for attr, pos in unclaimed.items():
        holders = [f for f in fields if (p := field_person(f)) is not None and p[1] == attr]
        if len(holders) == 1 and holders[0].id not in found:
            found[holders[0].id] = (pos, holders[0])
    # "法定监护人？", "父亲呢？": a person named without saying what of them: their name and ID
    if not found:
        for pos, role in role_spans:
            if _possessor(question, pos, person_words):
                continue  # "孩子的法定监护人填谁？" asks about the guardian, not the child
            for f in fields:
                p = field_person(f)
                if p is not None and p[0] == role and p[1] in ("name", "id_number"):
                    found.setdefault(f.id, (pos + (p[1] == "id_number"), f))
    # "地址？" in a form with one address of its own (besides the applicant's contact address)
    if not found and re.fullmatch(r"(?:请问)?(?:详细)?地址[？?]?", question.strip()):
        own = [f for f in fields if f.type == "address" and field_person(f) is None]
        own = [f for f in own if not f.id.startswith("applicant_")]
        if len(own) == 1:
            found[own[0].id] = (0, own[0])
    if not found:
        found.update(fuzzy)
    if "关系" in question or "您是" in question:
        rel = next((f for f in fields if f.id == "applicant_relation"), None)
        if rel is not None:
            found.setdefault(rel.id, (max(question.find("关系"), question.find("您是")), rel))
    return [f for _, f in sorted(found.values(), key=lambda x: x[0])]


def accepts(
    f: FieldSpec, part: str, today: date | None, value_of, roles_in_form: set[str] | None = None
) -> Any:
    """The value `part` gives for field `f`, or None when the part cannot be this field's value."""
    person = field_person(f)
    if person is not None and person[0] != SELF and roles_in_form:
        named = role_at(part)
        if named is not None and named[1] <= 6 and _form_role(named[0], roles_in_form) != person[0]:
            return None  # "孩子妈妈廖芳" in a reply to "宝宝叫什么？" is about the mother
    if field_person(f) == (SELF, "name") and (found := role_at(part)) is not None and found[1] <= 4:
        if re.search(r"孩子|宝宝|他|她|老公|老婆|爱人|丈夫|妻子", part[: found[1]]) and not part.startswith(
            "我"
        ):
            return None  # "孩子爸田浩然" in a reply to "您的姓名？" is about someone else
    if f.type == "name":
        part = re.sub(r"^我(?:叫)?(?=[\u4e00-\u9fff]{2,3}$)", "", part)  # "我何俊"
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
        last = clauses(reply)[-1] if clauses(reply) else ""
        short = re.fullmatch(
            r"(不用|不要|不需要|不了|不|算了|要|要的|需要|可以|好的?|对|是的?)[了的吧啊呀。！!]*",
            last.strip(),
        )
        if (
            binary and short and len(clauses(reply)) > 1
        ):  # "基本户上个月就销掉了，不用": the closing word answers
            no = short.group(1) in ("不用", "不要", "不需要", "不了", "不", "算了")
            return {f.id: ("否" if binary[0] == "是" else "无") if no else binary[0]}
        echo = re.fullmatch(r"(不|没|没有|别)?([\u4e00-\u9fff]{1,3})[了的啊呀吧]?[。！!]?", reply.strip())
        if binary and echo and all(ch in question for ch in echo.group(2)) and yes is None:
            # "公积金同步提取吗？" — "提" / "不提": a yes-no question answered by repeating its verb
            no = "否" if binary[0] == "是" else "无"
            return {f.id: no if echo.group(1) else binary[0]}
    # "都没有" to "本地有无住房？有无机动车？": no to every asked field that has a "none" choice
    if len(asked) >= 2 and re.match(
        r"(?:都|全都|两个都|两样都|全部|这些都|几个都)(?:还|先|暂时)?(?:没有|没|无|没得|不用|不要|不需要|不办|不是|不)[的了啊呀]*(?:[，,。！!；;]|$)",
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
    for part in parts:
        shaped = next((f for f in free if f.pattern and re.search(f.pattern, part)), None)
        if (
            shaped is not None
        ):  # "证号湘（2022）长沙市不动产权第0456012号": the value's own shape says the field
            out[shaped.id] = re.search(shaped.pattern, part).group(0)  # type: ignore[arg-type, union-attr]
            free.remove(shaped)
            continue
        if any(
            any(c in part for c in f.cues if len(c) >= 2)
            or _shared(part, re.sub(r"[（）()/、]", "", f.label))[0] >= 2
            for f in other_fields
            if f.id not in asked_ids and f.type not in asked_types
        ) and not any(w in part for w in asked_words):
            continue  # "医保在岳塘区" answers the 医保 field, not the address that was asked
        for f in free:
            v = accepts(f, part, today, value_of, roles_in_form)
            if v not in (None, ""):
                out[f.id] = v
                free.remove(f)
                break
    # "都填长沙市…", "户口和住的都在…": one value given for every asked field of its kind
    if (
        re.search(r"^(?:两个|两处|全都|全部|一样的?|相同)|都(?:是|在|填|写|一样)", reply.strip())
        and len(out) == 1
    ):
        ((fid, v),) = out.items()
        kind = next(f.type for f in asked if f.id == fid)
        for f in [g for g in free if g.type == kind]:
            out[f.id] = v
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
    if not out and len(asked) == 1:
        v = value_of(asked[0], reply, today)
        if v not in (None, ""):
            out[asked[0].id] = v
    return out
