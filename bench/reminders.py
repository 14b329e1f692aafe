"""Benchmark: the early-warning reminder scans and the send worker on PostgreSQL and Redis.

Targets (the reminders issue):
  (a) the eight scans (services.reminders.scan, one per kind) over 200,000 learners in 30,000
      enterprises with realistic due items take <= 60 s in total;
  (b) all eight scans run a second time create 0 reminders (the dedupe key);
  (c) ONE Celery worker (prefork pool, concurrency 2, as production runs it) sends >= 500
      messages/s through the console backends: from the first ``tasks.reminders.queue`` call until
      every queued delivery has left the pending states in the database (publishing included). A
      send task carries up to EDUAPP_REMINDER_SEND_BATCH deliveries (20 by default; --batch).

The world, bulk-loaded with COPY into a scratch database (created if missing, brought to the
migrations' head and emptied): a bureau with 200 government units (25 civil servants and one head,
an approver, each) and 30,000 enterprises with one contact and 1-10 staff each (~200,000 learners);
the bureau's case officers, legal reviewers and approvers; 90 % of people with an e-mail address,
80 % with a mobile number, 5 % with channel preferences, 1 % inactive. Due at the scan moment
(1 December of the current year, 10:00 China time, so that the study requirement is due):
3 exams closing in 1, 2 and 5 days with role audiences (about 30 % of their audience passed; a
closed exam of last year besides); 3 lots per person and 2 per enterprise pool, one lot of 20 % of
people and pools expiring within 30 days; 2,000 decided unpaid fines 8-20 days after the decision;
1,000 orders to correct due within 3 days (and cases that are not due), each case handled by one
of the 200 units (承办机构: its head approves; the reviewers are the bureau's); 300 open offset
applications whose step deadline is within 2 days (10 % overdue); 100 trainings tomorrow with 20
registrations each (and trainings that are not due); 10 % of enterprises' permits expiring within
90 days. Only the scans and the sends are timed.

Sending: the bench starts one real worker, ``celery -A make_celery worker --pool prefork
--concurrency 2`` on the default queue of its own Redis database (``--redis-url``, db 13 by default:
the bench flushes that database, and only that one, before and after), with
EDUAPP_EMAIL_RATE_LIMIT and EDUAPP_SMS_RATE_LIMIT empty (no Celery per-worker rate limit: the bench
measures the worker, not the configured limit), EDUAPP_SMS_QUIET_HOURS=00:00-00:00 (no SMS is
deferred whatever the clock says), EDUAPP_SMTP_HOST unset and EDUAPP_SMS_BACKEND=console. It queues
20,000 of the e-mail and SMS deliveries the scans wrote and polls their status with a COUNT. It
also times ``reminder_sending.deliver`` in-process on 500 other deliveries and counts its SQL
statements (no target: where a send's time goes).

    python bench/reminders.py [--quick] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench_reminders]
                              [--redis-url redis://127.0.0.1:6379/13] [--pool prefork] [--concurrency 2]

--quick loads a world ten times smaller (3,000 enterprises, ~20,000 learners) and sends 2,000
messages (same targets). --pool/--concurrency/--prefetch-multiplier change the worker (printed and
reported). The machine's load average is printed with the figures. The last line printed is a
JSON object with the figures and targets_met.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _pg import copy_rows as _copy  # noqa: E402 (bench/ is on the path when run as a script)
from _pg import finish_load as _finish_load  # noqa: E402
from _pg import pg_timestamp as _pg_ts  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench_reminders"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
SCAN_TARGET_SECONDS = 60.0
SEND_TARGET = 500  # messages per second, one worker

# The world at full size; --quick divides the counts by 10 (people per organisation stay the same).
ENTERPRISES, UNITS = 30_000, 200
CIVIL_SERVANTS_PER_UNIT = 25
STAFF_PER_ENTERPRISE = (1, 10)  # uniform: 5.5 on average, plus the contact
FINES, CORRECTIONS, OFFSETS, TRAININGS = 2_000, 1_000, 300, 100
REGISTRATIONS_PER_TRAINING = 20
MESSAGES = 20_000
PROFILED_DELIVERIES = 500
BUREAU = {"case_officer": 10, "legal_reviewer": 5, "approver": 3}
LEARNER_ROLES = ("enterprise_staff", "enterprise_contact", "civil_servant")
PENDING = ("queued", "retrying", "deferred")


def _ts(moment: datetime) -> str:
    return _pg_ts(moment.astimezone(UTC))


def _n(value) -> str:
    return "\\N" if value is None else str(value)


def bench_env(url: str, redis_url: str) -> dict[str, str]:
    """The settings of the bench process and of its worker (EDUAPP_* environment variables)."""
    return {
        "EDUAPP_ENV": "testing",
        "EDUAPP_SECRET_KEY": "bench" * 8,
        "EDUAPP_DATABASE_URL": url,
        "EDUAPP_REDIS_URL": redis_url,
        "EDUAPP_EMAIL_RATE_LIMIT": "",  # no Celery rate limit per worker: measure the worker itself
        "EDUAPP_SMS_RATE_LIMIT": "",
        "EDUAPP_SMS_QUIET_HOURS": "00:00-00:00",  # no quiet hours: no SMS deferred, whatever the clock
        "EDUAPP_SMS_BACKEND": "console",
    }


def app_for(url: str, redis_url: str):
    from eduapp import create_app

    os.environ.pop("EDUAPP_SMTP_HOST", None)  # console e-mail
    return create_app(bench_env(url, redis_url))


def prepare_database(url: str, redis_url: str):
    """The scratch database at the migrations' head, emptied; returns the app."""
    from _pg import ensure_database, fresh_schema

    ensure_database(url)
    app = app_for(url, redis_url)
    fresh_schema(app)
    return app


