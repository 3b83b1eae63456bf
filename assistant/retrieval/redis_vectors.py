"""The query-vector cache's shared level in Redis, for servers on several machines: float32 bytes under
`onething:qv:<embedding model>:<SHA-256 of the question>`, expiring with the retention period. The same
get/set/close calls as the on-disk level (diskcache), so the cache does not care which one it has."""

from __future__ import annotations

from assistant.redis_client import redis_client

PREFIX = "onething:qv"


class RedisVectors:
    """Vectors of one embedding model in Redis; keys are hashes, values raw bytes (no question text)."""

    def __init__(self, url: str, model_id: str) -> None:
        self.client = redis_client(url)
        self.prefix = f"{PREFIX}:{model_id}:"

    def get(self, key: str) -> bytes | None:
        return self.client.get(self.prefix + key)

    def set(self, key: str, value: bytes, expire: float | None = None) -> None:
        self.client.set(self.prefix + key, value, ex=max(1, int(expire)) if expire else None)

    def close(self) -> None:
        """Nothing to close: the connection pool belongs to the process (assistant.redis_client)."""
