"""Check every form value with python-stdnum and plain rules; each problem is a sentence a citizen understands."""

from __future__ import annotations

import re
from datetime import date, timedelta

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from assistant.forms.spec import FieldSpec

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


# travel permits and passports (GA/T 1175 and the permit rules): 港澳 H/M + 8 digits (older permits 10 digits),
# 台湾 8 digits (older 10), passports a letter or two and 7–9 digits
DOCUMENTS = {
    "港澳居民来往内地通行证": (
        re.compile(r"[HM]\d{8}(?:\d{2})?"),
        "港澳居民来往内地通行证号码应为 H 或 M 加 8 位数字，请核对。",
    ),
    "台湾居民来往大陆通行证": (
        re.compile(r"\d{8}(?:\d{2})?"),
        "台湾居民来往大陆通行证号码应为 8 位数字，请核对。",
    ),
    "护照": (re.compile(r"[A-Z]{1,2}\d{7,9}"), "护照号码应为 1–2 位字母加 7–9 位数字，请核对。"),
}


def check_document(kind: str, value) -> str | None:
    """A travel permit or passport number checked against the document the citizen chose."""
    rule = DOCUMENTS.get(kind)
    if rule is None:
        return None
    return None if rule[0].fullmatch(str(value).strip().upper()) else rule[1]


def check_field(f: FieldSpec, value, today: date | None = None) -> str | None:
    """None when the value is acceptable, else the problem in plain Chinese."""
    today = today or date.today()
    if value in (None, ""):
        return None
    s = str(value).strip()
    if f.type == "id_number":
        # checksum, length, format and birth date are checked strictly; the division code is not: older
        # citizens' IDs carry the code of the office that issued them, which may have been renamed since
        s = s.upper()
        if len(s) != 18:
            return f"{f.label}应为 18 位，现在是 {len(s)} 位。"
        if not re.fullmatch(r"\d{17}[\dX]", s):
            return f"{f.label}格式不对：应为 17 位数字加 1 位数字或 X。"
        if ric.calc_check_digit(s) != s[-1]:
            return f"{f.label}的最后一位校验码不对，可能有数字输错了，请核对。"
        try:
            born = ric.get_birth_date(s)
        except (InvalidComponent, ValidationError):
            return f"{f.label}中的出生日期（第 7–14 位）不是有效日期，请核对。"
        if born > today:
            return f"{f.label}中的出生日期晚于今天，请核对。"
        if f.expect_gender:
            gender = "男" if int(s[16]) % 2 == 1 else "女"
            if gender != f.expect_gender:
                return f"{f.label}的第 17 位表示性别为{gender}，与“{f.label.removesuffix('身份证号码').removesuffix('身份证号')}”应为{f.expect_gender}性不符，请核对。"
        return None
    if f.type == "uscc":
        try:
            uscc.validate(s)
        except InvalidChecksum:
            return f"{f.label}的校验位不对，请对照营业执照核对。"
        except (InvalidFormat, InvalidLength, InvalidComponent, ValidationError):
            return f"{f.label}应为 18 位数字或大写字母（营业执照上的代码）。"
        return None
    if f.type == "phone":
        mobile_only = "手机" in (f.help or "") and "固定电话" not in (f.help or "")
        if mobile_only and LANDLINE.match(s):
            return f"{f.label}需要 11 位手机号（用于接收办理进度短信），座机收不到短信，请留一个手机号。"
        if not (MOBILE.match(s) or LANDLINE.match(s)):
            return f"{f.label}应为 11 位手机号或带区号的固定电话。"
        return None
    if f.type == "date":
        if f.month_ok and re.fullmatch(r"\d{4}-\d{2}", s):  # year and month are all the field asks
            s += "-01"
            if not 1 <= int(s[5:7]) <= 12:
                return f"{f.label}的月份不对，请核对。"
        try:
            d = date.fromisoformat(s)
        except ValueError:
            return f"{f.label}不是有效日期。"
        if f.not_future and d > today:
            return f"{f.label}不能晚于今天（{today.isoformat()}）。"
        if f.max_age_days is not None and d < today - timedelta(days=f.max_age_days):
            return f"{f.label}已超过 {f.max_age_days} 天，不在本事项的办理期限内，请到窗口咨询。"
        return None
    if f.type == "choice" and f.choices and s not in f.choices:
        return f"{f.label}请从以下选项中选择：{'、'.join(f.choices)}。"
    if f.type == "number":
        try:
            if float(s) < 0:
                return f"{f.label}不能为负数。"
        except ValueError:
            return f"{f.label}应为数字。"
    if f.type == "name" and not re.fullmatch(r"[\u4e00-\u9fff·]{2,20}|[A-Za-z][A-Za-z .'-]{1,40}", s):
        return f"{f.label}看起来不像姓名，请核对。"
    return None


def cross_checks(values: dict, fields: list[FieldSpec]) -> dict[str, str]:
    """Checks between fields: an ID's birth date against a stated birth date of the same person."""
    problems: dict[str, str] = {}
    by_id = {f.id: f for f in fields}
    for fid, f in by_id.items():
        if f.type != "id_number" or not values.get(fid):
            continue
        prefix = fid.removesuffix("_id_number")
        birth_field = f"{prefix}_birth_date"
        if values.get(birth_field) and ric.is_valid(str(values[fid])):
            born = ric.get_birth_date(str(values[fid]))
            if born.isoformat() != str(values[birth_field]):
                problems[birth_field] = (
                    f"{by_id[birth_field].label}（{values[birth_field]}）与身份证号码中的出生日期（{born.isoformat()}）不一致，请核对。"
                )
    return problems
