"""Benchmark: grading answers, and the item statistics of a large exam on PostgreSQL.

Targets (the exam issue):
  (a) grade 1,000,000 answers (the four question types, realistic responses) with
      eduapp.domain.grading at >= 200,000 answers/s;
  (b) services.exam_stats.report() for 100,000 attempts x 50 questions on PostgreSQL in <= 10 s.

(b) builds a scratch database (created if missing) with the migrations, bulk-loads organisations,
users, questions, one exam and its attempts with COPY, and times the statistics call only.

    python bench/grading.py [--quick] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench]

--quick runs a ten times smaller benchmark (its targets scaled alike). The last line printed is a
JSON object with the figures and targets_met.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _pg import copy_rows as _copy  # noqa: E402 (bench/ is on the path when run as a script)
from _pg import finish_load as _finish_load  # noqa: E402
from _pg import pg_timestamp as _ts  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench"
GRADING_TARGET = 200_000  # answers per second
STATS_TARGET = 10.0  # seconds for 100,000 attempts x 50 questions
FULL_ANSWERS, FULL_ATTEMPTS = 1_000_000, 100_000
# The paper: (title, type, count, points); 50 questions, 70 points. Each section draws from a pool
# twice its size, so candidates see different questions in the same slot.
PAPER = (("单选题", "single", 20, 1), ("多选题", "multiple", 10, 2), ("判断题", "true_false", 10, 1),
         ("填空题", "fill_blank", 10, 2))
POOL_FACTOR = 2


# --- (a) grading -----------------------------------------------------------------------------------


def _grading_work(n: int, rng: random.Random):
    """(key, response, points) for n answers to 400 questions: right, partly right, wrong, blank."""
    from eduapp.domain.grading import compile_key

    questions = []
    for i in range(400):
        qtype = ("single", "multiple", "true_false", "fill_blank")[i % 4]
        if qtype == "single":
            questions.append((qtype, compile_key(qtype, [rng.randrange(4)]), 1, None))
        elif qtype == "multiple":
            right = sorted(rng.sample(range(5), rng.choice((2, 3, 4))))
            questions.append((qtype, compile_key(qtype, right), 2, right))
        elif qtype == "true_false":
            questions.append((qtype, compile_key(qtype, bool(i % 3)), 1, None))
        else:
            blanks = [["十五", "15"], ["罚款"], ["三十", "30"]][: rng.choice((1, 1, 2, 3))]
            questions.append((qtype, compile_key(qtype, blanks), 2, blanks))

    def response(qtype, key, extra):
        roll = rng.random()
        if roll < 0.04:
            return None  # not answered
        good = roll < 0.7
        if qtype == "single":
            return key.single if good else (key.single + rng.randrange(1, 4)) % 4
        if qtype == "true_false":
            return key.truth if good else not key.truth
        if qtype == "multiple":
            if good:
                return list(extra)
            if roll < 0.85:
                return extra[: max(len(extra) - 1, 1)]  # some right options only: half marks
            return sorted(set(extra[:1]) | {next(i for i in range(5) if i not in extra)})  # one wrong
        given = []
        for alternatives in extra:
            word = rng.choice(alternatives) if good or rng.random() < 0.5 else "不知道"
            if word.isdigit() and rng.random() < 0.3:
                word = word.translate(str.maketrans("0123456789", "０１２３４５６７８９"))  # full width
            given.append(f" {word} " if rng.random() < 0.1 else word)
        return given

    work = []
    for _ in range(n):
        qtype, key, points, extra = questions[rng.randrange(len(questions))]
        work.append((key, response(qtype, key, extra), points))
    return work


def bench_grading(n: int) -> dict:
    from eduapp.domain.grading import MC_PARTIAL_HALF, grade

    work = _grading_work(n, random.Random(11))
    started = time.perf_counter()
    total = 0
    for key, response, points in work:
        total += grade(key, response, points, MC_PARTIAL_HALF)
    seconds = time.perf_counter() - started
    by_type: dict[str, list] = {}
    for key, response, points in work[: min(n, 200_000)]:
        by_type.setdefault(key.qtype, []).append((key, response, points))
    rates = {}
    for qtype, items in by_type.items():
        t0 = time.perf_counter()
        for key, response, points in items:
            grade(key, response, points, MC_PARTIAL_HALF)
        rates[qtype] = len(items) / (time.perf_counter() - t0)
    return {"answers": n, "seconds": seconds, "per_second": n / seconds, "mean_mark": total / n / 100,
            "per_type": rates}


# --- (b) item statistics on PostgreSQL -------------------------------------------------------------


def prepare_database(url: str):
    """The scratch database at the migrations' head, emptied; returns the app."""
    from _pg import ensure_database, fresh_schema

    from eduapp import create_app

    ensure_database(url)
    app = create_app({"EDUAPP_DATABASE_URL": url, "EDUAPP_SECRET_KEY": "bench" * 8, "EDUAPP_ENV": "testing"})
    fresh_schema(app)
    return app


