"""Facts about people in what a citizen says: who each clause is about (我, 孩子爸爸, 宝宝, 法人, 我爸…) and
the name, ID number, phone, gender or birth date given for that person. Several facts in one sentence are
all taken; a fact binds to the person the nearest role word names."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

from assistant.forms.roles import SELF, SOMEONE, role_at
from assistant.text.names import looks_like_name, name_at_start
from assistant.text.numerals import to_digits
from assistant.text.values import Unparsed, parse_date

ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_SPACED_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d[\d \-]{8,28}[\dXx](?![0-9A-Za-z])")
_ID_CUE = re.compile(r"(身份证号码|身份证号|身份证|证件号码|证件号)\s*(?:是|为|号)?\s*[:：]?\s*")
_PHONE_CUE = re.compile(r"(手机号码|手机号|手机|联系电话|电话号码|电话|联系方式)\s*(?:是|为|号)?\s*[:：]?\s*")
_NAME_CUE = re.compile(r"(?:名字|姓名)\s*(?:是|叫|为)?\s*[:：]?\s*|(?<![\u4e00-\u9fff]{2}[的])叫(?:做)?\s*")
_TITLE_WORDS = (
    r"(?:我们|公司|我们公司|店里|单位)?的?(?:股东|财务总监|财务经理|财务|总经理|副总经理|经理|代账会计|会计|出纳|董事长|董事|监事"
    r"|合伙人|员工|同事|店长|人事|法务|行政|文员|主管|专员|助理|秘书|前台|经办人|办事员)"
)
_TITLE = re.compile(r"^" + _TITLE_WORDS + r"(?=[\u4e00-\u9fff]{2,3}(?:[，,。；;\s]|$))")
_RAW = re.compile(r"[0-9Xx]{6,22}")
_GENDER = {
    "男": r"^(男|男孩|男孩子|儿子|男宝|男娃|是个男孩|是个伢子|崽伢子)$",
    "女": r"^(女|女孩|女孩子|女儿|闺女|女宝|女娃|是个女孩|是个妹子|妹崽|妹坨|丫头)$",
}
_PRONOUN = re.compile(r"^(他|她|他的|她的|其)")
_DATE = re.compile(
    r"\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*[日号]?|(?<!\d)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|今天|昨天|前天"
)


class Fact(BaseModel):
    role: str
    attr: str  # name, id_number, phone, gender, birth; "who": the role is this other person
    value: str
    explicit: bool = True  # the clause says whose it is (a role word, 我, 本人); False: a bare value


def join_spaced_numbers(text: str) -> str:
    """“430 204 1966 0808 2555”, “139-0731-1234” → one number, when the joined run is a phone or an ID."""

    def join(m: re.Match) -> str:
        compact = re.sub(r"[ \-]", "", m.group(0))
        # "电话187 3104 52761": said as a phone or ID, it is one number even of a wrong length (then flagged)
        said = bool(
            re.search(
                r"(?:电话|手机|号码|身份证|证件号)[号是为:：]?\s*$", text[max(0, m.start() - 6) : m.start()]
            )
        )
        return compact if len(compact) in (11, 15, 17, 18, 19) or said else m.group(0)

    return _SPACED_DIGITS.sub(join, text)


LONG_CODE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{11,}(?![0-9A-Za-z])")


def near_same_code(a: str, b: str) -> bool:
    """Two long numbers of the same length that differ in one or two characters: one said again, corrected."""
    return len(a) == len(b) and 0 < sum(x != y for x, y in zip(a, b, strict=True)) <= 2


def drop_superseded_codes(text: str) -> str:
    """ "卡号…3825…，刚才念错了一位，应该是…0825…": in a message that corrects itself, a long number followed by a
    near-identical one (same length, one or two characters differ) is taken back: only the later one stays."""
    codes = list(LONG_CODE.finditer(text))
    drop = [a for i, a in enumerate(codes) for b in codes[i + 1 :] if near_same_code(a.group(0), b.group(0))]
    for m in sorted({m.start(): m for m in drop}.values(), key=lambda m: -m.start()):
        text = text[: m.start()] + text[m.end() :]
    return text


def clauses(text: str) -> list[str]:
    """Clauses of a citizen's text: split at punctuation and at spaces between facts."""
    parts = re.split(r"[，,。；;！!？?\n、]+|\s+", join_spaced_numbers(text))
    return [p.strip() for p in parts if p.strip()]


