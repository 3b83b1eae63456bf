"""People in a conversation about a form: who the speaker is (孩子妈妈, 法人, 帮我爸办…), which person a
clause talks about (孩子爸爸叫…, 宝宝…), and which form fields belong to which person.

Hand-written: the roles are the forms' own (father, mother, child, guardian, insured, legal representative,
liquidator, the applicant), and the words for them are plain Chinese kinship and business terms."""

from __future__ import annotations

import re

from assistant.forms.spec import FieldSpec
from assistant.text.names import looks_like_name

SELF = "self"
# field id prefix → the person the field belongs to
FIELD_ROLE_PREFIXES = [
    ("applicant_", SELF),
    ("father_", "father"),
    ("mother_", "mother"),
    ("baby_", "child"),
    ("student_", "child"),
    ("guardian_", "guardian"),
    ("insured_", "insured"),
    ("legal_representative", "legal_rep"),
    ("legal_rep_", "legal_rep"),
    ("liquidator_", "liquidator"),
]
# what kind of fact a person field holds
ATTRIBUTES = {
    "name": "name",
    "id_number": "id_number",
    "phone": "phone",
    "gender": "gender",
    "birth_date": "birth",
}

# words that introduce a person in a clause (longest first when matching)
OTHER_PERSON = re.compile(
    r"(爸|妈|父亲|母亲|孩子|宝宝|儿子|女儿|他|她|老公|老婆|丈夫|妻子|爱人|对方|法人|老板)"
)