RESPONSES = {"single": ("1", "2"), "multiple": ("[0, 2, 3]", "[0, 1]"), "true_false": ("true", "false"),
             "fill_blank": ('["15"]', '["30"]')}  # (right, wrong) as the attempt page stores them


def _papers(plan, pools, exam_id: int, pass_score: int, now: datetime, rng: random.Random):
    """Per attempt of ``plan`` [(user id, number)]: its COPY line and its items' lines. Marks follow a
    two-parameter logistic model: a candidate of ability θ answers a question of difficulty b and slope
    a right with probability 1 / (1 + e^(-1.7·a·(θ - b)))."""
    steps = 41  # abilities on a grid, so that P(right) is looked up, not computed 5 million times
    chance = [[[1 / (1 + math.exp(-1.7 * a * (-3 + 6 * i / (steps - 1) - b))) for _, b, a in pool]
               for pool in pools] for i in range(steps)]
    ability = {user_id: min(max(int((rng.gauss(0, 1) + 3) / 6 * (steps - 1)), 0), steps - 1)
               for user_id, _ in plan}
    max_score = sum(count * pts for _, _, count, pts in PAPER) * 100
    item_id = 0
    for attempt_id, (user_id, number) in enumerate(plan, start=1):
        start = now + timedelta(minutes=rng.randrange(60 * 24 * 6))
        saved = _ts(start + timedelta(minutes=20))
        level = chance[ability[user_id]]
        position, score, lines = 0, 0, []
        for section, (_, qtype, count, pts) in enumerate(PAPER):
            pool, p_right = pools[section], level[section]
            for index in rng.sample(range(len(pool)), count):
                item_id += 1
                right = rng.random() < p_right[index]
                mark = pts * 100 if right else (pts * 50 if qtype == "multiple" and rng.random() < 0.4 else 0)
                score += mark
                lines.append(f"{item_id}\t{attempt_id}\t{position + 1}\t{position}\t{section}\t{pool[index][0]}\t"
                             f"[0, 1, 2, 3]\t{pts}\t{RESPONSES[qtype][0 if right else 1]}\t1\t{saved}\tf\t{mark}\n")
                position += 1
        took = timedelta(seconds=rng.randrange(600, 3600))
        yield (f"{attempt_id}\t{exam_id}\t{user_id}\t{number}\tfinished\t{_ts(start)}\t"
               f"{_ts(start + timedelta(minutes=60))}\t{_ts(start + took)}\tcandidate\t{score}\t{max_score}\t"
               f"{'t' if score >= pass_score * 100 else 'f'}\t0\n", "".join(lines))


