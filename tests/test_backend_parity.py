"""The same conversations on both deployments: SQLite + FAISS (one machine) and PostgreSQL + pgvector (a real
PostgreSQL from PyPI's pgserver, the index published into it). What a citizen gets must not depend on the
backend: the answer, its citation, the region follow-up, a refusal without a ticket, a form draft, and what
the store keeps."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from stdnum.cn import ric

from assistant.services import Assistant, build_assistant
from assistant.store import Store

pgserver = pytest.importorskip("pgserver")
pytestmark = pytest.mark.filterwarnings("ignore:Did not recognize type 'vector'")

MOTHER_ID = next("43010219900101122" + d for d in "0123456789X" if ric.is_valid("43010219900101122" + d))


@pytest.fixture(scope="module")
def pg_backend(settings, tmp_path_factory) -> Iterator[tuple[object, object]]:
    """(settings, searcher) of the bundled knowledge served from PostgreSQL + pgvector."""
    from assistant.retrieval.index import build_index
    from assistant.retrieval.search import Searcher

    root = tmp_path_factory.mktemp("parity")
    srv = pgserver.get_server(str(root / "pg"), cleanup_mode="stop")
    try:
        srv.psql('CREATE DATABASE "parity";')
        host = srv.get_uri().split("host=")[1]
        url = f"postgresql+psycopg://postgres:@/parity?host={host}"
        Store(url)  # migrations, including the index tables
        pgs = settings.model_copy(
            update={"vector_store": "pgvector", "database_url": url, "data_dir": root / "data"}
        )
        shutil.copytree(settings.index_dir, pgs.index_dir, symlinks=True)  # vectors reused, not re-embedded
        summary = build_index(pgs)
        assert summary.embedded_chunks == 0
        yield pgs, Searcher(pgs)
    finally:
        srv.cleanup()


@pytest.fixture(params=["sqlite+faiss", "postgresql+pgvector"])
def bot(request, settings, searcher, tmp_path: Path) -> Assistant:
    if request.param == "sqlite+faiss":
        return build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/t.db"))
    pgs, pg_searcher = request.getfixturevalue("pg_backend")
    return build_assistant(pgs, searcher=pg_searcher, store=Store(pgs.database_url))


def test_an_answer_with_its_citation_and_both_turns_stored(bot: Assistant):
    sid, _ = bot.new_session()
    a = bot.respond(sid, "长沙开饭店要带啥材料")
    assert a.mode == "composer" and a.matter_code == "43TCN0003" and a.aspect == "materials"
    assert a.region_name == "长沙市" and a.citations and a.citations[0].guide_name
    roles = [m["role"] for m in bot.store.messages(sid)]
    assert roles == ["user", "assistant"]


def test_the_region_is_asked_then_used(bot: Assistant):
    sid, _ = bot.new_session()
    first = bot.respond(sid, "新生儿出生一件事要带什么材料")
    assert first.matter_code == "43PCN0009" and "哪里" in first.text
    second = bot.respond(sid, "株洲")
    assert second.region_name == "株洲市" and second.aspect == "materials"


def test_an_off_topic_request_is_refused_without_a_ticket(bot: Assistant):
    sid, _ = bot.new_session()
    a = bot.respond(sid, "帮我写个请假条")
    assert a.mode == "refusal"
    assert not [h for h in bot.store.handoffs() if h["session_id"] == sid]


def test_a_form_draft_from_the_chat(bot: Assistant):
    sid, _ = bot.new_session()
    bot.respond(sid, "长沙的，新生儿出生一件事，帮我填表")
    bot.respond(sid, f"我是孩子妈妈陈静，身份证{MOTHER_ID}，电话13812345678")
    draft, _report = bot.form_draft(sid, "43PCN0009")
    values = {k: v.value for k, v in draft.values.items()}
    assert values["applicant_name"] == "陈静" and values["mother_name"] == "陈静"
    assert values["applicant_id_number"] == MOTHER_ID and values["applicant_phone"] == "13812345678"
