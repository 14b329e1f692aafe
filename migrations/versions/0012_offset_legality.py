"""offset legality: decisions keep their evaluation, applications their re-evaluations, undertaking and
end reason; the 集体讨论 record; rule sets lose an unfounded allow_below_minimum (audited)

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-06 20:00:00

"""
from alembic import op
import sqlalchemy as sa
import eduapp.models.base


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offset_discussions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('participants', sa.Text(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['offset_applications.id'], name=op.f('fk_offset_discussions_application_id_offset_applications')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_offset_discussions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offset_discussions')),
    sa.UniqueConstraint('application_id', name=op.f('uq_offset_discussions_application_id'))
    )
    with op.batch_alter_table('offset_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reevaluations', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('undertaking_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('undertaken_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('offset_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation', sa.JSON(), nullable=True))

    from eduapp.services.rule_set_legality import clear_unfounded_reductions

    clear_unfounded_reductions(op.get_bind())


def downgrade():
    with op.batch_alter_table('offset_decisions', schema=None) as batch_op:
        batch_op.drop_column('evaluation')
    with op.batch_alter_table('offset_applications', schema=None) as batch_op:
        batch_op.drop_column('end_reason')
        batch_op.drop_column('undertaken_at')
        batch_op.drop_column('undertaking_text')
        batch_op.drop_column('reevaluations')
    op.drop_table('offset_discussions')
