"""Two requests creating the same username at once (PostgreSQL: SQLite serialises writers): one account
is made, every other request gets the form error naming ``username``, never a 500 (IntegrityError)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Organisation, User
from eduapp.services import accounts
from tests import factories
from tests.test_points_concurrency import race

pytestmark = pytest.mark.postgres


def test_racing_creations_of_one_username_make_one_account_and_a_form_error(app, ctx):
    firm_id = factories.enterprise("甲企业", 1).id

    def create(i):
        return accounts.create_user(None, username="twin", full_name=f"同名{i}", organisation=db.session.get(
            Organisation, firm_id), roles=[Role.ENTERPRISE_STAFF], password="Xq7-long-enough-pw").id

    made, errors = race(app, 8, create)
    assert len(made) == 1
    assert errors and all(isinstance(e, InputError) for e in errors), errors
    assert {p.field for e in errors for p in e.problems} == {"username"}
    assert db.session.execute(select(func.count()).select_from(User).where(User.username == "twin")).scalar() == 1
