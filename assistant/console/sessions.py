"""Console login sessions in Redis, so that a logout on one node holds on every node: a session id lives under
`onething:staff-session:<id>` (value: the staff user) for the session's lifetime; logging out deletes it, and a
cookie whose id is not there is refused everywhere. The cookie itself stays signed with the console secret,
which must therefore be the same on all nodes."""

from __future__ import annotations

from assistant.redis_client import redis_client

PREFIX = "onething:staff-session:"


class RedisSessions:
    """Live console sessions shared by all nodes through one Redis."""

    def __init__(self, url: str) -> None:
        self.client = redis_client(url)

    def start(self, sid: str, user: str, seconds: int) -> None:
        self.client.set(PREFIX + sid, user.encode(), ex=max(1, int(seconds)))

    def alive(self, sid: str, user: str) -> bool:
        return bool(sid) and self.client.get(PREFIX + sid) == user.encode()

    def end(self, sid: str) -> None:
        self.client.delete(PREFIX + sid)
