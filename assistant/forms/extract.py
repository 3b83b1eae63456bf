"""Deterministic extractors (IDs, phones, USCC, dates, names, addresses, numbers); a value comes with its message."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

from assistant.forms.choices import _BINARY, choice_in
from assistant.forms.cue_windows import cue_window
from assistant.forms.dates import YEAR_MONTH, stated_date, year_month
from assistant.forms.orgs import ORG_SUFFIX, org_name
from assistant.forms.quantities import (
    NOT_AMOUNTS,
    count_people,
    is_household_count,
    months_from_years,
    months_near,
    rough_amount,
    stated_total,
    unit_mismatch,
)
from assistant.forms.roles import OTHER_PERSON, own_clauses
from assistant.forms.spec import FieldSpec
from assistant.forms.toggles import negative_choice
from assistant.text.names import NAME_LEAD, looks_like_name
from assistant.text.numerals import to_digits
from assistant.text.values import (
    UNDECIDED,
    Choice,
    Unparsed,
    numerals_to_digits,
    parse_choice,
    parse_number,
    parse_yesno,
)

ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")  # not inside a credit code
LANDLINE_RE = re.compile(r"(?<![0-9A-Za-z])0\d{2,3}-?\d{7,8}(?![0-9A-Za-z])")
USCC_RE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
DATE_RE = re.compile(
    r"\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*[日号]?|(?<!\d)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?"
    # "今天生的" is a date; "出生证上有，今天冇带" is not
    r"|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|(?:大前天|前天|昨天|今天)(?=[^，,。；;！!？?]{0,4}(?:生|出世|出院))"
)
ADDRESS_RE = re.compile(
    r"(?:[\u4e00-\u9fff]{2,6}省)?(?:[\u4e00-\u9fff]{2,6}[市州](?:[\u4e00-\u9fff]{1,6}[区县市])?|[\u4e00-\u9fff]{2,4}[县区])"
    r"[\u4e00-\u9fff0-9A-Za-z\-号栋单元室楼路街道巷弄村组]{2,40}"
)
# verbs that introduce an address of a kind, for address fields whose cues the citizen did not use
# ("住长沙市…" for 居住地址, "户口长沙市…" for 户籍地址)
ADDRESS_VERBS = {
    r"居住|现住|住址|住房": r"(?:家住|现住|住)",
    r"户籍|户口|落户": r"(?:户口|户籍|(?:随父|随母|随爸爸|随妈妈)?落户(?:地址)?)",
    r"经营|营业|店": r"(?:店在|店开在|开在|店面在|铺面在)",
    r"注册|住所": r"(?:注册在|注册地)",
}
_ADDRESS_GLUE = r"(?:的|在|是|都是|也是|地址|地址是|就是|就在|：|:|，|,|\s)*"
NAME_RE = re.compile(r"^[\u4e00-\u9fff·]{2,4}")
_STOP_AFTER_NAME = re.compile(r"[，,。；;\s、]|身份证|电话|手机|今年|出生|是|的")


class Extracted(BaseModel):
    value: str | float
    source: str
    message_index: int


_VERB_NOUN = re.compile(r"^([进下入])的?([厂井职])$")  # a cue "进的厂" is said "进的株洲冶炼厂" too
RAW_NUMBER = re.compile(r"[0-9Xx\-]{6,25}")
# a travel permit or passport number (港澳 H/M…, passports E…), said with the document's name
DOC_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[A-Za-z]{1,2}\d{7,10}|\d{8}(?:\d{2})?)(?![0-9A-Za-z])")
_DOC_WORDS = re.compile(r"通行证|护照|台胞证|回乡证")
_LEAD = re.compile(r"^(写|是|为|叫|在|到|去)")
# a place named from its city or county down: "长沙市岳麓区", "醴陵市", "衡阳县西渡镇"
_PLACE = re.compile(
    r"(?:(?![寄到在是交办去卡])[\u4e00-\u9fff]){2,10}?(?:省|市|州|县|区)(?:[\u4e00-\u9fff]{2,6}?(?:市|县|区|镇|乡|街道))?"
)
_TRAIL = re.compile(
    r"(出生的?|生的|生下的?|上班的?|工作的?|那边|这边|开的|办的?|住的|交的?|缴的?|参保的?|上的|买的?)$"
)


_DESCRIBED_ME = re.compile(
    r"我是[\u4e00-\u9fff]{0,10}?(?:的|人|姑妈|姨妈|舅妈|舅舅|叔叔|婶婶|伯伯|阿姨|姐姐|哥哥|嫂子|姑姑|小姨"
    r"|[他她](?:老婆|老公|妻子|丈夫|爱人|媳妇|堂客|老伴))([\u4e00-\u9fff·]{2,3})$"
)


def _self_intro_name(text: str) -> str | None:
    """“我是宝妈，叫赵丽”: a name the speaker gives for themself."""
    for clause in re.split(r"[，,。；;]", text):
        m = re.match(r"^\s*(?:我|本人)?(?:就)?叫([\u4e00-\u9fff·]{2,4})(?![\u4e00-\u9fff]{2})", clause)
        if (
            m
            and text.lstrip().startswith(("我", "本人"))
            and not text.lstrip().startswith("我们")
            and not OTHER_PERSON.search(clause[: clause.find("叫")])
        ):
            return _STOP_AFTER_NAME.split(m.group(1))[0] or None
    # "我是代账公司的马琳", "我是长沙本地人施建伟", "我是她姑妈舒玉霞": who they are, then their name
    for clause in re.split(r"[，,。；;]", text):
        m = _DESCRIBED_ME.match(clause.strip())
        if m and looks_like_name(m.group(1)) and not OTHER_PERSON.search(m.group(1)):
            return m.group(1)
    # "本人刘铁牛办退休", "我王建平来办": the speaker's name between 本人/我 and the verb of the errand
    m = re.match(
        r"\s*(?:本人|我)(?:是)?([\u4e00-\u9fff·]{2,3}?)(?:本人)?(?:来|要|想|过来)?(?:办|申请|报名|注销)", text
    )
    if m and looks_like_name(m.group(1)) and not m.group(1).startswith(("马上", "这就", "今天")):
        return m.group(1)
    return None


BANK_WORDS = re.compile(ORG_SUFFIX["银行"] + r"|农商|[建工农中交]行|卡号|银行卡|社保卡|账号|账户")
_UNDECIDED = re.compile(UNDECIDED.pattern + r"|先不选|不选")
CORRECTION_RE = re.compile(
    r"(写错|填错|说错|打错|输错|搞错|念错|看错|记错|报错|讲错|不对|改成|改为|更正|应该是|换成|等下|等一下|等等|算了|还是(?:改|落|填|写|随|跟|用|选)|商量了)"
)


def value_from_reply(f: FieldSpec, text: str, today: date | None = None) -> str | float | None:
    """The value a reply gives for one field it answers (the field was asked, or named in a correction)."""
    t = text.strip()
    if f.type == "id_number":
        m = ID_RE.search(re.sub(r"(?<=\d)[ \-](?=\d)", "", t))
        if m:
            return m.group(0).upper()
        raw = re.search(r"[0-9Xx]{12,22}", t)
        if raw is not None and len(raw.group(0)) != 18 and BANK_WORDS.search(t):
            raw = None  # "养老金用长沙银行，6214…": a bank card, not a mistyped ID
        if raw is None and _DOC_WORDS.search(t):
            raw = DOC_NUMBER.search(t)
        return raw.group(0).upper() if raw else None
    if f.type == "phone":
        compact = re.sub(r"(?<=\d)[ \-](?=\d)", "", t)
        m = MOBILE_RE.search(compact) or LANDLINE_RE.search(t)
        if m:
            return m.group(0)
        raw = re.search(r"(?<![0-9A-Za-z])\d{7,13}(?![0-9A-Za-z])", compact)  # "91431202MA4K…" is no phone
        return raw.group(0) if raw else None
    if f.type == "uscc":  # a code of the wrong length is kept so that validation can say so
        m = USCC_RE.search(t.upper()) or re.search(r"(?<![0-9A-Z])[0-9A-Z]{15,20}(?![0-9A-Z])", t.upper())
        return m.group(0) if m and re.search(r"\d", m.group(0)) else None
    try:
        if f.type == "date":
            if f.month_ok and not DATE_RE.search(to_digits(t)) and (ym := YEAR_MONTH.search(to_digits(t))):
                return year_month(ym)
            return stated_date(t, today)
        if f.type == "number":
            if re.search(r"\d{7,}", t):
                return None  # an ID or phone number is no amount
            if rough_amount(f, t) or unit_mismatch(f, t):
                return None  # "请了七八个人，还没定", "四千出头", "三十来个平方"; "两个人" is no income
            if is_household_count(f) and (people := count_people(t)) is not None:
                return people
            months = months_from_years(f, t)
            if months is not None:
                return months
            if f.unit != "个月":  # "我一个月四千五": a rate's period is not the amount
                t = re.sub(r"(?:一|每)个?月|每年|一年到头", "", t)
            # "加一点养老金", "一楼门面": words with a numeral in them that count nothing
            t = NOT_AMOUNTS.sub("", t)
            return parse_number(t)
        if f.type == "choice":
            if _UNDECIDED.search(t):
                return None  # "这块我不清楚，先不选": no choice made
            found = choice_in(f, t, reply=True)
            # "拿到了", "没有" to a 是否/有无 question; a longer message is not a yes just for lacking a "no"
            if found is None and set(f.choices) in _BINARY and len(t) <= 8:
                yes = parse_yesno(t)
                found = (
                    ("是" if "是" in f.choices else "有") if yes else ("否" if "否" in f.choices else "无")
                )
            elif found is None and len(t) <= 8 and (none := negative_choice(f)) is not None:
                # "没有" to "在邵阳有没有自有住房？": the choice that says none
                try:
                    found = none if parse_yesno(t) is False else None
                except Unparsed:
                    found = None
            return found or parse_choice(t, [Choice(value=c, label=c) for c in f.choices])
    except Unparsed:
        return None
    if f.type == "name":
        t = NAME_LEAD.sub("", t)
        m = NAME_RE.match(t)
        return m.group(0) if m and looks_like_name(m.group(0)) else None
    if re.search(r"账号|卡号", f.label):  # "中国建设银行 6217…": the number, not the bank's name
        m = re.search(r"\d[\d ]{10,26}\d", t)
        return m.group(0).replace(" ", "") if m else None
    if f.type == "text" and (org := org_name(f, t)):  # "养老金用中国工商银行": the bank, not the sentence
        return org
    if (
        f.type == "text"
        and re.search(r"号码|编号|证号", f.label)
        and (
            _UNDECIDED.search(t)
            or re.search(r"[，,。；;！!？?]", t.strip("。，, "))
            or len(re.findall(r"\d", t)) < 4
        )
    ):
        return None  # a document's number is a code, not a sentence ("居住证还在办，号码还没出来")
    t = re.sub(r"^(是|在|地址是|住在|住|就是)", "", t).strip("。 ")
    if f.type == "text" and re.search(r"[，,。；;！!？?]", t.strip("。，, ")):
        return None  # "清税证明还没拿到，你们帮忙推一下" to "企业名称？": several things said, none a name
    return t or None


def extract_field(
    f: FieldSpec, text: str, today: date | None = None, others: list[str] | None = None
) -> str | float | None:
    """The value of field `f` stated in one message, or None. Cue-less patterns (IDs, phones) are only taken
    when the field's cues appear or the message has exactly one candidate and the field is the applicant's."""
    self_only = f.id.startswith("applicant_")
    windows = cue_window(text, f.cues, self_only=self_only, others=others) if f.cues else []
    if f.type in ("id_number", "phone"):
        strict = ID_RE if f.type == "id_number" else None
        for w in windows:
            m = strict.search(w) if strict else (MOBILE_RE.search(w) or LANDLINE_RE.search(w))
            if m:
                return m.group(0).upper()
            raw = RAW_NUMBER.match(w.strip())
            if raw:  # stated but malformed: keep it so validation can say what is wrong
                return raw.group(0).upper()
        if strict and _DOC_WORDS.search(text) and (doc := DOC_NUMBER.search(text)):
            return doc.group(0).upper()  # "用港澳居民来往内地通行证，号码H10382756"
        return None
    if f.type == "uscc":
        for w in windows + ([text] if not f.cues else []):
            m = USCC_RE.search(w.upper())
            if m:
                return m.group(0)
        for m in USCC_RE.finditer(text.upper()):  # no cue: a code with letters is no ID or phone number
            if re.search(r"[A-Z]", m.group(0)[:-1]):
                return m.group(0)
        # "代码91430902MA4KW5F58": a code of the wrong length, said as the code, is kept so that validation
        # can say what is wrong with it
        said = re.search(r"(?:信用)?代码(?:是|为)?[:：]?\s*([0-9A-Z]{15,20})(?![0-9A-Z])", text.upper())
        if said and re.search(r"\d", said.group(1)) and re.search(r"[A-Z]", said.group(1)):
            return said.group(1)
        return None
    if f.type == "date":
        for w in windows or ([text] if not f.cues else []):
            m = DATE_RE.search(to_digits(w))
            if m:
                try:
                    return stated_date(m.group(0), today)
                except Unparsed:
                    continue
            if f.month_ok and (ym := YEAR_MONTH.search(to_digits(w))):  # "1990年7月", the day not known
                return year_month(ym)
        # "2026年10月3日出生": the date comes before the cue (or a birth verb, for a birth-date field)
        verbs = [*f.cues, *(["出生", "生的", "生下", "出世"] if "出生" in f.label else [])]
        for cue in verbs:
            for m in re.finditer(
                r"(" + DATE_RE.pattern + r")\s*(?:在[\u4e00-\u9fff]{1,12})?" + re.escape(cue), to_digits(text)
            ):
                try:
                    return stated_date(m.group(1), today)
                except Unparsed:
                    continue
            # "进的厂" also as "进的株洲冶炼厂": the place's name between the verb and its noun
            said = (
                re.escape(cue)
                if not (vn := _VERB_NOUN.match(cue))
                else vn[1] + r"[的了]?[\u4e00-\u9fff]{0,12}?" + vn[2]
            )
            if f.month_ok and (  # "1990年7月参加工作", "84年12月进的厂": the month is all that is known
                ym := re.search(
                    YEAR_MONTH.pattern + r"\s*(?:在[\u4e00-\u9fff]{1,12})?" + said, to_digits(text)
                )
            ):
                return year_month(ym)
        return None
    if f.type == "choice":
        for w in windows:
            for c in f.choices:
                if w.startswith(c) or w[: len(c) + 2].find(c) >= 0:
                    return c
        if self_only and f.id.endswith("_id_type"):  # "我爸林振华，身份证4301…": not the applicant's document
            text = own_clauses(text)
        return choice_in(f, text)
    if f.type == "number":
        if f.unit == "人" and not is_household_count(f) and (total := stated_total(text)) is not None:
            return total  # "厨房三个，服务员四个…总共九个人"
        for w in windows:
            if unit_mismatch(f, re.split(r"[，,。；;]", w)[0]):
                continue  # "月租三千五" after the area's cue is no area
            if re.match(r"\s*\d{7,}", w):
                continue  # an ID or phone number after the cue is not a count or an amount
            if rough_amount(f, re.split(r"[，,。；;]", w)[0][:12]):
                continue  # "员工二十几个", "面积三十来个平方", "一年出头": no exact value
            if is_household_count(f) and (people := count_people(w)) is not None:
                return people
            digits = numerals_to_digits(w)
            years = months_from_years(f, digits[:12])
            if years is not None and re.match(r"\D{0,4}\d", digits):  # "社保交了两年": months
                return years
            m = re.search(r"\d+(?:\.\d+)?", digits)
            if m and len(m.group(0).split(".")[0]) >= 7:
                continue  # "低收入家庭。我叫…，身份证4301…": an ID or phone further on is no amount
            if m:
                v = float(m.group(0))
                return int(v) if v.is_integer() else v
        if is_household_count(f):  # "我老婆和我，还有个小孩": the household named member by member
            return count_people(text, listed=True)
        if (
            f.unit == "个月"
        ):  # "社保9个月", "交了两年社保": a duration in the clause that names the thing counted
            return months_near(f, text)
        return None
    if f.type == "name":
        for w in windows:
            m = NAME_RE.match(w)
            if m:
                name = _STOP_AFTER_NAME.split(m.group(0))[0]
                if len(name) >= 2 and looks_like_name(name):
                    return name
        if "我叫" in f.cues:
            return _self_intro_name(text)
        return None
    if f.type == "address":
        for w in cue_window(text, f.cues, 60, self_only=self_only, others=others):
            m = ADDRESS_RE.search(w)
            if m:
                return m.group(0)
            cut = re.split(r"[，,。；;]", w)[0].strip()
            if len(cut) >= 4:
                return cut
        for kind, verb in ADDRESS_VERBS.items():
            if not re.search(kind, f.label):
                continue
            for m in re.finditer(verb + _ADDRESS_GLUE, text):
                if self_only and OTHER_PERSON.search(text[max(0, m.start() - 4) : m.start()]):
                    continue
                a = ADDRESS_RE.match(text, m.end())
                if a:
                    return a.group(0)
        return None
    # free text: an organisation by its suffix first, else the clause after the cue
    numbered = bool(re.search(r"号|代码|账号|卡号", f.label))
    org = org_name(f, text) if not numbered and any(k in f.label for k in ORG_SUFFIX) else None
    if org:
        return org
    if numbered and re.search(r"账号|卡号", f.label):  # "中国建设银行 6217…": the card number after the bank
        m = re.search(r"(?:银行|信用社|农商行|邮储|卡)[^0-9。；;]{0,6}?(\d[\d ]{10,26}\d)(?!\d)", text)
        if m and not ID_RE.fullmatch(m.group(1).replace(" ", "")):
            return m.group(1).replace(" ", "")
    for w in cue_window(text, f.cues, 60, self_only=self_only, others=others):
        # a clause ends at punctuation, and at a space (chat messages list facts separated by spaces)
        cut = _TRAIL.sub("", _LEAD.sub("", re.split(r"[，,。；;]|\s+", w.strip())[0].strip()))
        if cut and f.label.endswith("地"):  # a place (参保地) is a place name: "醴陵市", not "也一起办了"
            place = _PLACE.match(cut)
            if place is not None:
                return place.group(0)
            continue
        if cut and (not numbered or re.search(r"\d", cut)):  # an account number is digits, not a bank's name
            return cut
    return None
