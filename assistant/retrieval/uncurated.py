"""A copy of the knowledge base in which one matter looks freshly imported: its curated aliases and summary
dropped, its guides re-imported from the portal JSON (when the shared data is present) and the index copied so
only that matter is embedded again; and a searcher over it. The leave-one-matter-out evaluation and the scope
calibration read questions against it, the way the assistant meets a guide nobody has curated yet."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from assistant.config import PROJECT_ROOT, Settings
from assistant.retrieval.index import build_index
from assistant.retrieval.search import Searcher

PORTAL_DIR = PROJECT_ROOT.parent / "shared" / "data" / "hunan" / "guides"


def uncurated_knowledge(settings: Settings, matter_code: str, root: Path) -> tuple[Settings, str]:
    """A copy of the knowledge base in which `matter_code` looks freshly imported; (settings, how)."""
    from assistant.guides.ingest import ingest

    kdir = root / "knowledge"
    shutil.copytree(settings.knowledge_dir, kdir)
    curation_path = kdir / "curation.yaml"
    if curation_path.exists():
        curation = yaml.safe_load(curation_path.read_text(encoding="utf-8")) or {}
        curation.pop(matter_code, None)
        curation_path.write_text(
            yaml.safe_dump(curation, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    own = sorted((kdir / "guides").glob(f"{matter_code}-*.yaml"))
    portal = sorted(PORTAL_DIR.glob(f"{matter_code}__*.json")) if PORTAL_DIR.exists() else []
    if portal:
        for p in own:
            p.unlink()
        results = ingest(portal, kdir)
        failed = [r for r in results if r.status != "imported"]
        if failed:
            raise RuntimeError(f"{matter_code}: 门户指南导入失败：{failed}")
        how = "portal"
    else:  # no portal data here: strip the curated fields from the project's own files
        for p in own:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
            data["aliases"], data["summary"] = [], ""
            p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        how = "stripped"
    data_dir = root / "data"
    index_src = settings.index_dir
    if index_src.exists():  # unchanged sections keep their vectors: only this matter is embedded again
        shutil.copytree(index_src, data_dir / "index" / settings.embedding_backend, symlinks=True)
    return settings.model_copy(
        update={
            "knowledge_dir": kdir,
            "data_dir": data_dir,
            "query_cache_disk": False,
            # the guides' sentences are the same text in every round: embedded once
            "passage_cache_dir": settings.passage_cache_dir
            or settings.query_cache_dir
            or settings.data_dir / "query_vectors",
        }
    ), how


@contextmanager
def uncurated_searcher(settings: Settings, matter_code: str) -> Iterator[tuple[Searcher, str]]:
    """A searcher over a temporary copy of the knowledge base with `matter_code` freshly imported, indexed;
    (searcher, how it was imported). Its settings' data_dir is a scratch directory for the caller too."""
    with tempfile.TemporaryDirectory(prefix="onething-uncurated-") as tmp:
        s, how = uncurated_knowledge(settings, matter_code, Path(tmp))
        build_index(s)
        yield Searcher(s), how