def scan_moment() -> datetime:
    """1 December of the current year, 10:00 in China: within 60 days of the year's end."""
    return datetime(datetime.now(UTC).year, 12, 1, 2, 0, tzinfo=UTC)


# --- the world ------------------------------------------------------------------------------------------


@dataclass
class World:
    """Ids and the people of each organisation, as the loader numbered them."""

    bureau: int = 1
    units: list[int] = field(default_factory=list)
    enterprises: list[int] = field(default_factory=list)
    contact: dict[int, int] = field(default_factory=dict)  # enterprise -> its contact
    staff: dict[int, list[int]] = field(default_factory=dict)  # enterprise -> staff
    civil_servants: dict[int, list[int]] = field(default_factory=dict)  # unit -> civil servants
    bureau_roles: dict[str, list[int]] = field(default_factory=dict)
    learners: int = 0
    counts: Counter = field(default_factory=Counter)


def _people_lines(world: World, now: datetime, rng: random.Random, enterprises: int, units: int):
    """Organisations, users, roles and preferences as COPY lines."""
    orgs, users, roles, prefs = [], [], [], []
    created = _ts(now - timedelta(days=400))
    today = now.astimezone(_china()).date()

    orgs.append(f"{world.bureau}\tgovernment\t生态环境局（基准）\t\\N\t\\N\t\\N\tt\t{created}\n")
    org_id = world.bureau
    for g in range(units):
        org_id += 1
        world.units.append(org_id)
        orgs.append(f"{org_id}\tgovernment\t基准机关单位{g + 1:04d}\t{world.bureau}\t\\N\t\\N\tt\t{created}\n")
    for e in range(enterprises):
        org_id += 1
        world.enterprises.append(org_id)
        draw = rng.random()
        if draw < 0.10:  # the permit expires within 90 days: due
            expires = today + timedelta(days=rng.randint(1, 90))
        elif draw < 0.15:  # expired already: not due
            expires = today - timedelta(days=rng.randint(1, 300))
        elif draw < 0.25:  # no permit on file
            expires = None
        else:
            expires = today + timedelta(days=rng.randint(91, 1800))
        permit = f"PW{e + 1:08d}" if expires else None
        orgs.append(f"{org_id}\tenterprise\t基准企业{e + 1:06d}\t\\N\t{_n(permit)}\t{_n(expires)}\tt\t{created}\n")

    user_id = 0

    def person(org: int, role_names: tuple[str, ...], name: str) -> int:
        nonlocal user_id
        user_id += 1
        u = user_id
        email = f"user{u}@qy{org}.example.cn" if rng.random() < 0.90 else None
        phone = f"13{u:09d}" if rng.random() < 0.80 else None
        active = "f" if rng.random() < 0.01 else "t"
        locale = "en" if rng.random() < 0.05 else None
        users.append(f"{u}\tbench{u:07d}\t{name}{u}\t{_n(email)}\t{_n(phone)}\tx\t{org}\t{active}\tf\ttok{u}\t"
                     f"{_n(locale)}\t{created}\n")
        for role in role_names:
            roles.append(f"{u}\t{role}\n")
        draw = rng.random()
        if draw < 0.05:  # a preference row: a fifth opt out of e-mail, half of SMS
            prefs.append(f"{u}\t{'f' if draw < 0.01 else 't'}\t{'f' if draw < 0.035 else 't'}\t{created}\n")
        return u

    for role, count in BUREAU.items():
        world.bureau_roles[role] = [person(world.bureau, (role,), "局工作人员") for _ in range(count)]
    for unit in world.units:
        world.bureau_roles.setdefault("unit_head", []).append(person(unit, ("approver",), "单位负责人"))
        world.civil_servants[unit] = [person(unit, ("civil_servant",), "公务员")
                                      for _ in range(CIVIL_SERVANTS_PER_UNIT)]
    for enterprise in world.enterprises:
        world.contact[enterprise] = person(enterprise, ("enterprise_contact",), "联系人")
        world.staff[enterprise] = [person(enterprise, ("enterprise_staff",), "员工")
                                   for _ in range(rng.randint(*STAFF_PER_ENTERPRISE))]
    world.learners = (len(world.contact) + sum(len(s) for s in world.staff.values())
                      + sum(len(c) for c in world.civil_servants.values()))
    world.counts.update(organisations=len(orgs), users=len(users), preferences=len(prefs))
    return orgs, users, roles, prefs