ROLE_WORDS: dict[str, list[str]] = {
    "father": [
        "孩子他爸",
        "孩子爸爸",
        "孩子的爸爸",
        "孩子爸",
        "宝宝爸爸",
        "宝宝的爸爸",
        "宝爸",
        "他爸爸",
        "她爸爸",
        "他爸",
        "她爸",
        "爸爸",
        "父亲",
        "我老公",
        "老公",
        "我丈夫",
        "丈夫",
        "屋里老倌子",  # 湖南话: the husband (as _FOR_SPOUSE reads it; 我老倌子 may also be a father)
        "老倌子",
        "孩子父亲",
    ],
    "mother": [
        "孩子他妈",
        "孩子妈妈",
        "孩子的妈妈",
        "孩子妈",
        "宝宝妈妈",
        "宝宝的妈妈",
        "宝妈",
        "他妈妈",
        "她妈妈",
        "他妈",
        "她妈",
        "妈妈",
        "母亲",
        "我老婆",
        "老婆",
        "我媳妇",
        "媳妇",
        "我妻子",
        "妻子",
        "堂客",  # 湖南话: the wife
        "孩子母亲",
    ],
    "child": [
        "宝宝",
        "新生儿",
        "小孩",
        "孩子",
        "小朋友",
        "儿子",
        "女儿",
        "闺女",
        "娃",
        "学生",
        "老大",
        "老二",
        "大宝",
        "二宝",
        "外孙女",
        "外孙",
        "孙女",
        "孙子",
        "伢子",
        "细伢子",
        "伢崽",
        "崽",
        "妹崽",
        "孙伢子",
    ],
    # the speaker's husband or wife, said without a gender: the other parent of a newborn
    "spouse": ["我爱人", "我对象", "我家那位", "我另一半", "爱人"],  # not 对象 alone (办理对象)
    "guardian": ["监护人"],
    "legal_rep": [
        "法定代表人",
        "法人代表",
        "法人",
        "经营者",
        "负责人",
        "投资人",
        "理事长",
        "执行事务合伙人",
        "老板娘",
        "老板",
    ],
    "liquidator": ["清算组负责人", "清算负责人", "清算人"],
    "insured": ["参保人", "退休人员"],
    # the speaker's own father or mother, when they apply on the parent's behalf (退休, 残疾人证…)
    "speaker_parent": [
        "我爸爸",
        "我爸",
        "我妈妈",
        "我妈",
        "我父亲",
        "我母亲",
        "我老爸",
        "我老妈",
        "我家老爷子",
        "我家老太太",
    ],
}
_ME = r"我(?:[，,\s]*(?:就)?是|[，,\s]+(?=孩子|宝宝|小孩))\s*"
_SELF_IS = {
    "mother": _ME
    + r"(?:孩子|宝宝|小孩|他|她)?的?(?:妈妈|妈|母亲)|(?<!宝)宝妈|当妈的|^(?:孩子|宝宝)(?:他|她|的)?(?:妈妈|妈|母亲)(?:自己)?(?:来|过来)(?:办|申请|问)|(?:孩子|宝宝)的?(?:妈妈|母亲)[，,\s]*(?:就)?是我(?![妈爸们的老家公婆哥姐弟妹儿女朋同])",
    "father": _ME
    + r"(?:孩子|宝宝|小孩|他|她)?的?(?:爸爸|爸|父亲)|(?<!宝)宝爸|当爸的|^(?:孩子|宝宝)(?:他|的)?(?:爸爸|爸|父亲)(?:自己)?(?:来|过来)(?:办|申请|问)|(?:孩子|宝宝)的?(?:爸爸|父亲)[，,\s]*(?:就)?是我(?![妈爸们的老家公婆哥姐弟妹儿女朋同])",
    "guardian": _ME + r"(?:孩子|他|她)?的?(?:奶奶|爷爷|外婆|外公|姥姥|姥爷)",
    "legal_rep": _ME
    + r"(?:本人)?(?:公司|店|企业|合作社)?的?(?:法定代表人|法人代表|法人|老板|老板娘|经营者|负责人|店主|理事长|执行事务合伙人)"
    r"|我本人\s*(?:就是)?\s*法人|(?:法人|经营者|老板|负责人)(?:就)?是我(?![妈爸们的老家公婆哥姐弟妹儿女朋同])|^(?:我)?本人\s*法人",
}
_GUARDIAN_ME = re.compile(
    r"监护人(?:也|就)?(?:写|填|是|为)?(?:我|本人)|我(?:就|也)?是(?:孩子|他|她)?的?(?:法定)?监护人"
)
_FOR_PARENT = re.compile(
    r"(?:帮|替|给|代)(?:我)?(?:[\u4e00-\u9fff]{1,5}的)?(?:爸|妈|父亲|母亲|老爸|老妈|老父亲|老母亲|家里老人)(?:爸|妈)?"
    r"(?:[\u4e00-\u9fff]{2,3}?)?(?:来|去|过来)?(?:办|申请|弄|跑)"  # "帮我爸林振华办退休"
    r"|我是(?:他|她)(?:的)?(?:儿子|女儿|闺女|孩子|子女)"
)
# "我爸…我帮他申请": help for a person named earlier as the speaker's father or mother
_FOR_HIM = re.compile(
    r"(?:帮|替|给|代)(?:他|她)(?:老人家)?(?:在[\u4e00-\u9fff]{1,4})?(?:来|去|过来)?(?:办|申请|弄|跑)"
)
_MY_PARENT = re.compile(r"我(?:的)?(?:爸爸|爸|妈妈|妈|父亲|母亲|老爸|老妈|家老爷子|家老太太)")
_MY_SPOUSE = re.compile(r"我(?:的)?(?:老公|老婆|爱人|丈夫|妻子|媳妇|堂客|老伴)|屋里老倌子")
_FOR_SPOUSE = re.compile(
    r"(?:帮|替|给|代)(?:我)?(?:屋里|家里|我家)?(?:老公|老婆|爱人|丈夫|妻子|媳妇|堂客|老倌子|老伴)(?:[\u4e00-\u9fff]{2,3}?)?(?:来|去|过来)?"
    r"(?:办|申请|弄|跑)|我是(?:他|她)(?:的)?(?:老婆|老公|爱人|妻子|丈夫|媳妇|堂客|老伴)"  # "帮我老公龚志强办退休"
    # "我老公孟庆山，身份证…" opening the message: the facts are the spouse's, the speaker speaks for them
    r"|^\s*我(?:的)?(?:老公|老婆|爱人|丈夫|妻子|媳妇|堂客|老伴)(?:叫)?[\u4e00-\u9fff]{2,3}[，,\s]*(?:身份证|的身份证|[0-9])"
)
# someone acting for the business or person on their instruction ("老板让我帮忙办", "她委托我来办")
_AGENT = re.compile(
    r"委托我|受(?:其|他|她|公司|企业|法人|老板|法定代表人|董事长|单位)?委托|让我(?:来|帮忙|帮他|帮她|去)?(?:办|跑|弄)|叫我(?:来|去)?办|我是(?:经办人|代理人|委托代理人)"
    r"|帮(?:老板|公司|单位|朋友|亲戚|客户|东家)(?:办|跑|弄|申请)|我是(?:公司|单位|企业)?的?(?:会计|出纳|员工|文员|代理律师|律师)"
)
# "法人曾宪平，就是我": the person just named is the speaker
SELF_MARK = re.compile(
    r"(?:就|也)?是我(?:本人|自己)?(?![们的爸妈老])|^(?:我本人|本人)$|^(?:就)?(?:写|填)我(?:就行|就好|吧)?$"
)
_MYSELF = re.compile(r"(?:给|帮)?(?:我)?自己办|我本人办|本人办理|本人申请|我自己申请")
# a person a text speaks of by a pronoun only ("他身份证…" with nobody named yet): the one the speaker acts for,
# if anyone (fact_targets)
SOMEONE = "someone"

