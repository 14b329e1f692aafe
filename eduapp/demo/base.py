"""Demo data, the base: a bureau with its units, three enterprises, an account for every role, the demo
exams and the offset rule with its cases. The constants and ``DemoResult`` the other demo modules share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from eduapp.domain import offsets as offset_rules
from eduapp.domain.blueprint import Section
from eduapp.domain.exam_rules import AudienceEntry
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.domain.uscc import make_code
from eduapp.extensions import db
from eduapp.models import Attempt, Exam, Organisation, PenaltyCase, RuleSet, UserRole, utcnow
from eduapp.services import accounts, audit, exams, orgs
from eduapp.services.passwords import hash_password, verify_password

DEFAULT_PASSWORD = "eduapp-demo-2026"  # noqa: S105 (documented demo password)

BUREAU = "示范市生态环境局"
UNITS = [  # (name, parent)
    ("示范市生态环境局办公室", BUREAU),
    ("示范市生态环境局法规科", BUREAU),
    ("示范市生态环境综合行政执法支队", BUREAU),
    ("执法一大队", "示范市生态环境综合行政执法支队"),
    ("执法二大队", "示范市生态环境综合行政执法支队"),
    ("示范市环境监测站", BUREAU),
]


def _enterprises(today: date) -> list[dict]:
    return [
        {
            "name": "示范化工有限公司",
            "uscc": make_code("91", "320100", "MA1DEMA0"),
            "legal_representative": "王建国",
            "env_manager": "李环保",
            "industry": "化学原料和化学制品制造业",
            "district": "示范市东区",
            "permit_number": "91320100MA1DEMA001P",
            "permit_expires_on": today + timedelta(days=80),
        },
        {
            "name": "示范热电有限公司",
            "uscc": make_code("91", "320102", "MA1DEMA1"),
            "legal_representative": "赵电力",
            "env_manager": "钱清风",
            "industry": "电力、热力生产和供应业",
            "district": "示范市西区",
            "permit_number": "91320102MA1DEMA101P",
            "permit_expires_on": today + timedelta(days=400),
        },
        {
            "name": "示范印染有限公司",
            "uscc": make_code("91", "320104", "MA1DEMA2"),
            "legal_representative": "孙织锦",
            "env_manager": "周碧水",
            "industry": "纺织业",
            "district": "示范市南区",
            "permit_number": "91320104MA1DEMA201P",
            "permit_expires_on": today + timedelta(days=55),
        },
    ]


# (username, full name, roles, organisation)
ACCOUNTS: list[tuple[str, str, tuple[Role, ...], str]] = [
    ("demo-admin", "陈管理", (Role.SYSADMIN,), "示范市生态环境局办公室"),
    ("demo-editor", "林题库", (Role.QUESTION_EDITOR,), "示范市生态环境局法规科"),
    ("demo-exam-manager", "郑考务", (Role.EXAM_MANAGER,), "示范市生态环境局法规科"),
    ("demo-officer", "吴承办", (Role.CASE_OFFICER, Role.CIVIL_SERVANT), "执法一大队"),
    ("demo-reviewer", "冯法审", (Role.LEGAL_REVIEWER, Role.CIVIL_SERVANT), "示范市生态环境局法规科"),
    ("demo-approver", "何局长", (Role.APPROVER, Role.CIVIL_SERVANT), BUREAU),
    ("demo-civil", "许执法", (Role.CIVIL_SERVANT,), "执法一大队"),
    ("demo-civil2", "韩执法", (Role.CIVIL_SERVANT,), "执法二大队"),
    ("demo-civil3", "杨监测", (Role.CIVIL_SERVANT,), "示范市环境监测站"),
    ("demo-contact", "李环保", (Role.ENTERPRISE_CONTACT,), "示范化工有限公司"),
    ("demo-staff", "张操作", (Role.ENTERPRISE_STAFF,), "示范化工有限公司"),
    ("demo-staff2", "刘班长", (Role.ENTERPRISE_STAFF,), "示范化工有限公司"),
    ("demo-staff3", "黄技术", (Role.ENTERPRISE_STAFF,), "示范化工有限公司"),
    ("demo-contact2", "钱清风", (Role.ENTERPRISE_CONTACT,), "示范热电有限公司"),
    ("demo-staff4", "马运行", (Role.ENTERPRISE_STAFF,), "示范热电有限公司"),
    ("demo-staff5", "罗锅炉", (Role.ENTERPRISE_STAFF,), "示范热电有限公司"),
    ("demo-contact3", "周碧水", (Role.ENTERPRISE_CONTACT,), "示范印染有限公司"),
    ("demo-staff6", "梁染整", (Role.ENTERPRISE_STAFF,), "示范印染有限公司"),
    ("demo-staff7", "宋污水", (Role.ENTERPRISE_STAFF,), "示范印染有限公司"),
]


@dataclass
class DemoResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# Two demo exams of 20 questions (100 points), open for 30 days from the first run to every learner.
DEMO_EXAMS = [
    {"title": "2026年度生态环境法律知识考试", "is_competition": False, "pass_score": 60, "points_on_pass": 5,
     "attempts_allowed": 2},
    {"title": "生态环境法律知识竞赛", "is_competition": True, "pass_score": 60, "points_on_pass": 2,
     "attempts_allowed": 1},
]
DEMO_SECTIONS = [("单选题", "single", 10), ("多选题", "multiple", 4), ("判断题", "true_false", 4),
                 ("填空题", "fill_blank", 2)]


def load_base(password: str, today: date) -> DemoResult:
    """The organisations, the accounts, the demo exams and the offset rule with its cases; the other demo
    modules build on what this leaves (eduapp.demo.load runs them in order)."""
    result = DemoResult()

    def unit(name: str, parent_name: str | None) -> Organisation:
        parent = orgs.by_name(parent_name) if parent_name else None
        existing = orgs.by_name(name)
        if existing is not None and existing.parent_id == (parent.id if parent else None):
            result.unchanged += 1
            return existing
        if existing is None:
            result.created += 1
        else:
            result.updated += 1
        return orgs.save_unit(None, name, parent, existing, commit=False)

    unit(BUREAU, None)
    for name, parent in UNITS:
        unit(name, parent)

    for fields in _enterprises(today):
        existing = orgs.by_name(fields["name"])
        if existing is not None and existing.uscc == fields["uscc"] and existing.permit_expires_on is not None:
            # Keep what an earlier run (or a person) set: the demo only fills in what is missing.
            result.unchanged += 1
            continue
        result.created += existing is None
        result.updated += existing is not None
        orgs.save_enterprise(None, fields, existing, commit=False)

    for username, full_name, roles, org_name in ACCOUNTS:
        org = orgs.by_name(org_name)
        user = accounts.find_by_username(username)
        if user is None:
            accounts.create_user(
                None,
                username=username,
                full_name=full_name,
                organisation=org,
                roles=roles,
                password=password,
                commit=False,
            )
            result.created += 1
        else:
            changed = False
            if not verify_password(user.password_hash, password):
                user.password_hash = hash_password(password)
                changed = True
            wanted = {r.value for r in roles}
            if {r.role for r in user.role_rows} != wanted or user.organisation_id != org.id or not user.active:
                user.role_rows = [UserRole(role=r) for r in sorted(wanted)]
                user.organisation = org
                user.active = True
                changed = True
            if user.must_change_password:
                user.must_change_password = False
                changed = True
            if changed:
                audit.record(
                    "user.update",
                    actor=None,
                    obj_type="user",
                    obj_id=user.id,
                    summary={"demo": "reset to the demo password and roles"},
                )
            result.updated += changed
            result.unchanged += not changed
        result.accounts.append((username, "+".join(r.value for r in roles), org_name))
    db.session.commit()
    _exams(result)
    _offsets(result, today)
    return result


def _exams(result: DemoResult) -> None:
    """The demo exam and competition, once; skipped (and said) while the bank cannot fill them."""
    now = utcnow().replace(second=0, microsecond=0)
    sections = [Section(title, qtype, count, 5) for title, qtype, count in DEMO_SECTIONS]
    audience = [AudienceEntry("role", r.value)
                for r in (Role.ENTERPRISE_STAFF, Role.ENTERPRISE_CONTACT, Role.CIVIL_SERVANT)]
    for spec in DEMO_EXAMS:
        if db.session.execute(select(Exam.id).where(Exam.title == spec["title"])).first() is not None:
            result.unchanged += 1
            continue
        fields = {
            "description": "示范数据：随机抽取20道题，满分100分，60分及格。", "status": "published",
            "open_at": now - timedelta(hours=1), "close_at": now + timedelta(days=30), "duration_minutes": 30,
            "grading_method": "highest", "shuffle_questions": True, "shuffle_options": True, "navigation": "free",
            "review_policy": "after_submit", "mc_rule": "partial_half", "certificate": True, **spec,
        }
        try:
            exams.save(None, None, fields, sections, audience)
        except InputError:
            result.notes.append(f"{spec['title']}: the question bank cannot fill it yet "
                                "(import question_bank/ first, then run eduapp demo again)")
            continue
        result.created += 1


DEMO_ENTERPRISE = "示范化工有限公司"
DEMO_RULE_DOC = "示环规〔2026〕1号"
DEMO_POOL_POINTS = 25_000
# (case number, violation code, proposed fine in fen, harm, corrected): two that qualify for 从轻, one
# that does not. The 不予处罚 case is demo_non_penalty's (110号), the case near its 90-day decision
# deadline demo_reminders' (106号).
DEMO_CASES = [
    ("示环罚〔2026〕101号", "AIR-100-2", 10_000_000, "minor", True),
    ("示环罚〔2026〕102号", "WATER-82-1", 8_000_000, "minor", True),
    # NOISE-76-1, not NOISE-75: the latter's §29 floor (PERMIT-33-1, ¥200,000) is its own maximum
    ("示环罚〔2026〕103号", "NOISE-76-1", 5_000_000, "general", False),
]


def _offsets(result: DemoResult, today: date) -> None:
    """The violation catalogue, an active rule set, the contact's passed exam, three open cases of the
    demo enterprise and a pool with points for one offset but not for both."""
    from eduapp.services import awards, cases, points, rule_sets

    summary = cases.load_catalogue(actor=None)
    result.created += len(summary.added)
    result.updated += len(summary.updated)
    result.unchanged += 1 if not (summary.added or summary.updated) else 0

    if db.session.execute(select(RuleSet.id).where(RuleSet.doc_number == DEMO_RULE_DOC)).first() is None:
        rule_sets.save(None, None, {
            "name": "示范市生态环境局依学法情况从轻处罚规则", "doc_number": DEMO_RULE_DOC, "authority": BUREAU,
            "effective_from": date(2026, 1, 1), "effective_to": None, "status": "active",
            "legal_basis": ["《中华人民共和国行政处罚法》第五条、第六条、第三十四条"],
            "eligible_codes": ["AIR-100-2", "AIR-100-3", "WATER-82-1", "WATER-82-2", "NOISE-75", "NOISE-76-1"],
            "excluded_codes": [],
            "conditions": offset_rules.Conditions(key_roles=("env_manager",), min_staff_share_percent=0),
            "maths": offset_rules.Maths(cap_percent=20, min_points=10_000),
            "procedure": {"officer": 5, "reviewer": 5, "approver": 3},
        })
        result.created += 1
    else:
        result.unchanged += 1

    enterprise = orgs.by_name(DEMO_ENTERPRISE)
    contact = accounts.find_by_username("demo-contact")
    officer = accounts.find_by_username("demo-officer")
    if enterprise is None or contact is None:
        return
    contact_passes_an_exam(result, contact)

    for number, code, fine, harm, corrected in DEMO_CASES:
        if db.session.execute(select(PenaltyCase.id).where(PenaltyCase.case_number == number)).first() is not None:
            result.unchanged += 1
            continue
        vt = cases.violation_by_code(code)
        cases.save_case(None, {
            "case_number": number, "enterprise_id": enterprise.id, "violation_type_id": vt.id,
            "description": f"示范数据：{vt.name}", "status": "notified", "harm_level": harm, "corrected": corrected,
            "discovered_on": today - timedelta(days=30), "opened_on": today - timedelta(days=25),
            "notified_on": today - timedelta(days=5), "proposed_fine": fine,
            "officer_id": officer.id if officer else None,
        }, today=today)
        result.created += 1

    pool = points.pool_account(enterprise)
    if points.by_source_key("demo:pool:2026") is None:
        awards.award(pool, DEMO_POOL_POINTS, "demo:pool:2026", "示范数据：企业员工学法积分")
        result.created += 1
    else:
        result.unchanged += 1


def contact_passes_an_exam(result: DemoResult, contact) -> None:
    """The environmental manager passes the demo exam once (the offset rule asks for it)."""
    from eduapp.services import attempts

    exam = db.session.execute(select(Exam).where(Exam.title == DEMO_EXAMS[0]["title"])).scalar_one_or_none()
    if exam is None:
        return
    if db.session.execute(select(Attempt.id).where(Attempt.user_id == contact.id, Attempt.passed.is_(True))).first():
        result.unchanged += 1
        return
    attempt = attempts.start(contact, exam)
    for item in attempt.items:
        v = item.version
        right = {"single": lambda a: a[0], "multiple": list, "true_false": bool,
                 "fill_blank": lambda a: [alts[0] for alts in a]}[v.qtype](v.answer)
        attempts.save_answer(attempt, item.id, right, item.seq + 1)
    attempts.submit(attempt)
    result.created += 1
