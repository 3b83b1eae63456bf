"""Answers to a question that asks several aspects of one matter ("在哪办，要不要钱"): a lead line that answers
each directly, then each aspect in the order asked with its own citation, each starting on the first screen."""

from __future__ import annotations

from assistant.answer.composer import FIRST_SCREEN, FOLD, cite, compose_aspect
from assistant.answer.models import Citation
from assistant.guides.schema import MatterGuide
from assistant.guides.schema import format_days as days


def _lead(g: MatterGuide, aspect: str) -> str | None:
    """The direct answer to one aspect in a few words, for the lead line of a several-aspect answer."""
    if aspect == "fee":
        return "不收费" if not g.fee.charged and not g.fee.items else "涉及收费（见下）"
    if aspect == "time_limit" and g.promised_days is not None:
        return f"整件事承诺{days(g.promised_days)}内办结"
    if aspect == "locations" and g.locations:
        return f"在{g.locations[0].name}办理" + ("等处" if len(g.locations) > 1 else "")
    if aspect == "contacts" and g.contact.consultation:
        return f"咨询电话{g.contact.consultation[0]}"
    if aspect == "online_entry":
        return (g.online or "可网上办理") if g.online_entry else "指南未提供网上入口"
    if aspect == "materials" and g.materials:
        req, sit = len(g.required_materials), len(g.situational_materials)
        return f"需准备{req}项材料" + (f"，另有{sit}项视情形提交" if sit else "")
    if aspect == "linked_matters" and g.linked_matters:
        return f"一次办{len(g.linked_matters)}个事项"
    if aspect == "conditions" and g.conditions:
        return f"需符合{len(g.conditions)}项受理条件"
    return None


def _what_it_is(g: MatterGuide) -> tuple[str, list[Citation]]:
    """What the matter covers (its linked matters) and its summary: the overview among other aspects."""
    names = "、".join(dict.fromkeys(m.name for m in g.linked_matters))
    lines = [x for x in (f"可一并办理：{names}" if names else "", g.summary) if x]  # a summary can be long
    return f"【{g.name}·{g.region_name}】是什么\n" + "\n".join(lines), [cite(g, "overview")]


def compose_aspects(g: MatterGuide, aspects: list[str], question: str = "") -> tuple[str, list[Citation]]:
    """Several aspects asked in one question, in the order asked, each with its own citation, after a lead
    line that answers them directly ("在各分娩机构办理，不收费。")."""
    leads = [x for a in aspects if (x := _lead(g, a))]
    lead = "；".join(x.rstrip("。；") for x in leads) + "。" if leads else ""  # a lead may end in 。 itself
    bodies, citations = [], []
    for a in aspects:
        # among other aspects, the overview says what the matter is and what it covers
        body, cites = _what_it_is(g) if a == "overview" else compose_aspect(g, a, question)
        bodies.append(body)
        citations += [c for c in cites if c not in citations]
    if len(bodies) == 1:
        return "\n\n".join(x for x in (lead, bodies[0]) if x), citations
    # every aspect starts on the first screen: each gets its share of the budget, its rest is folded
    share = max(60, (FIRST_SCREEN - len(lead)) // len(bodies))
    heads, tails = [], []
    for body in bodies:
        head, tail = _split_head(body, share)
        heads.append(head)
        if tail:
            tails.append(f"{body.split(chr(10), 1)[0]}（续）\n{tail}")
    text = "\n\n".join(x for x in (lead, *heads) if x)
    if tails:
        text += FOLD + "\n\n" + "\n\n".join(tails)
    return text, citations


def _split_head(body: str, budget: int) -> tuple[str, str]:
    """(the first lines of an aspect's text within `budget` characters, the rest): at the aspect's own
    fold mark when it comes first; at least the heading and one line."""
    own, mark, rest = body.partition(FOLD)
    lines = own.split("\n")
    head: list[str] = []
    for i, line in enumerate(lines):
        if i >= 2 and sum(len(x) + 1 for x in head) + len(line) > budget:
            break
        head.append(line)
    while len(head) > 2 and head[-1].rstrip().endswith(("：", ":")):  # never end on a heading
        head.pop()
    if len(head) == 2 and head[-1].rstrip().endswith(("：", ":")) and len(lines) > 2:
        head.append(lines[2])  # a heading alone ("涉及以下收费：") says nothing: its first item goes with it
    tail = "\n".join(lines[len(head) :]).strip()
    if mark:
        tail = (tail + "\n" + rest.strip()).strip()
    return "\n".join(head).rstrip(), tail
