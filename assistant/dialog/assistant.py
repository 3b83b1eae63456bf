"""The assistant a face talks to: one turn = check → understand → route → store; plus the calls the API
makes for eligibility, forms and handoff. Built by assistant.services."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from assistant.answer.generate import AnswerGenerator
from assistant.answer.models import Answer
from assistant.answer.scope import ScopeModel
from assistant.config import Settings
from assistant.dialog.consult import ConsultFlow
from assistant.dialog.eligibility_flow import EligibilityFlow
from assistant.dialog.form_flow import FormFlow
from assistant.dialog.handoff import HandoffFlow
from assistant.dialog.router import Router
from assistant.dialog.state import DialogState, check_message
from assistant.dialog.understand import Understander
from assistant.eligibility.engine import Engine
from assistant.forms.service import FormDraft, FormReport, FormService
from assistant.retrieval.search import Searcher
from assistant.store import Store


class Assistant:
    """The dialog layer: the only place that knows about consultation, eligibility and forms."""

    def __init__(
        self,
        settings: Settings,
        searcher: Searcher,
        store: Store,
        eligibility: Engine | None = None,
        forms: FormService | None = None,
        generator: AnswerGenerator | None = None,
    ):
        self.settings = settings
        self.searcher = searcher
        self.store = store
        self.eligibility = eligibility
        self.forms = forms
        self.scope = ScopeModel.load(searcher)
        self.understander = Understander(searcher, self.scope)
        self.handoff = HandoffFlow(settings, searcher, store)
        self.consult = ConsultFlow(settings, searcher, self.scope, self.handoff, generator)
        self.eligibility_flow = (
            EligibilityFlow(eligibility, searcher, store, self.understander) if eligibility else None
        )
        self.form_flow = FormFlow(settings, forms, searcher, store, self.understander) if forms else None
        self.router = Router(self.consult, self.handoff, self.eligibility_flow, self.form_flow)

    def warm(self) -> None:
        """Load and exercise every lazily built part (embedding engine, word tagger, scope model, BM25, the
        form reader) on throwaway input, so that the first citizen's turn is as fast as the others. Nothing
        is stored."""
        for text in ("长沙开饭店要带什么材料，几天能办好", "我叫王小明，电话13907311234，想问公司注销"):
            ctx = self.understander.understand("", text, DialogState(), None)
            self.scope.features(text, ctx.result(5))  # the word tagger loads its dictionary on first use
        from assistant.answer.checklist import checklist_lines

        for guide in self.searcher.guides.values():  # material notes are read once (region-only materials)
            checklist_lines(guide)
        if self.forms is not None:
            for code in list(self.forms.catalog.forms)[:1]:
                self.forms.build(
                    code, ["用户：我是孩子妈妈，叫陈静", "助手：联系电话？", "用户：13907311234"]
                )

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
        text = check_message(text)
        with self.store.turn_lock(session_id):  # concurrent turns on one session: one after the other
            return self._turn(session_id, text, region, on_token)

    def _turn(
        self, session_id: str, text: str, region: str | None, on_token: Callable[[str], None] | None
    ) -> Answer:
        t0 = time.perf_counter()
        state = DialogState.model_validate(self.store.get_state(session_id))
        if region and not state.region_code:
            reg = self.searcher.registry.find_by_name(region)
            state.region_code = reg.code if reg else None
        ctx = self.understander.understand(session_id, text, state, on_token)
        flow, answer = self.router.route(ctx)
        answer.session_id = session_id
        answer.trace.setdefault("timings_ms", {})["turn"] = round((time.perf_counter() - t0) * 1000, 2)
        answer.trace.update(
            flow=flow,
            intent=ctx.intent,
            searches=ctx.searches,
            part_searches=ctx.part_searches,
            personal_data=ctx.personal_data,
        )
        state.turns += 1
        # consecutive refusals: the second one in a row opens a ticket (handoff.refuse)
        state.extra["refusals"] = state.extra.get("refusals", 0) + 1 if answer.mode == "refusal" else 0
        answer.message_id = self.store.record_turn(
            session_id, text, state.model_dump(), answer.text, answer.model_dump(exclude={"trace"})
        )
        return answer

    # -- calls from the API and CLI ------------------------------------------------------------------
    def eligibility_start(self, session_id: str, matter_code: str, region: str | None = None) -> Answer:
        if self.eligibility_flow is None:
            raise KeyError(matter_code)
        with self.store.turn_lock(session_id):
            return self.eligibility_flow.start(session_id, matter_code, region)

    def eligibility_answer(self, session_id: str, question_id: str, value: Any) -> Answer:
        """Set or change one answer (by question id) and return the next step."""
        if self.eligibility_flow is None:
            raise LookupError("当前会话没有进行中的资格预审。")
        with self.store.turn_lock(session_id):
            return self.eligibility_flow.set_answer(session_id, question_id, value)

    def eligibility_status(self, session_id: str) -> dict:
        if self.eligibility_flow is None:
            raise LookupError("当前会话没有进行中的资格预审。")
        return self.eligibility_flow.status(session_id)

    def form_draft(self, session_id: str, matter_code: str) -> tuple[FormDraft, FormReport]:
        """(draft, report) of the session's form for a matter, built from the conversation when new."""
        if self.form_flow is None:
            raise KeyError(matter_code)
        with self.store.turn_lock(session_id):
            return self.form_flow.draft(session_id, matter_code)

    def form_patch(
        self, session_id: str, matter_code: str, field: str, value: Any
    ) -> tuple[FormDraft, FormReport]:
        if self.form_flow is None:
            raise KeyError(matter_code)
        with self.store.turn_lock(session_id):
            return self.form_flow.patch(session_id, matter_code, field, value)

    def request_handoff(self, session_id: str, note: str = "") -> Answer:
        """The citizen asked for a human (转人工 button)."""
        with self.store.turn_lock(session_id):
            state = DialogState.model_validate(self.store.get_state(session_id))
            answer = self.handoff.open_ticket(session_id, state, note or "用户请求转人工")
        answer.session_id = session_id
        answer.message_id = self.store.add_message(
            session_id, "assistant", answer.text, answer.model_dump(exclude={"trace"})
        )
        return answer
