"""A guide imported without curation is asked about in the citizen's own words (issue 16): a word the guides
never use but that, on its own, means the very matter the whole question found first ("火锅店" for 开办餐饮店)
lets the question be answered; when the word means a matter that did not rank first, the refusal asks whether
it is meant, and its chip answers the same question of that matter."""

from __future__ import annotations

import pytest

from assistant.retrieval.index import build_index
from assistant.retrieval.search import Searcher
from assistant.retrieval.uncurated import uncurated_knowledge
from assistant.services import build_assistant
from assistant.store import Store


def _fresh_guide(settings, tmp_path_factory, matter_code: str):
    """An assistant whose knowledge has this matter imported from the portal without curation."""
    root = tmp_path_factory.mktemp(f"uncurated-{matter_code}")
    s, _how = uncurated_knowledge(settings, matter_code, root)
    build_index(s)
    return build_assistant(s, searcher=Searcher(s), store=Store(f"sqlite:///{root}/s.db"))


@pytest.fixture(scope="module")
def fresh_restaurant_guide(settings, tmp_path_factory):
    return _fresh_guide(settings, tmp_path_factory, "43TCN0003")


def test_a_word_the_guides_do_not_use_that_means_the_top_matter_is_answered(fresh_restaurant_guide):
    bot = fresh_restaurant_guide
    sid, _ = bot.new_session()
    a = bot.respond(sid, "长沙开火锅店要什么材料")
    assert a.mode == "composer" and a.matter_code == "43TCN0003"
    # the word as the tagger cuts it ("火锅店", or "开火锅店" once another knowledge base taught it that word)
    assert any("火锅店" in w for w in a.trace["scope"]["known_by_meaning"])  # staff see why it was answered
    assert "申请材料" in a.text and "申请书" in a.text


def test_a_word_meaning_a_matter_that_did_not_rank_first_asks_whether_it_is_meant(fresh_restaurant_guide):
    bot = fresh_restaurant_guide
    sid, _ = bot.new_session()
    # (火锅店 itself now reads as 餐饮 in the lexical query, retrieval/plain_terms.py: a word no rule has)
    a = bot.respond(sid, "想在小区门口开个面包房，办证要准备哪些材料啊")
    assert a.mode == "refusal"
    assert "您问的是不是“开办餐饮店一件事”" in a.text
    assert "不在我的办事指南范围内" not in a.text  # it is in the guides, under another word
    chip = a.suggestions[0]
    assert chip.label == "开办餐饮店一件事" and "面包房" in chip.text
    b = bot.respond(sid, chip.text)
    assert b.matter_code == "43TCN0003"


def test_a_not_covered_matter_is_not_offered_as_a_guide_word(fresh_restaurant_guide):
    bot = fresh_restaurant_guide
    sid, _ = bot.new_session()
    a = bot.respond(sid, "办护照要带什么材料")
    assert a.mode == "refusal"
    assert a.trace["scope"]["known_by_meaning"] == []  # nearest is the catalogue's 普通护照签发
    assert "您问的是不是" not in a.text


def test_a_word_nearest_to_a_guide_that_did_not_rank_first_is_offered_too(settings, tmp_path):
    bot = build_assistant(settings, store=Store(f"sqlite:///{tmp_path}/s.db"))
    sid, _ = bot.new_session()
    a = bot.respond(sid, "想在小区门口开个面包房，办证要准备哪些材料啊")  # ranks 结婚落户 first
    assert a.mode == "refusal" and "您问的是不是“开办餐饮店一件事”" in a.text
    assert a.suggestions[0].label == "开办餐饮店一件事"
    b = bot.respond(sid, a.suggestions[0].text)
    assert b.matter_code == "43TCN0003"  # then asks the region: the matter has guides of two cities


@pytest.fixture(scope="module")
def fresh_disability_guide(settings, tmp_path_factory):
    return _fresh_guide(settings, tmp_path_factory, "43PCN0012")


def test_a_colloquial_word_for_the_top_matters_certificate_is_answered(fresh_disability_guide):
    """ "残废证" (an old, colloquial word for 残疾人证) is in no guide: it is answered because on its own it means
    the very matter the question found first, and staff see the word in the trace."""
    bot = fresh_disability_guide
    sid, _ = bot.new_session()
    a = bot.respond(sid, "残废证要几天")
    assert a.mode == "composer" and a.matter_code == "43PCN0012"
    assert "残废证" in a.trace["scope"]["known_by_meaning"]
    assert "工作日" in a.text


def test_an_everyday_kind_of_business_matches_the_official_word_of_the_imported_guide(fresh_restaurant_guide):
    # "米粉店" is an 餐饮 business (retrieval/plain_terms.py): the guide, written in official words only, is found
    bot = fresh_restaurant_guide
    sid, _ = bot.new_session()
    a = bot.respond(sid, "长沙想开个米粉店，办证要准备哪些材料啊")
    assert a.mode == "composer" and a.matter_code == "43TCN0003"
    assert "申请材料" in a.text


def test_calibration_reads_in_scope_questions_as_about_a_freshly_imported_guide_too(settings):
    """`onething calibrate` fits the scope model on both readings: "扯证" is a curated alias of 结婚落户, so
    the curated reading has the name matched; read with that guide just imported, nothing names it."""
    from assistant.answer.scope import FEATURES, ScopeModel, ScopeParams
    from assistant.answer.scope_new_guides import uncurated_rows
    from assistant.retrieval.search import get_searcher

    question = "扯证要带什么"
    searcher = get_searcher(settings)
    curated = ScopeModel(searcher, ScopeParams()).features(question, searcher.search(question, k=8))
    [fresh] = uncurated_rows(settings, {"43PCP0007": [question]})
    name_match = FEATURES.index("name_match")
    assert curated.vector()[name_match] == 1.0
    assert fresh[name_match] == 0.0
