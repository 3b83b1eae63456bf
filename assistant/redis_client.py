"""The process's Redis clients, one per URL (each a thread-safe connection pool), with short timeouts: a slow or
absent Redis delays a request by a couple of seconds at most, it never hangs it."""

from __future__ import annotations

from functools import lru_cache

import redis


@lru_cache(maxsize=8)
def redis_client(url: str) -> redis.Redis:
    """The shared client for `url` (redis://host:port/db, rediss://…, unix:///path); it connects lazily."""
    return redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0, health_check_interval=30)
