"""Values a form holds by what other values say, when the citizen never said them: an applicant whose household
is registered in another prefecture than the one they live in is a migrant worker (公租房 外来务工人员); an
applicant applying for themself (本人) is the person the form is about (退休: the insured).

Hand-written: a comparison of two addresses' prefectures; no library knows the form's categories."""

from __future__ import annotations

import re

from assistant.forms.extract import Extracted
from assistant.forms.roles import SELF, field_person
from assistant.forms.spec import FieldSpec

# the prefecture an address opens with, when a county or district follows it ("衡阳市衡东县…", "湘西土家族苗族自治州
# 花垣县…"); "长沙县…", "浏阳市…街道" open with a county and say no prefecture
_PREFECTURE = re.compile(r"^([\u4e00-\u9fff]{2,9}?[市州])[\u4e00-\u9fff]{1,5}?[区县市]")
MIGRANT = "外来务工人员"


def category_from_homes(out: dict[str, Extracted], by_id: dict[str, FieldSpec]) -> dict[str, Extracted]:
    """ "住株洲市荷塘区…，户口在衡阳市衡东县…" with no category said: 外来务工人员. Nothing when either address
    names no prefecture, when both are in one, or when the form has no such category."""
    cat = by_id.get("applicant_category")
    if cat is None or MIGRANT not in cat.choices or "applicant_category" in out:
        return {}
    homes = [_PREFECTURE.match(str(out[k].value)) for k in ("current_address", "hukou_address") if k in out]
    if len(homes) < 2 or not all(homes) or homes[0].group(1) == homes[1].group(1):  # type: ignore[union-attr]
        return {}
    source = out["hukou_address"]
    return {
        "applicant_category": Extracted(
            value=MIGRANT, source=source.source, message_index=source.message_index
        )
    }


def subject_from_applicant(
    out: dict[str, Extracted], by_id: dict[str, FieldSpec], relation: str | None
) -> dict[str, Extracted]:
    """ "本人刘铁牛办退休，身份证…": the applicant's name and ID are the insured person's too, where the form has
    an insured person and they were not said apart."""
    if relation != "本人":
        return {}
    found: dict[str, Extracted] = {}
    for attr in ("name", "id_number"):
        own = next((e for k, e in out.items() if k in by_id and field_person(by_id[k]) == (SELF, attr)), None)
        theirs = next((k for k, f in by_id.items() if field_person(f) == ("insured", attr)), None)
        if own is not None and theirs is not None and theirs not in out:
            found[theirs] = own
    return found
