"""Prometheus text exposition of the API's own counters (requests, turns by mode, latency sums)."""

from __future__ import annotations

import threading


class Metrics:
    """Prometheus text exposition of a few counters (requests, turns by mode, latency sums)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counters: dict[str, float] = {}

    def inc(self, name: str, value: float = 1.0) -> None:
        with self.lock:
            self.counters[name] = self.counters.get(name, 0.0) + value

    def render(self) -> str:
        with self.lock:
            lines = []
            for key, v in sorted(self.counters.items()):
                name, _, labels = key.partition("|")
                lines.append(f"{name}{{{labels}}} {v}" if labels else f"{name} {v}")
            return "\n".join(lines) + "\n"
