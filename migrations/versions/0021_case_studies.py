"""case studies (以案释法): typical cases made from decided penalty cases, with their articles, the decision,
the lesson and attached questions; draft → in review → published → retired (four eyes on publishing)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa
import eduapp.models.base


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_studies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source_case_id', sa.Integer(), nullable=True),
    sa.Column('enterprise', sa.String(length=200), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('articles', sa.JSON(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('lesson', sa.Text(), nullable=False),
    sa.Column('question_uids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('published_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_studies_author_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_case_studies_reviewer_id_users')),
    sa.ForeignKeyConstraint(['source_case_id'], ['penalty_cases.id'], name=op.f('fk_case_studies_source_case_id_penalty_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_studies')),
    sa.UniqueConstraint('uid', name=op.f('uq_case_studies_uid'))
    )
    with op.batch_alter_table('case_studies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_studies_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_studies_source_case_id'), ['source_case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_studies_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('case_studies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_studies_status'))
        batch_op.drop_index(batch_op.f('ix_case_studies_source_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_studies_published_at'))
    op.drop_table('case_studies')
