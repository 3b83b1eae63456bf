"""Importer for guides written in Markdown with the standard headings of a 办事指南."""

from __future__ import annotations

import re
from datetime import date

from assistant.guides.regions import RegionRegistry
from assistant.guides.schema import (
    FAQ,
    Condition,
    Contact,
    Fee,
    FeeItem,
    LinkedMatter,
    Location,
    Material,
    MatterGuide,
    Necessity,
    Source,
)

# heading text (or a synonym) -> field
HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": ("概述", "事项简介", "简介", "事项说明"),
    "conditions": ("受理条件", "申请条件", "办理条件"),
    "materials": ("申请材料", "所需材料", "材料清单"),
    "process": ("办理流程", "办事流程", "流程"),
    "time_limit": ("办理时限", "承诺时限", "办结时限"),
    "locations": ("办理地点", "办理地址", "窗口地址", "办理时间和地点"),
    "fee": ("收费标准", "收费", "是否收费"),
    "contacts": ("咨询电话", "联系电话", "咨询方式"),
    "complaint": ("投诉电话", "监督投诉电话", "监督电话"),
    "faq": ("常见问题", "问答", "FAQ"),
    "linked": ("联办事项", "包含事项", "一件事包含事项"),
    "online": ("网上办理", "网办入口", "网上办理入口", "在线办理"),
    "legal": ("设定依据", "法律依据", "政策依据"),
}
META_KEYS = {
    "matter_code": ("事项编码", "主题编码", "编码"),
    "region": ("地区", "区划", "行政区划"),
    "aliases": ("别名", "俗称"),
    "updated": ("更新日期", "更新时间"),
    "lead": ("牵头部门", "主管部门"),
    "coop": ("配合部门", "协同部门"),
    "audience": ("服务对象",),
    "source": ("来源",),
}
_DAYS_RE = re.compile(r"(\d+(?:\.\d+)?)\s*个?\s*工作日")
_PHONE_RE = re.compile(r"(?:0\d{2,3}-)?\d{7,8}|1[3-9]\d{9}|12345|12333|12329")


class MarkdownGuideError(ValueError):
    """The Markdown file lacks what a guide needs (title, matter code, region)."""


def _match(title: str, table: dict[str, tuple[str, ...]]) -> str | None:
    t = title.strip().strip("：:").strip()
    for key, names in table.items():
        if t in names:
            return key
    return None


def is_markdown_guide(text: str) -> bool:
    heads = re.findall(r"^##\s+(.+)$", text, flags=re.M)
    known = sum(1 for h in heads if _match(h, HEADINGS))
    return known >= 2 and bool(re.search(r"^\s*[-*]?\s*(事项编码|主题编码)\s*[:：]", text, flags=re.M))


def _list_items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        s = line.strip()
        if not s or s.startswith("|"):
            continue
        m = re.match(r"^(?:[-*+]|\d+[.、)）])\s*(.+)$", s)
        if m:
            items.append(m.group(1).strip())
        elif items and not line.startswith(("#",)) and line.startswith((" ", "\t")):
            items[-1] += s
        else:
            items.append(s)
    return items


def _table(lines: list[str]) -> list[dict[str, str]]:
    rows = [ln.strip() for ln in lines if ln.strip().startswith("|")]
    if len(rows) < 2:
        return []
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    out = []
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            continue
        out.append(dict(zip(header, cells, strict=False)))
    return out


def _necessity(text: str) -> Necessity:
    if re.search(r"情形|容缺|视情|如有|非必要|可选|选填", text):
        return Necessity.SITUATIONAL
    return Necessity.REQUIRED


def _materials(lines: list[str]) -> list[Material]:
    out: list[Material] = []
    for row in _table(lines):
        name = row.get("材料名称") or row.get("名称") or next(iter(row.values()), "")
        if not name:
            continue
        flag = row.get("是否必要") or row.get("必要性") or row.get("类型") or ""
        out.append(
            Material(
                name=name,
                necessity=Necessity.SITUATIONAL
                if flag and flag not in ("必要", "是", "必须")
                else Necessity.REQUIRED,
                situation=row.get("情形说明") or row.get("说明") or row.get("情形") or "",
                source=row.get("来源") or row.get("材料来源") or "",
                waiver=row.get("免提交") or "",
            )
        )
    for item in _list_items(lines):
        # "出生医学证明（必要）" / "结婚证（情形：已婚的提供）" / "身份证 — 说明"
        m = re.match(r"^(.+?)\s*[（(]\s*(必要|必须|情形|容缺|可选|非必要)\s*[:：]?\s*(.*?)[）)]\s*$", item)
        if m:
            name, flag, situation = m.group(1), m.group(2), m.group(3)
            necessity = Necessity.REQUIRED if flag in ("必要", "必须") else Necessity.SITUATIONAL
        else:
            parts = re.split(r"\s+[—-]{1,2}\s+|[:：]", item, maxsplit=1)
            name, situation = parts[0], parts[1] if len(parts) > 1 else ""
            necessity = _necessity(situation)
        out.append(Material(name=name.strip(), necessity=necessity, situation=situation.strip()))
    return out


