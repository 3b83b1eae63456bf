"""A guide as single sentences with their passage vectors, for finding the one sentence that answers a part
of a question (answer/pinpoint.py). Sections are too coarse for that: a FAQ answer or a condition's
detail holds the fact, the section holds twenty others.

Vectors come from the shared passage cache (diskcache or Redis, keyed by text and model), so a sentence is
embedded once per deployment; `onething index` embeds the sentences of new and changed guides. The
matrices of the guides asked about lately are kept in memory (an explicit LRU cache)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel

from assistant.guides.schema import MatterGuide
from assistant.retrieval.query_cache import QueryVectorCache

_SENTENCE = re.compile(r"(?<=[。；;！？!?\n])")


class GuideSentence(BaseModel):
    section: str  # the aspect whose section holds it
    text: str
    context: str = ""  # what it answers, when that is not in the sentence: a FAQ's question, a condition
    whole: str = (
        ""  # the FAQ answer it is one sentence of (a condition's detail lists unrelated items: not kept)
    )
    asks: bool = False  # the sentence is a FAQ's question: what answers it is `whole`, from its start


def _split(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text or "") if len(s.strip()) >= 4]


def guide_sentences(g: MatterGuide) -> list[GuideSentence]:
    """Every sentence of the guide that states a fact a part of a question may ask about."""
    out = [GuideSentence(section="overview", text=s) for s in _split(g.summary)]
    for c in g.conditions:
        out.append(GuideSentence(section="conditions", text=c.text))
        if c.title.strip() and c.title.strip() != c.text:
            out += [GuideSentence(section="conditions", text=s, context=c.text) for s in _split(c.title)]
    for step in g.process:
        out += [GuideSentence(section="process", text=s) for s in _split(step)]
    for f in g.faqs:
        out.append(GuideSentence(section="faq", text=f.question, whole=f.answer.strip(), asks=True))
        out += [
            GuideSentence(section="faq", text=s, context=f.question, whole=f.answer.strip())
            for s in _split(f.answer)
        ]
    for m in g.materials:
        out.append(
            GuideSentence(section="materials", text=m.name + (f"（{m.situation}）" if m.situation else ""))
        )
    for lm in g.linked_matters:
        out.append(
            GuideSentence(section="linked_matters", text=lm.name + (f"：{lm.result}" if lm.result else ""))
        )
    for it in g.fee.items:
        out.append(GuideSentence(section="fee", text=f"{it.name}：{it.standard}".rstrip("：")))
    if g.online:
        out.append(GuideSentence(section="online_entry", text=g.online))
    for loc in g.locations:  # as the composer writes them, so that one already in an answer is seen there
        where = f"{loc.name}，地址：{loc.address}" if loc.address and loc.address != loc.name else loc.name
        out.append(GuideSentence(section="locations", text=where, context="办理地点"))
    if g.contact.consultation:
        out.append(GuideSentence(section="contacts", text=f"咨询电话：{'、'.join(g.contact.consultation)}"))
    seen: set[str] = set()
    return [s for s in out if s.text and not (s.text in seen or seen.add(s.text))]


def passage_text(s: GuideSentence) -> str:
    """What the encoder sees: the sentence after what it answers."""
    return f"{s.context} {s.text}".strip()


class SentenceVectors:
    """Per guide (by id and update date): its sentences and their unit vectors; the last `size` guides kept."""

    def __init__(
        self, cache: QueryVectorCache, embed_passages: Callable[[list[str]], np.ndarray], size: int = 64
    ):
        self._cache = cache
        self._embed = embed_passages
        self._size = size
        self._guides: OrderedDict[str, tuple[list[GuideSentence], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, g: MatterGuide) -> tuple[list[GuideSentence], np.ndarray]:
        key = f"{g.id}@{g.updated_at}"
        with self._lock:
            if key in self._guides:
                self._guides.move_to_end(key)
                return self._guides[key]
        sents = guide_sentences(g)
        matrix = self._cache.get_many([passage_text(s) for s in sents], self._embed)
        with self._lock:
            self._guides[key] = (sents, matrix)
            while len(self._guides) > self._size:
                self._guides.popitem(last=False)
        return sents, matrix