RELATION_OF = {
    "mother": "母亲",
    "father": "父亲",
    "guardian": "其他监护人",
    "legal_rep": "法定代表人",
    "agent": "委托代理人",
    "parent_of_speaker": "子女",
    "spouse_of_speaker": "配偶",
    SELF: "本人",
}


def field_person(f: FieldSpec) -> tuple[str, str] | None:
    """(role, attribute) of a person field (mother_id_number → ("mother", "id_number")), else None."""
    for prefix, role in FIELD_ROLE_PREFIXES:
        if f.id.startswith(prefix):
            rest = f.id.removeprefix(prefix).lstrip("_") or "name"
            if f.type == "name":
                return role, "name"
            if f.type == "id_number":
                return role, "id_number"
            if f.type == "phone":
                return role, "phone"
            if rest in ATTRIBUTES:
                return role, ATTRIBUTES[rest]
            return None
    return None


_BARE_PARENT = re.compile(r"(?:孩子|宝宝|小孩|伢子|娃)的?(?:爸爸|妈妈|爸|妈|父亲|母亲)")


# claims of a speaker who acts for someone else: whatever they say of themself is not that person's
ACTING_FOR = frozenset({"spouse_of_speaker", "parent_of_speaker", "agent"})


def speaker_claims(text: str) -> list[str]:
    """Who the speaker says they are, most telling first: mother, father, guardian, legal_rep,
    parent_of_speaker (they apply for their father or mother), spouse_of_speaker, self (for themselves)."""
    out: list[str] = []
    intro = text.lstrip().startswith(("我", "本人")) and not text.lstrip().startswith("我们")
    # "我，孩子爸爸，欧阳俊": the speaker and the role they name, split by a comma
    text = re.sub(r"^(\s*我)[，,\s]+(?=(?:孩子|宝宝|小孩|他|她)的?(?:爸|妈|父|母))", r"\1是", text)
    after_me = of_me = False
    for clause in re.split(r"[，,。；;！!？?\n]", text):
        c = clause.strip()
        if (intro or after_me) and re.match(r"(?:也|就)?是", c):  # "我叫王强，是法定代表人": no subject
            c = "我" + c
        elif (intro or after_me) and (also := re.match(r"[\u4e00-\u9fff]{2,6}?(?:也|又|同时)是", c)):
            # "我叫简国华，唯一股东也是法人": the speaker is the legal representative
            c = "我是" + c[also.end() :]
        if of_me and _BARE_PARENT.fullmatch(c):  # "监护人是我，彭小红，孩子妈妈": the speaker's role
            c = "我是" + c
        was_me = of_me
        after_me = c.startswith("我") and not c.startswith("我们")  # "我是唯一股东，也是法人"
        of_me = after_me or c.endswith("是我") or (of_me and looks_like_name(c))
        if re.search(r"(?:不是|并非)", c):
            continue
        for role, pattern in _SELF_IS.items():
            if role not in out and re.search(pattern, c):
                out.append(role)
        held = role_at(c)  # "投资人是我龙福生", "经营者就是我": the role named first is the speaker's
        me = re.match(r"(?:就|也)?是(?:我本人|本人|我)([\u4e00-\u9fff·]*)$", c[held[1] :]) if held else None
        if held and me and held[0] not in out and (not me.group(1) or looks_like_name(me.group(1))):
            out.append(held[0])  # not in "他爸就是我崽喻建波"
        if "guardian" not in out and (
            _GUARDIAN_ME.search(c) or (was_me and re.fullmatch(r"(?:也是)?(?:法定)?监护人", c))
        ):
            out.append("guardian")  # "我是孩子爸爸何俊，监护人，身份证…": the guardian too
    if _AGENT.search(text) and "agent" not in out:
        out.insert(0, "agent")  # acting for someone else: whatever role words follow are theirs
    helps_him = bool(_FOR_HIM.search(text))
    if _FOR_PARENT.search(text) or helps_him and _MY_PARENT.search(text):
        out.append("parent_of_speaker")
    elif _FOR_SPOUSE.search(text) or helps_him and _MY_SPOUSE.search(text):
        out.append("spouse_of_speaker")
    if not out and (parent := parent_by_own_id(text)) is not None:
        out.append(parent)
    if not out and _MYSELF.search(text):
        out.append(SELF)
    return out


