"""A citizen who never says who they are, but gives one company-side person's name, ID number and a phone in
one message ("法定代表人胡晓峰，身份证…，电话…，申请简易注销"), is that person filling in their own form in its
terms: the applicant is that person, in that capacity.

Hand-written: whose phone a number is, when nobody says "我", is a judgement about the whole conversation
(no one else named themself) that no library makes."""

from __future__ import annotations

from datetime import date

from assistant.forms.extract import Extracted
from assistant.forms.roles import RELATION_OF, SELF, speaker_claims
from assistant.forms.speakers import Utterance
from assistant.forms.statements import facts_in

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
