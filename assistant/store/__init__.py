"""Persistence through SQLAlchemy: sessions and their state, messages, handoffs, feedback, drafts, audit."""

from assistant.store.lock import StoreLockError, WriteLock
from assistant.store.sessions import SessionNotFoundError, Store, get_store
from assistant.store.tables import (
    AuditRow,
    Base,
    DraftRow,
    FeedbackRow,
    HandoffRow,
    MessageRow,
    SessionRow,
)

__all__ = [
    "AuditRow",
    "Base",
    "DraftRow",
    "FeedbackRow",
    "HandoffRow",
    "MessageRow",
    "SessionNotFoundError",
    "SessionRow",
    "Store",
    "StoreLockError",
    "WriteLock",
    "get_store",
]