# "给女儿办出生的事", "帮我崽报名": the speaker's own child is the one the form is for
_MY_CHILD = re.compile(
    r"(?:给|帮|替|为)(?:我)?(?:家)?(?:女儿|儿子|闺女|崽|小孩|孩子|宝宝)(?!的?(?:爸|妈|父|母))"
)
# OTHER_PERSON without the child words: "给女儿办…，身份证…" still speaks of the speaker's own ID
_SOMEONE_ELSE = re.compile(r"爸|妈|父亲|母亲|老公|老婆|丈夫|妻子|爱人|[他她]")
_ID_SAID = re.compile(r"(?:身份证|证件)(?:号码?)?(?:是|为)?[:：]?\s*(\d{17}[\dXx])")


def parent_by_own_id(text: str) -> str | None:
    """ "我是唐慧敏，身份证4303…0443，给女儿办出生的事": a speaker who names no role but acts for their own
    child is a parent; the sex digit of the ID they give as their own says which (odd: father)."""
    if not _MY_CHILD.search(text) or not re.match(r"\s*(?:我|本人)", text):
        return None
    m = _ID_SAID.search(text)
    if m is None or _SOMEONE_ELSE.search(text[: m.start()]):
        return None  # an ID said after someone else is named may be theirs
    return "father" if int(m.group(1)[16]) % 2 else "mother"


def own_clauses(text: str) -> str:
    """The clauses of a message about the speaker: a clause naming someone else ("我爸林振华") and the ones
    after it are theirs, until the speaker speaks of themself again ("我是…", "本人…")."""
    keep, other = [], False
    for c in re.split(r"[，,。；;！!？?\n]", text):
        c = c.strip()
        if re.match(r"(?:我(?!爸|妈|老公|老婆|爱人|儿子|女儿|崽|家|们)|本人)", c):
            other = False
        elif OTHER_PERSON.search(c[:6]):
            other = True
        if not other:
            keep.append(c)
    return "，".join(keep)


