"""不予处罚 (行政处罚法 §33): the published 免罚清单 (non_penalty_lists, versioned) and the case officer's
decisions not to penalise (non_penalty_decisions)

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06 20:00:00

"""
import sqlalchemy as sa
from alembic import op

import eduapp.models.base

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('non_penalty_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('doc_number', sa.String(length=100), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('legal_basis', sa.JSON(), nullable=False),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_non_penalty_lists_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_non_penalty_lists')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_non_penalty_lists_code'))
    )
    with op.batch_alter_table('non_penalty_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_non_penalty_lists_code'), ['code'], unique=False)

    op.create_table('non_penalty_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('ground', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('education', sa.Text(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=True),
    sa.Column('assessment', sa.JSON(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['penalty_cases.id'],
                            name=op.f('fk_non_penalty_decisions_case_id_penalty_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                            name=op.f('fk_non_penalty_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['list_id'], ['non_penalty_lists.id'],
                            name=op.f('fk_non_penalty_decisions_list_id_non_penalty_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_non_penalty_decisions')),
    sa.UniqueConstraint('case_id', name=op.f('uq_non_penalty_decisions_case_id'))
    )
    with op.batch_alter_table('non_penalty_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_non_penalty_decisions_decided_on'), ['decided_on'], unique=False)


def downgrade():
    with op.batch_alter_table('non_penalty_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_non_penalty_decisions_decided_on'))
    op.drop_table('non_penalty_decisions')
    with op.batch_alter_table('non_penalty_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_non_penalty_lists_code'))
    op.drop_table('non_penalty_lists')
