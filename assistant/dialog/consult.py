"""The consultation flow (智能问答): follow-ups, clarifying the region or the matter, refusing what the
guides do not cover, and answering the aspect asked from the chosen guide, with citations."""

from __future__ import annotations

import re
from functools import partial

from assistant.answer.aspects import asks_specific, is_intent_statement, primary_aspect
from assistant.answer.composer import (
    ASPECT_LABELS,
    FOLLOWUP_QUESTIONS,
    cite,
    compose_aspect,
    compose_faq,
    place_fold,
    source_line,
)
from assistant.answer.faq_additions import with_faqs
from assistant.answer.faq_match import faqs_of_parts, match_faqs
from assistant.answer.faq_similarity import faq_closeness
from assistant.answer.generate import AnswerGenerator
from assistant.answer.models import Answer, Suggestion
from assistant.answer.pinpoint import Pinpointer, quoted_sections
from assistant.answer.scope import ScopeModel
from assistant.answer.several import compose_aspects
from assistant.config import Settings
from assistant.dialog.handoff import HandoffFlow
from assistant.dialog.state import Choice, DialogState, Pending
from assistant.dialog.understand import TurnContext
from assistant.guides.regions import Region
from assistant.guides.store import GuideHead
from assistant.masking import without_personal_data
from assistant.retrieval.results import MatterScore
from assistant.retrieval.search import Searcher, SearchResult
from assistant.retrieval.text import normalize

FOLLOWUP_ORDER = [
    "materials",
    "conditions",
    "time_limit",
    "locations",
    "contacts",
    "online_entry",
    "linked_matters",
    "process",
    "fee",
]
_REGION_FILLER = re.compile(
    r"[那么呢的吧啊呀？?。！!，,\s]|换成|改成|如果是|如果在|我在|我是|的话|怎么样|怎么办|如何|这边|那边"
)


# a not-yet-covered matter that outscores every guide section by this much is what a question is about, even
# in the middle of a conversation about a covered one (chosen on the dev dialogs)
_OTHER_MATTER_MARGIN = 0.4
_CLEAR_CONFIDENCE = 0.5
_CLEAR_MARGIN = 0.45
_CLEAR_DENSE = 0.885