def _numbers(clause: str, cue: re.Pattern, strict: list[re.Pattern]) -> str | None:
    for pat in strict:
        m = pat.search(clause)
        if m:
            return m.group(0).upper()
    m = cue.search(clause)
    if m:  # "电话187 3104 52761": spaced digits after the cue are one number, whatever its length
        raw = _RAW.match(re.sub(r"(?<=\d)[ \-](?=\d)", "", clause[m.end() :]))
        if raw:  # stated but malformed: kept, so that validation can say what is wrong
            return raw.group(0).upper()
    return None


# "董事长严志国是法人", "伍卫华是清算组组长": a name, then 是 and the role word it holds, nothing after
_NAME_IS_ROLE = re.compile(
    _TITLE_WORDS + r"?([\u4e00-\u9fff·]{2,4}?)(?:也|就)?(?:是|为|当)(?:公司|企业|店|我们)?的?"
    r"(法人|法定代表人|法人代表|经营者|投资人|负责人|清算组组长|清算组负责人)$"
)
_MY_RELATION = re.compile(
    r"我(?:就)?是(?:他|她)(?:的)?(?:儿子|女儿|闺女|孩子|子女|老婆|老公|爱人|妻子|丈夫)"
    r"|我(?:就)?是(?:他|她|孩子|宝宝|伢子|小孩|学生)的?(?:爷爷|奶奶|外公|外婆|姥姥|姥爷|爸爸|妈妈|父亲|母亲)"
)


