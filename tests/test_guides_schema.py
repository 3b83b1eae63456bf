"""Schema validation of good and bad guide files, and the exported JSON Schema."""

from __future__ import annotations

import json

import pytest

from assistant.config import PROJECT_ROOT
from assistant.guides.loader import GuideFileError, load_guide_file, load_guides
from assistant.guides.schema import MatterGuide, Necessity, region_code_from_portal
from tests.conftest import FIXTURES


def test_good_file_loads_with_typed_fields():
    g = load_guide_file(FIXTURES / "guide_good.yaml")
    assert g.id == "43TCT9002-430200"
    assert g.materials[0].necessity is Necessity.REQUIRED
    assert g.promised_days == 5
    assert g.updated_at == "2025-06-01"


def test_bad_file_names_file_field_and_reason():
    with pytest.raises(GuideFileError) as exc:
        load_guide_file(FIXTURES / "guide_bad.yaml")
    err = exc.value
    assert err.path.endswith("guide_bad.yaml")
    fields = {f for f, _ in err.problems}
    assert "region_code" in fields and "promised_days" in fields
    assert "guide_bad.yaml" in str(err) and "region_code" in str(err)


def test_broken_yaml_reports_line():
    with pytest.raises(GuideFileError) as exc:
        load_guide_file(FIXTURES / "guide_broken.yaml")
    assert "YAML" in str(exc.value) and "行" in str(exc.value)


def test_id_must_match_codes():
    data = load_guide_file(FIXTURES / "guide_good.yaml").model_dump()
    data["id"] = "43TCT9002-430100"
    with pytest.raises(ValueError, match="430200"):
        MatterGuide.model_validate(data)


def test_unknown_field_is_an_error(tmp_path):
    text = (FIXTURES / "guide_good.yaml").read_text(encoding="utf-8") + "matrials: []\n"
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(GuideFileError, match="matrials"):
        load_guide_file(tmp_path / "x.yaml")


def test_region_codes_from_portal():
    assert region_code_from_portal("430101000000") == "430100"
    assert region_code_from_portal("430201000000") == "430200"
    assert region_code_from_portal("430102999000") == "430102"
    with pytest.raises(ValueError):
        region_code_from_portal("4301")


def test_bundled_knowledge_is_valid_and_complete():
    guides, errors = load_guides(PROJECT_ROOT / "knowledge" / "guides")
    assert errors == []
    index = PROJECT_ROOT.parent / "shared" / "data" / "hunan" / "INDEX.tsv"
    if index.exists():
        rows = [r.split("\t") for r in index.read_text(encoding="utf-8").splitlines()[1:] if r.strip()]
        expected = {f"{r[0]}-{region_code_from_portal(r[1])}" for r in rows}
        assert expected == {g.id for g in guides}
    assert len(guides) >= 33
    assert all(g.aliases for g in guides), "every matter has colloquial aliases"


def test_schema_json_is_current():
    on_disk = json.loads((PROJECT_ROOT / "knowledge" / "schema.json").read_text(encoding="utf-8"))
    assert on_disk == MatterGuide.model_json_schema()
