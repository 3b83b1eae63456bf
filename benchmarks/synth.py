"""Synthetic knowledge for the scale benchmark: the real guides copied to Hunan's cities and counties.

Every synthetic guide is a real guide (a template) with its region substituted: `region_code`, `region_name`
and every place name of the template's city inside the text (the city, its districts, their short forms;
"长沙市天心区" → "株洲市攸县") become the target's. Matter names and aliases are kept; place names of *other*
cities that the real text mentions (flagged in its source) are kept as they are. Phone numbers and web
addresses are not changed.

25 matters × 136 regions allow about 3,330 distinct (matter, region) pairs (matters that exist only as a
district's guide go to counties and districts only). Beyond that, guide ids can only stay unique with more
matter codes: a *clone* repeats a guide under the code `<matter_code>ZC<n>`, same name, aliases and text, so
it adds chunks and competitors but no new wording. Routing is scored on the matter family (`family()`).

The order is fixed, so the first N guides of a larger run are the guides of a smaller one: the 33 real
guides, then region by region (GB/T 2260 order) every matter the region lacks, then clone rounds.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel

from assistant.config import PROJECT_ROOT
from assistant.guides.loader import load_guides
from assistant.guides.regions import Region, RegionRegistry
from assistant.guides.schema import MatterGuide
from benchmarks.hunan_regions import merged_regions

CLONE_RE = re.compile(r"ZC\d+$")
KEPT_FIELDS = ("name", "aliases")  # the matter's own words: never substituted
HEADER = "# 合成数据（benchmarks/synth.py，扩容基准专用）：由 {src} 替换地区生成，不是真实指南。\n"


class SynthSummary(BaseModel):
    """What a generated knowledge folder holds."""

    guides: int
    real: int
    substituted: int
    clones: int
    regions: int
    matters: int
    pair_capacity: int


def family(matter_code: str) -> str:
    """The real matter a (possibly cloned) code stands for: 43PCN0009ZC2 → 43PCN0009."""
    return CLONE_RE.sub("", matter_code)


def registry_entries(knowledge_dir: Path = PROJECT_ROOT / "knowledge") -> list[dict[str, object]]:
    """The knowledge base's regions plus every Hunan city and county."""
    existing = yaml.safe_load((knowledge_dir / "regions.yaml").read_text(encoding="utf-8")) or []
    return merged_regions(existing)


def _city(reg: RegionRegistry, r: Region) -> Region:
    parent = reg.get(r.parent) if r.parent else None
    return r if r.level != "district" or parent is None else parent


def _short(r: Region) -> str:
    return r.short[0] if r.short else r.name


def place_table(template: Region, target: Region, reg: RegionRegistry) -> dict[str, str]:
    """Place name in the template's text → the target's. The template's city and its districts become the
    target; "<city><district>" becomes "<target's city><target>"; a district template's city becomes the
    target's city."""
    city, target_city = _city(reg, template), _city(reg, target)
    districts = [r for r in reg.all() if r.parent == city.code]
    table: dict[str, str] = {}
    for r in [city, *districts]:
        dest = target_city if (r.code == city.code and template.level == "district") else target
        table[r.name] = dest.name
        for s in r.short:
            if len(s) >= 2:
                table[s] = _short(dest)
    joined = target_city.name + target.name if target.level == "district" else target.name
    for d in districts:
        table[city.name + d.name] = joined
    return table


def _walk(value: object, fn: Callable[[str], str]) -> object:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, fn) for k, v in value.items()}
    return value


def substitute(guide: MatterGuide, target: Region, reg: RegionRegistry) -> MatterGuide:
    """The guide as the target region's: codes, name of the region and place names in every text field."""
    template = reg.get(guide.region_code)
    if template is None:
        raise ValueError(f"{guide.id}: 地区 {guide.region_code} 不在区划表中")
    table = place_table(template, target, reg)
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    data = guide.model_dump(mode="json")
    kept = {k: data.pop(k) for k in KEPT_FIELDS}
    data = _walk(data, lambda s: pattern.sub(lambda m: table[m.group(0)], s))
    assert isinstance(data, dict)
    data.update(
        kept, id=f"{guide.matter_code}-{target.code}", region_code=target.code, region_name=target.name
    )
    data["source"]["origin"] = f"合成数据：由 {guide.id} 替换地区生成（扩容基准）"
    return MatterGuide.model_validate(data)


def clone(guide: MatterGuide, n: int) -> MatterGuide:
    """The same guide under a new matter code `<code>ZC<n>` (name, aliases and text unchanged)."""
    code = f"{family(guide.matter_code)}ZC{n}"
    return guide.model_copy(update={"matter_code": code, "id": f"{code}-{guide.region_code}"})


