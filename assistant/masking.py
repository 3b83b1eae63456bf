"""Mask personal data (ID numbers, phone numbers) in text that goes to logs or to staff screens."""

from __future__ import annotations

import logging
import re

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_USCC = re.compile(
    r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2})\d{6}[0-9A-HJ-NPQRTUWXY]{6}([0-9A-HJ-NPQRTUWXY]{4})(?![0-9A-Z])"
)
_CARD = re.compile(r"(?<!\d)(\d{4})\d{8,11}(\d{4})(?!\d)")  # bank cards: 16–19 digits
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)")
# a name after the words that introduce one ("我叫王小明", "姓名：李娜", "法人是周国平")
_NAME = re.compile(
    r"((?:我叫|名叫|叫做|姓名|名字|法人|代表人|监护人|联系人|申请人)(?:是|为|叫)?[:：\s]*)([\u4e00-\u9fff·]{2,4})"
)


def mask(text: str) -> str:
    """430***********1234 for an 18-digit ID, 138****5678 for a mobile number, and the middle of a USCC,
    a bank card or a landline; a name after 我叫/姓名/法人… becomes 王**."""
    text = _ID.sub(lambda m: f"{m.group(1)}{'*' * 11}{m.group(2)}", text)
    text = _USCC.sub(lambda m: f"{m.group(1)}{'*' * 12}{m.group(2)}", text)
    text = _CARD.sub(lambda m: f"{m.group(1)}{'*' * (len(m.group(0)) - 8)}{m.group(2)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _NAME.sub(lambda m: m.group(1) + m.group(2)[0] + "*" * (len(m.group(2)) - 1), text)


class MaskingFilter(logging.Filter):
    """Masks the message and its arguments of every record it sees (for handlers we do not format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if record.args:
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line, the exception text and traceback included (a pydantic error repeats
    the input values; an argument may be a dict or an exception holding a citizen's ID)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def setup_logging(level: int = logging.INFO) -> None:
    """Structured one-line logs with personal data masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        MaskingFormatter(
            '{"t":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}'
        )
    )
    handler.addFilter(MaskingFilter())
    root = logging.getLogger("onething")
    root.handlers = [handler]
    root.setLevel(level)
    root.propagate = False
    # the server's own loggers print tracebacks of errors that escape the app: masked the same way
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "fastapi"):
        for h in logging.getLogger(name).handlers:
            h.setFormatter(MaskingFormatter(getattr(h.formatter, "_fmt", None)))
            h.addFilter(MaskingFilter())


def personal_data_kinds(text: str) -> list[str]:
    """Which kinds of personal data the text contains ("id_number", "mobile"), for the turn's trace."""
    kinds = []
    if _ID.search(text):
        kinds.append("id_number")
    if _MOBILE.search(text):
        kinds.append("mobile")
    elif _MOBILE_MISTYPED.search(text):  # "电话139073112345": a phone with a digit too many is still one
        kinds.append("mobile")
    if _NAMED.search(text):
        kinds.append("name")
    return kinds


_MOBILE_MISTYPED = re.compile(r"(?<!\d)1[3-9]\d{8,10}(?!\d)")
# "我叫王磊", "我爸叫王德明": a person named by the citizen (theirs or a family member's)
_NAMED = re.compile(
    r"(?:我|本人|爸|妈|爷|奶|老公|老婆|爱人|孩子|宝宝|儿子|女儿|伢子)(?:的名字)?叫\s*[\u4e00-\u9fff·]{2,4}"
    r"(?=$|[，,。；;！!\s\d])"
)


_DATA_CUE = r"(?:(?:我|本人|他|她)的?)?(?:身份证(?:号码?|号)?|证件号(?:码)?|电话(?:号码?)?|手机(?:号码?)?|联系电话|联系方式|卡号|账号)(?:是|为|[:：])?\s*"
_STATED_DATA = re.compile(
    _DATA_CUE + r"(?:" + "|".join(p.pattern for p in (_ID, _USCC, _CARD, _MOBILE, _LANDLINE)) + r")"
    r"|"
    + "|".join(p.pattern for p in (_ID, _USCC, _CARD, _MOBILE, _LANDLINE))
    + r"|(?:我叫|名叫|我的名字(?:是|叫))[\u4e00-\u9fff·]{2,4}"
)


def without_personal_data(text: str) -> str:
    """The text with the citizen's own data taken out ("身份证4301…", "电话139…", "我叫罗桂英"): what is left
    is what they ask. "电话13574128806" states a phone number; it does not ask for one."""
    return _STATED_DATA.sub("", text)
