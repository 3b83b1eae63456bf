"""Sections with the same vector share one stored vector: the others name the row that holds it
(`vector_of`) and store none, so pgvector's k nearest are k different vectors, not k copies of one paragraph
repeated in every county's guide.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not sa.inspect(bind).has_table("index_chunks"):
        return  # no index in this database (SQLite, or PostgreSQL without pgvector)
    op.execute("ALTER TABLE index_chunks ADD COLUMN vector_of text")
    op.execute("ALTER TABLE index_chunks ALTER COLUMN embedding DROP NOT NULL")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not sa.inspect(bind).has_table("index_chunks"):
        return
    op.execute(
        "UPDATE index_chunks d SET embedding = o.embedding FROM index_chunks o "
        "WHERE d.vector_of = o.id AND d.embedding IS NULL"
    )
    op.execute("ALTER TABLE index_chunks ALTER COLUMN embedding SET NOT NULL")
    op.execute("ALTER TABLE index_chunks DROP COLUMN vector_of")
