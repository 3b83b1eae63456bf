"""The guide's own sentence for each part of a question (answer/pinpoint.py) on the real guides and encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answer.pinpoint import question_parts
from assistant.retrieval.query_cache import QueryVectorCache
from assistant.retrieval.sentences import SentenceVectors, guide_sentences
from assistant.services import build_assistant
from assistant.store import Store


@pytest.fixture
def bot(settings, searcher, tmp_path: Path):
    return build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/t.db"))


def test_only_the_parts_that_ask_something():
    parts = question_parts("长沙这边，伢子刚出生 出生证要准备么子？另外网上能办不")
    assert parts == ["出生证要准备么子", "网上能办不"]


def test_guide_sentences_split_faq_answers_and_keep_their_question(searcher):
    g, _ = searcher.guide_for_region("43PCN0009", "430100")
    sents = guide_sentences(g)
    faq = [s for s in sents if s.section == "faq" and "24小时内" in s.text]
    assert faq and "预防接种证" in faq[0].context
    assert len({s.text for s in sents}) == len(sents)


@pytest.mark.parametrize(
    ("question", "region", "fact"),
    [
        ("身份证到期了换一张新的工本费多少", "长沙市", "20元/证"),
        ("公司注销时清算组在报纸上登债权人公告要登多少天？材料要哪些", "长沙市", "公告期为45日"),
    ],
)
def test_a_fact_in_a_detail_is_quoted_first(bot, question, region, fact):
    sid, _ = bot.new_session()
    a = bot.respond(sid, question, region=region)
    assert a.mode == "composer"
    head, _, rest = a.text.partition("\n\n")
    assert head.startswith("与您问的直接相关：") and fact in head
    assert a.trace["pinpoints"] and a.trace["pinpoints"][0]["score"] >= 0.9
    assert any(c.section == a.trace["pinpoints"][0]["section"] for c in a.citations)


def test_a_plain_aspect_question_gets_no_quote(bot):
    sid, _ = bot.new_session()
    a = bot.respond(sid, "长沙开饭店要带什么材料", region="长沙市")
    assert "与您问的直接相关" not in a.text and a.trace["pinpoints"] == []


def test_sentence_vectors_are_embedded_once(searcher, tmp_path):
    calls: list[int] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return searcher.embeddings.embed_passages(texts)

    g, _ = searcher.guide_for_region("43TCN0008", "430100")
    first = SentenceVectors(QueryVectorCache(0, tmp_path, model_id="t", personal=False), embed).get(g)
    # a new process (a new in-memory cache) finds them in the shared level
    again = SentenceVectors(QueryVectorCache(0, tmp_path, model_id="t", personal=False), embed).get(g)
    assert calls == [len(first[0])]
    assert np.allclose(first[1], again[1]) and first[1].shape[0] == len(first[0])


def test_the_online_answer_names_the_app_the_guide_names(searcher):
    from assistant.answer.composer import compose_aspect

    g, _ = searcher.guide_for_region("43PCP0016", "430102")
    text, _ = compose_aspect(g, "online_entry")
    assert "湖南公安服务平台" in text and "湘易办" in text


def test_a_heading_never_stands_alone_on_the_first_screen(searcher):
    from assistant.answer.composer import FOLD
    from assistant.answer.several import compose_aspects

    g, _ = searcher.guide_for_region("43PCP0016", "430102")
    text, _ = compose_aspects(g, ["linked_matters", "fee", "online_entry"])
    first = text.split(FOLD)[0]
    fee = first.split("收费标准\n", 1)[1].split("\n")
    assert fee[0] == "涉及以下收费：" and fee[1].startswith("· ")


@pytest.mark.parametrize("text", ["区里具体是哪个办公室受理", "在政务中心几楼", "线下是在市民中心哪块办"])
def test_where_in_a_building_asks_for_the_place(text):
    from assistant.answer.aspects import aspects_asked

    assert "locations" in aspects_asked(text)


def test_a_faq_asked_in_other_words_is_quoted_from_the_start_of_its_answer(bot):
    sid, _ = bot.new_session()
    a = bot.respond(sid, "我妈要办残疾证，照片要几寸的？评残结论出来以后多久能领到证？", region="长沙市")
    head = a.text.partition("\n\n")[0]
    # the FAQ's answer opens with the five-day notice; the sentence that matched best (minors) follows
    assert "公示5个工作日" in head and "3个工作日内办结" in head


@pytest.mark.parametrize("text", ["我前年卖过一套房子，会不会有影响", "老公名下有个车贷有影响吗"])
def test_whether_something_matters_asks_for_the_conditions(text):
    from assistant.answer.aspects import aspects_asked

    assert aspects_asked(text) == ["conditions"]


def test_a_faq_quote_never_repeats_what_its_head_already_began():
    from assistant.answer.pinpoint import MAX_CHARS, Pinpoint, quoted_text
    from assistant.retrieval.sentences import GuideSentence

    first = "甲" * (MAX_CHARS - 20) + "。"
    inside = "乙" * 40 + "。"  # begins within the first MAX_CHARS characters, ends after them
    later = "丙" * 30 + "。"
    faq = GuideSentence(
        section="faq", text="问？", whole=first + inside + "丁" * 50 + "。" + later, asks=True
    )
    begun = quoted_text(Pinpoint(part="问", sentence=faq, score=0.95, also=inside))
    assert "……" not in begun and begun.startswith(first)
    after = quoted_text(Pinpoint(part="问", sentence=faq, score=0.95, also=later))
    assert after.endswith("……" + later) and after.count("丙") == 30


@pytest.mark.parametrize(
    ("text", "aspects"),
    [
        ("这个一件事是管什么的，手机上能办不", ["overview", "online_entry"]),
        ("跟单独去办有啥区别？要带哪些资料", ["overview", "materials"]),
        ("要带哪些资料", ["materials"]),
    ],
)
def test_what_a_matter_is_for_is_an_aspect_among_others(text, aspects):
    from assistant.answer.aspects import aspects_asked

    assert aspects_asked(text) == aspects


def test_among_other_aspects_the_overview_says_what_the_matter_covers(searcher):
    from assistant.answer.composer import FOLD
    from assistant.answer.several import compose_aspects

    g, _ = searcher.guide_for_region("43PCP0016", "430102")
    text, citations = compose_aspects(g, ["overview", "online_entry"])
    first = text.split(FOLD)[0]
    assert "是什么" in first and g.linked_matters[0].name in first
    assert "一次告知" not in text  # not the whole overview inside a two-aspect answer
    assert [c.section for c in citations] == ["overview", "online_entry"]


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("社保卡丢了怎么补", "process"),
        ("救助金批下来以后钱是怎么发的", "process"),
        ("贷款要不要本人去面签", "process"),
        ("新社保卡除了看病还能拿来干啥", "linked_matters"),
        ("公司搬走的时候社保公积金会跟着一起处理吗", "linked_matters"),
        ("入职手续一定要去大厅吗", "online_entry"),
        ("宝宝五个月了还能走这个一件事啵", "conditions"),
    ],
)
def test_everyday_ways_of_asking_an_aspect(text, aspect):
    from assistant.answer.aspects import aspects_asked

    assert aspect in aspects_asked(text)


def test_a_lead_line_that_ends_its_own_sentence_gets_no_second_full_stop(searcher):
    from assistant.answer.several import compose_aspects

    g, _ = searcher.guide_for_region("43PCN0011", "430100")
    assert g.online.endswith("。")  # the guide's own 网办程度 sentence is the online lead
    text, _ = compose_aspects(g, ["contacts", "online_entry"])
    lead = text.split("\n")[0]
    assert lead.endswith(g.online) and "。。" not in lead and "。；" not in lead
