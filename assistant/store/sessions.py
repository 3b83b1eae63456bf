"""The Store: every persistent read and write, each its own transaction; one engine per database URL."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import create_engine, delete, event, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from assistant.store.lock import TurnLocks, WriteLock
from assistant.store.schema import upgrade
from assistant.store.tables import (
    _ADD_MESSAGE,
    _SET_STATE,
    _STATE_OF,
    _TOKEN_OF,
    AuditRow,
    Base,
    DraftRow,
    FeedbackRow,
    HandoffRow,
    MessageRow,
    SessionRow,
    _now,
)
from assistant.store.wal import enable_wal

log = logging.getLogger("onething.store")


class SessionNotFoundError(KeyError):
    pass


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no cover - exercised through every test
        cur = dbapi_conn.cursor()
        enable_wal(cur)  # two workers on a fresh file: the switch is retried, not fatal
        cur.execute("PRAGMA synchronous=FULL")  # an acknowledged commit survives kill -9 and power loss
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute(
            "PRAGMA secure_delete=ON"
        )  # deleted rows are overwritten with zeros, not left in free pages
        cur.close()


class Store:
    """All persistent state. Every call is its own transaction; nothing lives only in memory."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            db_path = Path(url.removeprefix("sqlite:///"))
            db_path.parent.mkdir(parents=True, exist_ok=True)
            # personal data: readable by the service's own user only (SQLite gives the WAL and shared-memory
            # files the database file's permissions)
            os.close(os.open(db_path, os.O_CREAT | os.O_RDWR, 0o600))
            for f in (
                db_path,
                *(db_path.with_name(db_path.name + x) for x in ("-wal", "-shm", ".writelock")),
            ):
                if f.exists():
                    f.chmod(0o600)
        sqlite = url.startswith("sqlite")
        # a local SQLite file needs no liveness ping; a server database does
        self.engine = create_engine(url, future=True, pool_pre_ping=not sqlite)
        if sqlite:
            _sqlite_pragmas(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite takes one writer at a time and makes the others poll with sleeps of 1, 2, 5, 10… ms. Our own
        # writers (threads and server processes) queue on a lock instead and are woken as soon as it is free;
        # other writers (a purge from cron) still meet the busy timeout.
        self._write_lock: WriteLock | nullcontext = nullcontext()
        self._turn_locks: TurnLocks | None = None  # PostgreSQL: advisory locks (turn_lock)
        if sqlite:
            db_file = url.removeprefix("sqlite:///")
            real_file = url.startswith("sqlite:///") and db_file and ":memory:" not in db_file
            self._write_lock = WriteLock(Path(db_file + ".writelock") if real_file else None)
            self._turn_locks = TurnLocks(Path(db_file + ".turnlock") if real_file else None)
        if sqlite and (":memory:" in url or url.rstrip("/") == "sqlite:"):
            Base.metadata.create_all(self.engine)  # a throwaway in-memory store: no migrations to keep
        else:
            with self._write_lock:  # SQLite: one process migrates at a time (PostgreSQL: an advisory lock)
                upgrade(self.engine)

    @contextmanager
    def _tx(self) -> Iterator[OrmSession]:
        """An ORM transaction that writes."""
        with self._write_lock, self._sessions.begin() as db:
            yield db

    @contextmanager
    def _core_tx(self) -> Iterator[Connection]:
        """A Core transaction that writes (the per-turn paths)."""
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    # -- sessions ---------------------------------------------------------------------------
    def create_session(self, state: dict[str, Any] | None = None) -> tuple[str, str]:
        """A new session id and its secret token (only the token's hash is stored)."""
        sid = secrets.token_hex(12)
        token = secrets.token_urlsafe(24)
        with self._core_tx() as conn:
            conn.execute(
                insert(SessionRow.__table__).values(
                    id=sid,
                    token_hash=_hash_token(token),
                    state=state or {},
                    created_at=_now(),
                    updated_at=_now(),
                )
            )
        return sid, token

    # The per-turn paths (authorize, get_state, record_turn) use Core statements: the ORM's identity map
    # and unit of work cost more than the query itself here.
    def authorize(self, session_id: str, token: str) -> Literal["ok", "missing", "forbidden"]:
        """Whether `token` opens `session_id`, in one query."""
        with self.engine.connect() as conn:
            stored = conn.execute(_TOKEN_OF, {"sid": session_id}).scalar_one_or_none()
        if stored is None:
            return "missing"
        return "ok" if secrets.compare_digest(stored, _hash_token(token or "")) else "forbidden"

    def get_state(self, session_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(_STATE_OF, {"sid": session_id}).first()
        if row is None:
            raise SessionNotFoundError(session_id)
        return dict(row[0] or {})

    def save_state(self, session_id: str, state: dict[str, Any]) -> None:
        with self._tx() as db:
            row = db.get(SessionRow, session_id)
            if row is None:
                raise SessionNotFoundError(session_id)
            row.state = json.loads(json.dumps(state, ensure_ascii=False, default=str))
            row.updated_at = _now()

    def ensure_session(self, session_id: str) -> None:
        """Create a session with a known id (CLI use); no token is handed out."""
        with self._tx() as db:
            if db.get(SessionRow, session_id) is None:
                db.add(SessionRow(id=session_id, token_hash=_hash_token(secrets.token_urlsafe(24)), state={}))

    # -- messages ---------------------------------------------------------------------------
    def _insert(self, row: Base) -> int:
        """Add one row in its own transaction and return its id."""
        with self._tx() as db:
            db.add(row)
            db.flush()
            return row.id  # type: ignore[attr-defined]

    def add_message(
        self, session_id: str, role: str, text: str, payload: dict[str, Any] | None = None
    ) -> int:
        return self._insert(MessageRow(session_id=session_id, role=role, text=text, payload=payload or {}))

    def messages(self, session_id: str, limit: int = 200) -> list[dict[str, Any]]:
        with self._sessions() as db:
            rows = db.scalars(
                select(MessageRow)
                .where(MessageRow.session_id == session_id)
                .order_by(MessageRow.id)
                .limit(limit)
            ).all()
            return [
                {
                    "id": r.id,
                    "role": r.role,
                    "text": r.text,
                    "payload": r.payload,
                    "created_at": r.created_at.isoformat(),
                }
                for r in rows
            ]

    def record_turn(
        self, session_id: str, user_text: str, state: dict[str, Any], reply_text: str, payload: dict[str, Any]
    ) -> int:
        """A whole turn in one transaction (one fsync): the user's message, the new state, the reply.
        Returns the reply's message id."""
        now = _now()
        with self._core_tx() as conn:
            updated = conn.execute(
                _SET_STATE,
                {
                    "sid": session_id,
                    "new_state": json.loads(json.dumps(state, ensure_ascii=False, default=str)),
                    "now": now,
                },
            )
            if updated.rowcount == 0:
                raise SessionNotFoundError(session_id)
            conn.execute(
                _ADD_MESSAGE,
                {
                    "session_id": session_id,
                    "role": "user",
                    "text": user_text,
                    "payload": {},
                    "created_at": now,
                },
            )
            reply = conn.execute(
                _ADD_MESSAGE,
                {
                    "session_id": session_id,
                    "role": "assistant",
                    "text": reply_text,
                    "payload": payload,
                    "created_at": now,
                },
            )
            return int(reply.inserted_primary_key[0])

    # -- handoffs ---------------------------------------------------------------------------
    def create_handoff(
        self, session_id: str, question: str, reason: str, matter_code: str = "", phone: str = ""
    ) -> int:
        return self._insert(
            HandoffRow(
                session_id=session_id, question=question, reason=reason, matter_code=matter_code, phone=phone
            )
        )

    def handoffs(self, status: str | None = None) -> list[dict[str, Any]]:
        with self._sessions() as db:
            q = select(HandoffRow).order_by(HandoffRow.id.desc())
            if status:
                q = q.where(HandoffRow.status == status)
            return [
                {
                    "id": r.id,
                    "session_id": r.session_id,
                    "question": r.question,
                    "reason": r.reason,
                    "matter_code": r.matter_code,
                    "phone": r.phone,
                    "status": r.status,
                    "created_at": r.created_at.isoformat(),
                }
                for r in db.scalars(q).all()
            ]

    def mark_handoff(self, handoff_id: int, by: str) -> None:
        with self._tx() as db:
            row = db.get(HandoffRow, handoff_id)
            if row is not None:
                row.status, row.handled_by, row.handled_at = "handled", by, _now()

    # -- feedback, drafts, audit --------------------------------------------------------------
    def add_feedback(
        self, session_id: str, stars: int, tags: list[str], comment: str, message_id: int | None
    ) -> int:
        return self._insert(
            FeedbackRow(session_id=session_id, stars=stars, tags=tags, comment=comment, message_id=message_id)
        )

    def feedback(self, max_stars: int = 5) -> list[dict[str, Any]]:
        with self._sessions() as db:
            rows = db.scalars(
                select(FeedbackRow).where(FeedbackRow.stars <= max_stars).order_by(FeedbackRow.id.desc())
            ).all()
            return [
                {
                    "id": r.id,
                    "session_id": r.session_id,
                    "message_id": r.message_id,
                    "stars": r.stars,
                    "tags": r.tags,
                    "comment": r.comment,
                    "created_at": r.created_at.isoformat(),
                }
                for r in rows
            ]

    def save_draft(self, session_id: str, matter_code: str, data: dict[str, Any]) -> None:
        with self._tx() as db:
            row = db.get(DraftRow, (session_id, matter_code))
            payload = json.loads(json.dumps(data, ensure_ascii=False, default=str))
            if row is None:
                db.add(DraftRow(session_id=session_id, matter_code=matter_code, data=payload))
            else:
                row.data, row.updated_at = payload, _now()

    def get_draft(self, session_id: str, matter_code: str) -> dict[str, Any] | None:
        with self._sessions() as db:
            row = db.get(DraftRow, (session_id, matter_code))
            return dict(row.data) if row else None

    def audit(self, actor: str, action: str, target: str = "", detail: str = "") -> None:
        with self._tx() as db:
            db.add(AuditRow(actor=actor, action=action, target=target, detail=detail))

    @contextmanager
    def turn_lock(self, session_id: str) -> Iterator[None]:
        """Hold while a turn reads, changes and writes a session's state: concurrent turns on one session
        (two tabs, a double click, two workers) run one after the other and none is lost."""
        if self._turn_locks is not None:
            with self._turn_locks.hold(session_id):
                yield
            return
        key = int.from_bytes(hashlib.blake2b(session_id.encode(), digest_size=8).digest(), signed=True)
        with self.engine.connect() as conn:  # PostgreSQL: a session-level advisory lock on this connection
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({key})")
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")

    def audited(self, action: str, target: str) -> bool:
        """Whether an audit record of `action` on `target` exists (a revoked console session)."""
        with self._sessions() as db:
            return (
                db.scalar(
                    select(AuditRow.id).where(AuditRow.action == action, AuditRow.target == target).limit(1)
                )
                is not None
            )

    def audit_log(self, limit: int = 200) -> list[dict[str, Any]]:
        with self._sessions() as db:
            rows = db.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)).all()
            return [
                {
                    "actor": r.actor,
                    "action": r.action,
                    "target": r.target,
                    "detail": r.detail,
                    "created_at": r.created_at.isoformat(),
                }
                for r in rows
            ]

    # -- statistics and retention ---------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        with self._sessions() as db:
            per_day = db.execute(
                select(func.date(SessionRow.created_at), func.count()).group_by(
                    func.date(SessionRow.created_at)
                )
            ).all()
            return {
                "sessions": db.scalar(select(func.count()).select_from(SessionRow)) or 0,
                "messages": db.scalar(select(func.count()).select_from(MessageRow)) or 0,
                "open_handoffs": db.scalar(
                    select(func.count()).select_from(HandoffRow).where(HandoffRow.status == "open")
                )
                or 0,
                "per_day": [(str(d), n) for d, n in per_day],
            }

    def purge_older_than(self, days: int) -> int:
        """Delete sessions (and with them messages, drafts, feedback, handoffs) idle for `days` days."""
        cutoff = _now() - timedelta(days=days)
        with self._tx() as db:
            ids = db.scalars(select(SessionRow.id).where(SessionRow.updated_at < cutoff)).all()
            for table in (MessageRow, DraftRow, FeedbackRow, HandoffRow):
                db.execute(delete(table).where(table.session_id.in_(ids)))
            db.execute(delete(SessionRow).where(SessionRow.id.in_(ids)))
        if ids and self.engine.dialect.name == "sqlite":
            # the deleted rows must not live on in the write-ahead log: copy it into the (zeroed) pages
            # and truncate it. PostgreSQL: the rows are gone for queries at once; VACUUM reclaims the space.
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(ids)


_stores: dict[str, Store] = {}
_lock = threading.Lock()


def get_store(url: str) -> Store:
    """One engine per database URL per process (an explicit cache of connections, not of data)."""
    with _lock:
        if url not in _stores:
            _stores[url] = Store(url)
        return _stores[url]
