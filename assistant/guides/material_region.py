"""Materials whose note names a region ("长沙市婚姻状况选择…时上传"): they apply only in that region. A guide
imported for another city keeps them (the portal lists them there too), but checklists, eligibility
outcomes and forms ask for them only in the region the note names."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.config import get_settings
from assistant.guides.regions import RegionRegistry
from assistant.guides.schema import Material, MatterGuide


@lru_cache(maxsize=1)
def _registry() -> RegionRegistry:
    """The regions of the configured knowledge folder (read once per process: an explicit cache)."""
    return RegionRegistry.load(get_settings().knowledge_dir / "regions.yaml")


@lru_cache(maxsize=1)
def _region_names() -> tuple[tuple[str, str], ...]:
    """(name, code) of every city and county, longest names first (an explicit cache: the registry is
    read once per process)."""
    return tuple(
        sorted(
            (
                (n, r.code)
                for r in _registry().all()
                if r.level != "province"
                for n in r.names()
                if len(n) >= 2
            ),
            key=lambda x: -len(x[0]),
        )
    )


def material_regions(m: Material) -> frozenset[str]:
    """The codes of the regions a material's note restricts it to: the region names the note opens with
    ("长沙市、株洲市不是已婚的提供"), or one it says 仅/只/限 of; empty when it applies everywhere."""
    return _regions_in_note(m.situation.strip())


@lru_cache(maxsize=4096)
def _regions_in_note(note: str) -> frozenset[str]:
    names = _region_names()
    codes: set[str] = set()
    pos = 0
    while True:
        hit = next(((n, c) for n, c in names if note.startswith(n, pos)), None)
        if hit is None:
            break
        codes.add(hit[1])
        pos += len(hit[0])
        while pos < len(note) and note[pos] in "、和及与,，":
            pos += 1
    if not codes and re.search(r"仅|只|限", note):
        for n, c in names:
            if re.search(rf"(?:仅|只|限)(?:在)?{re.escape(n)}", note):
                codes.add(c)
    return frozenset(codes)


def applies_in(m: Material, guide: MatterGuide) -> bool:
    """Whether the material applies in the guide's region (the named region or one inside it)."""
    codes = material_regions(m)
    return not codes or bool(codes & {r.code for r in _registry().lineage(guide.region_code)})


def region_note(m: Material) -> str:
    """The note "仅长沙市" for a region-only material, else ""."""
    regions = [r for c in sorted(material_regions(m)) if (r := _registry().get(c))]
    return f"仅{'、'.join(r.name for r in regions)}" if regions else ""
