"""The eligibility walkthrough (资格预审) inside the chat: start it, take free-text answers one question at a
time, pause it for a question of another kind, resume it; plus the API's direct calls."""

from __future__ import annotations

from typing import Any

from assistant.answer.composer import cite
from assistant.answer.faq_match import match_faqs
from assistant.answer.models import Answer, Suggestion
from assistant.dialog.state import DialogState
from assistant.dialog.understand import ELIGIBILITY_TRIGGER, RESUME_TRIGGER, TurnContext, Understander
from assistant.eligibility.engine import EligibilityState, Engine, Step
from assistant.eligibility.rules import Outcome
from assistant.guides.schema import MatterGuide
from assistant.retrieval.search import Searcher
from assistant.store import Store

NO_WALKTHROUGH = "当前会话没有进行中的资格预审。"


class EligibilityFlow:
    def __init__(self, engine: Engine, searcher: Searcher, store: Store, understander: Understander):
        self.engine = engine
        self.searcher = searcher
        self.store = store
        self.understander = understander

    def handle(self, ctx: TurnContext) -> Answer | None:
        """Start, continue or resume a walkthrough; None when this turn is not one (it passes on)."""
        text, state = ctx.text, ctx.state
        saved = state.extra.get("eligibility")
        el = EligibilityState.model_validate(saved) if saved else None
        if el is not None and el.pending and not el.done:
            guide = self.searcher.guides[el.guide_id]
            if el.paused and not RESUME_TRIGGER.search(text):
                return None
            if el.paused:  # "继续预审": ask again where the walkthrough stopped
                el.paused = False
                state.extra["eligibility"] = el.model_dump()
                return self.answer(self.engine.step(el, guide), guide)
            step = self.engine.reply(el, text, guide)
            if step.kind == "reask" and self.understander.looks_like_new_question(ctx):
                el.paused = True  # leave the walkthrough for now; the user can come back
                state.extra["eligibility"] = el.model_dump()
                return None
            state.extra["eligibility"] = el.model_dump()
            return self.answer(step, guide)
        if not ELIGIBILITY_TRIGGER.search(text):
            return None
        res = ctx.result(k=5)
        top = res.matters[0] if res.matters else None
        matter = top.matter_code if top and (top.name_match or res.confidence >= 0.3) else state.matter_code
        if not matter or not self.engine.has_rules(matter):
            return None
        guide, _ = self.searcher.guide_for_region(matter, ctx.region_code)
        if guide is None:
            return None
        el, step = self.engine.start(matter, guide)
        state.extra["eligibility"] = el.model_dump()
        state.matter_code, state.pending = matter, None
        if ctx.new_region:
            state.region_code = ctx.new_region.code
        answer = self.answer(step, guide)
        intro = []
        if guide.conditions:  # what the guide itself says, before the questions
            conds = "\n".join(f"{i}. {c.text}" for i, c in enumerate(guide.conditions, 1))
            intro.append(f"【{guide.name}·{guide.region_name}】受理条件：\n{conds}")
        faqs = match_faqs(text, guide, res, "conditions")
        if faqs:  # the guide's own answer to this very situation
            f = guide.faqs[faqs[0]]
            intro.append(f"相关问答：\n问：{f.question}\n答：{f.answer}")
            answer.citations.append(cite(guide, "faq"))
        answer.text = "\n\n".join([*intro, answer.text])
        return answer

    @staticmethod
    def answer(step: Step, guide: MatterGuide) -> Answer:
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
        elif step.result is not None and step.result.outcome == Outcome.INELIGIBLE:
            # nothing to fill in or apply for online: a person to ask, or start over with other answers
            suggestions = [
                Suggestion(label="转人工", text="转人工", kind="handoff"),
                Suggestion(label="重新预审", text="重新开始预审"),
            ]
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

    # -- direct calls from the API and CLI -----------------------------------------------------------
    def start(self, session_id: str, matter_code: str, region: str | None = None) -> Answer:
        if not self.engine.has_rules(matter_code):
            raise KeyError(matter_code)
        state = DialogState.model_validate(self.store.get_state(session_id))
        reg = self.searcher.registry.find_by_name(region) if region else None
        guide, _ = self.searcher.guide_for_region(matter_code, reg.code if reg else state.region_code)
        if guide is None:
            raise KeyError(matter_code)
        el, step = self.engine.start(matter_code, guide)
        state.extra["eligibility"] = el.model_dump()
        state.matter_code = matter_code
        self.store.save_state(session_id, state.model_dump())
        return self.answer(step, guide)

    def set_answer(self, session_id: str, question_id: str, value: Any) -> Answer:
        """Set or change one answer (by question id) and return the next step."""
        state = DialogState.model_validate(self.store.get_state(session_id))
        el = self._walkthrough(state)
        guide = self.searcher.guides[el.guide_id]
        step = self.engine.set_answer(el, question_id, value, guide)
        state.extra["eligibility"] = el.model_dump()
        self.store.save_state(session_id, state.model_dump())
        return self.answer(step, guide)

    def status(self, session_id: str) -> dict:
        state = DialogState.model_validate(self.store.get_state(session_id))
        el = self._walkthrough(state)
        step = self.engine.step(el.model_copy(deep=True), self.searcher.guides[el.guide_id])
        return {"state": el.model_dump(), "step": step.model_dump(mode="json")}

    @staticmethod
    def _walkthrough(state: DialogState) -> EligibilityState:
        saved = state.extra.get("eligibility")
        if not saved:
            raise LookupError(NO_WALKTHROUGH)
        return EligibilityState.model_validate(saved)
