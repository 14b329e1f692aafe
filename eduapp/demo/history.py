"""Demo data for the dashboard: half a year of history before the day the demo is loaded, so that the
figures and charts of /dashboard/ show something on a fresh `make run`.

Everything goes through the real services with past times: two closed exams (civil servants all
pass, as in the bureau's report; enterprise staff mostly pass), three training sessions of three kinds
with their attendance, points that expired, an adjustment, cases of 示范印染 at several stages, an offset
of 示范印染 approved in three steps, and the reminders the scans wrote on the days they were due
(marked delivered). 示范化工's cases and pool are left alone: its offset demo stays as README.md
describes. Added once: a second run finds the first exam and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from eduapp.demo.base import DEMO_SECTIONS
from eduapp.domain.blueprint import Section
from eduapp.domain.exam_rules import AudienceEntry
from eduapp.domain.practice import CHINA
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Delivery, Exam, PenaltyCase
from eduapp.services import accounts, cases, exams, orgs, reminders, trainings

CIVIL_EXAM = "公务员网上学法考试（示范，已结束）"
ENTERPRISE_EXAM = "企业环境法律知识测试（示范，已结束）"
ENTERPRISE = "示范印染有限公司"

# (username, days before today, passes): before and after the "closing in 7 days" scan of each exam
CIVIL_TAKERS = [("demo-approver", 195, True), ("demo-reviewer", 194, True), ("demo-officer", 193, True),
                ("demo-civil", 176, True), ("demo-civil2", 175, True), ("demo-civil3", 174, True)]
ENTERPRISE_TAKERS = [("demo-contact3", 118, True), ("demo-staff6", 116, False), ("demo-contact2", 114, True),
                     ("demo-staff4", 112, True), ("demo-staff", 110, True), ("demo-staff2", 101, False),
                     ("demo-staff5", 99, True), ("demo-staff7", 98, True)]
TRAININGS = [("集中学法：《中华人民共和国行政处罚法》专题（示范）", "collective_study", 150,
              ("demo-approver", "demo-reviewer", "demo-officer", "demo-civil", "demo-civil2", "demo-civil3")),
             ("企业环保负责人法律培训讲座（示范）", "lecture", 70,
              ("demo-contact", "demo-contact2", "demo-contact3", "demo-staff4", "demo-staff6")),
             ("“一把手讲法”：局长解读《中华人民共和国环境保护法》（示范）", "head_lecture", 40,
              ("demo-approver", "demo-reviewer", "demo-officer", "demo-civil"))]


def at(today: date, days_before: int, hour: int = 10) -> datetime:
    return datetime.combine(today - timedelta(days=days_before), time(hour), CHINA)


def load(result, today: date) -> None:
    if db.session.execute(select(Exam.id).where(Exam.title == CIVIL_EXAM)).first() is not None:
        result.unchanged += 1
        return
    admin = accounts.find_by_username("demo-admin")
    enterprise = orgs.by_name(ENTERPRISE)
    if admin is None or enterprise is None:
        return
    civil_exam = _exam(CIVIL_EXAM, today, 200, 170, (Role.CIVIL_SERVANT,))
    enterprise_exam = _exam(ENTERPRISE_EXAM, today, 125, 95, (Role.ENTERPRISE_STAFF, Role.ENTERPRISE_CONTACT))
    if civil_exam is None or enterprise_exam is None:
        db.session.rollback()
        result.notes.append("dashboard history: the question bank cannot fill its exams yet (import question_bank/ "
                            "first, then run eduapp demo again)")
        return

    delivered: list[int] = []

    def scan(kind: str, days_before: int, hour: int = 8) -> None:
        delivered.extend(reminders.scan(kind, now=at(today, days_before, hour)).queued)

    _take_all(civil_exam, today, [t for t in CIVIL_TAKERS if t[1] > 177])
    scan("exam_closing", 177)
    _take_all(civil_exam, today, [t for t in CIVIL_TAKERS if t[1] <= 177])
    _take_all(enterprise_exam, today, [t for t in ENTERPRISE_TAKERS if t[1] > 102])
    scan("exam_closing", 102)
    _take_all(enterprise_exam, today, [t for t in ENTERPRISE_TAKERS if t[1] <= 102])
    _trainings(admin, today)
    _points(admin, today, scan)
    _cases(enterprise, today, scan)
    if delivered:  # the demo's past reminders went out on their day (console backends, nobody to tell now)
        db.session.execute(update(Delivery).where(Delivery.id.in_(delivered), Delivery.status == "queued")
                           .values(status="sent", attempts=1, sent_at=Delivery.created_at))
    db.session.commit()
    result.created += 1


def _exam(title: str, today: date, opens: int, closes: int, roles: tuple[Role, ...]) -> Exam | None:
    try:
        return exams.save(None, None, {
            "title": title, "description": "示范数据：往期考试，已结束。", "is_competition": False,
            "status": "published", "open_at": at(today, opens, 8), "close_at": at(today, closes, 20),
            "duration_minutes": 30, "attempts_allowed": 1, "grading_method": "highest", "pass_score": 60,
            "shuffle_questions": True, "shuffle_options": True, "navigation": "free", "review_policy": "after_submit",
            "mc_rule": "partial_half", "points_on_pass": 5, "certificate": True,
        }, [Section(name, qtype, count, 5) for name, qtype, count in DEMO_SECTIONS],
            [AudienceEntry("role", r.value) for r in roles])
    except InputError:
        return None


def _take_all(exam: Exam, today: date, takers: list[tuple[str, int, bool]]) -> None:
    """Each taker answers every question right, or only the first eight (40 points: a fail)."""
    from eduapp.services import attempts

    for username, days_before, passes in takers:
        user = accounts.find_by_username(username)
        if user is None:
            continue
        start = at(today, days_before, 9) + timedelta(minutes=7 * len(username))
        attempt = attempts.start(user, exam, now=start)
        for n, item in enumerate(attempt.items):
            if not passes and n >= 8:
                break
            v = item.version
            right = {"single": lambda a: a[0], "multiple": list, "true_false": bool,
                     "fill_blank": lambda a: [alts[0] for alts in a]}[v.qtype](v.answer)
            attempts.save_answer(attempt, item.id, right, item.seq + 1, now=start + timedelta(minutes=1 + n // 2))
        attempts.submit(attempt, now=start + timedelta(minutes=18))


def _trainings(admin, today: date) -> None:
    for title, kind, days_before, usernames in TRAININGS:
        training = trainings.create_training(admin, title, today - timedelta(days=days_before), 2, kind=kind,
                                             at=time(14, 30), place="局三楼会议室")
        trainings.record_attendance(admin, training, list(usernames), now=at(today, days_before, 17))


def _points(admin, today: date, scan) -> None:
    """A civil servant's points that nobody used expire; an administrator's adjustment."""
    from eduapp.services import awards, points

    civil2 = accounts.find_by_username("demo-civil2")
    staff7 = accounts.find_by_username("demo-staff7")
    if civil2 is not None:
        awards.award(points.person_account(civil2), 20, "demo:history:expiring", "示范数据：往年学法积分",
                     now=at(today, 400), expires_at=at(today, 30, 23))
        scan("points_expiring", 60)
        scan("points_expiring", 36)
        awards.expire(now=at(today, 29, 0))
    if staff7 is not None:
        awards.adjust(points.person_account(staff7), 8, "示范数据：补录线下学法积分", admin, now=at(today, 60))


def _case(number: str, code: str, fine: int, enterprise, officer, today: date, opened: int, **stages):
    vt = cases.violation_by_code(code)
    if vt is None or db.session.execute(select(PenaltyCase.id).where(PenaltyCase.case_number == number)).first():
        return None
    fields = {"case_number": number, "enterprise_id": enterprise.id, "violation_type_id": vt.id,
              "description": f"示范数据：{vt.name}", "harm_level": "minor", "corrected": True, "proposed_fine": fine,
              "discovered_on": today - timedelta(days=opened + 5), "opened_on": today - timedelta(days=opened),
              "officer_id": officer.id if officer else None}
    for key, value in stages.items():
        fields[key] = today - timedelta(days=value) if key.endswith("_on") else value
    cases.save_case(None, fields, today=today)
    return db.session.execute(select(PenaltyCase).where(PenaltyCase.case_number == number)).scalar_one()


def _cases(enterprise, today: date, scan) -> None:
    """示范印染: an offset approved in three steps, a fine decided and paid, a case not penalised
    (包容审慎), one transferred."""
    from eduapp.services import awards, cases, offsets, points

    officer = accounts.find_by_username("demo-officer")
    year = (today - timedelta(days=140)).year
    offset_case = _case(f"示环罚〔{year}〕201号", "WATER-82-2", 6_000_000, enterprise, officer, today, 140,
                        status="notified", notified_on=125)
    decided = _case(f"示环罚〔{year}〕202号", "NOISE-75", 3_000_000, enterprise, officer, today, 90,
                    status="decided", notified_on=75, decided_on=60, served_on=60, late_fee_notified=True,
                    final_fine=2_500_000)
    if decided is not None:
        scan("fine_due", 50)  # day 10 after service: the contact is reminded, and pays on day 16
        cases.change_status(None, decided, "paid", today - timedelta(days=44), today=today)
    _case(f"示环罚〔{year}〕203号", "AIR-100-2", 2_000_000, enterprise, officer, today, 80, status="not_penalised",
          decided_on=70)
    _case(f"示环罚〔{year}〕204号", "WATER-83-2", 20_000_000, enterprise, officer, today, 45, status="transferred")
    contact = accounts.find_by_username("demo-contact3")
    people = {step: accounts.find_by_username(name) for step, name in
              (("officer", "demo-officer"), ("reviewer", "demo-reviewer"), ("approver", "demo-approver"))}
    if offset_case is None or contact is None or None in people.values():
        return
    awards.award(points.pool_account(enterprise), 12_000, "demo:history:pool", "示范数据：企业员工学法积分",
                 now=at(today, 200))
    try:
        application = offsets.apply(contact, offset_case, now=at(today, 110))
    except (offsets.OffsetError, InputError):  # the rule set is not in force that far back: no offset
        db.session.rollback()
        return
    scan("offset_review", 107, hour=12)  # the case officer's step is due in two days
    for step, days_before in (("officer", 106), ("reviewer", 100), ("approver", 99)):
        if step == "reviewer":
            scan("offset_overdue", 100)  # the legal review ran a day late: escalated, the application stayed open
        application = offsets.decide(people[step], application, "approve", "示范数据：同意", now=at(today, days_before))
