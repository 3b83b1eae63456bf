"""Materials as a citizen's checklist: the name, then a short plain note only where it changes what the
citizen does (a situation, copies, who provides it, 无需提交); the portal's back-office wording left out of
the list and kept in full in the folded 原文备注."""

from __future__ import annotations

import re

from assistant.guides.material_region import applies_in, region_note
from assistant.guides.schema import Material, MatterGuide

# remarks the portal puts on nearly every material: they tell the citizen nothing to do
_BOILERPLATE = re.compile(
    r"^(真实有效|内容真实|材料齐全|保证材料的真实|申请人自备|暂无填报须知|按要求填报|加盖公章|自动生成|系统自动生成|无)"
    r"[^。]{0,20}(规定|完整|有效|内容真实)?[。.]?$"
)
_WAIVED_LINKED = re.compile(r"电子证照|证照核验|核验接口|联网|共享|个人中心|大数据")
_WAIVED_GENERATED = re.compile(r"自动生成|模板")
NOTE_CHARS = 40


def plain_waiver(m: Material) -> str:
    """“通过在受理表单中设置证照核验信息项…实现证照材料免提交” → “无需提交，部门联网核验”."""
    if not m.waiver:
        return ""
    if _WAIVED_GENERATED.search(m.waiver):
        return "系统自动生成，无需提交"
    if _WAIVED_LINKED.search(m.waiver):
        return "无需提交，部门联网核验"
    return "可免提交"


def plain_note(m: Material) -> str:
    """The material's situation or filling note when it says something to do, shortened to one clause."""
    note = (m.situation or "").strip()
    if not note or _BOILERPLATE.match(note):
        return ""
    first = re.split(r"[。；;\n]", note)[0].strip("，, ")
    return first if len(first) <= NOTE_CHARS else first[: NOTE_CHARS - 1] + "…"


def checklist_lines(g: MatterGuide) -> tuple[list[str], list[str]]:
    """(the checklist, the full portal remarks) for a guide's materials."""
    here = [m for m in g.materials if applies_in(m, g)]
    elsewhere = [m for m in g.materials if m not in here]
    req = [m for m in here if m.required]
    sit = [m for m in here if not m.required]
    lines: list[str] = []
    if req or sit:
        lines.append(f"需准备 {len(req)} 项" + (f"，另有 {len(sit)} 项视情形提交：" if sit else "："))
    for i, m in enumerate(req, 1):
        notes = [n for n in (plain_note(m), plain_waiver(m)) if n]
        lines.append(f"{i}. {m.name}" + (f"（{'；'.join(notes)}）" if notes else ""))
    if sit:
        lines.append("视情形提交：")
        for m in sit:
            when = plain_note(m) or "特定情形"
            waiver = plain_waiver(m)
            lines.append(f"· {m.name}——{when}" + (f"（{waiver}）" if waiver else ""))
    remarks = [
        f"· {m.name}：{'；'.join(x for x in (m.situation.strip(), m.waiver and '免提交：' + m.waiver) if x)}"
        for m in g.materials
        if (m.situation and not _BOILERPLATE.match(m.situation.strip()) and len(m.situation) > NOTE_CHARS)
        or m.waiver
    ]
    if elsewhere:  # listed by the portal, but its note limits it to another region: not asked here
        remarks.append(
            "以下材料指南注明只在其他地区提交，本地不需要："
            + "；".join(f"{m.name}（{region_note(m)}）" for m in elsewhere)
        )
    return lines, (["原文备注（指南原文）："] + remarks if remarks else [])
