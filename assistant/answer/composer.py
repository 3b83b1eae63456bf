"""Compose exact, cited answers from a guide's typed fields, one aspect at a time (no LLM)."""

from __future__ import annotations

import re

from assistant.answer.checklist import checklist_lines
from assistant.answer.models import Citation
from assistant.guides.schema import SECTION_LABELS, MatterGuide, Section
from assistant.guides.schema import format_days as days

ASPECT_TO_SECTION = {
    "overview": Section.OVERVIEW,
    "conditions": Section.CONDITIONS,
    "materials": Section.MATERIALS,
    "process": Section.PROCESS,
    "time_limit": Section.TIME_LIMIT,
    "locations": Section.LOCATIONS,
    "contacts": Section.CONTACTS,
    "fee": Section.FEE,
    "online_entry": Section.ONLINE_ENTRY,
    "linked_matters": Section.LINKED_MATTERS,
    "faq": Section.FAQ,
}
ASPECT_LABELS = {k: SECTION_LABELS[v] for k, v in ASPECT_TO_SECTION.items()}
FOLLOWUP_QUESTIONS = {
    "materials": "需要带哪些材料？",
    "conditions": "办理条件是什么？",
    "process": "办理流程是怎样的？",
    "time_limit": "多久能办好？",
    "locations": "在哪里办？几点上班？",
    "contacts": "咨询电话是多少？",
    "online_entry": "网上怎么办？",
    "linked_matters": "包含哪些事项？",
    "fee": "收费吗？",
}
NOT_GIVEN = "（办事指南未提供）"
FOLD = "\x1e"  # where the first screen ends: what follows is folded in the widget ("展开全部")
FIRST_SCREEN = 300


def cite(g: MatterGuide, aspect: str) -> Citation:
    section = ASPECT_TO_SECTION.get(aspect, Section.OVERVIEW)
    section_date = g.source.section_updated.get(section.value)
    url = g.source.url or g.online_entry
    return Citation(
        guide_id=g.id,
        guide_name=g.name,
        region_name=g.region_name,
        section=section.value,
        section_label=SECTION_LABELS[section],
        updated_at=section_date.isoformat() if section_date else g.updated_at,
        updated_scope="section" if section_date else "guide",
        # the portal publishes no page per section: its theme guide page (专题解读 ztjd_…), else the entry
        url=url,
        link_kind=("guide" if "ztjd" in url else "online_entry") if url else "",
    )


def _materials(g: MatterGuide) -> list[str]:
    if not g.materials:
        return [f"申请材料{NOT_GIVEN}，请电话咨询确认。"]
    lines, remarks = checklist_lines(g)
    return lines + ([FOLD, *remarks] if remarks else [])


