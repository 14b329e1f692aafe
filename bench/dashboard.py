"""Benchmark: the bureau's dashboard (services.dashboard.build) on PostgreSQL at a city's scale.

Target (the dashboard issue: "the bureau has 3,000+ enterprises and 200,000 learners"): building every
figure of a year for all organisations takes <= 3 s, and for one unit or one enterprise <= 1 s; the
number of SQL statements does not grow with the world (it is printed).

The world, written with INSERT … SELECT generate_series into a scratch database (created if missing,
brought to the migrations' head and emptied): a bureau with 20 units, 3,200 enterprises with 60 learners
each (192,000) and 8,000 civil servants; 3 exams of the year with 150,000 finished attempts; 400,000
practice answers; 60 trainings with 20,000 attendances; 600,000 ledger entries (awards, expiries) and
2,000 posted reservations; 900 penalty cases at every stage with 40 approved offsets; 20,000 reminders
with 50,000 deliveries.

    python bench/dashboard.py [--quick] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench_dashboard]

--quick writes a world ten times smaller (same targets). The last line printed is a JSON object with
the figures and targets_met.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._pg import ensure_database, fresh_schema  # noqa: E402

YEAR = 2026
WORLD_SQL = """
INSERT INTO organisations (id, kind, name, parent_id, active, created_at)
SELECT 1, 'government', '示范市生态环境局', NULL, true, now();
INSERT INTO organisations (id, kind, name, parent_id, active, created_at)
SELECT 1 + g, 'government', '单位' || g, 1, true, now() FROM generate_series(1, 20) g;
INSERT INTO organisations (id, kind, name, parent_id, active, created_at)
SELECT 100 + g, 'enterprise', '企业' || g, NULL, true, now() FROM generate_series(1, :enterprises) g;
-- learners: :per_enterprise per enterprise, then the civil servants of the units
INSERT INTO users (id, username, full_name, password_hash, organisation_id, active, must_change_password,
                   session_token, created_at)
SELECT g, 'u' || g, '学员' || g, 'x', 101 + (g - 1) % :enterprises, g % 100 <> 0, false, 't' || g,
       timestamptz '2025-01-01 00:00+08'
FROM generate_series(1, :enterprises * :per_enterprise) g;
INSERT INTO users (id, username, full_name, password_hash, organisation_id, active, must_change_password,
                   session_token, created_at)
SELECT 1000000 + g, 'c' || g, '公务员' || g, 'x', 2 + g % 20, true, false, 'c' || g, timestamptz '2025-01-01 00:00+08'
FROM generate_series(1, :civil) g;
INSERT INTO user_roles (user_id, role)
SELECT id, CASE WHEN id >= 1000000 THEN 'civil_servant' WHEN id % 60 = 1 THEN 'enterprise_contact'
                ELSE 'enterprise_staff' END FROM users;
INSERT INTO exams (id, title, description, is_competition, status, open_at, close_at, duration_minutes,
                   attempts_allowed, grading_method, pass_score, shuffle_questions, shuffle_options, navigation,
                   review_policy, mc_rule, points_on_pass, certificate, sections, created_at, updated_at)
SELECT g, '考试' || g, '', g = 3, 'published', timestamptz '2026-01-01 00:00+08' + (g * interval '90 days'),
       timestamptz '2026-03-01 00:00+08' + (g * interval '90 days'), 30, 2,
       CASE WHEN g = 2 THEN 'last' ELSE 'highest' END,
       60, true, true, 'free', 'after_submit', 'partial_half', 5, false, '[]', now(), now()
FROM generate_series(1, 3) g;
INSERT INTO attempts (exam_id, user_id, number, state, started_at, deadline, submitted_at, finished_by, score,
                      max_score, passed, points_awarded)
SELECT 1 + g % 3, 1 + (g::bigint * 7919) % (:enterprises * :per_enterprise), 1 + g / (:enterprises * :per_enterprise),
       CASE WHEN g % 50 = 0 THEN 'annulled' ELSE 'finished' END,
       timestamptz '2026-01-01 09:00+08' + ((1 + g % 3) * interval '90 days') + (g % 50) * interval '1 day',
       timestamptz '2026-01-01 10:00+08' + ((1 + g % 3) * interval '90 days') + (g % 50) * interval '1 day',
       timestamptz '2026-01-01 09:30+08' + ((1 + g % 3) * interval '90 days') + (g % 50) * interval '1 day',
       'candidate', (g::bigint * 37) % 10001, 10000, (g::bigint * 37) % 10001 >= 6000, 0
