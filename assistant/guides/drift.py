"""Drift between the knowledge base and the portal: re-import each portal file in memory (with the same
curation the importer applies) and list every field whose value in the guide YAML differs from what the
portal says, beyond whitespace. Nothing is written; a maintainer sees what hand edits changed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.guides.ingest import _expand, apply_curation, load_curation, portal_index_id
from assistant.guides.loader import GuideFileError, guide_filename, load_guide_file
from assistant.guides.portal import looks_like_portal, parse_portal_guide
from assistant.guides.regions import RegionRegistry

_IGNORED = {"source.imported"}  # when it was imported is not a fact of the portal


class Drift(BaseModel):
    guide_id: str
    field: str
    in_yaml: str
    in_portal: str


def _norm(value: Any) -> Any:
    return re.sub(r"\s+", "", value) if isinstance(value, str) else value


def _diff(a: Any, b: Any, path: str) -> list[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d for k in sorted(set(a) | set(b)) for d in _diff(a.get(k), b.get(k), f"{path}.{k}".lstrip("."))
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{path}[{i}]")]
    return [] if _norm(a) == _norm(b) or path in _IGNORED else [(path, a, b)]


def drift(paths: list[Path], knowledge_dir: Path) -> tuple[list[Drift], list[str]]:
    """(every differing field, the portal files that have no guide YAML yet)."""
    registry = RegionRegistry.load(knowledge_dir / "regions.yaml")
    curation = load_curation(knowledge_dir)
    out: list[Drift] = []
    missing: list[str] = []
    for path in _expand(paths):
        if path.suffix.lower() != ".json":
            continue
        payload = json.loads(path.read_text(encoding="utf-8"))
        if not looks_like_portal(payload):
            continue
        fresh = parse_portal_guide(
            payload, file_stem=path.stem, registry=registry, index_id=portal_index_id(path)
        )
        target = knowledge_dir / "guides" / guide_filename(fresh)
        try:
            existing = load_guide_file(target) if target.exists() else None
        except GuideFileError:
            existing = None
        if existing is None:
            missing.append(str(path))
            continue
        expected = apply_curation(fresh, curation, existing)
        for field, a, b in _diff(existing.model_dump(mode="json"), expected.model_dump(mode="json"), ""):
            out.append(Drift(guide_id=existing.id, field=field, in_yaml=str(a)[:200], in_portal=str(b)[:200]))
    return out, missing
