"""Values a form holds by what other values say, when the citizen never said them: an applicant whose household
is registered in another prefecture than the one they live in is a migrant worker (公租房 外来务工人员).

Hand-written: a comparison of two addresses' prefectures; no library knows the form's categories."""

from __future__ import annotations

import re

from assistant.forms.extract import Extracted
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