FROM generate_series(1, :attempts) g
ON CONFLICT DO NOTHING;
INSERT INTO practice_answers (user_id, question_id, version_id, correct, source, answered_at)
SELECT 1 + (g::bigint * 104729) % (:enterprises * :per_enterprise), :question, :version, g % 3 <> 0, 'practice',
       timestamptz '2026-01-01 12:00+08' + (g % 330) * interval '1 day'
FROM generate_series(1, :practice) g;
INSERT INTO trainings (id, title, held_at, points, created_at)
SELECT g, '培训' || g, timestamptz '2026-01-05 09:00+08' + g * interval '5 days', 2, now()
FROM generate_series(1, 60) g;
INSERT INTO training_attendance (training_id, user_id, recorded_at)
SELECT 1 + g % 60, 1 + (g::bigint * 15485863) % (:enterprises * :per_enterprise), now()
FROM generate_series(1, :attendance) g
ON CONFLICT DO NOTHING;
INSERT INTO points_accounts (id, owner_kind, owner_id, available, reserved, updated_at)
SELECT g, 'person', g, 0, 0, now() FROM generate_series(1, :enterprises * :per_enterprise) g;
INSERT INTO points_accounts (id, owner_kind, owner_id, available, reserved, updated_at)
SELECT 5000000 + g, 'enterprise', 100 + g, 0, 0, now() FROM generate_series(1, :enterprises) g;
INSERT INTO points_entries (account_id, kind, amount, reason, created_at)
SELECT CASE WHEN g % 4 = 0 THEN 5000001 + (g::bigint * 104729) % :enterprises
            ELSE 1 + (g::bigint * 7919) % (:enterprises * :per_enterprise) END,
       CASE WHEN g % 10 = 3 THEN 'expire' WHEN g % 97 = 0 THEN 'adjust' ELSE 'award' END,
       CASE WHEN g % 10 = 3 THEN -3 ELSE 5 END, '',
       timestamptz '2026-01-01 08:00+08' + (g % 360) * interval '1 day'
FROM generate_series(1, :entries) g;
INSERT INTO points_reservations (account_id, amount, state, allocations, purpose, created_at, settled_at)
SELECT 5000001 + g % :enterprises, 100, CASE WHEN g % 3 = 0 THEN 'voided' ELSE 'posted' END, '[]', '',
       timestamptz '2026-02-01 08:00+08' + (g % 300) * interval '1 day',
       timestamptz '2026-02-02 08:00+08' + (g % 300) * interval '1 day'
FROM generate_series(1, :reservations) g;
INSERT INTO violation_types (id, code, name, law, article, fine_note, active)
VALUES (1, 'AIR-99-1', '未依法取得排污许可证排放大气污染物', '中华人民共和国大气污染防治法', '第九十九条', '', true);
INSERT INTO penalty_cases (id, case_number, enterprise_id, violation_type_id, description, status, harm_level,
                           corrected, opened_on, proposed_fine, final_fine, officer_id, created_at, updated_at,
                           handling_unit_id)
SELECT g, '罚' || g, 101 + g % :enterprises, 1, '',
       (ARRAY['filed','investigating','notified','decided','paid','closed','not_penalised','transferred'])[1 + g % 8],
       'minor', true, date '2026-01-01' + g % 330, 10000000,
       CASE WHEN g % 8 IN (3, 4, 5) THEN 9000000 END, 1000000 + 1 + g % :civil, now(), now(),
       2 + (1 + g % :civil) % 20  -- the handling unit (承办机构): the officer's own unit
FROM generate_series(1, :cases) g;
INSERT INTO rule_sets (id, code, version, name, doc_number, authority, effective_from, status, legal_basis,
                       eligible_codes, excluded_codes, conditions, maths, procedure, created_at)
VALUES (1, 'R', 1, '规则', '文号', '局', date '2026-01-01', 'active', '[]', '[]', '[]', '{}', '{}', '{}', now());
INSERT INTO offset_applications (case_id, enterprise_id, rule_set_id, applicant_id, status, evaluation, points,
                                 offset_fen, fine_before, fine_after, created_at, finished_at)
