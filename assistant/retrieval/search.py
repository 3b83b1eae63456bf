"""Hybrid search over section chunks and two-step routing: which matter (with confidence), then which section."""

from __future__ import annotations

import math
import threading
import time
from functools import lru_cache
from typing import Literal

import numpy as np

from assistant.config import Settings, get_settings
from assistant.guides.regions import Region, RegionRegistry
from assistant.guides.schema import MatterGuide
from assistant.guides.store import GuideHead
from assistant.retrieval.cascade import lexical_decision
from assistant.retrieval.chunking import OTHER_SECTION
from assistant.retrieval.dense import DenseSearch, IndexNotBuiltError, open_index
from assistant.retrieval.embeddings import get_embeddings
from assistant.retrieval.index import ChunkRecord, current_dir
from assistant.retrieval.memory import release_free_memory
from assistant.retrieval.names import linked_table, name_table
from assistant.retrieval.plain_terms import official_terms
from assistant.retrieval.query_cache import passage_cache_for, query_cache_for
from assistant.retrieval.results import MatterScore, Mode, OtherMatterHit, SearchResult, SectionHit
from assistant.retrieval.segments import matter_boost, minmax, sigmoid, top_two_per_segment
from assistant.retrieval.text import load_user_words, normalize, tokenize

SECOND_WEIGHT = 0.15
OVERVIEW_WEIGHT = 0.4
NAME_BONUS = 0.25
LINKED_BONUS = 0.12  # a linked matter's own name in the question (死亡人员户口注销 → 个人身后一件事)


