"""The index in PostgreSQL (pgvector): section records with their vectors, the guides they come from, and
the build state with the knowledge version nodes watch. PostgreSQL with the vector extension only; a SQLite store, or a PostgreSQL
without pgvector, keeps its index in files (FAISS).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first()
    if available is None:
        return  # a PostgreSQL without pgvector serves the store only (FAISS keeps the vectors)
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    # the dimension is the model's: the build creates the HNSW index for the dimension it uses
    op.execute(
        "CREATE TABLE index_chunks (id text PRIMARY KEY, pos integer NOT NULL, record jsonb NOT NULL, "
        "row_hash varchar(32) NOT NULL, embedding vector NOT NULL)"
    )
    op.create_index("ix_index_chunks_pos", "index_chunks", ["pos"])
    op.create_table(
        "index_guides",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("row_hash", sa.String(32), nullable=False),
        sa.Column("guide", postgresql.JSONB(), nullable=False),
    )
    op.create_table(
        "index_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state", postgresql.JSONB(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or not sa.inspect(op.get_bind()).has_table("index_state"):
        return
    op.drop_table("index_state")
    op.drop_table("index_guides")
    op.drop_table("index_chunks")
