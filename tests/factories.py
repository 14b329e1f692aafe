"""Building blocks for tests: organisations and accounts made through the real services."""

from __future__ import annotations

from eduapp.domain.roles import Role
from eduapp.domain.uscc import make_code
from eduapp.services import accounts, orgs
from tests.conftest import PASSWORD


def enterprise(name: str, seq: int = 0, **fields):
    data = {
        "name": name,
        "uscc": make_code("91", "320100", f"MA1T{seq:04d}"),
        "legal_representative": "法人",
        "env_manager": "环保负责人",
        "industry": "制造业",
        "district": "东区",
        "permit_number": f"P{seq:06d}",
        "permit_expires_on": None,
    }
    data.update(fields)
    return orgs.save_enterprise(None, data)


def unit(name: str, parent=None):
    return orgs.save_unit(None, name, parent)


def user(username: str, org, *roles: Role, password: str = PASSWORD, **kwargs):
    return accounts.create_user(
        None,
        username=username,
        full_name=kwargs.pop("full_name", username),
        organisation=org,
        roles=roles or (Role.ENTERPRISE_STAFF,),
        password=password,
        **kwargs,
    )


def two_enterprises():
    """Enterprise A and B, each with a contact and a staff member; returns a dict of ids."""
    a = enterprise("甲企业", 1)
    b = enterprise("乙企业", 2)
    ids = {"org_a": a.id, "org_b": b.id}
    ids["contact_a"] = user("contact-a", a, Role.ENTERPRISE_CONTACT).id
    ids["staff_a"] = user("staff-a", a, Role.ENTERPRISE_STAFF).id
    ids["contact_b"] = user("contact-b", b, Role.ENTERPRISE_CONTACT).id
    ids["staff_b"] = user("staff-b", b, Role.ENTERPRISE_STAFF).id
    return ids


def question(uid: str = "t-0001"):
    """A published single-choice question in the bank."""
    from sqlalchemy import select

    from eduapp.extensions import db
    from eduapp.models import Question
    from eduapp.services.question_import import import_files

    text = f"""law: 中华人民共和国行政处罚法
questions:
  - id: {uid}
    type: single
    stem: 行政处罚的设定和实施，应当以什么为依据？
    options: [事实, 上级指示]
    answer: A
    article: 第五条
"""
    report = import_files([(f"{uid}.yaml", text.encode())])
    assert report.written, report.rejected
    return db.session.execute(select(Question).where(Question.uid == uid)).scalar_one()