def _china():
    from eduapp.domain.practice import CHINA

    return CHINA


def _exam_lines(world: World, now: datetime, rng: random.Random):
    """Three exams closing within a week (role audiences), one closed last year; their attempts."""
    from eduapp.domain.practice import day_bounds

    sections = json.dumps([{"title": "单选题", "type": "single", "count": 10, "points": 1}], ensure_ascii=False)
    start_of_year = day_bounds(date(now.year, 1, 1))[0]
    # (title, audience roles, open, close, passed this year?)
    exams = [
        ("企业环保法律知识年度考试", ("enterprise_staff", "enterprise_contact"), now - timedelta(days=60),
         now + timedelta(days=5)),
        ("机关工作人员学法考试", ("civil_servant",), now - timedelta(days=30), now + timedelta(days=2)),
        ("企业环保负责人专项考试", ("enterprise_contact",), now - timedelta(days=14), now + timedelta(hours=20)),
        ("上年度学法考试", ("enterprise_staff", "enterprise_contact", "civil_servant"),
         start_of_year - timedelta(days=200), start_of_year - timedelta(days=150)),
    ]
    exam_lines, audience_lines, attempt_lines = [], [], []
    # Each organisation's share of people who pass: 5 % of them all pass (the study requirement is met).
    share = {org: 1.0 if rng.random() < 0.05 else rng.uniform(0, 0.55) for org in world.enterprises + world.units}
    members = {"enterprise_contact": [(e, [c]) for e, c in world.contact.items()],
               "enterprise_staff": list(world.staff.items()),
               "civil_servant": list(world.civil_servants.items())}
    attempt_id = 0
    for exam_id, (title, roles, open_at, close_at) in enumerate(exams, start=1):
        exam_lines.append(
            f"{exam_id}\t{title}\t\tf\tpublished\t{_ts(open_at)}\t{_ts(close_at)}\t60\t1\thighest\t6000\tt\tt\tfree\t"
            f"after_submit\tpartial_half\t0\tf\t{sections}\t{world.bureau_roles['case_officer'][0]}\t"
            f"{_ts(open_at - timedelta(days=7))}\t{_ts(open_at - timedelta(days=7))}\n")
        audience_lines += [f"{exam_id}\trole\t{role}\n" for role in roles]
        last_year = close_at < now
        for role in roles:
            for org, people in members[role]:
                for user in people:
                    draw = rng.random()
                    passed = draw < (0.5 if last_year else share[org])
                    if not passed and draw > 0.85:  # no attempt at all
                        continue
                    attempt_id += 1
                    started = open_at + (close_at - open_at) * rng.random() * 0.9
                    if started > now:
                        started = now - timedelta(hours=rng.uniform(1, 48))
                    submitted = started + timedelta(minutes=rng.randint(10, 55))
                    score = rng.randint(6000, 10000) if passed else rng.randint(1000, 5999)
                    attempt_lines.append(
                        f"{attempt_id}\t{exam_id}\t{user}\t1\tfinished\t{_ts(started)}\t"
                        f"{_ts(started + timedelta(minutes=60))}\t{_ts(submitted)}\tcandidate\t{score}\t10000\t"
                        f"{'t' if passed else 'f'}\t0\n")
    world.counts.update(exams=len(exams), attempts=len(attempt_lines))
    return exam_lines, audience_lines, attempt_lines


def _points_lines(world: World, now: datetime, rng: random.Random):
    """A person account per learner and a pool per enterprise; 3 lots per person (one written off),
    2 per pool; one lot of 20 % of accounts expires within 30 days. One award entry per lot."""
    from eduapp.domain.points import end_of_day

    today = now.astimezone(_china()).date()
    accounts, lots, entries = [], [], []
    learners = sorted(u for people in list(world.staff.values()) + list(world.civil_servants.values())
                      for u in people) + sorted(world.contact.values())
    owners = [("person", u, 3) for u in sorted(learners)] + [("enterprise", e, 2) for e in world.enterprises]
    lot_id = 0
    for account_id, (kind, owner, count) in enumerate(owners, start=1):
        available = 0
        expiring = rng.random() < 0.20
        for j in range(count):
            lot_id += 1
            amount = rng.randint(1, 20) if kind == "person" else rng.randint(20, 200)
            if j == 0 and kind == "person":  # written off long ago
                expires, remaining = end_of_day(today - timedelta(days=rng.randint(1, 200))), 0
            elif j == count - 1 and expiring:
                expires = end_of_day(today + timedelta(days=rng.randint(1, 30)))
                remaining = 0 if rng.random() < 0.1 else rng.randint(1, amount)  # some already spent
            else:
                expires, remaining = end_of_day(today + timedelta(days=rng.randint(31, 365))), amount
            created = expires - timedelta(days=365)
            available += remaining
            lots.append(f"{lot_id}\t{account_id}\t{lot_id}\t{amount}\t{remaining}\t{_ts(expires)}\t{_ts(created)}\n")
            entries.append(f"{lot_id}\t{account_id}\taward\t{amount}\tbench:{lot_id}\t\\N\t\\N\t\\N\t{_ts(expires)}\t"
                           f"学习积分\t\\N\t{_ts(created)}\n")
        accounts.append(f"{account_id}\t{kind}\t{owner}\t{available}\t0\t{_ts(now)}\n")
    world.counts.update(points_accounts=len(accounts), points_lots=len(lots))
    return accounts, lots, entries


