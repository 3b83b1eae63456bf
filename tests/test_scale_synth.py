"""The scale benchmark's synthetic knowledge (benchmarks/synth.py): guides that load with the project's loader,
unique ids, every Hunan county in the region table, the target region in the text and the template's gone."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.guides.loader import load_guides
from assistant.guides.regions import Region, RegionRegistry
from assistant.guides.schema import MatterGuide
from benchmarks.synth import CLONE_RE, family, generate_knowledge, registry_entries, synthetic_guides

# a county of 永州, a city-level prefecture (city templates only), a district of 衡阳: all far from the
# templates' 长沙 and 株洲, so no template place name may survive
TARGETS = ["431124", "433100", "430412"]
N = 120  # 33 real + 70 substituted, then clones


def _text(g: MatterGuide) -> str:
    """Every text field except the matter's own name and aliases (kept on purpose)."""
    return json.dumps(g.model_dump(mode="json", exclude={"name", "aliases"}), ensure_ascii=False)


def _city_names(reg: RegionRegistry, code: str) -> set[str]:
    """The names of a region's city and of that city's districts (full and short forms)."""
    r = reg.get(code)
    assert r is not None
    city = r if r.level == "city" else reg.get(r.parent or "")
    assert city is not None
    members = [city, *(x for x in reg.all() if x.parent == city.code)]
    return {n for x in members for n in x.names() if len(n) >= 2}


def test_generated_knowledge_loads_with_unique_ids_and_the_target_region_in_place_of_the_template(
    tmp_path: Path,
):
    summary = generate_knowledge(tmp_path / "k", N, targets=TARGETS)
    guides, errors = load_guides(tmp_path / "k" / "guides")
    assert errors == []
    assert len(guides) == N == summary.guides
    assert len({g.id for g in guides}) == N
    assert (summary.real, summary.substituted, summary.clones) == (33, 70, 17)

    reg = RegionRegistry.load(tmp_path / "k" / "regions.yaml")
    hunan = [r for r in reg.all() if r.code.startswith("43") and r.level != "province"]
    assert sum(r.level == "city" for r in hunan) == 14
    assert sum(r.level == "district" for r in hunan) == 122
    assert all(reg.get(r.parent or "") is not None for r in hunan)

    real = {g.id: g for g in load_guides(PROJECT_ROOT / "knowledge" / "guides")[0]}
    by_id = {g.id: g for g in guides}
    assert all(by_id[i] == g for i, g in real.items())  # the real guides are there unchanged
    substituted = [g for g in guides if g.id not in real and not CLONE_RE.search(g.matter_code)]
    assert {g.region_code for g in substituted} == set(TARGETS)
    checked_names = 0
    for g in substituted:
        template = real[g.source.origin.split("由 ")[1].split(" ")[0]]
        assert g.matter_code == template.matter_code
        assert (g.name, g.aliases) == (template.name, template.aliases)
        assert g.region_name == reg.get(g.region_code).name
        text = _text(g)
        assert g.region_name in text  # e.g. the lead department, the addresses
        for n in sorted(_city_names(reg, g.region_code), key=len, reverse=True):
            text = text.replace(n, "")  # the target's own city may be named too
        template_names = _city_names(reg, template.region_code)
        # names of other cities in a template's text (flagged in its source) are kept on purpose
        others = {n for n in template_names if n in _text(template) and n not in text}
        left = {n for n in template_names if n in text}
        assert not left, f"{g.id}: {left} of {template.id} left in the text"
        checked_names += len(others)
    assert checked_names > 50  # the templates did name their places: the check above is not vacuous

    # "长沙市天心区…" becomes "<the target's city><the target>…"
    addresses = [loc.address for loc in by_id["43PCP0021-430412"].locations]
    assert "衡阳市南岳区湘府中路298号南岳区政务服务大楼一楼人社综合窗" in addresses

    clones = [g for g in guides if CLONE_RE.search(g.matter_code)]
    assert len(clones) == 17
    for c in clones:
        source = by_id[f"{family(c.matter_code)}-{c.region_code}"]
        assert family(c.matter_code) in {g.matter_code for g in real.values()}
        assert c.model_dump(exclude={"id", "matter_code"}) == source.model_dump(exclude={"id", "matter_code"})


def test_a_larger_run_starts_with_the_guides_of_a_smaller_one():
    reg = RegionRegistry([Region.model_validate(e) for e in registry_entries()])
    real = load_guides(PROJECT_ROOT / "knowledge" / "guides")[0]
    small, capacity = synthetic_guides(40, reg, real)
    large, _ = synthetic_guides(90, reg, real)
    assert [g.id for g in large[:40]] == [g.id for g in small]
    assert 3000 < capacity < 25 * 136  # district-only matters skip the cities
