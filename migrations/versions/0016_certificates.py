"""certificates: a number (ZS-<year>-<serial>) and a random verification code for each passing attempt
of an exam that gives a certificate; annulment. The passing attempts finished before this migration get
theirs here, in the order they were submitted (then by attempt id), dated when they were submitted

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa
import eduapp.models.base


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('issued_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('annulled_at', eduapp.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('annulled_by_id', sa.Integer(), nullable=True),
    sa.Column('annul_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['annulled_by_id'], ['users.id'], name=op.f('fk_certificates_annulled_by_id_users')),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_certificates_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_certificates_exam_id_exams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_certificates_attempt_id')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_exam_id'), ['exam_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)
    issue_existing(op.get_bind())


def issue_existing(connection):
    """A certificate for every finished, passed (not annulled) attempt of an exam with ``certificate``, in
    the order (submitted_at, attempt id): the serials, hence the numbers, are the same on every run."""
    from eduapp.domain import certificates as rules

    utc = eduapp.models.base.UTCDateTime(timezone=True)
    attempts = sa.table('attempts', sa.column('id'), sa.column('exam_id'), sa.column('user_id'),
                        sa.column('state'), sa.column('passed'), sa.column('submitted_at', utc))
    exams = sa.table('exams', sa.column('id'), sa.column('certificate'))
    certs = sa.table('certificates', sa.column('id'), sa.column('attempt_id'), sa.column('exam_id'),
                     sa.column('user_id'), sa.column('number'), sa.column('code'), sa.column('issued_at', utc))
    rows = connection.execute(
        sa.select(attempts.c.id, attempts.c.exam_id, attempts.c.user_id, attempts.c.submitted_at)
        .join(exams, exams.c.id == attempts.c.exam_id)
        .where(attempts.c.state == 'finished', attempts.c.passed.is_(True), exams.c.certificate.is_(True),
               attempts.c.submitted_at.is_not(None))
        .order_by(attempts.c.submitted_at, attempts.c.id)
    ).all()
    for row in rows:
        connection.execute(sa.insert(certs).values(
            attempt_id=row.id, exam_id=row.exam_id, user_id=row.user_id, code=rules.new_code(),
            issued_at=row.submitted_at))
        serial = connection.execute(sa.select(certs.c.id).where(certs.c.attempt_id == row.id)).scalar_one()
        connection.execute(sa.update(certs).where(certs.c.id == serial)
                           .values(number=rules.number(row.submitted_at, serial)))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_exam_id'))

    op.drop_table('certificates')
