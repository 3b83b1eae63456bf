"""One identity number is one person's. When the applicant's number is also the number of another person on
the form whom the applicant is not (by the relation they apply in), the applicant has not given their own: the
grandfather who gives only his grandson's number, the daughter who gives only her mother's for the mother's
retirement. The other person keeps it; the applicant's field is left to be asked.

Hand-written: which form roles an applicant relation is, is the forms' own vocabulary; no library knows it."""

from __future__ import annotations

from assistant.forms.extract import Extracted
from assistant.forms.roles import SELF, field_person
from assistant.forms.spec import FieldSpec

# the form roles an applicant of each relation can also be (a mother may be the guardian too); a child never
# applies, and an agent, a spouse or a son or daughter applying is none of the form's persons
_ALSO = {
    "母亲": {"mother", "guardian"},
    "父亲": {"father", "guardian"},
    "其他监护人": {"guardian"},
    "法定代表人": {"legal_rep", "liquidator"},
    "本人": {"insured", "legal_rep", "liquidator", "guardian"},
}


def shared_id_owner(
    out: dict[str, Extracted], by_id: dict[str, FieldSpec], relation: str | None, strength: dict[str, int]
) -> list[str]:
    """The copy to drop of an ID number that the applicant and another person on the form hold, when the
    applicant is not that person: the applicant's, unless it was said as firmly. Without a known relation only
    a child's number is compared (a child never applies)."""
    own = next((k for k in out if k in by_id and field_person(by_id[k]) == (SELF, "id_number")), None)
    if own is None:
        return []
    may_be = _ALSO.get(relation or "", set()) if relation else None
    for k, e in out.items():
        person = field_person(by_id[k]) if k in by_id else None
        if k == own or person is None or person[1] != "id_number" or e.value != out[own].value:
            continue
        foreign = person[0] == "child" or (may_be is not None and person[0] not in may_be)
        if not foreign:
            continue
        # a number said as an answer to the other person's question beats a cue's reading for the applicant;
        # said as firmly for both, the applicant's own answer ("您的…身份证？") wins
        return [own] if strength.get(own, 0) < strength.get(k, 0) else [k]
    return []