def said_of_another(
    by_id: dict[str, FieldSpec],
    fid: str,
    v: object,
    found: dict[str, object],
    tier: dict[str, int],
    selves: set[str],
    me: bool,
    acting_for: bool = False,
) -> bool:
    """Whether value `v`, bound to field `fid` by the question's order, was said with another person (the
    speaker's own value is also that of every role the speaker holds: the guardian who applies)."""
    holders = {(field_person(by_id[g]) or ("",))[0] for g, t in tier.items() if t == 2 and found[g] == v}
    role = (field_person(by_id[fid]) or ("",))[0]
    if holders & (selves | {SELF}):  # said by the speaker: theirs in every role they hold
        holders |= selves | {SELF}
        # "我，孩子爸爸，葛建华，4325…" to "法定监护人？": a speaker whose role the form does not name
        # answers the role asked with "我"
        # (not a child's role, nor anyone's the speaker says they act for: "我是他妻子…，身份证…")
        if me and not selves - {SELF} and not acting_for and role != "child":
            holders.add(role)
    return bool(holders) and role not in holders


def relation_of(claims: list[str]) -> str | None:
    """The applicant's relation to the person or business the form is for, from what the speaker said."""
    kin = [c for c in claims if c in ("mother", "father")]  # a mother who is the guardian is the 母亲
    if kin:
        return RELATION_OF[kin[0]]
    if "agent" in claims and "spouse_of_speaker" in claims:  # "我老公开的店…他委托我来办": 委托代理人
        return RELATION_OF["agent"]
    return next((RELATION_OF[c] for c in claims if c in RELATION_OF), None)


def self_roles(claims: list[str], roles_in_form: set[str]) -> set[str]:
    """The form's persons the speaker is: always the applicant; a mother filling a newborn form is also the
    mother; someone retiring (not for a parent or spouse) is the insured person."""
    out = {SELF} | {c for c in claims if c in roles_in_form}
    if "insured" in roles_in_form and not {"parent_of_speaker", "spouse_of_speaker", "agent"} & set(claims):
        out.add("insured")
    return out


def fact_targets(role: str, claims: list[str], roles_in_form: set[str], my_spouse: bool = False) -> set[str]:
    """The form's persons a fact about `role` fills: the speaker's own facts fill every role they are; the
    speaker's parent is the insured person of a form filled in for that parent; others fill their own role."""
    if role == SELF or role in claims:
        return self_roles(claims, roles_in_form)
    # "我老公孟庆山，身份证…" (`my_spouse`: the message opens so) in a form with no parents: the insured
    husband_or_wife = my_spouse and role in ("father", "mother") and role not in roles_in_form
    if role == "spouse" or (
        husband_or_wife and "spouse_of_speaker" in claims
    ):  # "我爱人叫贺振宇", by the mother
        if "spouse_of_speaker" in claims and "insured" in roles_in_form:
            return {"insured"}
        other = {"mother": "father", "father": "mother"}
        return {other[c] for c in claims if c in other and other[c] in roles_in_form}
    # "父亲王建平，身份证…" from someone applying for their parent, in a form with no parents: the insured
    parent_said = role in ("father", "mother") and role not in roles_in_form
    if role == "speaker_parent" or parent_said:
        return {"insured"} if "insured" in roles_in_form and "parent_of_speaker" in claims else set()
    if role == SOMEONE:  # "他身份证4303…" from someone applying for their spouse or parent: that person
        acting_for = {"parent_of_speaker", "spouse_of_speaker"} & set(claims)
        return {"insured"} if acting_for and "insured" in roles_in_form else set()
    return {role} if role in roles_in_form else set()


def role_at(text: str) -> tuple[str, int] | None:
    """The person a clause starts talking about ("孩子爸爸叫…", "宝宝邓嘉禾"), with where the role word ends."""
    best: tuple[str, int, int] | None = None
    for role, words in ROLE_WORDS.items():
        for w in words:
            i = text.find(w)
            if i == -1 or i > 4:  # the role word opens the clause ("那孩子爸爸…", "我老公…")
                continue
            key = (i, -len(w))
            if best is None or key < (best[1], -best[2]):
                best = (role, i, len(w))
    if best is None:
        return None
    return best[0], best[1] + best[2]
