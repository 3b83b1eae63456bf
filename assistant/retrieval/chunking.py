"""Turn guides into section chunks (langchain Documents) that name their matter and carry citations."""

from __future__ import annotations

import hashlib
import json

from langchain_core.documents import Document

from assistant.guides.schema import SECTION_LABELS, MatterGuide, ReferenceDoc, Section, format_days

CHUNK_VERSION = "5"  # bump when chunk text changes, so every guide is re-embedded


def _head(g: MatterGuide, section: Section) -> str:
    alias = f"（又称：{'、'.join(g.aliases[:8])}）" if g.aliases else ""
    return f"{g.name}{alias} {SECTION_LABELS[section]}："


def section_texts(g: MatterGuide) -> list[tuple[Section, str, str]]:
    """(section, key, body) for every section the guide has content for."""
    out: list[tuple[Section, str, str]] = []
    overview = [g.summary, f"服务对象：{g.audience.value}"]
    if g.lead_department:
        overview.append(f"牵头部门：{g.lead_department}")
    if g.cooperating_departments:
        overview.append(f"配合部门：{'、'.join(g.cooperating_departments)}")
    if g.promised_days is not None:
        overview.append(f"承诺办结时限：{format_days(g.promised_days)}")
    if g.online:
        overview.append(f"办理方式：{g.online}")
    if g.linked_matters:
        overview.append("包含：" + "、".join(dict.fromkeys(lm.name for lm in g.linked_matters)))
    out.append((Section.OVERVIEW, "overview", "；".join(p for p in overview if p)))
    if g.conditions:
        out.append((Section.CONDITIONS, "conditions", "；".join(c.text for c in g.conditions)))
    if g.materials:
        parts = []
        for m in g.materials:
            extra = (
                f"（{m.necessity.value}：{m.situation[:60]}）" if m.situation else f"（{m.necessity.value}）"
            )
            parts.append(m.name + extra)
        out.append((Section.MATERIALS, "materials", "；".join(parts)))
    proc = list(g.process)
    if g.offline:
        proc.append(f"线下办理：{g.offline}")
    if g.delivery:
        proc.append(f"结果送达：{g.delivery}")
    if g.visits is not None:
        proc.append(f"跑动次数：{g.visits}次")
    if proc:
        out.append((Section.PROCESS, "process", "；".join(proc)))
    if g.promised_days is not None or g.linked_matters:
        t = [f"整件事承诺{format_days(g.promised_days)}办结"] if g.promised_days is not None else []
        t += [
            f"{lm.name}{format_days(lm.promised_days)}"
            for lm in g.linked_matters
            if lm.promised_days is not None
        ]
        out.append((Section.TIME_LIMIT, "time_limit", "办理时限 多久 几天；" + "；".join(t)))
    if g.locations:
        out.append(
            (
                Section.LOCATIONS,
                "locations",
                "办理地点 地址 办公时间；"
                + "；".join(f"{x.name} {x.address} {x.hours}" for x in g.locations),
            )
        )
    if g.contact.consultation or g.contact.complaint:
        out.append(
            (
                Section.CONTACTS,
                "contacts",
                f"咨询电话：{'、'.join(g.contact.consultation)}；投诉电话：{'、'.join(g.contact.complaint)}"
                + (f"；咨询地点：{g.contact.consultation_address}" if g.contact.consultation_address else ""),
            )
        )
    fee = "收费 费用 要钱吗；" + (
        "；".join(f"{i.applies_to} {i.name} {i.standard}" for i in g.fee.items)
        if g.fee.items
        else ("门户标注收费，未列明收费项目" if g.fee.charged else "不收费")
    )
    out.append((Section.FEE, "fee", fee))
    if g.online_entry or g.online:
        out.append(
            (
                Section.ONLINE_ENTRY,
                "online_entry",
                f"网上办理入口 网址 湘易办APP；{g.online} {g.online_entry}",
            )
        )
    if g.linked_matters:
        out.append(
            (
                Section.LINKED_MATTERS,
                "linked_matters",
                "包含哪些事项 联办事项；"
                + "；".join(dict.fromkeys(f"{lm.name} {lm.result}".strip() for lm in g.linked_matters)),
            )
        )
    for i, f in enumerate(g.faqs):
        out.append((Section.FAQ, f"faq-{i}", f"{f.question} {f.answer}"))
    return out


def guide_chunks(g: MatterGuide) -> list[Document]:
    docs = []
    for section, key, body in section_texts(g):
        docs.append(
            Document(
                id=f"{g.id}#{key}",
                # the region goes last: copies of a matter in several regions then share their opening,
                # which is all the dense model sees, so each distinct text is embedded once
                page_content=f"{_head(g, section)}{body}（{g.region_name}）",
                metadata={
                    "chunk_id": f"{g.id}#{key}",
                    "guide_id": g.id,
                    "matter_code": g.matter_code,
                    "region_code": g.region_code,
                    "section": section.value,
                    "key": key,
                    "name": g.name,
                    "updated_at": g.updated_at,
                },
            )
        )
    return docs


def reference_chunks(doc: ReferenceDoc, size: int = 400, overlap: int = 60) -> list[Document]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size, chunk_overlap=overlap, separators=["\n\n", "\n", "。", "；", "，", " ", ""]
    )
    out = []
    for i, part in enumerate(splitter.split_text(doc.text)):
        cid = f"{doc.id}#ref-{i}"
        out.append(
            Document(
                id=cid,
                page_content=f"{doc.title}：{part}",
                metadata={
                    "chunk_id": cid,
                    "guide_id": doc.id,
                    "matter_code": doc.matter_code or "",
                    "region_code": doc.region_code or "",
                    "section": Section.REFERENCE.value,
                    "key": f"ref-{i}",
                    "name": doc.title,
                    "updated_at": doc.updated.isoformat() if doc.updated else "",
                },
            )
        )
    return out


def content_hash(obj: MatterGuide | ReferenceDoc) -> str:
    payload = json.dumps(obj.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256((CHUNK_VERSION + payload).encode()).hexdigest()[:16]


OTHER_SECTION = "other_matter"


def other_matter_chunks(items: list[dict]) -> list[Document]:
    """Matters we know exist but hold no guide for (knowledge/other_matters.yaml). They are indexed so a
    question about them is recognised and answered honestly ("暂未收录"), never routed to a wrong guide."""
    out = []
    for i, it in enumerate(items):
        aliases = "、".join(it.get("aliases") or [])
        cid = f"other:{i}"
        out.append(
            Document(
                id=cid,
                page_content=f"{it['name']}（又称：{aliases}）{it.get('department', '')}",
                metadata={
                    "chunk_id": cid,
                    "guide_id": cid,
                    "matter_code": "",
                    "region_code": "",
                    "section": OTHER_SECTION,
                    "key": it["name"],
                    "name": it["name"],
                    "updated_at": "",
                },
            )
        )
    return out
