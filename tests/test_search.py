"""Search ranking on real guides with the real default embedding model; region handling."""

from __future__ import annotations

import pytest

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