def _case_lines(world: World, now: datetime, rng: random.Random, fines: int, corrections: int, offsets: int):
    """Cases (decided unpaid fines, orders to correct, cases under offset, and cases that are not
    due), the rule set, offset applications and their decisions."""
    today = now.astimezone(_china()).date()
    officers = world.bureau_roles["case_officer"]
    reviewers = world.bureau_roles["legal_reviewer"]
    cases, applications, decisions = [], [], []
    case_id = 0

    def case(status: str, decided_on: date | None, *, paid_on=None, correction_due=None, corrected=False,
             closed_on=None) -> int:
        nonlocal case_id
        case_id += 1
        enterprise = rng.choice(world.enterprises)
        opened = (decided_on or today) - timedelta(days=rng.randint(30, 90))
        notified = decided_on - timedelta(days=rng.randint(5, 20)) if decided_on else None
        proposed = rng.randint(10, 500) * 100_00
        final = proposed if decided_on else None
        stamp = _ts(now - timedelta(days=1))
        cases.append(f"{case_id}\t基准环罚〔{now.year}〕{case_id:06d}号\t{enterprise}\t1\t\t{status}\tminor\t"
                     f"{'t' if corrected else 'f'}\t{opened}\t{opened}\t{_n(notified)}\t{_n(decided_on)}\t"
                     f"{_n(paid_on)}\t{_n(closed_on)}\t{proposed}\t{_n(final)}\t{rng.choice(officers)}\t{stamp}\t"
                     f"{stamp}\t{_n(correction_due)}\t{rng.choice(world.units)}\n")
        return case_id

    for _ in range(fines):  # decided, unpaid, 8-20 days after the decision
        case("decided", today - timedelta(days=rng.randint(8, 20)))
    for _ in range(corrections):  # an order to correct due within 3 days
        status = rng.choice(("investigating", "notified", "decided"))
        decided = today - timedelta(days=rng.randint(1, 7)) if status == "decided" else None
        case(status, decided, correction_due=today + timedelta(days=rng.randint(0, 3)))
    for _ in range(fines):  # not due: paid, closed, corrected, or a deadline further off
        draw = rng.random()
        decided = today - timedelta(days=rng.randint(10, 200))
        if draw < 0.4:
            case("paid", decided, paid_on=decided + timedelta(days=rng.randint(1, 15)))
        elif draw < 0.7:
            case("closed", decided, paid_on=decided + timedelta(days=5), closed_on=decided + timedelta(days=30))
        elif draw < 0.85:
            case("decided", decided, correction_due=today + timedelta(days=rng.randint(0, 3)), corrected=True,
                 paid_on=decided + timedelta(days=3))
        else:
            case("investigating", None, correction_due=today + timedelta(days=rng.randint(10, 90)))

    rule_set = (f"1\tOFFSET-BENCH\t1\t学法积分抵扣罚款规则（基准）\t基准环规〔{now.year}〕1号\t生态环境局\t"
                f"{date(now.year, 1, 1)}\t\\N\tactive\t[]\t[]\t[]\t{{}}\t{{}}\t{{}}\t\\N\t"
                f"{_ts(now - timedelta(days=300))}\n")
    steps = ("pending_officer", "pending_reviewer", "pending_approver")
    decision_id = 0
    for a in range(1, offsets + round(offsets * 0.5) + 1):
        open_ = a <= offsets
        c = case("notified", None)
        enterprise = int(cases[-1].split("\t")[2])
        if open_:
            status = steps[a % 3]
            deadline = now + timedelta(days=rng.uniform(-1, 0) if rng.random() < 0.1 else rng.uniform(0.05, 2))
            finished = None
        else:  # decided long ago: not due
            status = rng.choice(("approved", "rejected", "withdrawn"))
            deadline, finished = now - timedelta(days=rng.randint(10, 100)), now - timedelta(days=rng.randint(5, 9))
        points = rng.randint(10, 200)
        created = now - timedelta(days=rng.randint(3, 10))
        applications.append(f"{a}\t{c}\t{enterprise}\t1\t{world.contact[enterprise]}\t{status}\t{{}}\t{points}\t"
                            f"{points * 1000}\t5000000\t{5000000 - points * 1000}\t\\N\t{_ts(deadline)}\t"
                            f"{_ts(created)}\t{_n(finished and _ts(finished))}\n")
        done = {"pending_officer": 0, "pending_reviewer": 1, "pending_approver": 2}.get(status, 3)
        for step, deciders in (("officer", officers), ("reviewer", reviewers),
                               ("approver", world.bureau_roles["approver"]))[:done]:
            decision_id += 1
            decisions.append(f"{decision_id}\t{a}\t{step}\tapprove\t\t{rng.choice(deciders)}\t"
                             f"{_ts(created + timedelta(days=1))}\n")
    world.counts.update(penalty_cases=len(cases), offset_applications=len(applications))
    return cases, rule_set, applications, decisions


