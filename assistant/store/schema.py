"""The store's schema through alembic migrations (assistant/store/migrations): `onething db upgrade`, and
every Store on start. A database made before migrations existed (tables, no alembic_version) is stamped
as revision 0001, the schema it has, and upgraded from there."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    return str(ScriptDirectory.from_config(_config()).get_current_head())


def current(engine: Engine) -> str | None:
    """The database's revision, None when it has no alembic_version table (new, or made before migrations)."""
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the database to `revision` in one transaction (serialised across processes on PostgreSQL by
    an advisory lock); returns the revision it is at."""
    if revision == "head" and current(engine) == head():
        return head()
    cfg = _config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('onething-migrations'))"))
        cfg.attributes["connection"] = conn
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and "sessions" in tables:
            command.stamp(cfg, "0001")  # the schema before migrations: exactly revision 0001
        command.upgrade(cfg, revision)
    return current(engine) or ""
