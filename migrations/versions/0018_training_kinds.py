"""training kinds, place and capacity: each training is 集中学法, a 法律培训讲座, 一把手讲法 or other, as the
annual report counts them; existing trainings get the kind their title names

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 23:00:00

Existing rows: a title containing 集中学法 is collective_study, else one containing 讲法 is
head_lecture, else one containing 讲座 is lecture, else other (eduapp.domain.trainings.kind_from_title,
which this SQL mirrors). Registrations (training_registrations) exist since 0006.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=24), server_default='other', nullable=False))
        batch_op.add_column(sa.Column('place', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE trainings SET kind = CASE"
        " WHEN title LIKE '%集中学法%' THEN 'collective_study'"
        " WHEN title LIKE '%讲法%' THEN 'head_lecture'"
        " WHEN title LIKE '%讲座%' THEN 'lecture'"
        " ELSE 'other' END"
    )


def downgrade():
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_column('capacity')
        batch_op.drop_column('place')
        batch_op.drop_column('kind')