def _training_lines(world: World, now: datetime, rng: random.Random, trainings: int):
    """Trainings tomorrow (due), next week and last week (not due), 20 registrations each."""
    from eduapp.domain.practice import day_bounds

    today = now.astimezone(_china()).date()
    learners = [u for people in world.staff.values() for u in people] + list(world.contact.values())
    lines, registrations = [], []
    when = ([day_bounds(today + timedelta(days=1))[0]] * trainings
            + [day_bounds(today + timedelta(days=rng.randint(3, 9)))[0] for _ in range(trainings // 2)]
            + [day_bounds(today - timedelta(days=rng.randint(1, 9)))[0] for _ in range(trainings // 2)])
    for t, day_start in enumerate(when, start=1):
        held = day_start + timedelta(hours=rng.choice((9, 10, 14, 15)))
        lines.append(f"{t}\t生态环境法律培训第{t}期\t{_ts(held)}\t2\t{world.bureau_roles['case_officer'][0]}\t"
                     f"{_ts(now - timedelta(days=20))}\n")
        for user in rng.sample(learners, REGISTRATIONS_PER_TRAINING):
            registrations.append(f"{t}\t{user}\t{_ts(now - timedelta(days=rng.randint(1, 19)))}\n")
    world.counts.update(trainings=len(lines), training_registrations=len(registrations))
    return lines, registrations


def load(now: datetime, scale: int) -> World:
    """The whole world with COPY; returns its ids and counts."""
    from eduapp.extensions import db

    rng = random.Random(20261201)
    world = World()
    orgs, users, roles, prefs = _people_lines(world, now, rng, ENTERPRISES // scale, UNITS // scale)
    exams, audience, attempts = _exam_lines(world, now, rng)
    accounts, lots, entries = _points_lines(world, now, rng)
    cases, rule_set, applications, decisions = _case_lines(world, now, rng, FINES // scale, CORRECTIONS // scale,
                                                           OFFSETS // scale)
    trainings, registrations = _training_lines(world, now, rng, TRAININGS // scale)
    raw = db.engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        _copy(cur, "organisations", "id, kind, name, parent_id, permit_number, permit_expires_on, active, created_at",
              orgs)
        _copy(cur, "users", "id, username, full_name, email, phone, password_hash, organisation_id, active, "
              "must_change_password, session_token, locale, created_at", users)
        _copy(cur, "user_roles", "user_id, role", roles)
        _copy(cur, "reminder_preferences", "user_id, email, sms, updated_at", prefs)
        _copy(cur, "exams", "id, title, description, is_competition, status, open_at, close_at, duration_minutes, "
              "attempts_allowed, grading_method, pass_score, shuffle_questions, shuffle_options, navigation, "
              "review_policy, mc_rule, points_on_pass, certificate, sections, created_by_id, created_at, updated_at",
              exams)
        _copy(cur, "exam_audience", "exam_id, kind, value", audience)
        _copy(cur, "attempts", "id, exam_id, user_id, number, state, started_at, deadline, submitted_at, "
              "finished_by, score, max_score, passed, points_awarded", attempts)
        _copy(cur, "points_accounts", "id, owner_kind, owner_id, available, reserved, updated_at", accounts)
        _copy(cur, "points_entries", "id, account_id, kind, amount, source_key, lot_id, reservation_id, reverses_id, "
              "expires_at, reason, actor_id, created_at", entries)
        _copy(cur, "points_lots", "id, account_id, entry_id, amount, remaining, expires_at, created_at", lots)
        _copy(cur, "violation_types", "id, code, name, law, article, clause, fine_min, fine_max, fine_note, active",
              ["1\tAIR-99-1\t超标排放大气污染物\t中华人民共和国大气污染防治法\t第九十九条\t第（二）项\t10000000\t"
               "100000000\t处十万元以上一百万元以下的罚款\tt\n"])
        _copy(cur, "penalty_cases", "id, case_number, enterprise_id, violation_type_id, description, status, "
              "harm_level, corrected, discovered_on, opened_on, notified_on, decided_on, paid_on, closed_on, "
              "proposed_fine, final_fine, officer_id, created_at, updated_at, correction_due_on, handling_unit_id",
              cases)
        _copy(cur, "rule_sets", "id, code, version, name, doc_number, authority, effective_from, effective_to, "
              "status, legal_basis, eligible_codes, excluded_codes, conditions, maths, procedure, created_by_id, "
              "created_at", [rule_set])
        _copy(cur, "offset_applications", "id, case_id, enterprise_id, rule_set_id, applicant_id, status, "
              "evaluation, points, offset_fen, fine_before, fine_after, reservation_id, step_deadline, created_at, "
              "finished_at", applications)
        _copy(cur, "offset_decisions", "id, application_id, step, decision, comment, decided_by_id, decided_at",
              decisions)
        _copy(cur, "trainings", "id, title, held_at, points, created_by_id, created_at", trainings)
        _copy(cur, "training_registrations", "training_id, user_id, registered_at", registrations)
        _finish_load(raw, cur, ("organisations", "users", "exams", "attempts", "points_accounts", "points_entries",
                      "points_lots", "violation_types", "penalty_cases", "rule_sets", "offset_applications",
                      "offset_decisions", "trainings"))
    finally:
        raw.close()
    return world


# --- CPU accounting (Linux /proc): what each process spent, whatever else the machine runs ---------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process; 0 when it is gone or /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                stack += [int(child) for child in task.read_text().split()]
    return pids


def redis_server_pids() -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*/comm"):
        try:
            if entry.read_text().strip() == "redis-server":
                found.append(int(entry.parent.name))
        except OSError:
            pass
    return found


def postgres_backends() -> list[int]:
    """The server processes of the other connections to this database (the worker's)."""
    from sqlalchemy import text

    from eduapp.extensions import db

    pids = db.session.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                   "AND pid <> pg_backend_pid()")).scalars().all()
    db.session.rollback()
    return list(pids)


def cpu_snapshot(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def cpu_spent(before: dict[int, float], pids: list[int]) -> float:
    """CPU seconds ``pids`` spent since ``before`` (a process not in it counts from its start)."""
    return sum(max(cpu_seconds(pid) - before.get(pid, 0.0), 0.0) for pid in set(pids))


# --- (a), (b) the scans -------------------------------------------------------------------------------


def run_scans(app, now: datetime) -> tuple[list[dict], list[int]]:
    """Each kind's scan, timed; returns the figures per kind and the e-mail/SMS deliveries queued."""
    from eduapp.domain.reminders import KINDS
    from eduapp.extensions import db
    from eduapp.services import reminders

    figures, queued = [], []
    with app.app_context():
        backend = db.session.execute(db.text("SELECT pg_backend_pid()")).scalar_one()  # connect first
        db.session.rollback()
        for kind in KINDS:
            started, cpu, server_cpu = time.perf_counter(), time.process_time(), cpu_seconds(backend)
            result = reminders.scan(kind, now)
            seconds = time.perf_counter() - started
            figures.append({"kind": kind, "seconds": seconds, "due": result.due, "created": result.created,
                            "queued": len(result.queued), "client_cpu": time.process_time() - cpu,
                            "postgres_cpu": cpu_seconds(backend) - server_cpu})
            queued += result.queued
            db.session.expunge_all()
    return figures, queued


# --- (c) sending ------------------------------------------------------------------------------------------


def profile_deliver(app, delivery_ids: list[int]) -> dict:
    """deliver() in this process: milliseconds and SQL statements per delivery (no target)."""
    from sqlalchemy import event

    from eduapp.extensions import db
    from eduapp.services import reminder_sending

    statements = 0

    def count(*_):
        nonlocal statements
        statements += 1

    with app.app_context():
        for delivery_id in delivery_ids[:20]:  # warm up: imports, translations, statement cache (not counted)
            reminder_sending.deliver(delivery_id)
        measured = delivery_ids[20:]
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            outcomes = Counter()
            started = time.perf_counter()
            for delivery_id in measured:
                outcomes[reminder_sending.deliver(delivery_id).status] += 1
            seconds = time.perf_counter() - started
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return {"deliveries": len(measured), "ms_each": seconds * 1000 / len(measured),
            "statements_each": statements / len(measured), "outcomes": dict(outcomes)}


def _flush_redis(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()  # the bench's own database number only
    client.close()


def start_worker(app, url: str, redis_url: str, pool: str, concurrency: int, prefetch: int | None, log_path: Path):
    command = [sys.executable, "-m", "celery", "-A", "make_celery", "worker", "--pool", pool, "--concurrency",
               str(concurrency), "--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
    if prefetch:
        command += ["--prefetch-multiplier", str(prefetch)]
    env = {k: v for k, v in os.environ.items() if k != "EDUAPP_SMTP_HOST"}
    env.update(bench_env(url, redis_url))
    log = open(log_path, "w+")  # noqa: SIM115 (closed by stop_worker)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    celery = app.extensions["celery"]
    deadline = time.monotonic() + 90
    while not celery.control.ping(timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            process.kill()
            raise SystemExit(f"the Celery worker did not start:\n{log.read()[-3000:]}")
    return process, log, command


def stop_worker(process, log) -> str:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.seek(0)
    text = log.read()
    log.close()
    return text


def send(app, delivery_ids: list[int], worker_pid: int) -> dict:
    """Queue the deliveries and wait until none is pending; the clock runs from the first publish.
    Also the CPU each party spent (worker processes, their PostgreSQL backends, Redis, this process)."""
    from sqlalchemy import text

    from eduapp.extensions import db
    from eduapp.tasks.reminders import queue

    poll = text("SELECT status, count(*) FROM reminder_deliveries WHERE id = ANY(:ids) GROUP BY status")
    with app.app_context():
        db.session.execute(poll, {"ids": delivery_ids}).all()  # connect and plan before the clock starts
        per_channel = Counter(db.session.execute(
            text("SELECT channel FROM reminder_deliveries WHERE id = ANY(:ids)"), {"ids": delivery_ids}).scalars())
        tasks = sum(-(-n // app.config["REMINDER_SEND_BATCH"]) for n in per_channel.values())  # what queue() sends
        db.session.rollback()
        worker_before = cpu_snapshot(process_tree(worker_pid))
        backends_before = cpu_snapshot(postgres_backends())
        redis_before = cpu_snapshot(redis_server_pids())
        publisher_before = time.process_time()
        started = time.perf_counter()
        published = queue(delivery_ids)
        publish_seconds = time.perf_counter() - started
        progress, progress_at = -1, time.perf_counter()
        while True:
            statuses = dict(db.session.execute(poll, {"ids": delivery_ids}).all())
            db.session.rollback()
            done = sum(n for status, n in statuses.items() if status not in PENDING)
            now = time.perf_counter()
            if done == len(delivery_ids):
                break
            if done != progress:
                progress, progress_at = done, now
            elif now - progress_at > 60:
                print(f"no progress for 60 s: {statuses}", file=sys.stderr)
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        cpu = {"worker": cpu_spent(worker_before, process_tree(worker_pid)),
               "postgres": cpu_spent(backends_before, postgres_backends()),
               "redis": cpu_spent(redis_before, redis_server_pids()),
               "publisher": time.process_time() - publisher_before}
        first, last = db.session.execute(
            text("SELECT min(sent_at), max(sent_at) FROM reminder_deliveries WHERE id = ANY(:ids)"),
            {"ids": delivery_ids}).one()
        db.session.rollback()
    window = (last - first).total_seconds() if first and last else 0.0
    return {"messages": len(delivery_ids), "published": published, "publish_seconds": publish_seconds,
            "tasks": tasks, "seconds": seconds, "per_second": statuses.get("sent", 0) / seconds, "statuses": statuses,
            "sent": statuses.get("sent", 0), "first_to_last_sent_seconds": window, "cpu_seconds": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a world ten times smaller, 2,000 messages")
    parser.add_argument("--database-url", default=os.environ.get("EDUAPP_BENCH_REMINDERS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("EDUAPP_BENCH_REMINDERS_REDIS_URL", DEFAULT_REDIS),
                        help="the worker's broker; the bench FLUSHES this Redis database (default db 13)")
    parser.add_argument("--pool", default="prefork", choices=("prefork", "threads", "solo"))
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--prefetch-multiplier", type=int, default=None, help="Celery's default (4) when unset")
    parser.add_argument("--messages", type=int, default=None, help="deliveries to send (20,000; 2,000 with --quick)")
    parser.add_argument("--batch", type=int, default=None,
                        help="deliveries per send task (EDUAPP_REMINDER_SEND_BATCH; the app's default when unset)")
    args = parser.parse_args()
    if args.batch:
        os.environ["EDUAPP_REMINDER_SEND_BATCH"] = str(args.batch)  # this process (which queues) and the worker
    scale = 10 if args.quick else 1
    messages = args.messages or MESSAGES // scale
    now = scan_moment()
    load_before = os.getloadavg()

    app = prepare_database(args.database_url, args.redis_url)
    started = time.perf_counter()
    with app.app_context():
        world = load(now, scale)
    load_seconds = time.perf_counter() - started

    first, queued = run_scans(app, now)
    second, queued_again = run_scans(app, now)
    scan_total = sum(f["seconds"] for f in first)
    second_total = sum(f["seconds"] for f in second)
    created_first = sum(f["created"] for f in first)
    created_second = sum(f["created"] for f in second)

    rng = random.Random(7)
    rng.shuffle(queued)
    to_send = sorted(queued[:messages])
    profiled = queued[messages:messages + PROFILED_DELIVERIES]
    profile = profile_deliver(app, profiled) if len(profiled) > 40 else None

    _flush_redis(args.redis_url)
    log_path = Path(tempfile.mkdtemp(prefix="bench-reminders-")) / "worker.log"
    process, log, command = start_worker(app, args.database_url, args.redis_url, args.pool, args.concurrency,
                                         args.prefetch_multiplier, log_path)
    try:
        sent = send(app, to_send, process.pid)
    finally:
        worker_log = stop_worker(process, log)
        _flush_redis(args.redis_url)
    load_after = os.getloadavg()

    scans_ok = scan_total <= SCAN_TARGET_SECONDS
    second_ok = created_second == 0 and not queued_again
    send_ok = sent["per_second"] >= SEND_TARGET and sent["sent"] == len(to_send)
    batch = app.config["REMINDER_SEND_BATCH"]
    worker = {"pool": args.pool, "concurrency": args.concurrency, "send_batch": batch,
              "prefetch_multiplier": args.prefetch_multiplier or 4, "queue": "celery",
              "rate_limits": "none (EDUAPP_EMAIL_RATE_LIMIT and EDUAPP_SMS_RATE_LIMIT empty)",
              "sms_quiet_hours": "none (00:00-00:00)", "backends": "console e-mail, console SMS"}

    print(f"{'scan':<22}{'first run':>12}{'due':>10}{'created':>10}{'queued':>10}{'second run':>13}{'created':>9}")
    for a, b in zip(first, second, strict=True):
        print(f"{a['kind']:<22}{a['seconds']:>10.2f} s{a['due']:>10,}{a['created']:>10,}{a['queued']:>10,}"
              f"{b['seconds']:>11.2f} s{b['created']:>9,}")
    scan_cpu = {"client": sum(f["client_cpu"] for f in first), "postgres": sum(f["postgres_cpu"] for f in first)}
    print(f"{'(a) all scans':<22}{scan_total:>10.2f} s{sum(f['due'] for f in first):>10,}{created_first:>10,}"
          f"{len(queued):>10,}{second_total:>11.2f} s{created_second:>9,}   target <= {SCAN_TARGET_SECONDS:.0f} s  "
          f"{'ok' if scans_ok else 'MISSED'}")
    print(f"    CPU of the first run: this process {scan_cpu['client']:.1f} s, its PostgreSQL backend "
          f"{scan_cpu['postgres']:.1f} s (the rest of the {scan_total:.1f} s was spent waiting: disk, other processes)")
    print(f"(b) second run creates {created_second} reminders (target 0)  {'ok' if second_ok else 'MISSED'}")
    print(f"(c) one worker ({args.pool}, concurrency {args.concurrency}): {sent['sent']:,} of {sent['messages']:,} "
          f"sent in {sent['seconds']:.2f} s = {sent['per_second']:,.0f} messages/s (target >= {SEND_TARGET})  "
          f"{'ok' if send_ok else 'MISSED'}")
    print(f"    publishing {sent['published']:,} deliveries in {sent['tasks']:,} tasks (up to {batch} a task) took "
          f"{sent['publish_seconds']:.2f} s of that; first to last "
          f"sent_at {sent['first_to_last_sent_seconds']:.2f} s; statuses {sent['statuses']}")
    cpu_ms = {part: seconds * 1000 / max(sent["sent"], 1) for part, seconds in sent["cpu_seconds"].items()}
    cpu_total_ms = sum(cpu_ms.values())
    capacity = (os.cpu_count() or 1) * 1000 / cpu_total_ms if cpu_total_ms else 0.0
    print(f"    CPU per message: worker {cpu_ms['worker']:.2f} ms, its PostgreSQL backends "
          f"{cpu_ms['postgres']:.2f} ms, redis-server {cpu_ms['redis']:.2f} ms (whole server, shared), publisher "
          f"{cpu_ms['publisher']:.2f} ms: "
          f"{cpu_total_ms:.2f} ms, so {os.cpu_count()} idle cores could do at most ~{capacity:,.0f}/s (estimate)")
    if profile:
        print(f"    deliver() in-process: {profile['ms_each']:.2f} ms and {profile['statements_each']:.1f} SQL "
              f"statements per delivery ({profile['deliveries']} deliveries, {profile['outcomes']})")
    print(f"    worker: {' '.join(command[1:])}")
    print(f"world: {world.learners:,} learners, {len(world.enterprises):,} enterprises, {len(world.units)} units; "
          f"{dict(world.counts)}; loaded with COPY in {load_seconds:.1f} s (not timed above)")
    print(f"load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; after "
          f"{', '.join(f'{x:.2f}' for x in load_after)} on {os.cpu_count()} cores")
    errors = [line for line in worker_log.splitlines() if "ERROR" in line or "Traceback" in line]
    if errors:
        print(f"worker log ({log_path}): {len(errors)} error lines, e.g. {errors[0][:300]}")
    summary = {
        "quick": args.quick,
        "targets_met": scans_ok and second_ok and send_ok,
        "learners": world.learners,
        "enterprises": len(world.enterprises),
        "government_units": len(world.units),
        "scan_moment": now.isoformat(),
        "scan_seconds": {f["kind"]: round(f["seconds"], 3) for f in first},
        "scan_seconds_total": round(scan_total, 2),
        "scan_target_seconds": SCAN_TARGET_SECONDS,
        "due": {f["kind"]: f["due"] for f in first},
        "created": {f["kind"]: f["created"] for f in first},
        "created_first": created_first,
        "queued_first": len(queued),
        "scan_cpu_seconds": {k: round(v, 1) for k, v in scan_cpu.items()},
        "second_scan_seconds_total": round(second_total, 2),
        "created_second": created_second,
        "messages": sent["messages"],
        "sent": sent["sent"],
        "send_statuses": sent["statuses"],
        "send_seconds": round(sent["seconds"], 2),
        "publish_seconds": round(sent["publish_seconds"], 2),
        "tasks": sent["tasks"],
        "first_to_last_sent_seconds": round(sent["first_to_last_sent_seconds"], 2),
        "messages_per_second": round(sent["per_second"]),
        "messages_target_per_second": SEND_TARGET,
        "send_cpu_ms_per_message": {k: round(v, 3) for k, v in cpu_ms.items()},
        "send_capacity_estimate_per_second": round(capacity),
        "deliver_in_process_ms": profile and round(profile["ms_each"], 3),
        "deliver_sql_statements": profile and round(profile["statements_each"], 2),
        "worker": worker,
        "load_seconds": round(load_seconds, 1),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "cores": os.cpu_count(),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
