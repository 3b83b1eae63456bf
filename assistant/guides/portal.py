"""Importer for the Hunan government-service portal's 一件事 guide JSON (see shared data README)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from assistant.guides.portal_contacts import PHONE_ONLY, STD_LINKS, merge, place_or_link
from assistant.guides.regions import RegionRegistry
from assistant.guides.schema import (
    FAQ,
    Audience,
    Condition,
    Contact,
    EntryLink,
    Fee,
    FeeItem,
    LinkedMatter,
    Location,
    Material,
    MatterGuide,
    Necessity,
    ReformEffect,
    Section,
    Source,
    region_code_from_portal,
)

PORTAL_ORIGIN = "湖南省政务服务网（高效办成一件事 办事指南）"

# Portal placeholders that stand for "nothing given".
_BOILERPLATE = {
    "",
    "无",
    "无。",
    "暂无",
    "暂无。",
    "/",
    "-",
    "——",
    "null",
    "none",
    "按照法律法规规定应提交的材料",
    "流程图",
    "流程申请",
}
_FILE_RE = re.compile(r"^(?P<matter>[0-9A-Z]+)__(?P<area>\d{12})$")
_IMPL_CODE_RE = re.compile(r"^(?P<matter>[0-9A-Z]+)[0-9A-Z]{3}J(?P<suffix>\d{4})$")
_SOURCE_CODES = {"10": "申请人自备", "20": "政府部门核发", "99": "其他"}


class PortalFormatError(ValueError):
    """The file is not a portal guide response, or a required part is missing."""


def looks_like_portal(payload: Any) -> bool:
    data = payload.get("data") if isinstance(payload, dict) else None
    return isinstance(data, dict) and "basicInfo" in data and "sxmc" in data


def clean(text: Any) -> str:
    """Normalise a portal text field; boilerplate placeholders become the empty string."""
    if text is None:
        return ""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = re.sub(r"[ \t\u3000\xa0]+", " ", s)
    s = re.sub(r"\n\s*\n+", "\n", s).strip()
    if s.lower() in _BOILERPLATE:
        return ""
    if len(s) <= 20 and s.endswith("流程图"):  # "开办餐饮店一件事流程图": points to a missing image
        return ""
    return s


def _num(value: Any) -> float | None:
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return int(n) if n.is_integer() else n


def _split_phones(text: str) -> list[str]:
    """Split a phone field into entries, keeping labels such as （创业补贴） with their number."""
    text = clean(text)
    if not text:
        return []
    text = re.sub(r"([)）])\s*(?=[0-9\u4e00-\u9fff])", r"\1；", text)
    parts = re.split(r"[；;、，,/\n]+|\s{2,}", text)
    return [p.strip() for p in parts if p.strip()]


def _split_steps(text: str) -> list[str]:
    text = clean(text)
    if not text:
        return []
    parts = re.split(r"\s*(?:-+>|→|—>|＞)\s*|\n", text)
    if len(parts) == 1 and re.fullmatch(r"[^，。,.]{1,8}(-[^，。,.]{1,8}){2,}", text):
        parts = text.split("-")  # "受理-审核-办结"
    return [p.strip() for p in parts if p.strip()]


def _date_from_ms(ms: Any) -> date | None:
    n = _num(ms)
    if not n or n <= 0:
        return None
    return datetime.fromtimestamp(n / 1000, tz=UTC).date()


def _latest_update(node: Any) -> date | None:
    """The latest `gxsj` (update time) anywhere in the record: when its content last changed."""
    best: date | None = None
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            for k, v in cur.items():
                if k == "gxsj":
                    d = _date_from_ms(v)
                    if d and (best is None or d > best):
                        best = d
                elif isinstance(v, (dict, list)):
                    stack.append(v)
        elif isinstance(cur, list):
            stack.extend(cur)
    return best


def _section_dates(data: dict[str, Any]) -> dict[str, date]:
    """Each section's update date: the latest `gxsj` of the records it was imported from."""
    std = data.get("onethingCatalogStandServiceGuide") or {}
    sources = {
        Section.MATERIALS: data.get("materialList"),
        Section.CONDITIONS: data.get("guideCondition"),
        Section.LINKED_MATTERS: data.get("approveList"),
        Section.FAQ: data.get("questionInfo"),
        Section.LOCATIONS: data.get("guidePoint"),
        Section.FEE: data.get("chargelist"),
    }
    out: dict[str, date] = {}
    for section, records in sources.items():
        d = _latest_update(records or [])
        if d:
            out[section.value] = d
    std_date = _date_from_ms(std.get("gxsj"))
    basic_date = _date_from_ms((data.get("basicInfo") or {}).get("gxsj"))
    for section in (Section.PROCESS, Section.TIME_LIMIT, Section.ONLINE_ENTRY, Section.OVERVIEW):
        if std_date:
            out[section.value] = std_date
    contact_dates = [d for d in (std_date, basic_date) if d]
    if contact_dates:
        out[Section.CONTACTS.value] = max(contact_dates)
    return out


