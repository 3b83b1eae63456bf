"""Names of organisations said in a message (hospital, employer, police station, the business itself): the
longest name ending in the suffix of its kind, without the words that introduce it, and never a business
pointed at ("隔壁那家烧烤店") or a kind of business ("有限责任公司").

Hand-written: these are short Chinese naming patterns; no library reads them."""

from __future__ import annotations

import re

from assistant.forms.spec import FieldSpec

ORG_SUFFIX = {
    "医院": r"(医院|保健院|卫生院|妇幼保健院|诊所)",
    "派出所": r"(派出所)",
    "学校": r"(学校|小学|中学|幼儿园)",
    "单位": r"(公司|集团|中心|厂|局|医院|院(?!子)|所(?![以有在])|店|学校|委员会|大学|社(?![保区会]))",
    "银行": r"(银行|信用社|农商行|邮储)",
    "企业": r"(公司|集团|中心|厂|店|社(?![保区会])|合作社|(?:商|车|器|材|货|金)行|经营部|门市部|工作室|超市|商场|"
    r"(?:菜|饭|餐|茶|咖啡|面|粉|酒|宾|旅|饺子|照相|美容|理发)馆|坊|药房|事务所)"
    # a partnership's or sole proprietor's form said after the name is part of it: "…工作室（普通合伙）"
    r"(?:[（(](?:普通合伙|有限合伙|特殊普通合伙|个人独资|个体工商户)[）)])?",
    "公司": r"(公司|集团)",
}


def org_name(f: FieldSpec, text: str) -> str | None:
    """Organisation names (hospital, employer, police station…) by their suffix, for fields labelled so:
    the longest name ending in a suffix within a clause, without the words that introduce it."""
    for key, suffix in ORG_SUFFIX.items():
        if key not in f.label:
            continue
        for clause in re.split(r"[，,。；;！!？?]", text):
            m = re.search(r"([\u4e00-\u9fff（）()]{2,40}" + suffix + r")", clause)
            if not m:
                continue
            if re.match(r"[\u4e00-\u9fff]{0,8}\d+\s*(?:栋|单元|号|室|楼|组)", clause[m.end() :]):
                continue  # "…老粮食局宿舍3栋2单元501" is an address, not an employer
            name = re.split(
                r"叫|名称是|名字是|名称为|单位是|是|为|在|到|去|用|开了?[一个]?[家个间]|进(?!出口)的?|进了(?!出口)|委托|来办|注销(?:掉|了)?|销掉",
                m.group(1),
            )[-1]
            if paren := re.search(r"[（(]([^）)]*)$", name):  # a name said again in brackets, or its kind
                inner = paren.group(1)
                # "工行社保卡（中国工商银行）" is that bank; "…公司（有限公司）", "（没有注册成公司）" say a kind
                kind = _TYPE_ONLY.fullmatch(inner) or re.match(r"[没不未非]", inner)
                full = len(inner) >= 4 and re.search(suffix + "$", inner) and not kind
                name = inner if full else name[: paren.start()]
            if m.start() > 0 and clause[m.start() - 1].isdigit() and name[:1] in "年月日号":
                name = name[1:]  # "6月28日湘潭市中心医院出生": the date's last character is not the name's
            if _POINTING.search(name) or re.fullmatch(r"(?:办|开)[个家间]?[\u4e00-\u9fff]{1,3}", name[:-1]):
                # "来办开餐饮店一件事": opening a kind of shop is no shop's name
                continue  # nor "隔壁那家烧烤店", "对面那个厂": a business pointed at
            # "电商公司股东会决议解散": a short name without 叫/名称是 is a kind of business, not its name
            named = bool(re.search(r"叫|名称是|名字是|名称为", m.group(1)))
            short = 6 if not named and re.search(r"(?:公司|集团|企业)$", name) else 4
            if len(name) >= short and not _TYPE_ONLY.fullmatch(name):
                return name
    return None


_POINTING = re.compile(r"那家|这家|那个|这个|哪个|哪家|什么|么子|啥|隔壁|对面|旁边|楼下|楼上|附近|[也还]开")
# a kind of business, not a business's name ("不是一人公司，是有限责任公司")
_TYPE_ONLY = re.compile(
    r"(?:一人|有限|有限责任|股份|股份有限|分|子|总|个人|独资|合伙|私营|国有|这家|那家|一家)(?:公司|企业|集团|店)"
)
