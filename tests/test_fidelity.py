"""The knowledge base against the portal data it was imported from (../shared/data/hunan, skipped with a
reason when absent): every contact and web address kept, region-only materials asked only in their
region, per-section dates, the portal's index ids, necessity labels, grounded rules, and the drift check."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from assistant.config import PROJECT_ROOT
from assistant.guides.drift import drift
from assistant.guides.loader import load_guide_file, load_guides
from assistant.guides.schema import Necessity, region_code_from_portal
from tests.conftest import PUBLIC_HOUSING_UNMARRIED

SHARED = PROJECT_ROOT.parent / "shared" / "data" / "hunan"
KNOWLEDGE = PROJECT_ROOT / "knowledge"
needs_shared = pytest.mark.skipif(
    not SHARED.exists(), reason="shared portal data not present on this machine"
)

PHONE = re.compile(r"(?<![\dA-Za-z])(?:0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|123\d\d|95\d{3})(?![\dA-Za-z])")
URL = re.compile(r"https?://[A-Za-z0-9./:_\-?=&%#~]+")


def _pairs():
    for f in sorted((SHARED / "guides").glob("*.json")):
        matter, area = f.stem.split("__")
        yield f, KNOWLEDGE / "guides" / f"{matter}-{region_code_from_portal(area)}.yaml"


@needs_shared
def test_every_phone_and_web_address_of_the_portal_is_in_the_knowledge_base():
    missing = []
    for src, target in _pairs():
        text = target.read_text(encoding="utf-8")
        compact = re.sub(r"[\s\-]", "", text)
        data = json.dumps(json.loads(src.read_text(encoding="utf-8"))["data"], ensure_ascii=False)
        for value in {*PHONE.findall(data), *(u.rstrip(".,;)）") for u in URL.findall(data))}:
            if value not in text and value.replace("-", "") not in compact:
                missing.append((src.stem, value))
    assert missing == []


@needs_shared
def test_the_portal_index_id_and_section_dates_are_kept():
    index = {
        Path(cols[5]).stem: cols[3]
        for cols in (
            ln.split("\t") for ln in (SHARED / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]
        )
    }
    for src, target in _pairs():
        g = load_guide_file(target)
        assert g.source.portal_index_id == index[src.stem]
        if g.source.section_updated:
            assert g.source.updated == max(g.source.section_updated.values())
    g = load_guide_file(KNOWLEDGE / "guides" / "43TC2000100Y-430102.yaml")
    assert g.source.section_updated["materials"].isoformat() == "2026-02-26"
    assert g.source.section_updated["process"].isoformat() == "2024-06-29"
    # the standard guide block's 攸县 phone and place are kept, and flagged as another region's content
    assert "0731-24223845" in g.contact.consultation and "攸县" in g.contact.consultation_address
    assert any("攸县" in f for f in g.source.flags)


@needs_shared
def test_a_hand_edit_shows_up_in_the_drift_check(tmp_path: Path):
    k = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, k)
    assert drift([SHARED / "guides"], k) == ([], [])
    target = k / "guides" / "43TCN0008-430100.yaml"
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    data["contact"]["consultation"] = ["0731-00000000"]
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found, _ = drift([SHARED / "guides"], k)
    assert [d.guide_id for d in found] == ["43TCN0008-430100"]
    assert found[0].field.startswith("contact.consultation") and found[0].in_yaml == "0731-00000000"


def test_necessity_labels_say_what_the_portal_says():
    guides, _ = load_guides(KNOWLEDGE / "guides")
    labels = {m.necessity for g in guides for m in g.materials}
    assert Necessity.SITUATIONAL.value == "情形" and "容缺或情形" not in {x.value for x in labels}
    g = next(g for g in guides if g.matter_code == "43PCP0006")
    deferrable = [m for m in g.materials if m.necessity is Necessity.DEFERRABLE]
    assert deferrable and all("补齐" in m.situation for m in deferrable)


def test_region_only_materials_are_asked_only_in_their_region(settings, searcher):
    from assistant.answer.checklist import checklist_lines
    from assistant.services import load_eligibility_engine

    changsha = load_guide_file(KNOWLEDGE / "guides" / "43PCP0002-430100.yaml")
    zhuzhou = load_guide_file(KNOWLEDGE / "guides" / "43PCP0002-430200.yaml")
    cs_lines, _ = checklist_lines(changsha)
    zz_lines, zz_folded = checklist_lines(zhuzhou)
    assert any("单身声明具结书" in x for x in cs_lines)
    assert not any("单身声明具结书" in x for x in zz_lines)
    assert any("单身声明具结书" in x and "仅长沙市" in x for x in zz_folded)  # still reachable, with why
    assert any("入户调查表" in x for x in zz_lines) and not any("入户调查表" in x for x in cs_lines)
    engine = load_eligibility_engine(settings, searcher)
    answers = PUBLIC_HOUSING_UNMARRIED
    for guide, expected in ((changsha, True), (zhuzhou, False)):
        step, _ = engine.evaluate_answers("43PCP0002", answers, guide)
        assert step.result is not None, step
        assert ("单身声明具结书" in [c.name for c in step.result.checklist]) is expected


def test_every_rule_is_grounded_in_guide_text():
    """A rule cites a section of the guide and its condition is that guide's text (or it only asks for a
    check at the window); never the project's own summary."""
    guides, _ = load_guides(KNOWLEDGE / "guides")
    by_matter: dict[str, str] = {}
    for g in guides:
        text = json.dumps(g.model_dump(mode="json", exclude={"summary", "aliases"}), ensure_ascii=False)
        by_matter[g.matter_code] = by_matter.get(g.matter_code, "") + re.sub(r"\s", "", text)
    ungrounded = []
    for f in sorted((KNOWLEDGE / "rules").glob("*.yaml")):
        rs = yaml.safe_load(f.read_text(encoding="utf-8"))
        for rule in rs.get("rules", []):
            cond = re.sub(r"\s", "", rule.get("condition") or "")
            if rule.get("source") == "事项概述" or (
                cond
                and cond not in by_matter.get(rs["matter_code"], "")
                and rule.get("outcome") != "需要窗口核实"
            ):
                ungrounded.append((f.stem, rule["id"]))
    assert ungrounded == []


@needs_shared
def test_a_guide_is_found_by_either_portal_id(settings, tmp_path: Path):
    from fastapi.testclient import TestClient

    from assistant.api.app import create_app

    g = load_guide_file(KNOWLEDGE / "guides" / "43TCN0008-430100.yaml")
    s = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/f.db", "console_enabled": False})
    with TestClient(create_app(s)) as c:
        for key in (g.id, g.source.portal_guide_id, g.source.portal_index_id):
            assert c.get(f"/api/v1/guides/{key}").json()["id"] == g.id
