"""Shared fixtures: the real bundled knowledge and index, and small temporary knowledge folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_SET = ["43PCN0009-430100", "43PCN0009-430200", "43TCN0003-430100", "43PCP0002-430100"]


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The bundled knowledge with its index (built once if missing; unchanged indexes are reused)."""
    from assistant.retrieval.index import build_index

    s = Settings()
    build_index(s)
    return s


@pytest.fixture(scope="session")
def searcher(settings: Settings):
    from assistant.retrieval.search import get_searcher

    return get_searcher(settings)


def make_knowledge(root: Path, guide_ids: list[str]) -> Settings:
    kdir = root / "knowledge"
    (kdir / "guides").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "knowledge" / "regions.yaml", kdir / "regions.yaml")
    for gid in guide_ids:
        shutil.copy(PROJECT_ROOT / "knowledge" / "guides" / f"{gid}.yaml", kdir / "guides" / f"{gid}.yaml")
    return Settings(knowledge_dir=kdir, data_dir=root / "data")


@pytest.fixture
def small_kb(tmp_path: Path) -> Settings:
    """A temporary knowledge folder with a few real guides and its own data folder."""
    return make_knowledge(tmp_path, SMALL_SET)
