"""Who the speaker is, when they say it only in passing. (1) "罗建军，孩子爸爸，就是我" or "我何俊" to the question
for the guardian's name: the person the reply is about is the speaker. (2) A citizen who never says who they
are, but gives one company-side person's name, ID number and a phone in
one message ("法定代表人胡晓峰，身份证…，电话…，申请简易注销"), is that person filling in their own form in its
terms: the applicant is that person, in that capacity.

Hand-written: whose phone a number is, when nobody says "我", is a judgement about the whole conversation
(no one else named themself) that no library makes."""

from __future__ import annotations

import re
from datetime import date

from assistant.forms.extract import Extracted
from assistant.forms.roles import RELATION_OF, SELF, SELF_MARK, field_person, role_at, speaker_claims
from assistant.forms.speakers import Utterance
from assistant.forms.spec import FieldSpec
from assistant.forms.statements import clauses, facts_in
from assistant.text.names import looks_like_name

# roles that fill in a business's form about themself (the speaker of a family form names their kin instead)
_SELF_FILING = ("legal_rep",)


def applicant_from_named_role(
    out: dict[str, Extracted], utterances: list[Utterance], today: date | None = None
) -> dict[str, Extracted]:
    """The applicant fields (name, ID, relation) to add, or nothing when the speaker is known or unclear."""
    if "applicant_name" in out:
        return {}
    said = [u for u in utterances if u.speaker == "citizen"]
    if any(speaker_claims(u.text) for u in said):
        return {}
    for u in said:
        facts = facts_in(u.text, today)
        named = {f.role: f.value for f in facts if f.attr == "name" and f.role != SELF}
        own_phone = any(f.attr == "phone" and f.role == SELF for f in facts)
        if len(named) != 1 or not own_phone or any(f.role == SELF and f.attr == "name" for f in facts):
            continue
        role, name = next(iter(named.items()))
        if role not in _SELF_FILING:
            continue
        add = {"applicant_name": Extracted(value=name, source=u.text, message_index=u.message_index)}
        ids = [f.value for f in facts if f.attr == "id_number" and f.role == role]
        if len(ids) == 1:
            add["applicant_id_number"] = Extracted(value=ids[0], source=u.text, message_index=u.message_index)
        add["applicant_relation"] = Extracted(
            value=RELATION_OF[role], source=u.text, message_index=u.message_index
        )
        return add
    return {}


_I_NAME = re.compile(r"我(?:叫)?([\u4e00-\u9fff]{2,3})")  # "我何俊" answering "监护人的姓名？"


def self_marked(text: str, asked: list[FieldSpec], roles_in_form: set[str]) -> list[str]:
    """ "罗建军，孩子爸爸，就是我" or "我何俊" to "监护人姓名？", "法人曾宪平，就是我": the person the reply
    is about is the speaker. Their kinship word first (it says the relation), then the role they fill."""
    parts = clauses(text)
    # the child a form is for never speaks ("我叫胡德贵，…" to "孩子的身份证号码？" is the grandfather)
    asked_roles = {p[0] for f in asked if (p := field_person(f)) is not None and p[0] not in (SELF, "child")}
    role = None
    for i, p in enumerate(parts):
        if SELF_MARK.search(p):
            if len(asked_roles) == 1:
                role = next(iter(asked_roles))
            else:  # the person named in the clause just before ("法人曾宪平，就是我")
                before = role_at(parts[i - 1]) if i else None
                role = before[0] if before else None
        elif (m := _I_NAME.fullmatch(p)) and looks_like_name(m.group(1)) and len(asked_roles) == 1:
            role = next(iter(asked_roles))
        if role is not None:
            break
    if role is None or role not in roles_in_form:
        return []
    kin = [  # "我和他妈都是" names someone besides the speaker: no kinship of the speaker's
        r[0]
        for p in parts
        if (r := role_at(p)) is not None
        and r[0] in ("father", "mother")
        and r[0] != role
        and not re.search(r"我和|和我|跟我|我跟|我们", p)
    ]
    return [*kin, role]
