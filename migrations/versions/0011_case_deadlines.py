"""case deadlines (行政处罚法 §60) and service dates (§61, §67): case_deadline_extensions,
penalty_cases.served_on and penalty_cases.late_fee_notified

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-06 20:00:00

"""
from alembic import op
import sqlalchemy as sa
import eduapp.models.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_deadline_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('previous_due_on', sa.Date(), nullable=False),
    sa.Column('new_due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_case_deadline_extensions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['penalty_cases.id'], name=op.f('fk_case_deadline_extensions_case_id_penalty_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_deadline_extensions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_deadline_extensions'))
    )
    with op.batch_alter_table('case_deadline_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_deadline_extensions_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('penalty_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('served_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('late_fee_notified', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('penalty_cases', schema=None) as batch_op:
        batch_op.drop_column('late_fee_notified')
        batch_op.drop_column('served_on')

    with op.batch_alter_table('case_deadline_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_deadline_extensions_case_id'))

    op.drop_table('case_deadline_extensions')
