"""The exam-day benchmark's world: the question bank, the candidates, the exam (bench/exam_day.py).

Everything goes through eduapp's own services except the accounts: the repository's question bank
is imported with services.question_import, organisations are saved with services.orgs, exams with
services.exams. The thousands of accounts are bulk-loaded with COPY, all with one argon2id hash of
one password computed with the app's settings, so each login still verifies a real argon2id hash
at the production cost.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "exam-day-bench-2026"  # noqa: S105 (a bench account's password)
CANDIDATE_PREFIX = "cand"
PROBE_PREFIX = "probe"
ENTERPRISES = 30
UNITS = 10
ENTERPRISE_SHARE = 3  # one candidate in three is enterprise staff, the rest civil servants

# The paper: 50 questions, 65 points; pass at 39 (60 %).
SECTIONS = (("单选题", "single", 25, 1), ("多选题", "multiple", 10, 2), ("判断题", "true_false", 10, 1),
            ("填空题", "fill_blank", 5, 2))
PASS_SCORE = 39
POINTS_ON_PASS = 2


@dataclass(frozen=True)
class Keys:
    """The answer key of every published version, by stem (the bench's candidates know some answers)."""

    by_stem: dict[str, tuple[str, object]]


def import_bank(app) -> int:
    from eduapp.services.question_import import import_files

    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "question_bank").glob("*.yaml"))]
    with app.app_context():
        report = import_files(files)
        if report.rejected:
            raise RuntimeError(f"the question bank did not import: {report.rejected[:3]}")
        from sqlalchemy import func, select

        from eduapp.extensions import db
        from eduapp.models import Question

        return db.session.execute(select(func.count()).select_from(Question)
                                  .where(Question.status == "published")).scalar_one()


def answer_keys(app) -> Keys:
    from sqlalchemy import select

    from eduapp.extensions import db
    from eduapp.models import Question, QuestionVersion

    with app.app_context():
        rows = db.session.execute(
            select(QuestionVersion.stem, QuestionVersion.qtype, QuestionVersion.answer)
            .join(Question, Question.current_version_id == QuestionVersion.id)
        ).all()
    return Keys({stem: (qtype, answer) for stem, qtype, answer in rows})


def organisations(app) -> tuple[list[int], list[int]]:
    """A bureau with UNITS sub-units and ENTERPRISES enterprises: (unit ids, enterprise ids)."""
    from eduapp.domain.uscc import make_code
    from eduapp.services import orgs

    with app.app_context():
        bureau = orgs.default_bureau()
        units = [orgs.save_unit(None, f"考试单位{n:02d}", bureau).id for n in range(1, UNITS + 1)]
        enterprises = []
        for n in range(1, ENTERPRISES + 1):
            enterprises.append(orgs.save_enterprise(None, {
                "name": f"考试企业{n:03d}", "uscc": make_code("91", "320100", f"MA2E{n:04d}"),
                "legal_representative": "法人", "env_manager": "环保负责人", "industry": "制造业",
                "district": "东区", "permit_number": f"E{n:06d}", "permit_expires_on": None,
            }).id)
    return units, enterprises


def accounts(app, candidates: int, probes: int, units: list[int], enterprises: list[int]) -> dict[str, int]:
    """``candidates`` learner accounts (cand00001…) and ``probes`` for the floor measurement (probe001…),
    loaded with COPY; returns {username: user id}."""
    from _pg import copy_rows, pg_timestamp
    from sqlalchemy import text

    from eduapp.extensions import db
    from eduapp.models import utcnow
    from eduapp.services.passwords import hash_password

    with app.app_context():
        password_hash = hash_password(PASSWORD)
        first = (db.session.execute(text("SELECT coalesce(max(id), 0) FROM users")).scalar_one()) + 1
        db.session.rollback()
        now = pg_timestamp(utcnow())
        names = [f"{CANDIDATE_PREFIX}{n:05d}" for n in range(1, candidates + 1)]
        names += [f"{PROBE_PREFIX}{n:03d}" for n in range(1, probes + 1)]
        rows, roles = [], []
        for offset, name in enumerate(names):
            user_id = first + offset
            enterprise_staff = name.startswith(CANDIDATE_PREFIX) and offset % ENTERPRISE_SHARE == 0
            org = enterprises[offset % len(enterprises)] if enterprise_staff else units[offset % len(units)]
            rows.append(f"{user_id}\t{name}\t考生{offset + 1}\t{password_hash}\t{org}\tt\tf\t"
                        f"{secrets.token_urlsafe(16)}\t{now}\n")
            roles.append(f"{user_id}\t{'enterprise_staff' if enterprise_staff else 'civil_servant'}\n")
        raw = db.engine.raw_connection()
        try:
            cur = raw.driver_connection.cursor()
            copy_rows(cur, "users", "id, username, full_name, password_hash, organisation_id, active, "
                      "must_change_password, session_token, created_at", rows)
            copy_rows(cur, "user_roles", "user_id, role", roles)
            cur.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
            raw.commit()
            raw.driver_connection.autocommit = True
            cur.execute("VACUUM ANALYZE")
        finally:
            raw.close()
    return {name: first + offset for offset, name in enumerate(names)}


def reference_table(app) -> None:
    """The floor's scratch table (bench/exam_day_wsgi.py), empty."""
    from sqlalchemy import text

    from eduapp.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_reference"))
        conn.execute(text("CREATE TABLE bench_reference (id serial PRIMARY KEY, seq integer NOT NULL, "
                          "response json, note varchar(32) NOT NULL DEFAULT '')"))


def exam(app, title: str, open_at: datetime, close_at: datetime, duration_minutes: int,
         audience: list[tuple[str, str]]) -> int:
    """A published exam of SECTIONS (through services.exams.save, as an exam manager's form saves it)."""
    from eduapp.domain.blueprint import Section
    from eduapp.domain.exam_rules import AudienceEntry
    from eduapp.services import exams

    fields = {
        "title": title, "description": "", "is_competition": False, "status": "published",
        "open_at": open_at, "close_at": close_at, "duration_minutes": duration_minutes, "attempts_allowed": 1,
        "grading_method": "highest", "pass_score": PASS_SCORE, "shuffle_questions": True, "shuffle_options": True,
        "navigation": "free", "review_policy": "after_close", "mc_rule": "partial_half",
        "points_on_pass": POINTS_ON_PASS, "certificate": True,
    }
    with app.app_context():
        saved = exams.save(None, None, fields, [Section(t, q, n, p) for t, q, n, p in SECTIONS],
                           [AudienceEntry(kind, value) for kind, value in audience])
        return saved.id


def exam_window(open_at: datetime, minutes: float) -> tuple[datetime, datetime]:
    return open_at, open_at + timedelta(minutes=minutes)
