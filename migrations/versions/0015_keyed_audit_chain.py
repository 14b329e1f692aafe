"""keyed audit chain: re-key the records written before the chain was keyed (HMAC under
EDUAPP_AUDIT_KEY), after checking their old unkeyed chain; the re-keying is itself audited

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-06 21:20:00

"""


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    from alembic import op

    from eduapp.services.audit import chain_key
    from eduapp.services.audit_connection import rechain_trail

    rechain_trail(op.get_bind(), chain_key())


def downgrade():
    # The keyed chain is kept: the old release's `eduapp audit verify` (plain SHA-256) would report
    # it broken, and un-keying would throw the protection away. Nothing to undo in the schema.
    pass
