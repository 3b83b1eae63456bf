"""Build, persist (atomically, incrementally) and load the hybrid chunk index: FAISS vectors + BM25 tokens."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np
from pydantic import BaseModel, Field, field_validator

from assistant.config import Settings
from assistant.guides.loader import GuideFileError, load_guides, load_references
from assistant.guides.schema import MatterGuide, ReferenceDoc
from assistant.retrieval.chunking import (
    CHUNK_VERSION,
    content_hash,
    guide_chunks,
    other_matter_chunks,
    reference_chunks,
)
from assistant.retrieval.embeddings import get_embeddings
from assistant.retrieval.query_cache import passage_cache_for
from assistant.retrieval.sentences import guide_sentences, passage_text
from assistant.retrieval.text import domain_words, load_user_words, tokenize, write_user_dict

EMBED_CHARS = 160


def _layout_version() -> str:
    """Chunk layout and embedded-text length: a change of either re-embeds everything."""
    return f"{CHUNK_VERSION}/e{EMBED_CHARS}"


def embedding_text(text: str) -> str:
    """What the dense model sees: the chunk's head (matter name, aliases, section) and the start of its
    body. Long sections cost the encoder quadratically and add little to routing; BM25 sees everything."""
    return text[:EMBED_CHARS]


class ChunkRecord(BaseModel):
    id: str
    text: str
    guide_id: str
    matter_code: str
    region_code: str
    section: str
    key: str
    name: str
    updated_at: str = ""
    tokens: list[str] = Field(default_factory=list)

    @field_validator("text", "guide_id", "matter_code", "region_code", "section", "key", "name", "updated_at")
    @classmethod
    def _shared(cls, v: str) -> str:
        # one string object per distinct value: at 10k guides 206k records repeat a few thousand names,
        # codes and dates, and two thirds of the section texts (the same portal text in many counties)
        return sys.intern(v)


class IndexManifest(BaseModel):
    backend: str
    model: str
    dims: int
    chunk_version: str
    built_at: str
    sources: dict[str, str] = Field(default_factory=dict, description="guide or reference id -> content hash")
    chunks: int = 0


class BuildSummary(BaseModel):
    path: str
    backend: str
    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    seconds: float = 0.0
    rebuilt: bool = True
    knowledge_version: int | None = Field(None, description="pgvector：发布后的知识库版本")
    errors: list[str] = Field(default_factory=list)


class StoredIndex(BaseModel):
    """What a build folder holds, in memory."""

    model_config = {"arbitrary_types_allowed": True}

    manifest: IndexManifest
    chunks: list[ChunkRecord]
    vectors: np.ndarray


def current_dir(settings: Settings) -> Path:
    return settings.index_dir / "current"


def read_stored(path: Path, take_tokens: Callable[[ChunkRecord], None] | None = None) -> StoredIndex | None:
    """Load a build folder, or None when there is none or it is unreadable. `take_tokens` sees each record
    as it is read (a serving searcher moves the BM25 tokens out of it; a build keeps them)."""
    try:
        manifest = IndexManifest.model_validate_json((path / "manifest.json").read_text(encoding="utf-8"))
        chunks = []
        with (path / "chunks.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    chunks.append(ChunkRecord.model_validate_json(line))
                    if take_tokens is not None:
                        take_tokens(chunks[-1])
        vectors = np.load(path / "vectors.npy")
    except (OSError, ValueError):
        return None
    if len(chunks) != vectors.shape[0]:
        return None
    return StoredIndex(manifest=manifest, chunks=chunks, vectors=vectors)


def _sources(settings: Settings) -> tuple[list[MatterGuide], list[ReferenceDoc], list[GuideFileError]]:
    guides, errors = load_guides(settings.guides_dir)
    refs = load_references(settings.references_dir) if settings.references_dir.exists() else []
    return guides, refs, errors


def _other_matters(settings: Settings) -> list[dict]:
    path = settings.knowledge_dir / "other_matters.yaml"
    if not path.exists():
        return []
    import yaml

    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [i for i in items if isinstance(i, dict) and i.get("name")]


def _plain(name: str) -> str:
    return re.sub(r"[“”\"《》\s]|一件事$", "", name)


def uncovered_matters(items: list[dict], guides: list[MatterGuide]) -> list[dict]:
    """The catalogue of matters without a guide, minus those a guide now covers, as its own name or as one
    of its linked matters: an imported guide is never shadowed by its own decoy."""
    covered = {_plain(g.name) for g in guides} | {_plain(lm.name) for g in guides for lm in g.linked_matters}
    covered = {c for c in covered if len(c) >= 2}

    def is_covered(name: str) -> bool:
        n = _plain(name)
        # equal, or the decoy's whole name inside a linked matter ("死亡人员户口注销" in "死亡人员户口注销登记");
        # not the other way round: a guide listing "不动产权证书" does not cover "不动产权证书补证换证"
        return n in covered or (len(n) >= 4 and any(n in c for c in covered))

    return [i for i in items if not any(is_covered(n) for n in [i["name"], *(i.get("aliases") or [])])]


def build_index(settings: Settings, progress: bool = False, force: bool = False) -> BuildSummary:
    """(Re)build the index: only new or changed guides are embedded; an unchanged index is kept as is."""
    t0 = time.perf_counter()
    guides, refs, errors = _sources(settings)
    others = uncovered_matters(_other_matters(settings), guides)
    hashes = {g.id: content_hash(g) for g in guides} | {r.id: content_hash(r) for r in refs}
    if others:
        hashes["other_matters"] = hashlib.sha256(
            json.dumps(others, ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest()[:16]
    emb = get_embeddings(settings)
    model_id = str(getattr(emb, "model_id", emb.name))
    local = None if force else read_stored(current_dir(settings))
    pg = _pg_index(settings)
    # with pgvector, what every node serves is in PostgreSQL: that is the build to compare with; the
    # local build folder only lends vectors it already has
    old = (None if force else pg.read(with_vectors=True)[0]) if pg else local

    def usable(prev: StoredIndex | None) -> bool:
        return (
            prev is not None
            and prev.manifest.backend == emb.name
            and prev.manifest.model == model_id
            and prev.manifest.dims == emb.dims
            and prev.manifest.chunk_version == _layout_version()
        )

    compatible = usable(old)
    old_sources = old.manifest.sources if (compatible and old) else {}
    summary = BuildSummary(path=str(current_dir(settings)), backend=emb.name, errors=[str(e) for e in errors])
    summary.added = sorted(k for k in hashes if k not in old_sources)
    summary.changed = sorted(k for k in hashes if k in old_sources and old_sources[k] != hashes[k])
    summary.removed = sorted(k for k in old_sources if k not in hashes)
    summary.unchanged = sum(1 for k in hashes if old_sources.get(k) == hashes[k])
    if compatible and old and not (summary.added or summary.changed or summary.removed):
        summary.rebuilt = False
        summary.chunks = len(old.chunks)
        summary.seconds = round(time.perf_counter() - t0, 3)
        return summary

    words = domain_words(guides)
    load_user_words(words)
    # vectors are reused by the exact text the model saw: an edit re-embeds only the sections it touched
    reuse: dict[str, np.ndarray] = {}
    for prev in (local, old):
        if prev is not None and usable(prev):
            for rec, vec in zip(prev.chunks, prev.vectors, strict=True):
                reuse[embedding_text(rec.text)] = vec

    records: list[ChunkRecord] = []
    vectors: list[np.ndarray | None] = []
    to_embed: list[int] = []
    docs = [d for g in guides for d in guide_chunks(g)] + [d for r in refs for d in reference_chunks(r)]
    docs += other_matter_chunks(others)
    for d in docs:
        md = d.metadata
        rec = ChunkRecord(
            id=md["chunk_id"],
            text=d.page_content,
            guide_id=md["guide_id"],
            matter_code=md["matter_code"],
            region_code=md["region_code"],
            section=md["section"],
            key=md["key"],
            name=md["name"],
            updated_at=md["updated_at"],
            tokens=tokenize(d.page_content),
        )
        records.append(rec)
        cached = reuse.get(embedding_text(rec.text))
        if cached is not None:
            vectors.append(cached)
        else:
            vectors.append(None)
            to_embed.append(len(records) - 1)

    if to_embed:
        from tqdm import tqdm

        by_text: dict[str, list[int]] = {}
        for j in to_embed:
            by_text.setdefault(embedding_text(records[j].text), []).append(j)
        texts = sorted(by_text, key=len)  # similar lengths per batch: less padding work for the encoder
        batch = 16
        bar = tqdm(total=len(texts), desc="向量化", unit="段", disable=not progress)
        for i in range(0, len(texts), batch):
            part = texts[i : i + batch]
            for t, v in zip(part, emb.embed_passages(part), strict=True):
                for j in by_text[t]:
                    vectors[j] = v
            bar.update(len(part))
        bar.close()
    matrix = np.vstack(vectors).astype(np.float32) if records else np.zeros((0, emb.dims), np.float32)
    manifest = IndexManifest(
        backend=emb.name,
        model=model_id,
        dims=emb.dims,
        chunk_version=_layout_version(),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sources=hashes,
        chunks=len(records),
    )
    _write_build(settings, manifest, records, matrix, words)
    if pg:
        summary.knowledge_version = pg.publish(manifest, records, matrix, words, guides)
    summary.chunks = len(records)
    summary.embedded_chunks = len({embedding_text(records[j].text) for j in to_embed})
    # the sentences of new and changed guides, so that no citizen waits for them (answer/pinpoint.py)
    fresh = set(summary.added) | set(summary.changed)
    cache = passage_cache_for(settings, model_id)
    for g in guides:
        if g.id in fresh:
            cache.get_many([passage_text(s) for s in guide_sentences(g)], emb.embed_passages)
    cache.close()
    summary.seconds = round(time.perf_counter() - t0, 3)
    return summary


def _write_build(
    settings: Settings,
    manifest: IndexManifest,
    records: list[ChunkRecord],
    matrix: np.ndarray,
    words: list[str],
) -> None:
    """Write a complete build folder, then point `current` at it with one atomic rename."""
    root = settings.index_dir
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    tmp = builds / f".tmp-{name}"
    tmp.mkdir()
    try:
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for r in records:
                fh.write(r.model_dump_json() + "\n")
        np.save(tmp / "vectors.npy", matrix)
        write_user_dict(words, tmp / "userdict.txt")
        (tmp / "manifest.json").write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        final = builds / name
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    link = current_dir(settings)
    tmp_link = root / f".current-{name}"
    os.symlink(Path("builds") / name, tmp_link)
    os.replace(tmp_link, link)
    # keep the previous build for readers that still have it open; drop older ones
    keep = {name, *(p.name for p in sorted(builds.iterdir())[-2:])}
    for p in builds.iterdir():
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def _pg_index(
    settings: Settings,
):  # -> PgIndex | None (imported lazily: SQLAlchemy/psycopg only for pgvector)
    if settings.vector_store != "pgvector":
        return None
    from assistant.retrieval.pg_index import PgIndex

    return PgIndex(settings.database_url)


def faiss_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner-product index over unit vectors (cosine)."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index