def load(attempts: int, rng: random.Random) -> int:
    """Organisations, candidates, the question pools, a published competition and ``attempts``
    finished attempts with their marks; returns the exam's id."""
    from eduapp.domain.blueprint import Section
    from eduapp.extensions import db
    from eduapp.models import Exam, ExamAudience, Organisation, Question, QuestionVersion

    now = datetime(2025, 6, 1, 8, tzinfo=UTC)
    bureau = Organisation(kind="government", name="基准生态环境局", active=True)
    units = [Organisation(kind="government", name=f"基准执法{i}科", parent=bureau, active=True) for i in range(1, 9)]
    firms = [Organisation(kind="enterprise", name=f"基准企业{i:03d}", active=True) for i in range(300)]
    db.session.add_all([bureau, *units, *firms])

    pools: list[list[tuple[int, float, float]]] = []  # per section: (version id, difficulty b, slope a)
    versions = []
    for title, qtype, count, _points in PAPER:
        pool = []
        for n in range(count * POOL_FACTOR):
            question = Question(uid=f"bench-{qtype}-{n:03d}", status="published")
            answer = {"single": [1], "multiple": [0, 2, 3], "true_false": True, "fill_blank": [["十五", "15"]]}[qtype]
            stem = f"{title}基准第{n}题" + ("：应当在___日内" if qtype == "fill_blank" else "")
            version = QuestionVersion(
                question=question, number=1, qtype=qtype, stem=stem,
                options=["甲", "乙", "丙", "丁"] if qtype in ("single", "multiple") else [], answer=answer,
                explanation="", law="中华人民共和国环境保护法", article="第五条", difficulty=1 + n % 5, tags=[],
                fingerprint=f"bench-{qtype}-{n}", search_text=stem,
            )
            db.session.add_all([question, version])
            pool.append(version)
        versions.append(pool)
    db.session.flush()
    for pool in versions:
        pools.append([(v.id, rng.uniform(-2.0, 1.2), rng.uniform(0.6, 1.6)) for v in pool])
        for v in pool:
            v.question.current_version_id = v.id
    sections = [Section(title, qtype, count, pts) for title, qtype, count, pts in PAPER]
    exam = Exam(
        title="基准考试", description="", is_competition=True, status="published", open_at=now,
        close_at=now + timedelta(days=7), duration_minutes=60, attempts_allowed=2, grading_method="highest",
        pass_score=42, shuffle_questions=True, shuffle_options=True, navigation="free",
        review_policy="after_submit", mc_rule="partial_half", points_on_pass=2, certificate=False,
        sections=[{**s.__dict__, "categories": [], "laws": [], "tags": []} for s in sections],
        created_at=now, updated_at=now,
    )
    exam.audience = [ExamAudience(kind="role", value="enterprise_staff")]
    db.session.add(exam)
    db.session.commit()
    org_ids = [o.id for o in units + firms]

    # ~85% of the candidates make one attempt, the rest two; a further 10% never start.
    second = max(attempts * 15 // 100, 0)
    candidates = attempts - second
    users = candidates + candidates // 10
    raw = db.engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        _copy(cur, "users", "id, username, full_name, password_hash, organisation_id, active, must_change_password, "
              "session_token, created_at",
              (f"{u}\tbench{u:06d}\t考生{u}\tx\t{org_ids[u % len(org_ids)]}\tt\tf\ttok{u}\t{_ts(now)}\n"
               for u in range(1, users + 1)))
        _copy(cur, "user_roles", "user_id, role", (f"{u}\tenterprise_staff\n" for u in range(1, users + 1)))

        plan = [(u, 1) for u in range(1, candidates + 1)] + [(u, 2) for u in range(1, second + 1)]
        attempt_lines = []
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:  # items wait here: attempts go first
            for attempt_line, item_lines in _papers(plan, pools, exam.id, exam.pass_score, now, rng):
                attempt_lines.append(attempt_line)
                spool.write(item_lines)
            _copy(cur, "attempts", "id, exam_id, user_id, number, state, started_at, deadline, submitted_at, "
                  "finished_by, score, max_score, passed, points_awarded", attempt_lines)
            spool.seek(0)
            items = _copy(cur, "attempt_items", "id, attempt_id, position, slot, section, question_version_id, "
                          "option_order, points, response, seq, saved_at, flagged, mark", spool)
        _finish_load(raw, cur, ("users", "attempts", "attempt_items"))
    finally:
        raw.close()
    assert items == attempts * sum(count for _, _, count, _ in PAPER)
    return exam.id


def bench_stats(url: str, attempts: int) -> dict:
    from eduapp.extensions import db
    from eduapp.models import Exam
    from eduapp.services import exam_stats

    app = prepare_database(url)
    with app.app_context():
        started = time.perf_counter()
        exam_id = load(attempts, random.Random(5))
        load_seconds = time.perf_counter() - started
        exam = db.session.get(Exam, exam_id)
        timings = []
        for _ in range(3):
            db.session.expire_all()
            t0 = time.perf_counter()
            report = exam_stats.report(exam)
            timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        board = exam_stats.leaderboard(exam, viewer_id=attempts // 2)
        leaderboard_seconds = time.perf_counter() - t0
    return {
        "attempts": attempts,
        "questions": sum(count for _, _, count, _ in PAPER),
        "load_seconds": load_seconds,
        "first_seconds": timings[0],
        "best_seconds": min(timings),
        "counting_attempts": report.stats.attempts,
        "alpha": report.stats.alpha,
        "flagged": len(report.flagged),
        "leaderboard_seconds": leaderboard_seconds,
        "ranked": board.total,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 answers and 10,000 attempts")
    parser.add_argument("--database-url", default=os.environ.get("EDUAPP_BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    stats_target = STATS_TARGET / scale

    grading = bench_grading(FULL_ANSWERS // scale)
    stats = bench_stats(args.database_url, FULL_ATTEMPTS // scale)
    grading_ok = grading["per_second"] >= GRADING_TARGET
    stats_ok = stats["first_seconds"] <= stats_target

    print(f"{'benchmark':<34}{'size':>22}{'result':>16}{'target':>16}")
    print(f"{'(a) grading':<34}{grading['answers']:>14,} answers{grading['per_second']:>12,.0f} a/s"
          f"{'>= ' + format(GRADING_TARGET, ','):>14} a/s  {'ok' if grading_ok else 'MISSED'}")
    for qtype, rate in grading["per_type"].items():
        print(f"{'    ' + qtype:<34}{'':>22}{rate:>12,.0f} a/s")
    size = f"{stats['attempts']:,} x {stats['questions']}"
    print(f"{'(b) item statistics, first call':<34}{size:>22}{stats['first_seconds']:>14.2f} s"
          f"{'<= ' + format(stats_target, '.1f'):>14} s  {'ok' if stats_ok else 'MISSED'}"
          f"{' (scaled target)' if scale > 1 else ''}")
    print(f"{'    best of three calls':<34}{'':>22}{stats['best_seconds']:>14.2f} s")
    print(f"{'    leaderboard (top 100)':<34}{'':>22}{stats['leaderboard_seconds']:>14.2f} s")
    print(f"{'    bulk load (not timed above)':<34}{'':>22}{stats['load_seconds']:>14.2f} s")
    print(f"counting attempts {stats['counting_attempts']:,}, Cronbach's alpha {stats['alpha']}, "
          f"questions flagged {stats['flagged']}, candidates ranked {stats['ranked']:,}")
    summary = {
        "quick": args.quick,
        "targets_met": grading_ok and stats_ok,
        "grading_answers": grading["answers"],
        "grading_seconds": round(grading["seconds"], 3),
        "grading_per_second": round(grading["per_second"]),
        "grading_target_per_second": GRADING_TARGET,
        "stats_attempts": stats["attempts"],
        "stats_questions": stats["questions"],
        "stats_seconds": round(stats["first_seconds"], 3),
        "stats_best_seconds": round(stats["best_seconds"], 3),
        "stats_target_seconds": stats_target,
        "leaderboard_seconds": round(stats["leaderboard_seconds"], 3),
        "load_seconds": round(stats["load_seconds"], 1),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
