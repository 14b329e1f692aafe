"""law versions: a new version of a statute (same title) keeps the earlier one, which points to it
(superseded_by_id); a repeal date; the article-by-article diff of each amendment (law_amendments);
questions citing a changed or removed article wait for review (review_reason); a version made by a
citation move says so (note)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 23:40:00

Existing rows: every statute is the version in force (superseded_by_id NULL), none repealed, no
question waits for review, no version has a note.
"""
import sqlalchemy as sa
from alembic import op

import eduapp.models.base

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('laws', schema=None) as batch_op:
        batch_op.drop_constraint('uq_laws_title', type_='unique')
        batch_op.add_column(sa.Column('superseded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('repealed_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_laws_title'), ['title'], unique=False)
        batch_op.create_index(batch_op.f('ix_laws_superseded_by_id'), ['superseded_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_laws_superseded_by_id_laws'), 'laws', ['superseded_by_id'], ['id'])

    op.create_table('law_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_law_id', sa.Integer(), nullable=False),
    sa.Column('new_law_id', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('pairs', sa.JSON(), nullable=False),
    sa.Column('created_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['new_law_id'], ['laws.id'], name=op.f('fk_law_amendments_new_law_id_laws')),
    sa.ForeignKeyConstraint(['old_law_id'], ['laws.id'], name=op.f('fk_law_amendments_old_law_id_laws')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_law_amendments')),
    sa.UniqueConstraint('new_law_id', name=op.f('uq_law_amendments_new_law_id'))
    )
    with op.batch_alter_table('law_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_law_amendments_old_law_id'), ['old_law_id'], unique=False)

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('review_amendment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_questions_review_reason'), ['review_reason'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_questions_review_amendment_id_law_amendments'),
                                    'law_amendments', ['review_amendment_id'], ['id'])

    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_column('note')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_questions_review_amendment_id_law_amendments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_questions_review_reason'))
        batch_op.drop_column('review_amendment_id')
        batch_op.drop_column('review_reason')

    with op.batch_alter_table('law_amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_law_amendments_old_law_id'))
    op.drop_table('law_amendments')

    with op.batch_alter_table('laws', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_laws_superseded_by_id_laws'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_laws_superseded_by_id'))
        batch_op.drop_index(batch_op.f('ix_laws_title'))
        batch_op.drop_column('repealed_on')
        batch_op.drop_column('superseded_by_id')
        batch_op.create_unique_constraint('uq_laws_title', ['title'])
