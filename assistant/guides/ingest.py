"""Import files of any supported format into the knowledge folder, one file at a time, atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from assistant.guides.documents import DOCUMENT_SUFFIXES, DocumentError, import_document
from assistant.guides.loader import (
    GuideFileError,
    dump_yaml,
    guide_filename,
    load_guide_file,
    load_guides,
    read_data_file,
    validate_guide,
    write_atomic,
)
from assistant.guides.markdown import MarkdownGuideError, is_markdown_guide, parse_markdown_guide
from assistant.guides.portal import PortalFormatError, looks_like_portal, parse_portal_guide
from assistant.guides.regions import RegionRegistry
from assistant.guides.schema import MatterGuide

GUIDE_HEADER = (
    "# 办事指南（一件事）。字段说明见 knowledge/schema.json；由 onething ingest 生成后可人工编辑。\n"
)


class IngestResult(BaseModel):
    path: str
    status: Literal["imported", "failed"]
    kind: str = ""  # portal | project | markdown | document
    id: str = ""
    written: str = ""
    error: str = ""


def load_curation(knowledge_dir: Path) -> dict[str, dict[str, Any]]:
    """Curated aliases, summaries and audience per matter code (knowledge/curation.yaml)."""
    path = knowledge_dir / "curation.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): v or {} for k, v in data.items()}


def apply_curation(
    guide: MatterGuide, curation: dict[str, dict[str, Any]], existing: MatterGuide | None
) -> MatterGuide:
    """Keep hand-written additions when a portal guide is (re)imported."""
    extra = curation.get(guide.matter_code, {})
    aliases = [*extra.get("aliases", []), *(existing.aliases if existing else []), *guide.aliases]
    update: dict[str, Any] = {"aliases": aliases}
    summary = (existing.summary if existing else "") or str(extra.get("summary", "")).strip()
    if summary:
        update["summary"] = summary
    if extra.get("audience"):
        update["audience"] = extra["audience"]
    return MatterGuide.model_validate({**guide.model_dump(), **update})


def portal_index_id(path: Path) -> str:
    """The portal's guide id for a downloaded file, from the download's INDEX.tsv (column 4, by file name)
    beside the file or one folder up; empty when there is no index."""
    for index in (path.parent / "INDEX.tsv", path.parent.parent / "INDEX.tsv"):
        if not index.exists():
            continue
        for line in index.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) >= 6 and Path(cols[5]).stem == path.stem:
                return cols[3].strip()
    return ""


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")))
        else:
            out.append(p)
    return out


def ingest(
    paths: list[Path], knowledge_dir: Path, registry: RegionRegistry | None = None
) -> list[IngestResult]:
    """Import every file; a bad file is reported with its reason and the others still go in."""
    registry = registry or RegionRegistry.load(knowledge_dir / "regions.yaml")
    guides_dir = knowledge_dir / "guides"
    refs_dir = knowledge_dir / "references"
    curation = load_curation(knowledge_dir)
    known, _ = load_guides(guides_dir) if guides_dir.exists() else ([], [])
    results: list[IngestResult] = []
    for path in _expand([Path(p) for p in paths]):
        try:
            results.append(_ingest_one(path, guides_dir, refs_dir, registry, curation, known))
        except (
            GuideFileError,
            PortalFormatError,
            MarkdownGuideError,
            DocumentError,
            OSError,
            ValueError,
        ) as exc:
            reason = (
                "；".join(f"{f}: {r}" if f else r for f, r in exc.problems)
                if isinstance(exc, GuideFileError)
                else str(exc)
            )
            results.append(IngestResult(path=str(path), status="failed", error=reason))
    return results


def _ingest_one(
    path: Path,
    guides_dir: Path,
    refs_dir: Path,
    registry: RegionRegistry,
    curation: dict[str, dict[str, Any]],
    known: list[MatterGuide],
) -> IngestResult:
    if not path.exists():
        raise OSError(f"文件不存在：{path}")
    suffix = path.suffix.lower()
    guide: MatterGuide
    kind = ""
    if suffix == ".json":
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise GuideFileError(path, [("", f"JSON 语法错误，第 {exc.lineno} 行：{exc.msg}")]) from exc
        if looks_like_portal(payload):
            kind = "portal"
            guide = parse_portal_guide(
                payload, file_stem=path.stem, registry=registry, index_id=portal_index_id(path)
            )
            target = guides_dir / guide_filename(guide)
            try:
                existing = load_guide_file(target) if target.exists() else None
            except GuideFileError:
                existing = None  # an unreadable old file is replaced; curated fields come from curation.yaml
            guide = apply_curation(guide, curation, existing)
        else:
            kind, guide = "project", validate_guide(payload, path)
    elif suffix in (".yaml", ".yml"):
        kind, guide = "project", validate_guide(read_data_file(path), path)
    elif suffix in (".md", ".markdown") and is_markdown_guide(path.read_text(encoding="utf-8")):
        kind, guide = "markdown", parse_markdown_guide(path.read_text(encoding="utf-8"), registry)
    elif suffix in DOCUMENT_SUFFIXES:
        doc = import_document(path, known)
        target = refs_dir / f"{doc.id}.yaml"
        write_atomic(target, dump_yaml(doc))
        return IngestResult(
            path=str(path), status="imported", kind="document", id=doc.id, written=str(target)
        )
    else:
        raise ValueError(f"不支持的文件类型：{suffix or '(无扩展名)'}")
    target = guides_dir / guide_filename(guide)
    write_atomic(target, dump_yaml(guide, header=GUIDE_HEADER))
    return IngestResult(path=str(path), status="imported", kind=kind, id=guide.id, written=str(target))
