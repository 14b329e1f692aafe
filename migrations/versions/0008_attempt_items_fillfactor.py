"""attempt_items: fillfactor 70, so that autosaves update their rows in place (HOT updates)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 21:40:00

"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # PostgreSQL only (a storage parameter); it applies to pages written from now on.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE attempt_items SET (fillfactor = 70)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE attempt_items RESET (fillfactor)")
