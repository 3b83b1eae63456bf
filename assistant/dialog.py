"""One conversation turn: understand → route → respond, with session state persisted in the store."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Literal

from pydantic import BaseModel, Field

from assistant.answer.aspects import is_generic_howto, is_intent_statement, primary_aspect
from assistant.answer.composer import (
    FOLLOWUP_QUESTIONS,
    cite,
    compose_aspect,
    compose_faq,
    source_line,
)
from assistant.answer.models import Answer, Handoff, Suggestion
from assistant.answer.safety import is_manipulation, is_offtopic_request
from assistant.answer.scope import ScopeModel
from assistant.config import Settings, get_settings
from assistant.guides.regions import Region
from assistant.guides.schema import MatterGuide
from assistant.retrieval.search import Searcher, SearchResult, get_searcher
from assistant.retrieval.text import normalize
from assistant.store import Store, get_store

log = logging.getLogger("onething.dialog")
# where generated tokens go during the current turn (per thread/task, so concurrent turns never mix)
_TOKEN_SINK: ContextVar[Callable[[str], None] | None] = ContextVar("token_sink", default=None)
MAX_MESSAGE_CHARS = 500
OUT_OF_SCOPE = "这个问题不在我的办事指南范围内。"
_FOLLOWUP_CUE = re.compile(r"^(那|那么|这个|还有|另外|它|再问|请问那|那请问|然后|所以)")
_HANDOFF_RE = re.compile(r"^\s*(我要|请)?(转|找)?人工(客服|服务|窗口)?\s*[。！!]?\s*$")


class Choice(BaseModel):
    label: str
    value: str


class Pending(BaseModel):
    kind: Literal["region", "matter"]
    question: str
    aspect: str | None = None
    matter_code: str | None = None
    choices: list[Choice] = Field(default_factory=list)


class DialogState(BaseModel):
    matter_code: str | None = None
    region_code: str | None = None
    aspect: str | None = None
    pending: Pending | None = None
    turns: int = 0
    extra: dict = Field(default_factory=dict, description="state owned by eligibility and forms")


class InputError(ValueError):
    """The message cannot be processed (empty or too long); the text says why, in Chinese."""


class Assistant:
    """The dialog layer: the only place that knows about consultation, eligibility and forms."""

    def __init__(
        self, settings: Settings | None = None, searcher: Searcher | None = None, store: Store | None = None
    ):
        self.settings = settings or get_settings()
        self.searcher = searcher or get_searcher(self.settings)
        self.store = store or get_store(self.settings.db_url)
        self.scope = ScopeModel.load(self.searcher)
        self._generator = None
        self.eligibility = _load_engine(self.settings, self.searcher)
        self.forms = _load_forms(self.settings)

    # -- public ---------------------------------------------------------------------------------
    def new_session(self) -> tuple[str, str]:
        return self.store.create_session(DialogState().model_dump())

    def respond(
        self,
        session_id: str,
        text: str,
        region: str | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """One turn. `on_token` receives generated text as it streams (LLM mode only); the returned Answer
        is what was verified and stored, which may be the composer's answer when generation failed checks."""
        text = (text or "").strip()
        if not text:
            raise InputError("消息不能为空。")
        if len(text) > MAX_MESSAGE_CHARS:
            raise InputError(f"消息太长（{len(text)} 字），请控制在 {MAX_MESSAGE_CHARS} 字以内。")
        t0 = time.perf_counter()
        state = DialogState.model_validate(self.store.get_state(session_id))
        if region and not state.region_code:
            reg = self.searcher.registry.find_by_name(region)
            state.region_code = reg.code if reg else None
        sink = _TOKEN_SINK.set(on_token)
        try:
            answer = self._turn(session_id, text, state)
        finally:
            _TOKEN_SINK.reset(sink)
        answer.session_id = session_id
        answer.trace.setdefault("timings_ms", {})["turn"] = round((time.perf_counter() - t0) * 1000, 2)
        state.turns += 1
        answer.message_id = self.store.record_turn(
            session_id, text, state.model_dump(), answer.text, answer.model_dump(exclude={"trace"})
        )
        return answer

    # -- the turn -------------------------------------------------------------------------------
    def _turn(self, session_id: str, text: str, state: DialogState) -> Answer:
        if _HANDOFF_RE.match(text):
            return self._handoff(session_id, state, "用户请求转人工")
        if is_manipulation(text):
            state.pending = None
            return self._refuse(session_id, text, state, reason="manipulation", res=None)
        if is_offtopic_request(text):
            return self._refuse(session_id, text, state, reason="out_of_scope", res=None)

        mentioned = [r for r in self.searcher.registry.mentioned(text) if r.level != "province"]
        new_region = mentioned[0] if mentioned else None

        form_answer = self._form_turn(session_id, text, state)
        if form_answer is not None:
            return form_answer
        walkthrough = self._eligibility_turn(session_id, text, state, new_region)
        if walkthrough is not None:
            return walkthrough

        if state.pending is not None:
            resolved = self._resolve_pending(session_id, text, state, new_region)
            if resolved is not None:
                return resolved

        aspect = primary_aspect(self.searcher.strip_names(text))
        region_code = new_region.code if new_region else state.region_code
        res = self.searcher.search(text, region=region_code, k=8)
        feats = self.scope.features(text, res)
        p_in = self.scope.probability(feats)
        trace = {
            "matters": [
                m.model_dump(include={"matter_code", "name", "score", "confidence", "name_match"})
                for m in res.matters[:5]
            ],
            "hits": [
                h.model_dump(include={"chunk_id", "section", "score", "dense", "bm25"}) for h in res.hits
            ],
            "aspect": aspect,
            "region_mentioned": new_region.name if new_region else None,
            "scope": {
                "p_in_scope": round(p_in, 3),
                **feats.model_dump(include={"unknown_words", "coverage", "unknown_ratio"}),
            },
            "timings_ms": res.timings_ms,
        }
        top = res.matters[0] if res.matters else None

        # 1) follow-up on the current matter ("那要多久？", "在哪办", "那株洲呢")
        if state.matter_code and self._is_followup(text, res, new_region, state):
            matter = state.matter_code
            if aspect is None:
                aspect = state.aspect if new_region and self._region_only(text, new_region) else None
            trace["route"] = "followup"
            return self._answer_matter(session_id, text, state, matter, aspect, new_region, res, trace)

        # 2) out of scope or too unsure (a question that names one of our matters is in scope)
        named = top is not None and top.name_match and res.confidence >= self.settings.answer_threshold
        if top is None or (not named and not self.scope.in_scope(feats)):
            trace["route"] = "refuse"
            return self._refuse(session_id, text, state, reason="out_of_scope", res=res, trace=trace)

        # 3) two matters too close to call: ask
        if (
            len(res.matters) > 1
            and res.margin < self.settings.clarify_margin
            and not top.name_match
            and res.confidence < self.settings.answer_threshold
        ):
            trace["route"] = "clarify_matter"
            return self._clarify_matter(text, state, res, aspect, trace)

        trace["route"] = "answer"
        return self._answer_matter(session_id, text, state, top.matter_code, aspect, new_region, res, trace)

    def _is_followup(
        self, text: str, res: SearchResult, new_region: Region | None, state: DialogState
    ) -> bool:
        top = res.matters[0] if res.matters else None
        if top is None:
            return True
        if top.name_match and top.matter_code != state.matter_code:
            return False  # the user named another matter: switch
        if top.matter_code == state.matter_code:
            return True
        if new_region and self._region_only(text, new_region):
            return True
        words = self.scope.content_words(self.searcher.strip_names(text))
        if not words:
            return True  # "那要多久？", "在哪办": nothing but an aspect
        if primary_aspect(text) and all(
            w in self.scope.matter_text.get(state.matter_code, "") for w in words
        ):
            return True  # "多久出结果": an aspect plus words the current guide itself uses
        # the current matter is still among the close candidates: stay with it
        current = next((m for m in res.matters[:3] if m.matter_code == state.matter_code), None)
        return current is not None and current.score >= top.score - 0.15

    @staticmethod
    def _region_only(text: str, region: Region) -> bool:
        stripped = text
        for n in sorted(region.names(), key=len, reverse=True):
            stripped = stripped.replace(n, "")
        stripped = re.sub(
            r"[那么呢的吧啊呀？?。！!，,\s]|换成|改成|如果是|如果在|我在|我是|的话|怎么样|怎么办|如何|这边|那边",
            "",
            stripped,
        )
        return len(stripped) <= 2

    def _resolve_pending(
        self, session_id: str, text: str, state: DialogState, new_region: Region | None
    ) -> Answer | None:
        p = state.pending
        assert p is not None
        norm = normalize(text)
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
            region = None
            if chosen is not None:
                region = self.searcher.registry.get(chosen.value)
            elif new_region is not None:
                region = new_region
            if region is None:
                return None  # not an answer to the question: treat as a new question
            state.pending = None
            res = self.searcher.search(p.question, region=region.code, k=8)
            return self._answer_matter(
                session_id,
                p.question,
                state,
                p.matter_code or "",
                p.aspect,
                region,
                res,
                {"route": "clarified_region"},
            )
        if chosen is None:
            return None
        state.pending = None
        res = self.searcher.search(p.question, region=state.region_code, k=8)
        return self._answer_matter(
            session_id,
            p.question,
            state,
            chosen.value,
            p.aspect,
            new_region,
            res,
            {"route": "clarified_matter"},
        )

    # -- responses -------------------------------------------------------------------------------
    def _answer_matter(
        self,
        session_id: str,
        text: str,
        state: DialogState,
        matter_code: str,
        aspect: str | None,
        new_region: Region | None,
        res: SearchResult,
        trace: dict,
    ) -> Answer:
        guides = self.searcher.guides_for(matter_code)
        region_code = new_region.code if new_region else state.region_code
        cities = {self._city_of(g.region_code) for g in guides}
        if region_code is None and len(cities) > 1:
            return self._clarify_region(text, state, matter_code, aspect, guides, trace)
        guide, fallback = self.searcher.guide_for_region(matter_code, region_code)
        assert guide is not None
        if new_region is not None:
            state.region_code = new_region.code
        elif state.region_code is None and len(cities) == 1:
            state.region_code = None  # one region only: nothing learned about the user
        state.matter_code, state.pending = matter_code, None

        situation = self.scope.content_words(self.searcher.strip_names(text))
        generic = aspect is None and (is_intent_statement(text) or not situation)
        faqs = [] if generic else self._faq_match(text, guide, res, aspect)
        if faqs and aspect is None:
            body, citations = compose_faq(guide, faqs[0])
            aspect = "faq"
            extra = faqs[1:]
        else:
            aspect = aspect or "overview"
            body, citations = compose_aspect(guide, aspect)
            extra = faqs if aspect != "overview" else []
        for i in extra:
            # the guide's own Q&A on this very point goes along with the answer
            faq_body, faq_cites = compose_faq(guide, i)
            body += "\n\n相关问答：\n" + faq_body.split("\n", 1)[1]
            citations += [c for c in faq_cites if c not in citations]
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
        answer = Answer(
            text="\n".join(lines),
            citations=citations,
            matter_code=matter_code,
            matter_name=guide.name,
            aspect=aspect,
            region_code=guide.region_code,
            region_name=guide.region_name,
            confidence=round(max(top_conf, 0.0), 4),
            mode="composer",
            suggestions=self._followups(aspect),
            trace={**trace, "guide_id": guide.id, "region_fallback": fallback},
        )
        if self.settings.llm != "none":
            self._generate(text, answer, guide, aspect, faqs, fallback)
        return answer

    def _generate(
        self, question: str, answer: Answer, guide: MatterGuide, aspect: str, faqs: list[int], fallback: bool
    ) -> None:
        """Replace the composer's text by a generated one when it passes the verifier; log it when not."""
        from assistant.answer.composer import ASPECT_LABELS, section_text
        from assistant.answer.generator import Generator
        from assistant.answer.verifier import verify
        from assistant.llm import LLMUnavailableError, get_chat_model

        label = f"{guide.name}·{guide.region_name}·{{}}·更新于{guide.updated_at}"
        sources = [
            (
                label.format(ASPECT_LABELS.get(aspect, aspect)),
                section_text(guide, aspect) if aspect != "faq" else "",
            )
        ]
        if aspect == "faq" or faqs:
            qa = "\n".join(f"问：{guide.faqs[i].question}\n答：{guide.faqs[i].answer}" for i in faqs)
            sources.append((label.format("常见问题"), qa))
        sources = [(lab, txt) for lab, txt in sources if txt.strip()]
        t0 = time.perf_counter()
        first: list[float] = []

        def on_token(tok: str) -> None:
            if not first:
                first.append(time.perf_counter())
            callback = _TOKEN_SINK.get()
            if callback:
                callback(tok)

        try:
            if self._generator is None:
                model = get_chat_model(self.settings)
                assert model is not None
                self._generator = Generator(model)
            parts = []
            for tok in self._generator.stream(question, sources):
                parts.append(tok)
                on_token(tok)
            generated = "".join(parts).strip()
        except (LLMUnavailableError, OSError, ValueError, RuntimeError) as exc:
            log.warning("generation failed, composer answer served: %s", exc)
            answer.trace["llm"] = {"error": str(exc)}
            return
        verdict = verify(generated, [f"{lab}\n{t}" for lab, t in sources], self._known_materials())
        answer.trace["llm"] = {
            "first_token_ms": round((first[0] - t0) * 1000, 1) if first else None,
            "total_ms": round((time.perf_counter() - t0) * 1000, 1),
            "verified": verdict.ok,
            "problems": verdict.problems,
            "generated": generated,
        }
        if not verdict.ok:
            log.warning(
                "verifier rejected generated answer (%s); composer answer served", "；".join(verdict.problems)
            )
            return
        note = answer.text.split("\n", 1)[0] if fallback else ""
        answer.text = "\n".join(p for p in (note, generated, source_line(guide)) if p)
        answer.mode = "llm"

    def _known_materials(self) -> list[str]:
        if not hasattr(self, "_materials_cache"):
            self._materials_cache = sorted(
                {m.name for g in self.searcher.guides.values() for m in g.materials}
            )
        return self._materials_cache

    def _city_of(self, region_code: str) -> str:
        lineage = self.searcher.registry.lineage(region_code)
        city = next((r for r in lineage if r.level == "city"), None)
        return city.code if city else region_code

    def _faq_match(self, text: str, guide: MatterGuide, res: SearchResult, aspect: str | None) -> list[int]:
        """The guide's FAQs the question is about, best first (at most two, the second only when it is
        nearly as close): wording overlap with the FAQ question plus the FAQ chunk's retrieval score.
        A question with no aspect cue needs less evidence."""
        hit_scores = {h.chunk_id: h.score for h in res.hits}
        q = _bigrams(text)
        scored = sorted(
            (
                (
                    len(q & _bigrams(f.question)) / max(1, min(len(q), 12))
                    + 0.5 * hit_scores.get(f"{guide.id}#faq-{i}", 0.0),
                    i,
                )
                for i, f in enumerate(guide.faqs)
            ),
            reverse=True,
        )
        needed = 0.6 if (aspect is not None or is_generic_howto(text)) else 0.45
        if not scored or scored[0][0] < needed:
            return []
        picked = [scored[0][1]]
        if len(scored) > 1 and scored[1][0] >= 0.85 * scored[0][0]:
            picked.append(scored[1][1])
        return picked

    def _followups(self, aspect: str | None) -> list[Suggestion]:
        order = [
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
        out = [
            Suggestion(label=FOLLOWUP_QUESTIONS[a], text=FOLLOWUP_QUESTIONS[a]) for a in order if a != aspect
        ][:4]
        out.append(Suggestion(label="转人工", text="转人工", kind="handoff"))
        return out

    def _clarify_region(
        self,
        text: str,
        state: DialogState,
        matter_code: str,
        aspect: str | None,
        guides: list[MatterGuide],
        trace: dict,
    ) -> Answer:
        choices = [
            Choice(label=g.region_name, value=g.region_code)
            for g in sorted(guides, key=lambda g: g.region_code)
        ]
        state.pending = Pending(
            kind="region", question=text, aspect=aspect, matter_code=matter_code, choices=choices
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

    def _clarify_matter(
        self, text: str, state: DialogState, res: SearchResult, aspect: str | None, trace: dict
    ) -> Answer:
        options = res.matters[:3]
        choices = [Choice(label=m.name, value=m.matter_code) for m in options]
        state.pending = Pending(kind="matter", question=text, aspect=aspect, choices=choices)
        return Answer(
            text="您问的是下面哪件事？请选择：\n"
            + "\n".join(f"{i}. {c.label}" for i, c in enumerate(choices, 1)),
            mode="clarify",
            confidence=res.confidence,
            suggestions=[Suggestion(label=c.label, text=c.label, kind="choice") for c in choices],
            trace=trace,
        )

    def _refuse(
        self,
        session_id: str,
        text: str,
        state: DialogState,
        reason: str,
        res: SearchResult | None,
        trace: dict | None = None,
    ) -> Answer:
        closest = []
        if res is not None and reason != "manipulation":
            closest = [m for m in res.matters[:3] if m.confidence >= 0.05]
        phone = self._handoff_phone(state) if reason != "manipulation" else self.settings.hotline
        ticket = self.store.create_handoff(
            session_id, question=text, reason=reason, matter_code=state.matter_code or "", phone=phone
        )
        lines = [OUT_OF_SCOPE]
        other = res.other_matter if res is not None else None
        if other is not None and other.margin > -0.05 and reason == "out_of_scope":
            lines.append(f"您问的像是“{other.name}”，这个事项目前还没有收录办事指南。")
            closest = []
        if closest:
            lines.append(
                "与您的问题可能相关的事项：" + "、".join(m.name for m in closest) + "。如是其中之一，请点选。"
            )
        lines.append(
            f"已为您登记转人工（工单号 {ticket}），工作人员会查看本次对话；也可以拨打 {phone} 咨询。"
        )
        return Answer(
            text="\n".join(lines),
            mode="refusal",
            confidence=res.confidence if res else 0.0,
            suggestions=[Suggestion(label=m.name, text=f"{m.name}怎么办", kind="choice") for m in closest],
            handoff=Handoff(
                ticket_id=ticket, reason=reason, phone=phone, message=f"已登记转人工，工单号 {ticket}"
            ),
            trace={**(trace or {}), "route": "refuse", "reason": reason},
        )

    # -- 一表申请 -------------------------------------------------------------------------------------
    def _form_turn(self, session_id: str, text: str, state: DialogState) -> Answer | None:
        """Start or continue filling the unified form; None when this turn is not about the form."""
        if self.forms is None:
            return None
        from assistant.forms.service import FormDraft

        active = state.extra.get("form")
        if active and FORM_EXIT.search(text):
            state.extra.pop("form", None)
            return Answer(
                text="好的，表单草稿已保存，随时说“帮我填表”继续。",
                mode="form",
                matter_code=active["matter_code"],
            )
        if active:
            saved = self.store.get_draft(session_id, active["matter_code"])
            draft = FormDraft.model_validate(saved) if saved else None
            if draft is not None:
                note = self.forms.correction(draft, text)
                if note is None and draft.pending_field:
                    if self._looks_like_new_question(text) and not FORM_TRIGGER.search(text):
                        return None  # a question in the middle of filling: answer it; the draft waits
                    problem = self.forms.answer_pending(draft, text)
                    note = problem
                elif note is None and not FORM_TRIGGER.search(text):
                    return None
                return self._form_answer(session_id, draft, state, note)
        if not FORM_TRIGGER.search(text):
            return None
        res = self.searcher.search(text, region=state.region_code, k=3)
        top = res.matters[0] if res.matters else None
        matter = top.matter_code if top and top.name_match else state.matter_code
        if not matter or not self.forms.has_form(matter):
            available = "、".join(
                self.searcher.guides_for(c)[0].name
                for c in self.forms.catalog.forms
                if self.searcher.guides_for(c)
            )
            return Answer(
                text=f"请先告诉我要办哪件事。目前可以帮您预填申请表的事项：{available}。", mode="form"
            )
        messages = [m["text"] for m in self.store.messages(session_id) if m["role"] == "user"] + [text]
        el = state.extra.get("eligibility") or {}
        answers = el.get("answers") if el.get("matter_code") == matter else None
        saved = self.store.get_draft(session_id, matter)
        draft = (
            FormDraft.model_validate(saved)
            if saved
            else self.forms.build(matter, messages, answers, llm=self._form_llm())
        )
        state.matter_code = matter
        return self._form_answer(session_id, draft, state, None, intro=True)

    def _form_llm(self):
        """The chat model for form extraction when one is configured; None (deterministic only) otherwise."""
        if self.settings.llm == "none":
            return None
        from assistant.llm import LLMUnavailableError, get_chat_model

        try:
            return get_chat_model(self.settings)
        except LLMUnavailableError as exc:
            log.warning("form extraction without LLM: %s", exc)
            return None

    def _form_answer(
        self, session_id: str, draft, state: DialogState, note: str | None, intro: bool = False
    ) -> Answer:
        guide, _ = self.searcher.guide_for_region(draft.matter_code, state.region_code)
        nxt = self.forms.next_question(draft)
        self.store.save_draft(session_id, draft.matter_code, draft.model_dump())
        report = self.forms.report(draft, guide)
        state.extra["form"] = {"matter_code": draft.matter_code} if nxt else None
        if not nxt:
            state.extra.pop("form", None)
        lines = []
        if intro:
            lines.append(f"好的，我来帮您预填《{draft.title}》。")
            got = [f for f in report.filled if f["value"] not in (None, "") and f["origin"] != "default"]
            if got:
                lines.append("已从对话中提取：" + "；".join(f"{f['label']}：{f['value']}" for f in got))
        if note:
            lines.append(note)
        if nxt is not None:
            lines.append(
                f"{'请核对：' + nxt.problem + ' ' if nxt.problem else ''}{nxt.question}（还差 {len(report.missing) + len(report.invalid)} 项）"
            )
        else:
            lines.append("表单必填项已全部填好，可以下载核对后提交。")
            if report.materials_to_upload:
                lines.append("还需上传的材料：" + "、".join(report.materials_to_upload))
            if report.materials_waived:
                lines.append("免提交材料：" + "、".join(w["name"] for w in report.materials_waived))
        return Answer(
            text="\n".join(lines),
            matter_code=draft.matter_code,
            matter_name=guide.name if guide else None,
            region_name=guide.region_name if guide else None,
            citations=[cite(guide, "materials")] if guide else [],
            mode="form",
            suggestions=[Suggestion(label="先不填了", text="先不填了")],
            form={
                "matter_code": draft.matter_code,
                "title": draft.title,
                "complete": report.complete,
                "missing": [m.label for m in report.missing],
                "invalid": [i.model_dump() for i in report.invalid],
                "pending": nxt.model_dump() if nxt else None,
            },
        )

    # -- eligibility walkthrough -------------------------------------------------------------------
    def _eligibility_turn(
        self, session_id: str, text: str, state: DialogState, new_region: Region | None
    ) -> Answer | None:
        """Start, continue, pause or resume an eligibility walkthrough; None when this turn is not one."""
        if self.eligibility is None:
            return None
        from assistant.eligibility.engine import EligibilityState

        saved = state.extra.get("eligibility")
        el = EligibilityState.model_validate(saved) if saved else None
        if el is not None and el.pending and not el.done:
            guide = self.searcher.guides[el.guide_id]
            if el.paused and not RESUME_TRIGGER.search(text):
                return None
            el.paused = False
            step = self.eligibility.reply(el, text, guide)
            if step.kind == "reask" and self._looks_like_new_question(text):
                el.paused = True  # leave the walkthrough for now; the user can come back
                state.extra["eligibility"] = el.model_dump()
                return None
            state.extra["eligibility"] = el.model_dump()
            return self._eligibility_answer(step, guide)
        if not ELIGIBILITY_TRIGGER.search(text):
            return None
        res = self.searcher.search(text, region=new_region.code if new_region else state.region_code, k=5)
        top = res.matters[0] if res.matters else None
        matter = top.matter_code if top and (top.name_match or res.confidence >= 0.3) else state.matter_code
        if not matter or not self.eligibility.has_rules(matter):
            return None
        guide, _ = self.searcher.guide_for_region(
            matter, new_region.code if new_region else state.region_code
        )
        assert guide is not None
        el, step = self.eligibility.start(matter, guide)
        state.extra["eligibility"] = el.model_dump()
        state.matter_code, state.pending = matter, None
        if new_region:
            state.region_code = new_region.code
        answer = self._eligibility_answer(step, guide)
        intro = []
        if guide.conditions:  # what the guide itself says, before the questions
            conds = "\n".join(f"{i}. {c.text}" for i, c in enumerate(guide.conditions, 1))
            intro.append(f"【{guide.name}·{guide.region_name}】受理条件：\n{conds}")
        faqs = self._faq_match(text, guide, res, "conditions")
        if faqs:  # the guide's own answer to this very situation
            f = guide.faqs[faqs[0]]
            intro.append(f"相关问答：\n问：{f.question}\n答：{f.answer}")
            answer.citations.append(cite(guide, "faq"))
        answer.text = "\n\n".join([*intro, answer.text])
        return answer

    def _looks_like_new_question(self, text: str) -> bool:
        if len(text) < 6:
            return False
        res = self.searcher.search(text, k=3)
        return (
            bool(res.matters)
            and (res.matters[0].name_match or primary_aspect(text) is not None)
            and self.scope.in_scope(self.scope.features(text, res))
        )

    def _eligibility_answer(self, step, guide: MatterGuide) -> Answer:
        suggestions: list[Suggestion] = []
        if step.question is not None:
            q = step.question
            if q.type == "yesno":
                suggestions = [
                    Suggestion(label="是", text="是", kind="choice"),
                    Suggestion(label="否", text="否", kind="choice"),
                ]
            elif q.type == "choice":
                suggestions = [
                    Suggestion(label=c["label"], text=c["label"], kind="choice") for c in q.choices
                ]
            suggestions.append(Suggestion(label="为什么问这个", text="为什么问这个"))
            suggestions.append(Suggestion(label="上一步", text="上一步"))
        else:
            suggestions = [
                Suggestion(label="帮我填表", text="帮我填表"),
                Suggestion(label="重新预审", text="重新开始预审"),
            ]
        citations = [cite(guide, "conditions")]
        if step.result is not None and step.result.checklist:
            citations.append(cite(guide, "materials"))
        return Answer(
            text=step.text,
            citations=citations,
            matter_code=guide.matter_code,
            matter_name=guide.name,
            aspect="conditions",
            region_code=guide.region_code,
            region_name=guide.region_name,
            confidence=1.0,
            mode="eligibility",
            suggestions=suggestions,
            eligibility={
                "kind": step.kind,
                "question": step.question.model_dump() if step.question else None,
                "result": step.result.model_dump(mode="json") if step.result else None,
            },
        )

    # -- service functions for the API and CLI ------------------------------------------------------
    def eligibility_start(self, session_id: str, matter_code: str, region: str | None = None) -> Answer:
        if self.eligibility is None or not self.eligibility.has_rules(matter_code):
            raise KeyError(matter_code)
        state = DialogState.model_validate(self.store.get_state(session_id))
        reg = self.searcher.registry.find_by_name(region) if region else None
        guide, _ = self.searcher.guide_for_region(matter_code, reg.code if reg else state.region_code)
        if guide is None:
            raise KeyError(matter_code)
        el, step = self.eligibility.start(matter_code, guide)
        state.extra["eligibility"] = el.model_dump()
        state.matter_code = matter_code
        self.store.save_state(session_id, state.model_dump())
        return self._eligibility_answer(step, guide)

    def eligibility_answer(self, session_id: str, question_id: str, value) -> Answer:
        """Set or change one answer (by question id) and return the next step."""
        from assistant.eligibility.engine import EligibilityState

        state = DialogState.model_validate(self.store.get_state(session_id))
        saved = state.extra.get("eligibility")
        if not saved:
            raise LookupError("当前会话没有进行中的资格预审。")
        el = EligibilityState.model_validate(saved)
        guide = self.searcher.guides[el.guide_id]
        step = self.eligibility.set_answer(el, question_id, value, guide)
        state.extra["eligibility"] = el.model_dump()
        self.store.save_state(session_id, state.model_dump())
        return self._eligibility_answer(step, guide)

    def eligibility_status(self, session_id: str) -> dict:
        state = DialogState.model_validate(self.store.get_state(session_id))
        saved = state.extra.get("eligibility")
        if not saved:
            raise LookupError("当前会话没有进行中的资格预审。")
        from assistant.eligibility.engine import EligibilityState

        el = EligibilityState.model_validate(saved)
        step = self.eligibility.step(el.model_copy(deep=True), self.searcher.guides[el.guide_id])
        return {"state": el.model_dump(), "step": step.model_dump(mode="json")}

    def form_draft(self, session_id: str, matter_code: str):
        """(draft, report) of the session's form for a matter, built from the conversation when new."""
        from assistant.forms.service import FormDraft

        if self.forms is None or not self.forms.has_form(matter_code):
            raise KeyError(matter_code)
        saved = self.store.get_draft(session_id, matter_code)
        if saved:
            draft = FormDraft.model_validate(saved)
        else:
            messages = [m["text"] for m in self.store.messages(session_id) if m["role"] == "user"]
            draft = self.forms.build(matter_code, messages)
            self.store.save_draft(session_id, matter_code, draft.model_dump())
        state = DialogState.model_validate(self.store.get_state(session_id))
        guide, _ = self.searcher.guide_for_region(matter_code, state.region_code)
        return draft, self.forms.report(draft, guide)

    def form_patch(self, session_id: str, matter_code: str, field: str, value) -> tuple:
        draft, _ = self.form_draft(session_id, matter_code)
        self.forms.set_value(draft, field, value, source="用户在表单中填写")
        self.store.save_draft(session_id, matter_code, draft.model_dump())
        return self.form_draft(session_id, matter_code)

    def request_handoff(self, session_id: str, note: str = "") -> Answer:
        """The citizen asked for a human (转人工 button)."""
        state = DialogState.model_validate(self.store.get_state(session_id))
        answer = self._handoff(session_id, state, note or "用户请求转人工")
        answer.session_id = session_id
        answer.message_id = self.store.add_message(
            session_id, "assistant", answer.text, answer.model_dump(exclude={"trace"})
        )
        return answer

    def _handoff_phone(self, state: DialogState) -> str:
        """The consultation phone of the matter being discussed, else the government hotline."""
        if state.matter_code:
            guide, _ = self.searcher.guide_for_region(state.matter_code, state.region_code)
            if guide and guide.contact.consultation:
                return guide.contact.consultation[0]
        return self.settings.hotline

    def _handoff(self, session_id: str, state: DialogState, note: str) -> Answer:
        phone = self._handoff_phone(state)
        ticket = self.store.create_handoff(
            session_id, question=note, reason="user_request", matter_code=state.matter_code or "", phone=phone
        )
        text = f"已为您转人工（工单号 {ticket}），工作人员会查看本次对话并联系您；急事请拨打 {phone}。"
        return Answer(
            text=text,
            mode="refusal",
            handoff=Handoff(ticket_id=ticket, reason="user_request", phone=phone, message=text),
        )


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"[^\u4e00-\u9fffa-z0-9]", "", normalize(text))
    return {t[i : i + 2] for i in range(len(t) - 1)}


ELIGIBILITY_TRIGGER = re.compile(
    r"我.{0,10}(能不能|可不可以|能否|能|可以)(办|申请|办理|享受|领)|(我|我们|我家|公司|企业).{0,10}符合.{0,10}(条件|要求)"
    r"|有没有资格|够不够条件|够条件吗|资格预审|帮我预审|预审一下|看看(我)?能不能办"
)
RESUME_TRIGGER = re.compile(r"^(继续|接着)(资格)?预审|^继续$")


def _load_engine(settings: Settings, searcher: Searcher):
    """The eligibility engine over knowledge/rules (None when there are no rule files)."""
    rules_dir = settings.knowledge_dir / "rules"
    if not rules_dir.exists() or not any(rules_dir.glob("*.yaml")):
        return None
    from assistant.eligibility.engine import Engine
    from assistant.eligibility.rules import load_all

    materials: dict[str, set[str]] = {}
    for g in searcher.guides.values():
        materials.setdefault(g.matter_code, set()).update(m.name for m in g.materials)
    return Engine(load_all(rules_dir, materials), searcher.registry)


FORM_TRIGGER = re.compile(r"帮我填表|帮我填|填表|填写申请表|一表申请|预填|填申请|生成申请表|申请表怎么填")
FORM_EXIT = re.compile(r"^(先不填|不填了|退出填表|取消填表|算了)")


def _load_forms(settings: Settings):
    forms_dir = settings.knowledge_dir / "forms"
    if not forms_dir.exists() or not any(p for p in forms_dir.glob("*.yaml") if not p.name.startswith("_")):
        return None
    from assistant.forms.service import FormService
    from assistant.forms.spec import FormCatalog

    return FormService(FormCatalog.load(forms_dir))