class ConsultFlow:
    def __init__(
        self,
        settings: Settings,
        searcher: Searcher,
        scope: ScopeModel,
        handoff: HandoffFlow,
        generator: AnswerGenerator | None = None,
    ):
        self.settings = settings
        self.searcher = searcher
        self.scope = scope
        self.handoff = handoff
        self.generator = generator
        self.pinpointer = Pinpointer(searcher)

    # -- the turn ------------------------------------------------------------------------------
    def handle(self, ctx: TurnContext) -> Answer:
        text, state, new_region, aspect = ctx.text, ctx.state, ctx.new_region, ctx.aspect
        res = ctx.result()
        feats = ctx.features()
        trace = {
            "matters": [
                m.model_dump(include={"matter_code", "name", "score", "confidence", "name_match"})
                for m in res.matters[:5]
            ],
            "hits": [
                h.model_dump(include={"chunk_id", "section", "score", "dense", "bm25"}) for h in res.hits
            ],
            "aspect": aspect,
            "aspects": ctx.aspects,
            "region_mentioned": new_region.name if new_region else None,
            "scope": {
                "p_in_scope": round(self.scope.probability(feats), 3),
                **feats.model_dump(exclude={"content_words"}),
            },
            "timings_ms": res.timings_ms,
            "stage": res.stage,
            "stage_reason": res.stage_reason,
        }
        top = res.matters[0] if res.matters else None

        # 1) follow-up on the current matter ("那要多久？", "在哪办", "那株洲呢")
        if state.matter_code and self._is_followup(text, res, new_region, state):
            if aspect is None:
                aspect = state.aspect if new_region and self._region_only(text, new_region) else None
            trace["route"] = "followup"
            return self.answer_matter(ctx, ctx.text, state.matter_code, aspect, new_region, res, trace)

        # 2) out of scope or too unsure (a question that names one of our matters is in scope)
        named = top is not None and top.name_match and res.confidence >= self.settings.answer_threshold
        # one matter far ahead of the rest and of the not-yet-covered catalogue: the question is about it,
        # however colloquially it is put ("公组房咋申请啊 要多久")
        clear = (
            top is not None
            and res.confidence >= _CLEAR_CONFIDENCE
            and res.margin >= _CLEAR_MARGIN
            and (res.other_matter is None or res.other_matter.margin < 0)
            and feats.top_dense
            >= _CLEAR_DENSE  # and close in meaning: "我家猫咪不吃饭" leads nowhere by much
        )
        unsure = top is not None and not named and not clear and not self.scope.in_scope(feats)
        if top is None or (unsure and not self._meant(ctx, top)):
            trace["route"] = "refuse"
            return self.handoff.refuse(ctx, "out_of_scope", res, trace)
        if unsure:  # answered for a word that means the top matter: for staff, which word
            trace["scope"]["known_by_meaning"] = feats.unknown_words

        # 3) two matters too close to call: ask
        if (
            len(res.matters) > 1
            and res.margin < self.settings.clarify_margin
            and not top.name_match
            and res.confidence < self.settings.answer_threshold
        ):
            trace["route"] = "clarify_matter"
            return self._clarify_matter(text, state, res, aspect, trace, ctx.aspects)

        trace["route"] = "answer"
        return self.answer_matter(ctx, text, top.matter_code, aspect, new_region, res, trace)

    def _meant(self, ctx: TurnContext, top: MatterScore) -> bool:
        """A question about to be refused for words the guides never use ("长沙开饭店要什么材料"), when such a
        word is, on its own, nearest to the very matter the whole question found first (and none is nearest
        another guide): in scope once that word counts as the matter's. Two independent readings must agree,
        and the whole question must be nearer the guides than the not-covered catalogue and close in meaning,
        so a near miss of the catalogue ("开药店") is still refused."""
        feats = ctx.features()
        if not feats.unknown_words:
            return False
        meaning = ctx.words_meaning()
        # "想在小区门口开个米粉店": 米粉店 is nearest 开办餐饮店; 小区 and 门口, nearest nothing we cover, say
        # nothing against it; a word nearest another guide does
        if top.matter_code not in meaning.values() or set(meaning.values()) - {top.matter_code, ""}:
            return False
        # the question as a whole is nearer a guide than the not-covered catalogue, and close in meaning
        # (measured by the encoder even when the cascade answered from the words alone)
        res = ctx.dense_result()
        other = res.other_matter
        top_dense = max((h.dense for h in res.hits), default=0.0)
        return (other is None or other.margin < 0) and top_dense >= _CLEAR_DENSE

    def resolve_pending(self, ctx: TurnContext) -> Answer | None:
        """The answer to the region or matter question asked last turn; None when the text is not one."""
        p = ctx.state.pending
        if p is None:
            return None
        norm = normalize(ctx.text)
        chosen: Choice | None = None
        for i, c in enumerate(p.choices, 1):
            if (
                normalize(c.label) in norm
                or norm in normalize(c.label)
                or norm in (str(i), f"第{i}个", c.value.lower())
            ):
                chosen = c
                break
        if p.kind == "region":
            region = self.searcher.registry.get(chosen.value) if chosen is not None else ctx.new_region
            if region is None:
                return None  # not an answer to the question: treat as a new question
            ctx.state.pending = None
            res = ctx.search_other(p.question, region.code)
            trace = {"route": "clarified_region"}
            return self.answer_matter(
                ctx, p.question, p.matter_code or "", p.aspect, region, res, trace, p.aspects
            )
        if chosen is None:
            return None
        ctx.state.pending = None
        res = ctx.search_other(p.question, ctx.state.region_code)
        trace = {"route": "clarified_matter"}
        return self.answer_matter(
            ctx, p.question, chosen.value, p.aspect, ctx.new_region, res, trace, p.aspects
        )

    def _is_followup(
        self, text: str, res: SearchResult, new_region: Region | None, state: DialogState
    ) -> bool:
        top = res.matters[0] if res.matters else None
        if top is None:
            return True
        if top.name_match and top.matter_code != state.matter_code:
            return False  # the user named another matter: switch
        if res.other_matter is not None and res.other_matter.margin >= _OTHER_MATTER_MARGIN:
            return (
                False  # "工商年报在哪报": a matter of the not-yet-covered catalogue, clearly: not a follow-up
            )
        if top.matter_code == state.matter_code:
            return True
        if new_region and self._region_only(text, new_region):
            return True
        words = self.scope.content_words(self.searcher.strip_names(text))
        if not words:
            return True  # "那要多久？", "在哪办": nothing but an aspect
        if primary_aspect(text) and all(w in self.scope.matter_text(state.matter_code or "") for w in words):
            return True  # "多久出结果": an aspect plus words the current guide itself uses
        if not any(w in self.scope.matter_text(state.matter_code or "") for w in words):
            return False  # "明天天气怎么样": nothing of the current matter in it, so not about it
        # the current matter is still among the close candidates: stay with it
        current = next((m for m in res.matters[:3] if m.matter_code == state.matter_code), None)
        return current is not None and current.score >= top.score - 0.15

    @staticmethod
    def _region_only(text: str, region: Region) -> bool:
        stripped = text
        for n in sorted(region.names(), key=len, reverse=True):
            stripped = stripped.replace(n, "")
        return len(_REGION_FILLER.sub("", stripped)) <= 2

    # -- responses -----------------------------------------------------------------------------
    def answer_matter(
        self,
        ctx: TurnContext,
        text: str,
        matter_code: str,
        aspect: str | None,
        region: Region | None,
        res: SearchResult,
        trace: dict,
        aspects: list[str] | None = None,
    ) -> Answer:
        """Answer the aspect(s) asked (or the overview, or the matching FAQ) of a matter from the region's
        guide. `aspects`: every aspect the question asked, when it is not this turn's text."""
        state = ctx.state
        guides = self.searcher.heads_for(matter_code)  # which regions have it: no guide parsed
        region_code = region.code if region else state.region_code
        cities = {self._city_of(g.region_code) for g in guides}
        if region_code is None and len(cities) > 1:
            asked = aspects if aspects is not None else (ctx.aspects if text == ctx.text else [])
            return self._clarify_region(text, state, matter_code, aspect, guides, trace, asked)
        guide, fallback = self.searcher.guide_for_region(matter_code, region_code)
        if guide is None:
            raise LookupError(f"no guide for matter {matter_code}")
        if region is not None:
            state.region_code = region.code
        state.matter_code, state.pending = matter_code, None

        unnamed = self.searcher.strip_names(text)
        situation = self.scope.content_words(unnamed)
        generic = aspect is None and (is_intent_statement(text) or not (situation or asks_specific(unnamed)))
        if aspects is None:
            aspects = ctx.aspects if text == ctx.text else []
        several = [a for a in aspects if a in ASPECT_LABELS]
        faqs = (
            []
            if generic
            else match_faqs(
                text,
                guide,
                res,
                several if len(several) > 1 else aspect or (several[0] if several else None),
                lambda: faq_closeness(self.searcher, without_personal_data(text), guide),
            )
        )
        # "宅基地最多能批好大": a part the guide answers in a FAQ gets that FAQ, each part searched alone
        part_search = partial(ctx.search_part, region=guide.region_code)
        parted = [] if generic else faqs_of_parts(without_personal_data(text), guide, part_search, res)
        if len(several) > 1:  # "在哪办，要不要钱": every aspect asked, in the order asked
            body, citations = compose_aspects(guide, several, text)
            aspect = aspect if aspect in several else several[0]
            extra = faqs[:1]  # "是看孩子的户口还是父母的？在哪问": the guide's own Q&A on it as well
        elif faqs and aspect is None:
            body, citations = compose_faq(guide, faqs[0])
            aspect = "faq"
            extra = faqs[1:]
        else:
            aspect = aspect or "overview"
            body, citations = compose_aspect(guide, aspect, text)
            extra = faqs if aspect != "overview" else []
        # "公示要几天啊": the guide's own sentence on each part asked comes first
        body, pins = self.pinpointer.quote(guide, without_personal_data(text), body)
        citations += [c for c in (cite(guide, s) for s in quoted_sections(pins)) if c not in citations]
        # the guide's own Q&A on the points asked goes along with the answer
        body, citations = with_faqs(
            guide, body, citations, [*extra, *parted], faqs[0] if aspect == "faq" else None
        )
        state.aspect = aspect
        lines = []
        if fallback:
            user_region = self.searcher.registry.get(region_code) if region_code else None
            lines.append(
                f"暂未收录{user_region.name if user_region else '您所在地区'}的指南，以下是{guide.region_name}的办事指南，仅供参考，请以当地窗口答复为准。"
            )
        lines.append(body)
        lines.append(source_line(guide))
        top_conf = next((m.confidence for m in res.matters if m.matter_code == matter_code), res.confidence)
        text, fold_at = place_fold("\n".join(lines))
        answer = Answer(
            text=text,
            fold_at=fold_at,
            citations=citations,
            matter_code=matter_code,
            matter_name=guide.name,
            aspect=aspect,
            region_code=guide.region_code,
            region_name=guide.region_name,
            confidence=round(max(top_conf, 0.0), 4),
            mode="composer",
            suggestions=self._followups(aspect),
            trace={
                **trace,
                "guide_id": guide.id,
                "region_fallback": fallback,
                "aspects_answered": several or [aspect],
                "pinpoints": [p.traced() for p in pins],
            },
        )
        if self.generator is not None:  # the same shape: one source per aspect asked, each must be cited
            self.generator.improve(text, answer, guide, aspect, faqs, fallback, ctx.on_token, several)
        return answer

    def _city_of(self, region_code: str) -> str:
        return self.searcher.registry.city_code(region_code)

    @staticmethod
    def _followups(aspect: str | None) -> list[Suggestion]:
        out = [
            Suggestion(label=FOLLOWUP_QUESTIONS[a], text=FOLLOWUP_QUESTIONS[a])
            for a in FOLLOWUP_ORDER
            if a != aspect
        ][:4]
        out.append(Suggestion(label="转人工", text="转人工", kind="handoff"))
        return out

    @staticmethod
    def _clarify_region(
        text: str,
        state: DialogState,
        matter_code: str,
        aspect: str | None,
        guides: list[GuideHead],
        trace: dict,
        aspects: list[str] | None = None,
    ) -> Answer:
        choices = [
            Choice(label=g.region_name, value=g.region_code)
            for g in sorted(guides, key=lambda g: g.region_code)
        ]
        state.pending = Pending(
            kind="region",
            question=text,
            aspect=aspect,
            aspects=aspects or [],
            matter_code=matter_code,
            choices=choices,
        )
        state.matter_code = matter_code
        name = guides[0].name
        labels = "、".join(c.label for c in choices)
        return Answer(
            text=f"“{name}”各地的办理地点和电话不同。请问您在哪里办理？（目前收录：{labels}）",
            matter_code=matter_code,
            matter_name=name,
            aspect=aspect,
            mode="clarify",
            suggestions=[Suggestion(label=c.label, text=c.label, kind="choice") for c in choices],
            trace={**trace, "route": "clarify_region"},
        )

    @staticmethod
    def _clarify_matter(
        text: str, state: DialogState, res: SearchResult, aspect: str | None, trace: dict, aspects: list[str]
    ) -> Answer:
        choices = [Choice(label=m.name, value=m.matter_code) for m in res.matters[:3]]
        state.pending = Pending(kind="matter", question=text, aspect=aspect, aspects=aspects, choices=choices)
        return Answer(
            text="您问的是下面哪件事？请选择：\n"
            + "\n".join(f"{i}. {c.label}" for i, c in enumerate(choices, 1)),
            mode="clarify",
            confidence=res.confidence,
            suggestions=[Suggestion(label=c.label, text=c.label, kind="choice") for c in choices],
            trace=trace,
        )
