"""Which form fields a question asks, in the order it asks them ("宝宝父亲的姓名和身份证号码？" → father's name,
father's ID), and how a citizen's short reply maps onto them ("邓超 43018119910101057X")."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.forms.roles import ROLE_WORDS, SELF, field_person
from assistant.forms.spec import FieldSpec
from assistant.text.matching import positions

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


@lru_cache(maxsize=8192)  # an explicit cache: each reply part is compared with every other field's label
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
    (r"居住|现住|住址", r"住|租在|租的|租房"),
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


_ROLE_WORDS_LONGEST_FIRST = sorted(
    [(w, role) for role, ws in ROLE_WORDS.items() for w in ws] + [(w, SELF) for w in _SELF_WORDS],
    key=lambda x: -len(x[0]),
)


def _role_spans(question: str) -> list[tuple[int, str]]:
    """(position, role) of every person the question names, the citizen ("您") included; a shorter role
    word inside a longer one ("父亲" in "孩子父亲") is not counted twice."""
    spans: list[tuple[int, int, str]] = []
    for w, role in _ROLE_WORDS_LONGEST_FIRST:
        for start in positions(w, question):
            if any(a <= start and start + len(w) <= b for a, b, _ in spans):
                continue
            spans.append((start, start + len(w), role))
    return sorted((a, r) for a, _, r in spans)


def question_subject(question: str, fields: list[FieldSpec]) -> str | None:
    """The person a question is about at its end (the last person it names), for the next question that
    names nobody ("孩子姓名？" then "身份证号码和出生日期？")."""
    roles_in_form = {p[0] for f in fields if (p := field_person(f)) is not None}
    spans = _role_spans(_BOTH_PARENTS.sub("父亲、母亲", re.sub(r"（[^）]*）|\([^)]*\)", "", question)))
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


# "父母双方的姓名？": asked of the father and the mother
_BOTH_PARENTS = re.compile(r"(?:孩子|宝宝|小孩)?(?:的)?(?:父母双方|双方父母|父母亲|父母|爸爸妈妈|爸妈)")


_COPULA = re.compile(r"^(?:属于|[我们家]*是)$")


def asked_fields(question: str, fields: list[FieldSpec], context: str | None = None) -> list[FieldSpec]:
    """The fields an assistant's question asks for, ordered by where the question mentions them. Option lists
    and counters in brackets ("（本人/父亲/母亲…）", "（还差 3 项）") are not what is asked. `context` is the
    person the previous question was about (see `question_subject`)."""
    bracketed = question
    question = _BOTH_PARENTS.sub("父亲、母亲", re.sub(r"（[^）]*）|\([^)]*\)", "", question))
    roles_in_form = {p[0] for f in fields if (p := field_person(f)) is not None}
    found: dict[str, tuple[int, FieldSpec]] = {}
    # label words shared with the question: only when nothing else
    fuzzy: dict[str, tuple[int, FieldSpec]] = {}
    spans = [(p, _form_role(r, roles_in_form)) for p, r in _role_spans(question)]
    role_spans = [(p, r) for p, r in spans if r != SELF]
    person_words = [(i, i + len(w)) for w in _PERSON_WORDS for i in positions(w, question)]
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
                if _COPULA.search(c):
                    continue  # "属于", "我们家是" lead a citizen's statement; "您属于哪一类？" asks no such field
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
    if re.search(r"(?:^|[，、。？?；;\s])(?:请问)?(?:详细)?地址(?=$|[，、。？?；;\s和])", question.strip()):
        own = [f for f in fields if f.type == "address" and field_person(f) is None]
        own = [f for f in own if not f.id.startswith("applicant_")]
        if len(own) == 1 and own[0].id not in found:
            found[own[0].id] = (question.find("地址"), own[0])
    if not found:
        found.update(fuzzy)
    # "名称和统一社会信用代码？", "店名？": the form's one name of a business or body
    if re.search(
        r"(?:^|[^\u4e00-\u9fff]|的|社|司|业|店|位|户|部)(?:名称|店名|字号)|叫什么名", question
    ) and not any("名称" in f.label for _, f in found.values()):
        named = [
            f for f in fields if field_person(f) is None and f.type == "text" and f.label.endswith("名称")
        ]
        if len(named) == 1:
            found[named[0].id] = (question.find("名"), named[0])
    if "关系" in question or "您是" in question:
        rel = next((f for f in fields if f.id == "applicant_relation"), None)
        if rel is not None:
            found.setdefault(rel.id, (max(question.find("关系"), question.find("您是")), rel))
    if not found and bracketed != question:  # "经营场所（住所）？": the bracket names the field
        return asked_fields(re.sub(r"[（）()]", "，", bracketed), fields, context)
    return [f for _, f in sorted(found.values(), key=lambda x: x[0])]
