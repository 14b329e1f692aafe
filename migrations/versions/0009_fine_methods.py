"""fine methods: how each violation type's fine is computed, its 行政处罚法 §29 group, and a case's fine basis

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# The packaged catalogue's entries whose fine is not a fixed range, and its §29 groups, so that a
# database upgraded before `eduapp cases catalogue` is run again computes its floors at once.
MULTIPLES = {
    "AIR-105": ("货值金额", None, 100, 300),
    "SOLID-102-7": ("所需处置费用", 10_000_000, 100, 300),
    "SOLID-112-3": ("所需处置费用", 20_000_000, 300, 500),
    "EIA-31-K1": ("建设项目总投资额", None, 1, 5),
}
PER_OCCURRENCE = ("PERMIT-37-1", "PERMIT-37-3")
GROUPS = {
    "no_permit_discharge": ("AIR-99-1", "WATER-83-1", "NOISE-75", "PERMIT-33-1", "MARINE-93-2"),
    "self_monitoring": ("AIR-100-2", "WATER-82-1", "PERMIT-36-5", "NOISE-76-1"),
    "over_limit_discharge": ("AIR-99-2", "WATER-83-2", "PERMIT-34-1", "MARINE-93-3"),
    "evading_supervision": ("AIR-99-3", "WATER-83-3", "PERMIT-34-2"),
    "obstructing_inspection": ("AIR-98", "WATER-81", "SOLID-103", "NOISE-71", "PERMIT-39"),
}


def upgrade():
    with op.batch_alter_table('violation_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fine_method', sa.String(length=16), server_default='range', nullable=False))
        batch_op.add_column(sa.Column('basis', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('basis_floor', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('multiple_min_percent', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('multiple_max_percent', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('same_act_group', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('min_harm', sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f('ix_violation_types_same_act_group'), ['same_act_group'], unique=False)
    with op.batch_alter_table('penalty_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fine_basis_fen', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('occurrences', sa.Integer(), nullable=True))

    vt = sa.table('violation_types', sa.column('code', sa.String), sa.column('fine_method', sa.String),
                  sa.column('basis', sa.String), sa.column('basis_floor', sa.BigInteger),
                  sa.column('multiple_min_percent', sa.Integer), sa.column('multiple_max_percent', sa.Integer),
                  sa.column('same_act_group', sa.String), sa.column('min_harm', sa.String))
    for code, (basis, floor, low, high) in MULTIPLES.items():
        op.execute(vt.update().where(vt.c.code == code).values(
            fine_method='multiple', basis=basis, basis_floor=floor, multiple_min_percent=low,
            multiple_max_percent=high))
    op.execute(vt.update().where(vt.c.code.in_(PER_OCCURRENCE)).values(fine_method='per_occurrence'))
    for group, codes in GROUPS.items():
        op.execute(vt.update().where(vt.c.code.in_(codes)).values(same_act_group=group))
    op.execute(vt.update().where(vt.c.code == 'WATER-93-1').values(min_harm='serious'))


def downgrade():
    with op.batch_alter_table('penalty_cases', schema=None) as batch_op:
        batch_op.drop_column('occurrences')
        batch_op.drop_column('fine_basis_fen')
    with op.batch_alter_table('violation_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_violation_types_same_act_group'))
        batch_op.drop_column('min_harm')
        batch_op.drop_column('same_act_group')
        batch_op.drop_column('multiple_max_percent')
        batch_op.drop_column('multiple_min_percent')
        batch_op.drop_column('basis_floor')
        batch_op.drop_column('basis')
        batch_op.drop_column('fine_method')
