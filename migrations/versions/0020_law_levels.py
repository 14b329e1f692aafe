"""law levels: each statute stores its level in the hierarchy of the Legislation Law (法律, 行政法规,
省级地方性法规, 设区的市地方性法规, other), so the library shows and filters by it

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 23:45:00

Existing rows get the level their title implies (eduapp.domain.law_library.level_of, which this SQL
mirrors: …办法 other; …法 law; a …条例 of a province or of the four municipalities provincial, of another
city municipal, else administrative; anything else other). The next `eduapp laws import` of a folder
whose INDEX.tsv has a level column stores that level instead.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('laws', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=32), server_default='other', nullable=False))
        batch_op.create_index(batch_op.f('ix_laws_level'), ['level'], unique=False)
    op.execute(
        "UPDATE laws SET level = CASE"
        " WHEN title LIKE '%办法' THEN 'other'"
        " WHEN title LIKE '%法' OR title LIKE '%法典' THEN 'law'"
        " WHEN title LIKE '%条例' AND (title LIKE '北京市%' OR title LIKE '天津市%' OR title LIKE '上海市%'"
        " OR title LIKE '重庆市%' OR title LIKE '__%省%' OR title LIKE '__%自治区%') THEN 'provincial_regulation'"
        " WHEN title LIKE '%条例' AND title LIKE '__%市%' THEN 'municipal_regulation'"
        " WHEN title LIKE '%条例' THEN 'administrative_regulation'"
        " ELSE 'other' END"
    )


def downgrade():
    with op.batch_alter_table('laws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_laws_level'))
        batch_op.drop_column('level')
