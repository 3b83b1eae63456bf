"""The sentence-transformers backend with its real packaged model, and the CLI's --json outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from assistant.retrieval.index import build_index, current_dir, read_stored
from assistant.retrieval.search import Searcher
from tests.conftest import make_knowledge

ONETHING = [sys.executable, "-m", "assistant"]


@pytest.mark.slow
def test_sentence_transformers_backend_builds_and_searches(tmp_path: Path):
    s = make_knowledge(tmp_path, ["43TCN0003-430100", "43TCN0008-430100"])
    s = s.model_copy(update={"embedding_backend": "sentence-transformers"})
    summary = build_index(s)
    stored = read_stored(current_dir(s))
    assert summary.backend == "sentence-transformers" and stored.manifest.dims == 384
    assert "all-MiniLM-L6-v2" in stored.manifest.model or "minilm" in stored.manifest.model.lower()
    assert np.allclose(np.linalg.norm(stored.vectors, axis=1), 1.0, atol=1e-3)
    res = Searcher(s).search("企业注销登记一件事要什么材料")
    assert res.matters[0].matter_code == "43TCN0008"  # BM25 carries Chinese here; MiniLM is English-only


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ONETHING, *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_cli_search_json(settings):
    out = _run("search", "开饭店要办什么证", "--region", "长沙", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["matters"][0]["matter_code"] == "43TCN0003"
    assert data["region_name"] == "长沙市" and data["hits"]


def test_cli_index_json_unchanged(settings):
    out = _run("index", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["rebuilt"] is False and data["chunks"] > 500


def test_cli_ingest_json_reports_failure(tmp_path: Path):
    s = make_knowledge(tmp_path, [])
    out = _run(
        "ingest",
        str(PROJECT_ROOT / "tests" / "fixtures" / "guide_bad.yaml"),
        str(PROJECT_ROOT / "tests" / "fixtures" / "guide_good.yaml"),
        "--json",
        env={"ONETHING_KNOWLEDGE_DIR": str(s.knowledge_dir), "ONETHING_DATA_DIR": str(s.data_dir)},
    )
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["imported"] == 1 and data["failed"] == 1
    assert (s.knowledge_dir / "guides" / "43TCT9002-430200.yaml").exists()
    # the imported guide was indexed and checked: do its own linked matters and section names find it?
    (check,) = data["self_check"]
    assert check["guide_id"] == "43TCT9002-430200" and check["probes"] >= 4
    assert (
        check["routed"] == check["probes"] and check["misses"] == []
    )  # the only guide in this knowledge base


def test_cli_eval_retrieval_json(settings):
    out = _run("eval", "--suite", "retrieval", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    modes = {r["mode"]: r for r in data["retrieval"]}
    assert set(modes) == {"dense", "bm25", "hybrid", "hybrid_no_cascade"}  # the cascade on and off
    assert 0 <= modes["hybrid"]["matter_hit_at_1"] <= 1