def facts_in(text: str, today: date | None = None) -> list[Fact]:
    """Every (person, attribute, value) the text states. A clause opening with a role word talks about that
    person, and so do the clauses after it until another person (or 我) is named."""
    out: list[Fact] = []
    current = SELF
    named = False  # whether this text has said whom it talks about (a role word, 我, 本人) so far
    for clause in clauses(text):
        found = role_at(clause)
        named = (
            named or found is not None or clause.startswith(("我", "本人")) or bool(_PRONOUN.match(clause))
        )
        explicit = named
        rest = clause
        if _MY_RELATION.match(clause):  # "我是他女儿龙婷": the speaker, described by their tie to someone
            current = SELF
            rest = clause[_MY_RELATION.match(clause).end() :]
        elif found is not None and not clause.startswith(("我叫", "我的", "本人", "我是我")):
            current, end = found
            rest = clause[end:]
            # "监护人写她妈妈刘畅": the role the clause fills is the first; the second only says who that is
            who = re.match(r"(?:写|填|是|为|就是|就写)", rest)
            again = role_at(rest[who.end() :]) if who else None
            after = rest[who.end() :] if who else ""
            me = re.match(r"(?:我本人|本人|我)([\u4e00-\u9fff·]{2,4})(?=[，,。；;\s]|$)", after)
            if me is not None and looks_like_name(me.group(1)) and role_at(me.group(1)) is None:
                # "经营者就是我晏晓东": the speaker, named ("是我妈…" is not)
                current, rest = SELF, me.group(1)
            elif again is not None:
                rest = rest[who.end() + again[1] :]
                if again[0] not in (current, SELF):  # "监护人是他爸爸…": the guardian is the father, not 我
                    out.append(Fact(role=current, attr="who", value=again[0], explicit=explicit))
        elif clause.startswith(("我", "本人")):
            current = SELF
        elif (said := _NAME_IS_ROLE.match(clause)) and looks_like_name(said.group(1)):
            held = role_at(said.group(2))  # "董事长严志国是法人": a name, then the role it holds
            if held is not None:
                out.append(Fact(role=held[0], attr="name", value=said.group(1), explicit=True))
        elif _PRONOUN.match(clause) and current == SELF:
            # "他…身份证号4303…，叫郭启明" with nobody named before: someone, never the speaker ("我爱人叫…，
            # 他身份证…" is still the spouse)
            current = SOMEONE
        rest = re.sub(r"^(?:也|还|都)(?=是|叫)", "", rest).lstrip("的是叫：: ")  # "清算组负责人也是孙立"
        rest = _TITLE.sub("", rest)  # "清算组负责人是股东潘雅丽", "…是财务总监陶菲"
        id_number = _numbers(clause, _ID_CUE, [ID_RE])
        phone = _numbers(clause, _PHONE_CUE, [MOBILE_RE, LANDLINE_RE]) if not id_number else None
        if id_number and len(id_number) >= 15:
            out.append(Fact(role=current, attr="id_number", value=id_number, explicit=explicit))
        elif id_number and _ID_CUE.search(clause):
            out.append(Fact(role=current, attr="id_number", value=id_number, explicit=explicit))
        if phone:  # a phone number is the speaker's unless the clause itself names someone else
            out.append(
                Fact(
                    role=current if found is not None or _PRONOUN.match(clause) else SELF,  # "他电话…"
                    attr="phone",
                    value=phone,
                    explicit=explicit,
                )
            )
        name = _name(clause, rest, found is not None)
        if name:
            out.append(Fact(role=current, attr="name", value=name, explicit=explicit))
        for g, pat in _GENDER.items():
            if re.match(pat, rest) and current != SELF:
                out.append(Fact(role=current, attr="gender", value=g, explicit=explicit))
        m = _DATE.search(to_digits(clause))  # "二〇二〇年九月二十七日出生"
        # or a child's clause that is a date and nothing else ("儿子彭可轩，2020年11月12号，身份证…")
        bare = current == "child" and m is not None and len(to_digits(clause).strip()) == len(m.group(0))
        if m and (bare or re.search(r"出生|生日|生的|生于|出世", clause)):
            try:
                out.append(
                    Fact(role=current, attr="birth", value=parse_date(m.group(0), today), explicit=explicit)
                )
            except Unparsed:
                pass
        if current != SELF and re.search(r"(?:委托|让|叫|请|找|托)我", rest):
            current = SELF  # "老板委托我来办…，身份证…": what follows is the speaker's own
    return out


def name_in(part: str) -> str | None:
    """A name in a short reply, after words that introduce it ("写她妈妈刘畅", "叫李想", "是我，何春燕")."""
    t = re.sub(r"^(?:写|填|是|就是|叫|名字是|名字叫|姓名是)+", "", part.strip())
    found = role_at(t)
    if found is not None:
        t = t[found[1] :]
    t = re.sub(r"^(?:的|是|叫|写|填)+", "", t)
    name = name_at_start(_TITLE.sub("", t))
    if name is None and (said := re.search(r"(?:是|为|由)([^是为由，,。；;]{2,8})$", part.strip())):
        name = name_at_start(_TITLE.sub("", said.group(1)))  # "清算组组长是董事伍卫华"
    return name


def _name(clause: str, rest: str, after_role: bool) -> str | None:
    m = _NAME_CUE.search(clause)
    if m:
        cand = name_at_start(clause[m.end() :])
        if cand:
            return cand
    if after_role or clause.startswith(("我是", "本人")):
        # "我是店长王磊", "我是公司会计曾小红": the speaker's job title before their name
        cand = name_at_start(_TITLE.sub("", rest.removeprefix("我是").removeprefix("本人")))
        if cand:
            return cand
    if looks_like_name(clause):  # a clause that is only a name ("邱雪")
        return clause
    bare = re.fullmatch(r"我(?:就)?([\u4e00-\u9fff]{2,4})", clause)  # "我钟桂香，身份证…"
    if bare and looks_like_name(bare.group(1)):
        return bare.group(1)
    return None
