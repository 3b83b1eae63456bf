"""The dialog layer: one turn = understand → route → one flow (consult, eligibility, form, handoff)."""

from assistant.dialog.assistant import Assistant
from assistant.dialog.state import MAX_MESSAGE_CHARS, DialogState, InputError

__all__ = ["MAX_MESSAGE_CHARS", "Assistant", "DialogState", "InputError"]
