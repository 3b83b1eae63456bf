"""Each importer: project YAML/JSON, portal JSON, Markdown, plain documents; bad files don't stop the rest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.guides.ingest import ingest
from assistant.guides.loader import load_guide_file, load_references
from assistant.guides.markdown import parse_markdown_guide
from assistant.guides.portal import parse_portal_guide
from assistant.guides.schema import Necessity
from tests.conftest import FIXTURES


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    k = tmp_path / "knowledge"
    (k / "guides").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "knowledge" / "regions.yaml", k / "regions.yaml")
    shutil.copy(PROJECT_ROOT / "knowledge" / "guides" / "43PCN0009-430100.yaml", k / "guides")
    shutil.copy(PROJECT_ROOT / "knowledge" / "guides" / "43TCN0008-430100.yaml", k / "guides")
    return k


def test_portal_json_facts_carried_over():
    payload = json.loads((FIXTURES / "portal_sample__430101000000.json").read_text(encoding="utf-8"))
    g = parse_portal_guide(payload, file_stem="portal_sample__430101000000")
    assert g.region_code == "430100" and g.region_name == "长沙市"
    assert [m.name for m in g.materials] == ["营业执照申请书", "经营场所证明"]  # duplicate and "暂无" dropped
    assert g.materials[1].necessity is Necessity.SITUATIONAL
    assert g.materials[1].situation == "租用场所的提供租赁合同"
    assert g.materials[0].waiver == "由系统模板自动生成"
    assert g.promised_days == 3
    assert g.contact.consultation == ["0731-11112222（营业执照）", "0731-33334444（税务）"]
    assert g.process == ["网上申请", "窗口审核", "发放证照"]
    assert g.offline == ""  # "暂无" is boilerplate, left empty
    assert len(g.linked_matters) == 1 and g.linked_matters[0].promised_days == 3
    assert g.source.updated.isoformat() == "2026-05-29"  # latest gxsj in the record


def test_portal_codes_from_implementation_code_when_file_name_is_plain():
    payload = json.loads((FIXTURES / "portal_sample__430101000000.json").read_text(encoding="utf-8"))
    g = parse_portal_guide(payload, file_stem="download")
    assert g.id == "43TCT9001-430100"


def test_real_portal_file_round_trip():
    src = PROJECT_ROOT.parent / "shared" / "data" / "hunan" / "guides" / "43PCN0009__430101000000.json"
    if not src.exists():
        pytest.skip("shared portal data not present on this machine")
    g = parse_portal_guide(json.loads(src.read_text(encoding="utf-8")), file_stem=src.stem)
    bundled = load_guide_file(PROJECT_ROOT / "knowledge" / "guides" / "43PCN0009-430100.yaml")
    assert [m.name for m in g.materials] == [m.name for m in bundled.materials]
    assert g.contact == bundled.contact and g.promised_days == bundled.promised_days == 5


def test_markdown_guide():
    g = parse_markdown_guide((FIXTURES / "guide.md").read_text(encoding="utf-8"))
    assert g.id == "43TCT9004-430100"
    assert g.aliases == ["开茶馆", "茶楼开业"]
    names = {m.name: m for m in g.materials}
    assert (
        names["租赁合同"].necessity is Necessity.SITUATIONAL
        and names["租赁合同"].situation == "租用场地时提供"
    )
    assert names["食品经营许可申请书"].necessity is Necessity.REQUIRED
    assert g.process == ["网上提交申请", "现场核查", "发证"]
    assert g.promised_days == 5 and g.fee.charged is False
    assert g.contact.consultation == ["0731-55556666"]
    assert g.locations[0].hours == "工作日9:00-17:00"
    assert g.faqs[0].question == "茶馆可以卖简餐吗？"
    assert g.linked_matters[0].promised_days == 3
    assert g.source.updated.isoformat() == "2025-07-01"


def test_ingest_mixed_folder_reports_bad_files_and_imports_the_rest(kdir: Path):
    results = ingest(
        [
            FIXTURES / "portal_sample__430101000000.json",
            FIXTURES / "guide_good.yaml",
            FIXTURES / "guide_bad.yaml",
            FIXTURES / "guide.md",
            FIXTURES / "notice.txt",
            FIXTURES / "notice.html",
            FIXTURES / "empty.txt",
        ],
        kdir,
    )
    by_name = {Path(r.path).name: r for r in results}
    assert by_name["guide_bad.yaml"].status == "failed" and "region_code" in by_name["guide_bad.yaml"].error
    assert by_name["empty.txt"].status == "failed" and "文字" in by_name["empty.txt"].error
    for ok in (
        "portal_sample__430101000000.json",
        "guide_good.yaml",
        "guide.md",
        "notice.txt",
        "notice.html",
    ):
        assert by_name[ok].status == "imported", by_name[ok]
    assert (kdir / "guides" / "43TCT9001-430100.yaml").exists()
    assert not (kdir / "guides" / "43TCT9003-430100.yaml").exists()
    assert not [p for p in (kdir / "guides").iterdir() if p.name.startswith(".")], "no temp files left"
    refs = {r.source_path: r for r in load_references(kdir / "references")}
    assert refs["notice.txt"].matter_code == "43PCN0009"  # names 新生儿出生一件事
    assert refs["notice.html"].matter_code == "43TCN0008"
    assert "20日" in refs["notice.html"].text


def test_pdf_and_docx_documents(kdir: Path, tmp_path: Path):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("企业注销登记一件事：清算组备案说明")
    d.add_paragraph("普通注销需先进行清算组备案。")
    d.save(tmp_path / "note.docx")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont as CIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(CIDFont("STSong-Light"))
    c = canvas.Canvas(str(tmp_path / "note.pdf"), pagesize=A4)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, "Bulletin 2025-01")
    c.save()
    results = ingest([tmp_path / "note.docx", tmp_path / "note.pdf"], kdir)
    assert [r.status for r in results] == ["imported", "imported"], results
    refs = {r.source_path: r for r in load_references(kdir / "references")}
    assert refs["note.docx"].matter_code == "43TCN0008"
    assert "Bulletin" in refs["note.pdf"].text and refs["note.pdf"].matter_code is None


def test_reimport_keeps_curated_aliases(kdir: Path):
    src = PROJECT_ROOT.parent / "shared" / "data" / "hunan" / "guides" / "43PCN0009__430101000000.json"
    if not src.exists():
        pytest.skip("shared portal data not present on this machine")
    target = kdir / "guides" / "43PCN0009-430100.yaml"
    before = load_guide_file(target)
    [res] = ingest([src], kdir)
    assert res.status == "imported"
    after = load_guide_file(target)
    assert before.aliases and set(before.aliases) <= set(after.aliases)
    assert after.summary == before.summary
