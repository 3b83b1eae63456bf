"""Administrative regions (GB/T 2260): lookup by code or name, nesting district → city → province."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from assistant.config import PROJECT_ROOT


class Region(BaseModel):
    code: str = Field(..., pattern=r"^\d{6}$")
    name: str
    short: list[str] = Field(default_factory=list)
    parent: str | None = None

    @property
    def level(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "city"
        return "district"

    def names(self) -> list[str]:
        return [self.name, *self.short]


class RegionRegistry:
    """All known regions, read from knowledge/regions.yaml."""

    def __init__(self, regions: list[Region]):
        self._by_code = {r.code: r for r in regions}
        self._lineages: dict[str, tuple[Region, ...]] = {}  # an explicit cache, filled on first ask
        # every name of every region, longest first (the registry does not change after loading)
        self._names_longest_first = sorted(
            ((n, r) for r in regions for n in r.names() if len(n) >= 2), key=lambda x: -len(x[0])
        )

    @classmethod
    def load(cls, path: Path | None = None) -> RegionRegistry:
        path = path or PROJECT_ROOT / "knowledge" / "regions.yaml"
        items = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
        return cls([Region.model_validate(i) for i in items])

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def all(self) -> list[Region]:
        return list(self._by_code.values())

    def cities(self) -> list[Region]:
        return [r for r in self._by_code.values() if r.level == "city"]

    def lineage(self, code: str) -> list[Region]:
        """The region itself, then its parents up to the province (computed once per code: the registry
        does not change after loading, and routing asks for it once per matter and search)."""
        known = self._lineages.get(code)
        if known is None:
            out: list[Region] = []
            seen: set[str] = set()
            cur = self._by_code.get(code)
            while cur is not None and cur.code not in seen:
                out.append(cur)
                seen.add(cur.code)
                cur = self._by_code.get(cur.parent) if cur.parent else None
            known = self._lineages[code] = tuple(out)
        return list(known)

    def lineage_codes(self, code: str) -> list[str]:
        return [r.code for r in self.lineage(code)]

    def city_code(self, code: str) -> str:
        """The code of the city a region lies in (the region's own code for a city or a province)."""
        city = next((r for r in self.lineage(code) if r.level == "city"), None)
        return city.code if city else code

    def lineage_names(self, code: str) -> list[str]:
        return [n for r in self.lineage(code) for n in r.names()]

    def find_by_name(self, text: str) -> Region | None:
        """Resolve '长沙', '长沙市', '430100' or a district name to a region."""
        t = (text or "").strip()
        if not t:
            return None
        if t in self._by_code:
            return self._by_code[t]
        for r in self._by_code.values():
            if t == r.name or t in r.short:
                return r
        return None

    def mentioned(self, text: str) -> list[Region]:
        """Regions named in free text, longest names first, without overlaps (岳麓区 ≠ 岳阳)."""
        found: list[tuple[int, int, Region]] = []
        taken = [False] * len(text)
        for n, r in self._names_longest_first:
            if n not in text:
                continue
            start = text.find(n)
            while start != -1:
                if not any(taken[start : start + len(n)]):
                    for i in range(start, start + len(n)):
                        taken[i] = True
                    found.append((start, len(n), r))
                start = text.find(n, start + 1)
        found.sort()
        out: list[Region] = []
        for _, _, r in found:
            if r not in out:
                out.append(r)
        return out
