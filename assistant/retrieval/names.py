"""The words a matter is known by in a question: its name, the short forms people use and its aliases
(strong evidence), and the names of its linked matters that no other matter links (weaker evidence)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.guides.schema import MatterGuide
from assistant.retrieval.text import normalize


def name_table(guides: Iterable[MatterGuide]) -> list[tuple[str, str]]:
    """(normalised name or alias, matter_code), longest first, for exact mentions in a query."""
    out: set[tuple[str, str]] = set()
    for g in guides:
        plain = re.sub(r"[“”\"\s]", "", g.name)
        core = plain.removesuffix("一件事")
        # "出生一件事", "退休一件事": how people shorten a long matter name
        variants = [plain, core, core[-2:] + "一件事"]
        if len(core) >= 6:
            variants.append(core[:-2] + "一件事")  # 企业迁移登记 → 企业迁移一件事
        for n in (*variants, *g.aliases):
            n = normalize(n)
            if len(n) >= 2:
                out.add((n, g.matter_code))
    return sorted(out, key=lambda x: -len(x[0]))


def linked_table(guides: Iterable[MatterGuide]) -> list[tuple[str, str]]:
    """(normalised linked-matter name, matter_code) for names only one matter links, longest first: the
    words an uncurated guide is known by before anyone writes aliases for it."""
    owners: dict[str, set[str]] = {}
    for g in guides:
        for lm in g.linked_matters:
            n = normalize(re.sub(r"[（(].*?[）)]|[《》“”\"\s]", "", lm.name))
            if len(n) >= 4:
                owners.setdefault(n, set()).add(g.matter_code)
    return sorted(((n, next(iter(c))) for n, c in owners.items() if len(c) == 1), key=lambda x: -len(x[0]))