def _materials(items: list[dict[str, Any]]) -> list[Material]:
    out: list[Material] = []
    seen: set[tuple[str, str]] = set()
    for m in sorted(items, key=lambda x: _num(x.get("pxh")) or 0):
        name = clean(m.get("clmc") or m.get("materialTitle"))
        if not name:
            continue
        situation = clean(m.get("tbxz"))
        key = (name, situation)
        if key in seen:  # the portal sometimes lists the same material twice
            continue
        seen.add(key)
        necessity = {"1": Necessity.REQUIRED, "2": Necessity.SITUATIONAL, "3": Necessity.DEFERRABLE}.get(
            str(m.get("clbyx")), Necessity.OTHER
        )
        source = clean(m.get("cllyqdsm")) or _SOURCE_CODES.get(str(m.get("cllyqd")), "")
        copies = _num(m.get("zzclfs"))
        out.append(
            Material(
                name=name,
                necessity=necessity,
                situation=situation,
                source=source,
                copies=int(copies) if copies else None,
                waiver=clean(m.get("mtjfssm")),
                legal_basis=clean(m.get("yqtgyj")),
            )
        )
    return out


def _linked(items: list[dict[str, Any]]) -> list[LinkedMatter]:
    """Linked matters in portal order; exact repeats (same name, days, result) are listed once."""
    out: list[LinkedMatter] = []
    for a in items:
        name = clean(a.get("lbsxfwmc") or a.get("tyywblxName"))
        if not name:
            continue
        lm = LinkedMatter(
            name=name, promised_days=_num(a.get("cnsxsx")), result=clean(a.get("resultSampleName"))
        )
        if lm not in out:
            out.append(lm)
    return out


def _content_flags(guide: MatterGuide, registry: RegionRegistry) -> list[str]:
    """Flag content naming a city outside the guide's own region (copied from elsewhere)."""
    own = set(registry.lineage_names(guide.region_code))
    text = " ".join(
        [c.text for c in guide.conditions]
        + [m.name + m.situation for m in guide.materials]
        + [f.question + f.answer for f in guide.faqs]
        + [loc.address for loc in guide.locations]
        + [guide.contact.consultation_address, guide.contact.complaint_address]
    )
    foreign_cities = {
        r.name
        for r in registry.cities()
        if r.name not in own and any(n in text for n in (r.name, *r.short) if len(n) >= 2)
    }
    # a county or district of another city ("攸县发展中心…" in a 长沙 guide) names that city's content too
    for r in registry.all():
        city = registry.get(r.parent) if r.parent else None
        if (
            city is not None
            and city.name not in own
            and r.name not in own
            and len(r.name) >= 2
            and r.name in text
        ):
            foreign_cities.add(f"{city.name}{r.name}")
    foreign = sorted(foreign_cities)
    return [f"内容提及其他地区：{'、'.join(foreign)}（按门户原文导入，未作更正）"] if foreign else []


