"""case handling unit (承办机构): penalty_cases.handling_unit_id, the bureau's unit that handles the
case (its role holders get the case's offset-review reminders). Existing cases take the unit of their
case officer, else of the account that created the case (its penalty_case.create audit record), when
that is a unit of the bureau; otherwise it stays empty and their reminders go bureau-wide as before.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('penalty_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_penalty_cases_handling_unit_id'), ['handling_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_penalty_cases_handling_unit_id_organisations'), 'organisations',
                                    ['handling_unit_id'], ['id'])
    # The case officer's unit, where the case has an officer in a unit of the bureau.
    op.execute("""
        UPDATE penalty_cases SET handling_unit_id = (
            SELECT u.organisation_id FROM users u JOIN organisations o ON o.id = u.organisation_id
            WHERE u.id = penalty_cases.officer_id AND o.kind = 'government')
        WHERE handling_unit_id IS NULL AND officer_id IS NOT NULL""")
    # Else the unit of the account that created it (the first penalty_case.create record of the case).
    op.execute("""
        UPDATE penalty_cases SET handling_unit_id = (
            SELECT u.organisation_id FROM audit_records a
            JOIN users u ON u.id = a.actor_id JOIN organisations o ON o.id = u.organisation_id
            WHERE a.action = 'penalty_case.create' AND a.object_type = 'penalty_case'
              AND a.object_id = CAST(penalty_cases.id AS VARCHAR(64)) AND o.kind = 'government'
            ORDER BY a.id LIMIT 1)
        WHERE handling_unit_id IS NULL""")


def downgrade():
    with op.batch_alter_table('penalty_cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_penalty_cases_handling_unit_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_penalty_cases_handling_unit_id'))
        batch_op.drop_column('handling_unit_id')