def hunan_targets(reg: RegionRegistry) -> list[Region]:
    """Every Hunan city and county, in code order."""
    return sorted(
        (r for r in reg.all() if r.code.startswith("43") and r.level != "province"), key=lambda r: r.code
    )


def _template(options: list[MatterGuide], target: Region, reg: RegionRegistry) -> MatterGuide | None:
    """The real guide to copy for a region: one of the region's own city, else of the region's level,
    else the first; a district's guide never stands in for a city."""
    usable = [
        g for g in options if target.level == "district" or (reg.get(g.region_code) or target).level == "city"
    ]
    if not usable:
        return None
    city = _city(reg, target).code

    def rank(g: MatterGuide) -> tuple[bool, bool, str]:
        r = reg.get(g.region_code)
        return (r is None or _city(reg, r).code != city, r is None or r.level != target.level, g.id)

    return min(usable, key=rank)


def plan(
    real: list[MatterGuide], reg: RegionRegistry, targets: list[Region]
) -> list[tuple[MatterGuide, Region | None]]:
    """Round 0 as (guide, None) for a real guide or (template, target): the real guides, then region by
    region every matter the region lacks."""
    out: list[tuple[MatterGuide, Region | None]] = [(g, None) for g in real]
    have = {(g.matter_code, g.region_code) for g in real}
    by_matter: dict[str, list[MatterGuide]] = {}
    for g in real:
        by_matter.setdefault(g.matter_code, []).append(g)
    for target in targets:
        for matter in sorted(by_matter):
            if (matter, target.code) in have:
                continue
            tmpl = _template(by_matter[matter], target, reg)
            if tmpl is not None:
                out.append((tmpl, target))
    return out


def synthetic_guides(
    n: int, reg: RegionRegistry, real: list[MatterGuide], targets: list[Region] | None = None
) -> tuple[list[MatterGuide], int]:
    """The first n guides of the fixed order, and how many (matter, region) pairs exist before clones."""
    steps = plan(real, reg, hunan_targets(reg) if targets is None else targets)
    round0 = [g if t is None else substitute(g, t, reg) for g, t in steps[:n]]
    out = list(round0)
    rnd = 1
    while len(out) < n:
        out.extend(clone(g, rnd) for g in round0[: n - len(out)])
        rnd += 1
    return out, len(steps)


def generate_knowledge(dest: Path, n: int, targets: list[str] | None = None) -> SynthSummary:
    """Write (or grow) a knowledge folder of n guides at `dest`: regions.yaml with every Hunan county, the
    real guides' files as they are, the synthetic ones as YAML, and the rest of knowledge/ copied."""
    src = PROJECT_ROOT / "knowledge"
    entries = registry_entries(src)
    reg = RegionRegistry([Region.model_validate(e) for e in entries])
    real, errors = load_guides(src / "guides")
    if errors:
        raise RuntimeError(f"知识库指南读取失败：{errors[0]}")
    real_ids = {g.id for g in real}
    chosen = None if targets is None else [r for r in (reg.get(c) for c in targets) if r is not None]
    guides, capacity = synthetic_guides(n, reg, real, chosen)
    gdir = dest / "guides"
    gdir.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        if item.name == "guides" or (dest / item.name).exists():
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name)
        elif item.name != "regions.yaml":
            shutil.copy(item, dest / item.name)
    (dest / "regions.yaml").write_text(
        "# 区划表：knowledge/regions.yaml 加上湖南全部市州和区县（benchmarks/hunan_regions.py）\n"
        + yaml.dump(entries, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    wanted = {f"{g.id}.yaml" for g in guides}
    for old in gdir.glob("*.yaml"):
        if old.name not in wanted:
            old.unlink()
    for g in guides:
        path = gdir / f"{g.id}.yaml"
        if path.exists():
            continue
        if g.id in real_ids:
            shutil.copy(src / "guides" / path.name, path)
            continue
        body = yaml.dump(
            g.model_dump(mode="json"), Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False
        )
        origin = g.source.origin.removeprefix("合成数据：由 ").split(" ")[0]
        path.write_text(HEADER.format(src=origin) + body, encoding="utf-8")
    clones = sum(1 for g in guides if CLONE_RE.search(g.matter_code))
    return SynthSummary(
        guides=len(guides),
        real=sum(1 for g in guides if g.id in real_ids),
        substituted=len(guides) - clones - sum(1 for g in guides if g.id in real_ids),
        clones=clones,
        regions=len({g.region_code for g in guides}),
        matters=len({g.matter_code for g in guides}),
        pair_capacity=capacity,
    )
