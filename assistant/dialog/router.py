"""Pick the flow of a turn from its understanding and the session's pending state (the one decision ladder)."""

from __future__ import annotations

from typing import Literal

from assistant.answer.models import Answer
from assistant.dialog.consult import ConsultFlow
from assistant.dialog.eligibility_flow import EligibilityFlow
from assistant.dialog.form_flow import FormFlow
from assistant.dialog.handoff import HandoffFlow
from assistant.dialog.understand import TurnContext

Flow = Literal["handoff", "refuse", "form", "eligibility", "clarified", "consult"]


class Router:
    def __init__(
        self,
        consult: ConsultFlow,
        handoff: HandoffFlow,
        eligibility: EligibilityFlow | None,
        form: FormFlow | None,
    ):
        self.consult = consult
        self.handoff = handoff
        self.eligibility = eligibility
        self.form = form

    def route(self, ctx: TurnContext) -> tuple[Flow, Answer]:
        """The flow that takes the turn and its answer. The form and eligibility flows decline (None) a
        turn that only looked like theirs, e.g. a new question in the middle of filling a form."""
        if ctx.intent == "handoff":
            return "handoff", self.handoff.handle(ctx)
        if ctx.intent == "manipulation":
            ctx.state.pending = None
            return "refuse", self.handoff.refuse(ctx, "manipulation", None)
        if ctx.intent == "out_of_scope":
            return "refuse", self.handoff.refuse(ctx, "out_of_scope", None)
        if self.form is not None and (answer := self.form.handle(ctx)) is not None:
            return "form", answer
        if self.eligibility is not None and (answer := self.eligibility.handle(ctx)) is not None:
            return "eligibility", answer
        if ctx.state.pending is not None and (answer := self.consult.resolve_pending(ctx)) is not None:
            return "clarified", answer
        return "consult", self.consult.handle(ctx)