class Searcher:
    """Loaded index plus the guides it was built from; thread-safe for reads."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        opened = open_index(self.settings)
        self.knowledge_version = opened.version
        self.dense: DenseSearch = opened.dense
        self.dense_k = opened.dense_k
        self.manifest = opened.stored.manifest
        self.chunks: list[ChunkRecord] = opened.stored.chunks
        self.guides = opened.guides  # compact, parsed on access (guides/store.py; 10k parsed: 410 MB)
        self.registry = RegionRegistry.load(self.settings.knowledge_dir / "regions.yaml")
        load_user_words(opened.words)
        self.bm25 = opened.corpus.bm25()  # from the token ids the records' tokens became as they were read
        release_free_memory()
        self.embeddings = get_embeddings(self.settings)
        self.chunk_idx_by_guide: dict[str, np.ndarray] = {}
        for i, c in enumerate(self.chunks):
            if c.section != OTHER_SECTION and c.matter_code:
                self.chunk_idx_by_guide.setdefault(c.guide_id, []).append(i)
        self.chunk_idx_by_guide = {k: np.array(v, dtype=int) for k, v in self.chunk_idx_by_guide.items()}
        self._reference_idx = np.array(
            [i for i, c in enumerate(self.chunks) if c.section != OTHER_SECTION and not c.matter_code],
            dtype=int,
        )
        self._chunk_idx_by_matter: dict[str, list[int]] = {}
        self._other_idx = np.array(
            [i for i, c in enumerate(self.chunks) if c.section == OTHER_SECTION], dtype=int
        )
        self._guide_mask = np.array([c.section != OTHER_SECTION for c in self.chunks])
        for i, c in enumerate(self.chunks):
            if c.section != OTHER_SECTION:
                self._chunk_idx_by_matter.setdefault(c.matter_code, []).append(i)
        self._overview_idx: dict[str, list[int]] = {}
        for i, c in enumerate(self.chunks):
            if c.section == "overview":
                self._overview_idx.setdefault(c.matter_code, []).append(i)
        # the chunks of every matter laid out as consecutive segments, for vectorised matter scoring
        self._matter_codes = [c for c in self._chunk_idx_by_matter if c]
        self._matter_pos = {c: i for i, c in enumerate(self._matter_codes)}
        members = [np.asarray(self._chunk_idx_by_matter[c], dtype=int) for c in self._matter_codes]
        self._seg_sizes = np.array([len(m) for m in members], dtype=int)
        self._seg_members = np.concatenate(members) if members else np.zeros(0, int)
        self._seg_ids = np.repeat(np.arange(len(members)), self._seg_sizes)
        self._seg_starts = np.concatenate([[0], np.cumsum(self._seg_sizes)[:-1]]).astype(int)
        pairs = [(p, j) for p, c in enumerate(self._matter_codes) for j in self._overview_idx.get(c, [])]
        self._ov_seg = np.array([p for p, _ in pairs], dtype=int)
        self._ov_chunk = np.array([j for _, j in pairs], dtype=int)
        self._names = name_table(self.guides.values())
        self._linked = linked_table(self.guides.values())
        self._guides_by_matter: dict[str, list[GuideHead]] = {}
        for h in self.guides.heads.values():
            self._guides_by_matter.setdefault(h.matter_code, []).append(h)
        self._matter_regions = {
            code: sorted({h.region_name for h in hs}) for code, hs in self._guides_by_matter.items()
        }
        self._guide_choice: dict[tuple[str, str | None], tuple[GuideHead | None, bool]] = {}
        # what strip_names removes, in order: matter names and aliases, then each region's names
        self._strip_seq = [n for n, _code in self._names] + [
            normalize(n)
            for r in self.registry.all()
            for n in sorted(r.names(), key=len, reverse=True)
            if len(n) >= 2
        ]
        self._lock = threading.Lock()
        self._embed_lock = threading.Lock()
        model_id = getattr(self.embeddings, "model_id", self.settings.embedding_backend)
        self.query_vectors = query_cache_for(self.settings, model_id)
        self.passage_vectors = passage_cache_for(self.settings, model_id)  # guide sentences (pinpoint)
        # an explicit cache of the last query vectors, whatever query_cache_size says
        self._recent = lru_cache(maxsize=32)(self._encode)

    def embed_query(self, text: str) -> np.ndarray:
        return self._recent(text)  # one turn often embeds a text twice (search, then FAQ or quote): once

    def _encode(self, text: str) -> np.ndarray:
        # its own lock (or none): a 25 ms embedding must not hold up the other requests' BM25 step
        if getattr(self.embeddings, "concurrent_queries", False):
            return self.embeddings.embed_query_array(text)
        with self._embed_lock:
            return self.embeddings.embed_query_array(text)

    # -- knowledge helpers used by the dialog layer -------------------------------------------
    def heads_for(self, matter_code: str) -> list[GuideHead]:  # the matter's guides, nothing parsed
        return list(self._guides_by_matter.get(matter_code, ()))

    def guide_for_region(self, matter_code: str, region_code: str | None) -> tuple[MatterGuide | None, bool]:
        head, fallback = self.head_for_region(matter_code, region_code)
        return (self.guides[head.id] if head else None), fallback

    def head_for_region(self, matter_code: str, region_code: str | None) -> tuple[GuideHead | None, bool]:
        """A matter's guide (head) for a region: the region's own, else its city's, else another's (fallback)."""
        key = (matter_code, region_code)
        if key not in self._guide_choice:  # an explicit cache: guides and regions are fixed once loaded
            self._guide_choice[key] = self._choose_guide(matter_code, region_code)
        return self._guide_choice[key]

    def _choose_guide(self, matter_code: str, region_code: str | None) -> tuple[GuideHead | None, bool]:
        options = self._guides_by_matter.get(matter_code, [])
        if not options:
            return None, False
        if not region_code:
            return sorted(options, key=lambda g: g.region_code)[0], False
        ranked = sorted(options, key=lambda g: (self._region_rank(g.region_code, region_code), g.region_code))
        best = ranked[0]
        return best, self._region_rank(best.region_code, region_code) >= 20

    def _region_rank(self, guide_region: str, user_region: str) -> int:
        if guide_region == user_region:
            return 0
        lineage = [r.code for r in self.registry.lineage(user_region)]
        if guide_region in lineage:
            return lineage.index(guide_region)
        if user_region in [r.code for r in self.registry.lineage(guide_region)]:
            return 10  # a district guide inside the user's city
        return 20

    def linked_matches(self, query: str) -> set[str]:
        """Matters one of whose (distinctive) linked matters the query names."""
        q = normalize(query)
        return {code for n, code in self._linked if n in q}

    def name_matches(self, query: str) -> dict[str, int]:
        """Matters whose name or alias occurs in the query, with the length of the longest match."""
        q = normalize(query)
        found: dict[str, int] = {}
        for n, code in self._names:
            if n in q and len(n) > found.get(code, 0):
                found[code] = len(n)
        return found

    def strip_names(self, text: str, gap: str = " ") -> str:
        """The text without matter names, aliases and region names, so that "就医费用报销" is not read
        as a question about fees; each name leaves `gap` (nothing, for reading the question's words around
        it: "还能走简易注销吗" is "还能走吗", "去长沙哪里" is "去哪里")."""
        q = normalize(text)
        for n in self._strip_seq:
            if n in q:
                q = q.replace(n, gap)
        return q

    def resolve_region(self, region: str | None) -> Region | None:
        return self.registry.find_by_name(region) if region else None

    # -- search ------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        region: str | None = None,
        k: int = 5,
        mode: Mode = "hybrid",
        lexical_ok: bool = True,
    ) -> SearchResult:
        """Matters and sections for a query. With the cascade on (and `lexical_ok`), a query whose words
        decide the matter skips the encoder (`stage="lexical"`)."""
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        reg = self.resolve_region(region)
        source: Literal["given", "query", "none"] = "given" if reg else "none"
        if reg is None:
            mentioned = [r for r in self.registry.mentioned(query) if r.level != "province"]
            if mentioned:
                reg, source = mentioned[0], "query"
        n = len(self.chunks)
        dense = np.zeros(n, np.float32)
        sparse = np.zeros(n, np.float32)
        t1 = time.perf_counter()
        if mode in ("hybrid", "bm25"):
            # everyday words also match the official ones a guide is written in ("领证" 结婚登记)
            tokens = tokenize(query) + tokenize(official_terms(normalize(query)))
            if tokens:
                with self._lock:
                    sparse = np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)
        timings["bm25"] = (time.perf_counter() - t1) * 1000
        s_norm = sparse / sparse.max() if sparse.max() > 0 else sparse
        names = self.name_matches(query) if mode == "hybrid" else {}
        linked = self.linked_matches(query) if mode == "hybrid" else set()
        stage, reason = mode, ""
        matters: list[MatterScore] = []
        if mode == "hybrid" and self.settings.cascade and lexical_ok:
            # lexical stage: BM25 and the matter names alone; when they decide clearly, the encoder is skipped
            matters = self._rank_matters(
                s_norm, dense, sparse, names, reg, "bm25", linked, neutral_dense=True
            )
            reason = lexical_decision(matters, names, self.settings.cascade_gap)
            stage = "lexical" if reason else "hybrid"
        if stage == "lexical":
            combined = s_norm
        else:
            if mode in ("hybrid", "dense"):
                t2 = time.perf_counter()
                qv, cached = self.query_vectors.get_or_compute(query, self.embed_query)
                timings["embed_cached" if cached else "embed"] = (time.perf_counter() - t2) * 1000
                sims, ids = self.dense.search(qv, min(n, self.dense_k))
                # sections beyond the k nearest (pgvector) score as the k-th: they are no nearer than it
                dense[:] = float(sims.min()) if len(sims) else 0.0
                dense[ids] = sims
            w = self.settings.dense_weight if mode == "hybrid" else (1.0 if mode == "dense" else 0.0)
            d_norm = minmax(dense) if mode != "bm25" else dense
            combined = w * d_norm + (1 - w) * s_norm
            matters = self._rank_matters(combined, dense, sparse, names, reg, mode, linked)
        # section ranking: chunks of the guide chosen for each matter (and reference text), boosted by the
        # rank of their matter, so the top hits come from the top matter first
        allowed = [self.chunk_idx_by_guide[m.guide_id] for m in matters] + [self._reference_idx]
        idx = (
            np.concatenate([a for a in allowed if len(a)])
            if any(len(a) for a in allowed)
            else np.array([], int)
        )
        boost = np.zeros(n, np.float32)
        for rank, m in enumerate(matters[:3]):
            boost[self.chunk_idx_by_guide[m.guide_id]] = 0.5 * matter_boost(rank)
        ranked = idx[np.argsort(-(combined[idx] + boost[idx]), kind="stable")] if len(idx) else idx
        order = ranked.tolist()
        hits = [self._hit(i, combined, dense, sparse) for i in order[:k]]
        other = None
        if len(self._other_idx) and mode == "hybrid":
            j = int(self._other_idx[np.argmax(combined[self._other_idx])])
            best_guide = float(combined[self._guide_mask].max()) if self._guide_mask.any() else 0.0
            other = OtherMatterHit(
                name=self.chunks[j].name,
                score=round(float(combined[j]), 4),
                margin=round(float(combined[j]) - best_guide, 4),
            )
        top_conf = matters[0].confidence if matters else 0.0
        margin = top_conf - matters[1].confidence if len(matters) > 1 else top_conf
        timings["total"] = (time.perf_counter() - t0) * 1000
        return SearchResult(
            query=query,
            region_code=reg.code if reg else None,
            region_name=reg.name if reg else None,
            region_source=source,
            mode=mode,
            stage=stage,
            stage_reason=reason,
            hits=hits,
            matters=matters[: max(k, 5)],
            confidence=round(top_conf, 4),
            margin=round(margin, 4),
            other_matter=other,
            timings_ms={k2: round(v, 2) for k2, v in timings.items()},
        )

    def _rank_matters(
        self,
        combined: np.ndarray,
        dense: np.ndarray,
        sparse: np.ndarray,
        names: dict[str, int],
        reg: Region | None,
        mode: Mode,
        linked: set[str] = frozenset(),  # type: ignore[assignment]
        neutral_dense: bool = False,
    ) -> list[MatterScore]:
        # matter score = best section + a little of the second best (breadth of support)
        #   + the dense match of the overview chunk (name, aliases, summary: "is this the matter at all")
        #   + a bonus when the question names the matter or one of its aliases.
        # Weights chosen on eval/retrieval.jsonl + eval/qa.jsonl (README, "Retrieval quality").
        d_norm = minmax(dense) if mode != "bm25" else np.zeros_like(dense)
        if not self._matter_codes:
            return []
        # best and second-best section per matter: sort each matter's segment of chunks, read the first two
        top1, top2 = top_two_per_segment(
            combined[self._seg_members].astype(np.float64), self._seg_ids, self._seg_starts, self._seg_sizes
        )
        scores = top1 + SECOND_WEIGHT * top2
        if mode == "hybrid" and len(self._ov_seg):
            ov = np.full(len(self._matter_codes), -np.inf)
            np.maximum.at(ov, self._ov_seg, d_norm[self._ov_chunk].astype(np.float64))
            scores += OVERVIEW_WEIGHT * np.where(np.isfinite(ov), ov, 0.0)
        for code in names:
            if code in self._matter_pos:
                scores[self._matter_pos[code]] += NAME_BONUS
        for code in linked:
            if code in self._matter_pos and code not in names:
                scores[self._matter_pos[code]] += LINKED_BONUS
        rows = sorted(zip(scores.tolist(), self._matter_codes, strict=True), reverse=True)
        top_dense = float(np.max(dense)) if mode != "bm25" and len(dense) else 0.0
        top_sparse = float(np.max(sparse)) if mode != "dense" and len(sparse) else 0.0
        # absolute evidence that the question is about any guide at all
        # (the lexical stage has no dense score: its term counts as neutral, neither for nor against)
        dense_term = 0.0 if neutral_dense else top_dense - self.settings.conf_dense_center
        evidence = sigmoid(
            self.settings.conf_dense_scale * dense_term
            + self.settings.conf_bm25_scale * (math.log1p(top_sparse) - self.settings.conf_bm25_center)
            + (1.5 if names else 0.0)
        )
        scores = np.array([r[0] for r in rows])
        rel = np.exp((scores - scores.max()) / 0.08)
        rel = rel / rel.sum()
        out = []
        for (score, code), share in zip(rows, rel, strict=True):
            guide, fallback = self.head_for_region(code, reg.code if reg else None)
            if guide is None:  # every matter code here comes from a loaded guide's chunks
                raise IndexNotBuiltError(f"索引与指南不一致：事项 {code} 没有指南，请重新运行 onething index")
            out.append(
                MatterScore.model_construct(  # built from our own typed values: no re-validation per search
                    matter_code=code,
                    name=guide.name,
                    guide_id=guide.id,
                    region_code=guide.region_code,
                    region_name=guide.region_name,
                    score=round(score, 4),
                    confidence=round(float(evidence * share), 4),
                    name_match=code in names,
                    regions=list(self._matter_regions[code]),
                    region_fallback=fallback,
                )
            )
        return out

    def _hit(self, i: int, combined: np.ndarray, dense: np.ndarray, sparse: np.ndarray) -> SectionHit:
        c = self.chunks[i]
        region = self.registry.get(c.region_code)
        body = c.text.split("：", 1)[-1]
        return SectionHit(
            chunk_id=c.id,
            guide_id=c.guide_id,
            matter_code=c.matter_code,
            name=c.name,
            region_code=c.region_code,
            region_name=region.name if region else c.region_code,
            section=c.section,
            score=round(float(combined[i]), 4),
            dense=round(float(dense[i]), 4),
            bm25=round(float(sparse[i]), 4),
            snippet=body[:120],
            updated_at=c.updated_at,
        )


_searchers: dict[tuple[str, str, bool, str], Searcher] = {}
_searchers_lock = threading.Lock()


def get_searcher(settings: Settings | None = None) -> Searcher:
    """A loaded Searcher per (knowledge, index) pair, cached for the process; reload after re-indexing."""
    settings = settings or get_settings()
    key = (
        str(settings.knowledge_dir),
        str(current_dir(settings).resolve()),
        settings.query_cache_disk,
        settings.redis_url,
        settings.vector_store,
        settings.database_url if settings.vector_store == "pgvector" else "",
    )
    with _searchers_lock:
        if key not in _searchers:
            _searchers[key] = Searcher(settings)
        return _searchers[key]


def search(
    query: str, region: str | None = None, k: int = 5, settings: Settings | None = None
) -> SearchResult:
    """Ranked section hits plus a matter ranking with confidence, for the dialog layer and the CLI."""
    return get_searcher(settings).search(query, region=region, k=k)