def _bigrams(text: str) -> set[str]:
    return {
        text[i : i + 2] for i in range(len(text) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", text[i : i + 2])
    }


def _focus(g: MatterGuide, question: str) -> list[int]:
    """The conditions a question names ("重度护理补贴能领不"): the items sharing at least two of their
    distinctive two-character words with it (words in a third or more of the items do not count)."""
    if not question or len(g.conditions) < 3:
        return []
    grams = [_bigrams(c.text + c.title) for c in g.conditions]
    common = {b for b in set().union(*grams) if sum(b in x for x in grams) * 3 >= len(grams)}
    asked = _bigrams(question) - common
    scored = sorted(((len(x & asked), i) for i, x in enumerate(grams)), reverse=True)
    return [i for n, i in scored[:2] if n >= 2]


def _conditions(g: MatterGuide, question: str = "") -> list[str]:
    """The conditions by name; where the portal gave each sub-matter's conditions in detail (a heading in
    `text`, the detail in `title`), the details follow the list, folded after the first screen. The items
    the question names come first, in full."""
    if not g.conditions:
        return [f"受理条件{NOT_GIVEN}。"]
    lines = [f"{i}. {c.text}" for i, c in enumerate(g.conditions, 1)]
    focus = _focus(g, question)
    if focus:
        named = []
        for i in focus:
            c = g.conditions[i]
            detail = c.title.strip() if len(c.title.strip()) > len(c.text) else ""
            named.append(f"· {c.text}" + (f"：{detail[:200]}" if detail else ""))
        lines = ["与您问的相关：", *named, "全部条件：", *lines]
    details = [
        f"〔{c.text}〕{c.title.strip()}"
        for c in g.conditions
        if len(c.title.strip()) > len(c.text) and c.title.strip() != c.text
    ]
    return lines + ([FOLD, "各项的具体条件：", *details] if details else [])


def _process(g: MatterGuide) -> list[str]:
    if not g.process:
        lines = [f"具体流程{NOT_GIVEN}。"]
    elif all(len(s) <= 30 for s in g.process):
        lines = ["办理步骤：" + " → ".join(g.process)]
    else:
        lines = [f"{i}. {s}" for i, s in enumerate(g.process, 1)]
    if g.online:
        lines.append(f"办理方式：{g.online}")
    if g.offline:
        lines.append(f"线下办理：{g.offline}")
    if g.visits is not None:
        lines.append(f"到现场次数：{g.visits}次")
    if g.delivery:
        lines.append(f"结果送达：{g.delivery}")
    return lines


def _time_limit(g: MatterGuide) -> list[str]:
    lines = [
        f"整件事承诺{days(g.promised_days)}内办结。"
        if g.promised_days is not None
        else f"承诺时限{NOT_GIVEN}。"
    ]
    timed = [lm for lm in g.linked_matters if lm.promised_days is not None]
    if timed:
        lines.append("其中各联办事项的承诺时限：")
        lines += [f"· {lm.name}：{days(lm.promised_days)}" for lm in timed]
    r = g.reform
    if r and r.days_before is not None and r.days_after is not None:
        lines.append(f"（改革前合计约{days(r.days_before)}，现在{days(r.days_after)}。）")
    return lines


def _locations(g: MatterGuide) -> list[str]:
    if not g.locations:
        lines = [f"具体办理地点{NOT_GIVEN}。"]
        if g.offline:
            lines.append(f"线下办理：{g.offline}")
        return lines
    lines = []
    for loc in g.locations:
        line = f"· {loc.name}"
        if loc.address and loc.address != loc.name:
            line += f"，地址：{loc.address}"
        if loc.hours:
            line += f"，办公时间：{loc.hours}"
        lines.append(line)
    return lines


def _contacts(g: MatterGuide) -> list[str]:
    lines = []
    lines.append(
        f"咨询电话：{'、'.join(g.contact.consultation)}" if g.contact.consultation else f"咨询电话{NOT_GIVEN}"
    )
    if g.contact.consultation_address:
        lines.append(f"咨询地点：{g.contact.consultation_address}")
    if g.contact.complaint:
        lines.append(f"监督投诉电话：{'、'.join(g.contact.complaint)}")
    if g.contact.complaint_address and g.contact.complaint_address != g.contact.consultation_address:
        lines.append(f"监督投诉地点：{g.contact.complaint_address}")
    lines += [f"{link.kind}：{link.url}" for link in g.links if link.kind in ("咨询页面", "投诉页面")]
    return lines


def _fee(g: MatterGuide) -> list[str]:
    if g.fee.items:
        lines = ["涉及以下收费："]
        for it in g.fee.items:
            line = f"· {it.name}"
            if it.applies_to:
                line += f"（{it.applies_to}）"
            if it.standard:
                line += f"：{it.standard}"
            if it.basis:
                line += f"。依据：{it.basis}"
            lines.append(line)
        return lines
    if g.fee.charged:
        return ["指南标注该事项涉及收费，但未列出收费项目和标准，请电话咨询确认。"]
    return ["不收费。"]


# a sentence of the guide that says where or how to apply online ("在湘易办APP或湖南省人民政府网站申请")
_ONLINE_WAY = re.compile(r"app|湘易办|政务服务网|政务网|网站|公众号|小程序|网上|线上|在线|网办", re.I)


def _online_ways(g: MatterGuide) -> list[str]:
    """The guide's own words on applying online, from its process steps and summary (the portal's entry
    link alone does not say which app or website a citizen opens)."""
    found: list[str] = []
    for text in [*g.process, g.summary]:
        for s in re.split(r"(?<=[。；;])", text or ""):
            s = s.strip()
            if _ONLINE_WAY.search(s) and 4 <= len(s) <= 120 and s not in found:
                found.append(s)
    return found[:2]


def _online(g: MatterGuide) -> list[str]:
    lines = []
    if g.online:
        lines.append(f"网办程度：{g.online}")
    lines += [f"办理渠道：{s}" for s in _online_ways(g)]
    lines.append(f"网上办理入口：{g.online_entry}" if g.online_entry else f"网上办理入口{NOT_GIVEN}")
    lines += [f"{link.kind}：{link.url}" for link in g.links if link.kind not in ("咨询页面", "投诉页面")]
    return lines


def _linked(g: MatterGuide) -> list[str]:
    if not g.linked_matters:
        return [f"联办事项{NOT_GIVEN}。"]
    lines = [f"这件事把以下{len(g.linked_matters)}个事项合在一起办："]
    for i, lm in enumerate(g.linked_matters, 1):
        extra = []
        if lm.promised_days is not None:
            extra.append(f"承诺{days(lm.promised_days)}")
        if lm.result:
            extra.append(f"办结得到：{lm.result}")
        lines.append(f"{i}. {lm.name}" + (f"（{'，'.join(extra)}）" if extra else ""))
    return lines


RENDERERS = {
    "materials": _materials,
    "conditions": _conditions,
    "process": _process,
    "time_limit": _time_limit,
    "locations": _locations,
    "contacts": _contacts,
    "fee": _fee,
    "online_entry": _online,
    "linked_matters": _linked,
}


def compose_aspect(g: MatterGuide, aspect: str, question: str = "") -> tuple[str, list[Citation]]:
    """One aspect of one guide, with its citation; the question puts what it names first (conditions)."""
    if aspect == "overview":
        return compose_overview(g)
    title = f"【{g.name}·{g.region_name}】{ASPECT_LABELS[aspect]}"
    body = "\n".join(_conditions(g, question) if aspect == "conditions" else RENDERERS[aspect](g))
    return f"{title}\n{body}", [cite(g, aspect)]


def compose_faq(g: MatterGuide, index: int) -> tuple[str, list[Citation]]:
    f = g.faqs[index]
    text = f"【{g.name}·{g.region_name}】常见问题\n问：{f.question}\n答：{f.answer}"
    return text, [cite(g, "faq")]


def _brief(g: MatterGuide) -> list[str]:
    """The first screen of an overview: the facts a citizen acts on, one short line each."""
    lines = []
    if g.promised_days is not None:
        lines.append(f"· 时限：整件事承诺{days(g.promised_days)}内办结")
    if g.materials:
        req, sit = len(g.required_materials), len(g.situational_materials)
        lines.append(f"· 材料：需准备{req}项" + (f"，另有{sit}项视情形提交" if sit else "") + "（见下）")
    if g.locations:
        lines.append(f"· 地点：{g.locations[0].name}" + ("等" if len(g.locations) > 1 else ""))
    if g.contact.consultation:
        lines.append(f"· 电话：{g.contact.consultation[0]}")
    if g.online_entry:
        lines.append(f"· 网上办理：{g.online or '可网上申请'}（入口见下）")
    lines.append("· 收费：" + _fee(g)[0].removesuffix("。"))
    return lines


def compose_overview(g: MatterGuide) -> tuple[str, list[Citation]]:
    """一次告知: everything a citizen needs before going, in one reply: the key facts first, then the details."""
    parts = [f"【{g.name}·{g.region_name}】一次告知"]
    if g.summary:
        parts.append(g.summary)
    parts.append("\n".join(_brief(g)) + FOLD)
    parts.append("一、受理条件\n" + "\n".join(x for x in _conditions(g) if x != FOLD))
    parts.append("二、申请材料\n" + "\n".join(x for x in _materials(g) if x != FOLD))
    parts.append("三、联办事项\n" + "\n".join(_linked(g)))
    parts.append("四、办理时限\n" + "\n".join(_time_limit(g)))
    parts.append("五、办理地点和时间\n" + "\n".join(_locations(g)))
    parts.append("六、咨询电话\n" + "\n".join(_contacts(g)))
    parts.append("七、网上办理\n" + "\n".join(_online(g)))
    parts.append("八、收费\n" + "\n".join(_fee(g)))
    sections = [
        "overview",
        "conditions",
        "materials",
        "linked_matters",
        "time_limit",
        "locations",
        "contacts",
        "online_entry",
        "fee",
    ]
    return "\n\n".join(parts), [cite(g, s) for s in sections]


def source_line(g: MatterGuide) -> str:
    date = f"，更新于 {g.updated_at}" if g.updated_at else ""
    return f"来源：{g.name}（{g.region_name}）办事指南{date}"


def place_fold(text: str, budget: int = FIRST_SCREEN) -> tuple[str, int | None]:
    """(text without fold marks, where the first screen ends or None): at the first mark when it comes within
    the budget, else at the last line break within it; an answer that fits is not folded."""
    mark = text.find(FOLD)
    clean = text.replace(FOLD, "")
    if len(clean) <= budget:
        return clean, None
    if 0 < mark <= budget:
        return clean, mark
    cut = clean.rfind("\n", 0, budget)
    while cut > 0 and clean[:cut].rstrip().endswith(("：", ":")):  # never end on a heading ("视情形提交：")
        cut = clean.rfind("\n", 0, cut)
    return clean, (cut if cut > 0 else budget)


def section_text(g: MatterGuide, aspect: str) -> str:
    """The plain facts of a section, for the LLM generator and the verifier."""
    if aspect == "overview":
        return compose_overview(g)[0].replace(FOLD, "")
    if aspect == "faq":
        return "\n".join(f"问：{f.question}\n答：{f.answer}" for f in g.faqs)
    return "\n".join(x for x in RENDERERS[aspect](g) if x != FOLD)