SELECT g * 8 + 3, 101 + (g * 8 + 3) % :enterprises, 1, 1, 'approved', '{}', 10000, 1000000, 10000000, 9000000,
       now(), timestamptz '2026-03-01 10:00+08' + g * interval '5 days'
FROM generate_series(1, :offsets) g;
INSERT INTO reminders (id, kind, object_type, object_id, recipient_id, occasion, params, link, created_at)
SELECT g, (ARRAY['exam_closing','points_expiring','offset_review','fine_due','permit_expiring',
                 'correction_deadline','study_requirement','training_upcoming'])[1 + g % 8], 'x', g,
       1 + (g::bigint * 7) % (:enterprises * :per_enterprise), 'o', '{}', '/',
       timestamptz '2026-01-02 10:00+08' + (g % 330) * interval '1 day'
FROM generate_series(1, :reminders) g;
INSERT INTO reminder_deliveries (reminder_id, channel, status, attempts, created_at, updated_at)
SELECT r.id, c.channel, CASE WHEN r.id % 40 = 0 AND c.channel = 'sms' THEN 'failed' ELSE 'sent' END, 1,
       r.created_at, r.created_at
FROM reminders r CROSS JOIN (VALUES ('inbox'), ('email'), ('sms')) AS c(channel)
WHERE c.channel = 'inbox' OR r.id % 2 = 0;
ANALYZE;
"""

FULL = {"enterprises": 3200, "per_enterprise": 60, "civil": 8000, "attempts": 150_000, "practice": 400_000,
        "attendance": 20_000, "entries": 600_000, "reservations": 2000, "cases": 900, "offsets": 40,
        "reminders": 20_000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a world ten times smaller")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench_dashboard")
    args = parser.parse_args()
    sizes = {k: max(v // 10, 10) if args.quick else v for k, v in FULL.items()}
    sizes["per_enterprise"] = FULL["per_enterprise"]

    from sqlalchemy import event, text

    from eduapp import create_app
    from eduapp.domain import periods
    from eduapp.extensions import db
    from eduapp.services import dashboard

    ensure_database(args.database_url)
    app = create_app({"EDUAPP_ENV": "testing", "EDUAPP_DATABASE_URL": args.database_url,
                      "EDUAPP_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789", "TESTING": True})
    fresh_schema(app)
    with app.app_context():
        from eduapp.models import Question
        from eduapp.services.question_import import import_files

        started = time.perf_counter()
        import_files([("bench.yaml", "law: 中华人民共和国行政处罚法\nquestions:\n  - id: bench-0001\n    type: single\n"
                                     "    stem: 行政处罚的依据？\n    options: [事实, 指示]\n    answer: A\n"
                                     "    article: 第五条\n".encode())])
        q = db.session.execute(db.select(Question)).scalar_one()
        params = {**sizes, "question": q.id, "version": q.current_version_id}
        # the sizes are our own integers: written into the SQL (psycopg would bind 3200 as a smallint)
        world = re.sub(r"(?<!:):([a-z_]+)", lambda m: str(int(params[m.group(1)])), WORLD_SQL)
        with db.engine.begin() as conn:
            for statement in world.split(";\n"):
                if statement.strip():
                    conn.execute(text(statement))
        loaded = time.perf_counter() - started
        print(f"world written in {loaded:.1f} s: {sizes}")

        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
        year = periods.Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
        timings = {}
        for label, org_id in (("all", None), ("unit", 2), ("enterprise", 101)):
            dashboard.build(year, dashboard.scope_of(org_id))  # warm the caches
            db.session.remove()
            statements.clear()
            t0 = time.perf_counter()
            d = dashboard.build(year, dashboard.scope_of(org_id))
            timings[label] = (time.perf_counter() - t0, len(statements))
            db.session.remove()
            print(f"{label:>10}: {timings[label][0]:.2f} s, {timings[label][1]} statements; learners "
                  f"{d.learners.learners:,}, results {d.exams.takers:,}, points issued {d.points.issued:,}, "
                  f"cases {d.cases.cases:,}, reminders {d.reminders.reminders:,}")
    met = timings["all"][0] <= 3 and timings["unit"][0] <= 1 and timings["enterprise"][0] <= 1
    print(json.dumps({"quick": args.quick, "seconds": {k: round(v[0], 3) for k, v in timings.items()},
                      "statements": {k: v[1] for k, v in timings.items()}, "targets_met": met}))


if __name__ == "__main__":
    main()