def parse_portal_guide(
    payload: dict[str, Any],
    *,
    file_stem: str = "",
    registry: RegionRegistry | None = None,
    imported: date | None = None,
    index_id: str = "",
) -> MatterGuide:
    """Turn one portal response into a MatterGuide, carrying every fact over unchanged."""
    if not looks_like_portal(payload):
        raise PortalFormatError("不是门户办事指南 JSON：缺少 data.basicInfo 或 data.sxmc")
    if payload.get("code") not in (None, 0, "0") or payload.get("success") is False:
        raise PortalFormatError(f"门户返回错误：code={payload.get('code')} msg={payload.get('msg')}")
    registry = registry or RegionRegistry.load()
    data = payload["data"]
    basic = data.get("basicInfo") or {}
    std = data.get("onethingCatalogStandServiceGuide") or {}

    matter_code, region_code = _codes(data, basic, file_stem, registry)
    region = registry.get(region_code)
    region_name = region.name if region else clean(basic.get("areaName"))

    # phones and places from the basic block and from the standard guide block (they differ in some guides)
    links: list[EntryLink] = []
    consult_place = place_or_link(clean(std.get("zxdz")), "咨询页面", links)
    complaint_place = place_or_link(clean(std.get("jdtsdz")), "投诉页面", links)
    phones_consult = merge(_split_phones(basic.get("zxdh")), _split_phones(std.get("zxdh")))
    phones_complaint = merge(
        _split_phones(basic.get("jdtsdh")),
        _split_phones(std.get("jdtsdh")),
        _split_phones(std.get("jdtsdz")) if PHONE_ONLY.match(clean(std.get("jdtsdz"))) else [],
    )
    fee_items = [
        FeeItem(
            name=clean(c.get("FEENAME")) or "收费项目",
            standard=clean(c.get("FEESTAND")),
            basis=clean(c.get("CHARGE_BYLAW")),
            applies_to=clean(c.get("UNIFY_NAME")),
        )
        for c in data.get("chargelist") or []
        if isinstance(c, dict)
    ]
    reform = ReformEffect(
        days_before=_num(std.get("gqblsx")),
        days_after=_num(std.get("xzblsx")),
        materials_before=_num(std.get("gqsbcl")),
        materials_after=_num(std.get("xzsbcl")),
        trips_before=_num(std.get("gqpdcs")),
        trips_after=_num(std.get("xzpdcs")),
        steps_before=_num(std.get("hjsgq")),
        steps_after=_num(std.get("hjsxz")),
    )
    online_entry = clean(std.get("zcblqdWbdz"))
    if online_entry and not online_entry.startswith("http"):
        online_entry = ""  # e.g. "政务服务网": a name, not an entry address
    for key, kind in STD_LINKS.items():
        url = clean(std.get(key))
        if url.startswith("http") and url != online_entry and all(link.url != url for link in links):
            links.append(EntryLink(kind=kind, url=url))
    visits = _num(std.get("dbsxccs"))
    guide = MatterGuide(
        id=f"{matter_code}-{region_code}",
        matter_code=matter_code,
        region_code=region_code,
        region_name=region_name,
        name=clean(data.get("sxmc")).replace(" ", "") or matter_code,
        audience=Audience.PERSON if "PC" in matter_code[2:5] else Audience.LEGAL_ENTITY,
        lead_department=clean(basic.get("qtbmmc")),
        cooperating_departments=[
            p for p in re.split(r"[,，、;；]", clean(basic.get("cooperateName"))) if p.strip()
        ],
        conditions=[
            Condition(title=clean(c.get("smmc")), text=clean(c.get("bltj") or c.get("processingConditions")))
            for c in sorted(data.get("guideCondition") or [], key=lambda x: _num(x.get("pxh")) or 0)
            if clean(c.get("bltj") or c.get("processingConditions"))
        ],
        materials=_materials(data.get("materialList") or []),
        linked_matters=_linked(data.get("approveList") or []),
        promised_days=_num(basic.get("completedLimit"))
        if basic.get("completedLimit")
        else _num(std.get("cnbjsx")),
        fee=Fee(charged=str(basic.get("isCharge")) == "1", items=fee_items),
        process=_split_steps(std.get("bllctsm")),
        online=clean(basic.get("reasonLink")),
        offline=clean(std.get("xxbldsm")),
        visits=int(visits) if visits is not None else None,
        delivery=clean(std.get("jgsdsm")),
        locations=[
            Location(
                name=clean(p.get("bldmc") or p.get("pointName")) or clean(p.get("xxdz")),
                address=clean(p.get("xxdz") or p.get("infoAddr")),
                hours=clean(p.get("blsj") or p.get("processingTime")),
            )
            for p in sorted(data.get("guidePoint") or [], key=lambda x: _num(x.get("pxh")) or 0)
            if clean(p.get("bldmc") or p.get("pointName") or p.get("xxdz"))
        ],
        contact=Contact(
            consultation=phones_consult,
            complaint=phones_complaint,
            consultation_address=consult_place,
            complaint_address=complaint_place,
        ),
        online_entry=online_entry,
        links=links,
        faqs=[
            FAQ(question=clean(q.get("problem") or q.get("wt")), answer=clean(q.get("answer") or q.get("da")))
            for q in sorted(data.get("questionInfo") or [], key=lambda x: _num(x.get("pxh")) or 0)
            if clean(q.get("problem") or q.get("wt")) and clean(q.get("answer") or q.get("da"))
        ],
        reform=reform if any(v is not None for v in reform.model_dump().values()) else None,
        source=Source(
            origin=PORTAL_ORIGIN,
            portal_guide_id=str(basic.get("yjsssqdbsznid") or std.get("yjsbsznId") or ""),
            portal_index_id=index_id,
            url=online_entry,
            updated=_latest_update(data),
            section_updated=_section_dates(data),
            imported=imported,
        ),
    )
    guide.source.flags = _content_flags(guide, registry)
    return guide


def _codes(
    data: dict[str, Any], basic: dict[str, Any], file_stem: str, registry: RegionRegistry
) -> tuple[str, str]:
    """Matter and region codes: from the file name `<theme>__<area>`, else the implementation code."""
    m = _FILE_RE.match(file_stem)
    if m:
        return m["matter"], region_code_from_portal(m["area"])
    impl = _IMPL_CODE_RE.match(str(data.get("yjsSsqdbm") or ""))
    if impl:
        # the suffix continues the province digits that open the theme code: 43 + 0102 -> 430102
        return impl["matter"], impl["matter"][:2] + impl["suffix"]
    region = registry.find_by_name(clean(basic.get("areaName")))
    raise PortalFormatError(
        "无法确定事项编码与区划：文件名不是 <主题编码>__<12位区划>.json，且缺少 yjsSsqdbm"
        + (f"（地区 {region.name}）" if region else "")
    )
