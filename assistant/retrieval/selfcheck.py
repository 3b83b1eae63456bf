"""After an import: does a guide's own vocabulary find it? Its linked matters' names and its section titles,
asked plainly, should route to the guide; the ones that do not show where citizens will miss it."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.guides.schema import SECTION_LABELS, MatterGuide, Section
from assistant.retrieval.search import Searcher

PROBE_SECTIONS = [Section.MATERIALS, Section.CONDITIONS, Section.TIME_LIMIT, Section.LOCATIONS]


class RouteCheck(BaseModel):
    guide_id: str
    probes: int
    routed: int
    misses: list[str] = Field(default_factory=list, description="probe → matter it went to instead")


def route_check(searcher: Searcher, guide: MatterGuide) -> RouteCheck:
    core = re.sub(r"[“”\"]|一件事$", "", guide.name.replace("“一件事”", "一件事")).removesuffix("一件事")
    probes = [f"{lm.name}怎么办" for lm in guide.linked_matters]
    probes += [f"{core}{SECTION_LABELS[s]}" for s in PROBE_SECTIONS]
    misses = []
    for p in dict.fromkeys(probes):
        res = searcher.search(p, region=guide.region_code, k=3)
        top = res.matters[0].matter_code if res.matters else None
        if top != guide.matter_code:
            misses.append(f"{p} → {res.matters[0].name if res.matters else '无'}")
    n = len(dict.fromkeys(probes))
    return RouteCheck(guide_id=guide.id, probes=n, routed=n - len(misses), misses=misses)