def _locations(lines: list[str]) -> list[Location]:
    out: list[Location] = []
    for item in _list_items(lines):
        m = re.match(r"^(.+?)[:：]\s*(.+?)(?:[（(](?:时间|办公时间)?[:：]?\s*(.+?)[)）])?$", item)
        if m:
            out.append(
                Location(
                    name=m.group(1).strip(), address=m.group(2).strip(), hours=(m.group(3) or "").strip()
                )
            )
        else:
            out.append(Location(name=item, address=item))
    return out


def _faqs(lines: list[str]) -> list[FAQ]:
    out: list[FAQ] = []
    q: str | None = None
    buf: list[str] = []

    def flush() -> None:
        if q and "".join(buf).strip():
            out.append(FAQ(question=q, answer="\n".join(b for b in buf if b.strip()).strip()))

    for line in lines:
        m = re.match(r"^###\s+(.+)$", line) or re.match(r"^\s*(?:问|Q)\s*[:：]\s*(.+)$", line)
        if m:
            flush()
            q, buf = m.group(1).strip(), []
        elif q is not None:
            buf.append(re.sub(r"^\s*(?:答|A)\s*[:：]\s*", "", line))
    flush()
    return out


def parse_markdown_guide(text: str, registry: RegionRegistry | None = None) -> MatterGuide:
    registry = registry or RegionRegistry.load()
    title_m = re.search(r"^#\s+(.+)$", text, flags=re.M)
    if not title_m:
        raise MarkdownGuideError("缺少一级标题（# 事项名称）")
    sections: dict[str, list[str]] = {}
    meta: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        h = re.match(r"^##\s+(.+)$", line)
        if h:
            current = _match(h.group(1), HEADINGS) or f"unknown:{h.group(1).strip()}"
            sections.setdefault(current, [])
            continue
        if current is None:
            m = re.match(r"^\s*[-*]?\s*([^:：]{2,8})\s*[:：]\s*(.+)$", line)
            if m and (key := _match(m.group(1), META_KEYS)):
                meta[key] = m.group(2).strip()
            continue
        sections[current].append(line)

    code = meta.get("matter_code", "").strip()
    if not code:
        raise MarkdownGuideError("缺少“事项编码：”")
    region = registry.find_by_name(meta.get("region", ""))
    if region is None:
        raise MarkdownGuideError(f"地区无法识别：{meta.get('region', '(未填写)')!r}")

    def body(key: str) -> str:
        return "\n".join(ln for ln in sections.get(key, []) if ln.strip()).strip()

    time_text = body("time_limit")
    days_m = _DAYS_RE.search(time_text) or re.search(r"(\d+(?:\.\d+)?)", time_text)
    fee_text = body("fee")
    charged = bool(fee_text) and not re.search(r"不收费|免费|无|否", fee_text)
    linked = []
    for item in _list_items(sections.get("linked", [])):
        lm = re.match(r"^(.+?)\s*[（(]\s*(\d+(?:\.\d+)?)\s*个?工作日\s*[)）]\s*$", item)
        linked.append(
            LinkedMatter(name=lm.group(1), promised_days=float(lm.group(2)))
            if lm
            else LinkedMatter(name=item)
        )
    url_m = re.search(r"https?://\S+", body("online"))
    updated = None
    if meta.get("updated"):
        dm = re.search(r"(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})", meta["updated"])
        if dm:
            updated = date(int(dm.group(1)), int(dm.group(2)), int(dm.group(3)))
    return MatterGuide(
        id=f"{code}-{region.code}",
        matter_code=code,
        region_code=region.code,
        region_name=region.name,
        name=title_m.group(1).strip(),
        aliases=[a.strip() for a in re.split(r"[,，、;；]", meta.get("aliases", "")) if a.strip()],
        summary=body("summary"),
        audience="法人"
        if "法人" in meta.get("audience", "") or "企业" in meta.get("audience", "")
        else "个人",
        lead_department=meta.get("lead", ""),
        cooperating_departments=[a for a in re.split(r"[,，、;；]", meta.get("coop", "")) if a.strip()],
        conditions=[Condition(text=i) for i in _list_items(sections.get("conditions", []))],
        materials=_materials(sections.get("materials", [])),
        linked_matters=linked,
        promised_days=float(days_m.group(1)) if days_m else None,
        fee=Fee(charged=charged, items=[FeeItem(name="收费", standard=fee_text)] if charged else []),
        process=_list_items(sections.get("process", [])),
        locations=_locations(sections.get("locations", [])),
        contact=Contact(
            consultation=_PHONE_RE.findall(body("contacts")),
            complaint=_PHONE_RE.findall(body("complaint")),
        ),
        online_entry=url_m.group(0) if url_m else "",
        faqs=_faqs(sections.get("faq", [])),
        legal_basis=_list_items(sections.get("legal", [])),
        source=Source(origin=meta.get("source", "Markdown 办事指南"), updated=updated, imported=date.today()),
    )
