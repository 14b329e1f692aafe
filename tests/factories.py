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


def bank(per_type: int = 6, law: str = "中华人民共和国行政处罚法") -> int:
    """A published bank of ``per_type`` questions of each type (difficulty 1-5 in turn); returns its size."""
    from eduapp.services.question_import import import_files

    lines = [f"law: {law}", "category: 行政法律/行政处罚法", "questions:"]
    for n in range(per_type):
        d = n % 5 + 1
        lines += [f"  - id: s-{n:03}", "    type: single", f"    stem: 单选题第{n}题", "    options: [甲, 乙, 丙, 丁]",
                  "    answer: B", f"    difficulty: {d}", "    article: 第五条", "    tags: [单选]"]
        lines += [f"  - id: m-{n:03}", "    type: multiple", f"    stem: 多选题第{n}题", "    options: [甲, 乙, 丙, 丁]",
                  "    answer: ACD", f"    difficulty: {d}", "    article: 第五条"]
        lines += [f"  - id: t-{n:03}", "    type: true_false", f"    stem: 判断题第{n}题", "    answer: true",
                  f"    difficulty: {d}", "    article: 第五条"]
        lines += [f"  - id: f-{n:03}", "    type: fill_blank", f"    stem: 填空题第{n}题：应当在___日内", "    answer: [[十五, 15]]",
                  f"    difficulty: {d}", "    article: 第五条"]
    report = import_files([("bank.yaml", "\n".join(lines).encode())])
    assert report.written and not report.rejected, report.rejected
    return per_type * 4


def exam(actor=None, *, sections=None, audience=None, **settings):
    """A published exam open now for a day, 60 minutes, for every enterprise staff member by default."""
    from datetime import timedelta

    from eduapp.domain.blueprint import Section
    from eduapp.domain.exam_rules import AudienceEntry
    from eduapp.models import utcnow
    from eduapp.services import exams

    now = utcnow()
    fields = {
        "title": "年度学法考试", "description": "", "is_competition": False, "status": "published",
        "open_at": now - timedelta(hours=1), "close_at": now + timedelta(days=1), "duration_minutes": 60,
        "attempts_allowed": 2, "grading_method": "highest", "pass_score": 12, "shuffle_questions": True,
        "shuffle_options": True, "navigation": "free", "review_policy": "after_submit", "mc_rule": "partial_half",
        "points_on_pass": 2, "certificate": True,
    }
    fields.update(settings)
    sections = sections or [Section("单选题", "single", 4, 2), Section("多选题", "multiple", 2, 3),
                            Section("判断题", "true_false", 2, 1), Section("填空题", "fill_blank", 2, 2)]
    audience = audience or [AudienceEntry("role", "enterprise_staff")]
    return exams.save(actor, None, fields, sections, audience)
