"""Knowledge changes reach every node: with pgvector, each server process watches the knowledge version in
PostgreSQL and switches to a newly published build without dropping a request."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from assistant.config import Settings
from assistant.services import build_assistant

log = logging.getLogger("onething.api")


async def watch_knowledge(app: FastAPI, settings: Settings) -> None:
    """pgvector: every few seconds, compare the knowledge version in PostgreSQL with the one this process
    serves; when another node (or this one) published a new build, load it beside the old one and switch.
    Requests in flight finish on the assistant they started with; nothing is dropped."""
    from assistant.retrieval.pg_index import PgIndex
    from assistant.retrieval.search import Searcher

    pg = PgIndex(settings.database_url)

    def reload() -> None:
        new = build_assistant(settings, searcher=Searcher(settings))
        new.warm()
        app.state.assistant = new
        log.info("knowledge version %s loaded", new.searcher.knowledge_version)

    while True:
        await asyncio.sleep(settings.knowledge_poll_seconds)
        try:
            current = app.state.assistant
            if current is None:
                continue
            if await asyncio.to_thread(pg.version) > current.searcher.knowledge_version:
                await asyncio.to_thread(reload)
        except Exception as exc:  # noqa: BLE001 - keep serving the old knowledge; try again next time
            log.warning("knowledge reload failed: %s", type(exc).__name__)
