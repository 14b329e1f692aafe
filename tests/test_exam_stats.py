"""Exam statistics and leaderboards, on small examples worked out by hand."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from eduapp.domain import exam_rules
from eduapp.domain.blueprint import Section
from eduapp.domain.exam_rules import AudienceEntry
from eduapp.domain.item_stats import NOT_DISCRIMINATING
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt, AttemptItem, Question, User
from eduapp.services import api_tokens, exam_stats
from eduapp.web.exam_stats import export
from tests import factories

# Four candidates at a paper of three one-point questions (the example of tests/domain/test_item_stats.py):
#            q1 q2 q3  total
#   A         1  1  1   3     甲企业
#   B         1  1  0   2     甲企业
#   C         1  0  0   1     执法局
#   D         0  0  1   1     执法局 / 一科 (a sub-unit)
# The pass score is 2 points: A and B pass.
MARKS = {"A": (1, 1, 1), "B": (1, 1, 0), "C": (1, 0, 0), "D": (0, 0, 1)}


def _versions() -> list[int]:
    """The current versions of the three single-choice questions s-000..s-002."""
    rows = db.session.execute(select(Question).where(Question.uid.in_(["s-000", "s-001", "s-002"]))
                              .order_by(Question.uid)).scalars()
    return [q.current_version_id for q in rows]


def _attempt(exam, user, marks=None, *, number=1, versions=(), minutes=10, started=None, points=1):
    """A finished attempt with exactly these marks (in points), or one in progress when ``marks`` is None."""
    start = started or exam.open_at + timedelta(minutes=1)
    finished = marks is not None
    score = sum(marks) * 100 if finished else None
    attempt = Attempt(
        exam_id=exam.id, user_id=user.id, number=number, state="finished" if finished else "in_progress",
        started_at=start, deadline=start + timedelta(minutes=60),
        submitted_at=start + timedelta(minutes=minutes) if finished else None,
        score=score, max_score=len(versions) * points * 100,
        passed=None if not finished else score >= exam.pass_score * 100,
    )
    attempt.items = [
        AttemptItem(position=slot + 1, slot=slot, section=0, question_version_id=version, option_order=[0, 1, 2, 3],
                    points=points, mark=marks[slot] * 100 if finished else None)
        for slot, version in enumerate(versions)
    ]
    db.session.add(attempt)
    db.session.commit()
    return attempt


@pytest.fixture
def world(ctx, app, monkeypatch):
    """Enterprise 甲企业 (A, B, and F who never starts), unit 执法局 (C) with sub-unit 一科 (D, and G still
    writing), and an exam manager in 管理处, outside the audience. Four attempts count: flags and alpha
    are given from one attempt here (EDUAPP_STATS_MIN_ATTEMPTS; the default 30 is tested on its own)."""
    monkeypatch.setitem(app.config, "STATS_MIN_ATTEMPTS", 1)
    factories.bank(per_type=3)
    firm = factories.enterprise("甲企业", 1)
    bureau = factories.unit("执法局")
    section = factories.unit("一科", bureau)
    office = factories.unit("管理处")
    people = {
        "A": factories.user("cand-a", firm), "B": factories.user("cand-b", firm),
        "F": factories.user("cand-f", firm),
        "C": factories.user("cand-c", bureau, Role.CIVIL_SERVANT),
        "D": factories.user("cand-d", section, Role.CIVIL_SERVANT),
        "G": factories.user("cand-g", section, Role.CIVIL_SERVANT),
        "M": factories.user("manager", office, Role.EXAM_MANAGER),
    }
    exam = factories.exam(
        sections=[Section("单选题", "single", 3, 1)], pass_score=2, attempts_allowed=3,
        audience=[AudienceEntry("role", "enterprise_staff"), AudienceEntry("org", str(bureau.id))],
    )
    versions = _versions()
    # A's first try scored 0; with "highest" the later 3 counts
    _attempt(exam, people["A"], (0, 0, 0), versions=versions, number=1, minutes=5)
    for name, marks in MARKS.items():
        _attempt(exam, people[name], marks, versions=versions, number=2 if name == "A" else 1)
    _attempt(exam, people["G"], None, versions=versions)
    return {"exam": exam, "people": people, "versions": versions, "firm": firm, "bureau": bureau,
            "section": section}


def test_item_and_exam_statistics_through_the_database(world):
    report = exam_stats.report(world["exam"])
    v1, v2, v3 = world["versions"]
    by_version = {q.version_id: q for q in report.questions}
    assert [q.version_id for q in report.questions] == [v1, v2, v3]  # in slot order
    q1, q2, q3 = by_version[v1], by_version[v2], by_version[v3]
    assert (q1.stats.facility, q2.stats.facility, q3.stats.facility) == (75.0, 50.0, 50.0)
    assert (q1.stats.discrimination, q2.stats.discrimination, q3.stats.discrimination) == (0.0, 57.74, -30.15)
    assert q1.flags == (NOT_DISCRIMINATING,) and q2.flags == () and q3.flags == (NOT_DISCRIMINATING,)
    assert [q.uid for q in report.flagged] == ["s-000", "s-002"]
    assert q1.stats.attempts == 4 and q1.points == 1.0 and q1.places == "1"
    assert (q1.endpoint, q1.link_args) == ("questions.show", {"question_id": q1.question_id})
    s = report.stats
    assert (s.attempts, s.mean, s.median, s.alpha) == (4, 1.75, 1.5, 0.0)
    # ten bands of 0.3 points: 1, 1 -> band 3; 2 -> band 6; 3 -> band 9 (A's first try does not count)
    assert report.max_score == 3.0
    assert [count for _, _, count in report.histogram] == [0, 0, 0, 2, 0, 0, 1, 0, 0, 1]
    assert report.histogram[0][:2] == (0.0, 0.3) and report.histogram[-1][1] == 3.0


def test_participation_and_pass_rate_per_organisation_include_sub_units(world):
    report = exam_stats.report(world["exam"])
    rows = {r.name: r for r in report.orgs}
    assert list(rows) == ["执法局", "一科", "甲企业"]  # parents first; 管理处 has no candidates
    counts = {name: (r.candidates, r.attempted, r.finished, r.passed, r.pass_rate) for name, r in rows.items()}
    assert counts == {
        "执法局": (3, 3, 2, 0, 0.0),  # C, D, G: G is still writing
        "一科": (2, 2, 1, 0, 0.0),
        "甲企业": (3, 2, 2, 2, 100.0),  # F never started
    }
    assert rows["执法局"].participation == 66.7 and rows["一科"].depth == 1 and rows["执法局"].mean == 1.0
    t = report.total
    assert (t.candidates, t.attempted, t.finished, t.passed, t.pass_rate, t.mean) == (6, 5, 4, 2, 50.0, 1.75)


def test_an_organisation_filter_restricts_everything_to_its_subtree(world):
    report = exam_stats.report(world["exam"], world["bureau"])
    assert [r.name for r in report.orgs] == ["执法局", "一科"]
    assert (report.total.candidates, report.total.finished) == (3, 2)
    assert report.stats.attempts == 2 and report.stats.mean == 1.0
    # C (1, 0, 0) and D (0, 0, 1): q1 and q3 half right, q2 never
    assert [q.stats.facility for q in report.questions] == [50.0, 0.0, 50.0]
    assert {name for _, name, _ in report.org_choices} == {"执法局", "一科", "甲企业"}


@pytest.mark.parametrize("method", ["highest", "last"])
def test_the_database_picks_the_same_counting_attempts_as_the_domain_rule(ctx, method):
    factories.bank(per_type=3)
    org = factories.enterprise("甲企业", 1)
    exam = factories.exam(sections=[Section("单选题", "single", 3, 1)], pass_score=2, attempts_allowed=5,
                          grading_method=method)
    versions = _versions()
    papers = {"p": [(1, 0, 0), (1, 1, 0), (0, 1, 1), (0, 0, 0)], "q": [(1, 1, 1)], "r": [(0, 1, 0), (1, 0, 0)]}
    for name, tries in papers.items():
        user = factories.user(f"cand-{name}", org)
        for number, marks in enumerate(tries, start=1):
            # the same start for every try: ties on score are broken by submission time, then id
            _attempt(exam, user, marks, number=number, versions=versions, minutes=number)
    expected = exam_stats.counting_attempts(exam)
    counted = {r.user_id: r.id for r in db.session.execute(select(exam_stats._counting(exam)))}
    assert counted == expected
    scores = sorted(db.session.get(Attempt, a).score for a in expected.values())
    assert scores == ([100, 200, 300] if method == "highest" else [0, 100, 300])


def competition() -> dict:
    """A competition for enterprise staff and 执法局 (with its sub-unit 一科): 三号 and 二号 score 3 (三号 faster
    on a second attempt), 四号 and 一号 score 2 (四号 faster); 四号 is writing a second attempt."""
    factories.bank(per_type=3)
    firm = factories.enterprise("甲企业", 1)
    bureau = factories.unit("执法局")
    section = factories.unit("一科", bureau)
    exam = factories.exam(sections=[Section("单选题", "single", 3, 1)], pass_score=2, attempts_allowed=3,
                          is_competition=True,
                          audience=[AudienceEntry("role", "enterprise_staff"), AudienceEntry("org", str(bureau.id))])
    versions = _versions()
    p1 = factories.user("cand-p1", firm, full_name="一号")
    p2 = factories.user("cand-p2", firm, full_name="二号")
    p3 = factories.user("cand-p3", section, Role.CIVIL_SERVANT, full_name="三号")
    p4 = factories.user("cand-p4", bureau, Role.CIVIL_SERVANT, full_name="四号")
    _attempt(exam, p1, (1, 1, 0), versions=versions, minutes=10)
    _attempt(exam, p2, (1, 1, 1), versions=versions, minutes=20)
    _attempt(exam, p3, (1, 1, 1), versions=versions, minutes=25)
    _attempt(exam, p3, (1, 1, 1), versions=versions, minutes=15, number=2)  # the same score, faster: counts
    _attempt(exam, p4, (1, 1, 0), versions=versions, minutes=5)
    _attempt(exam, p4, None, versions=versions, number=2)  # still writing: ignored
    return {"exam": exam, "firm": firm, "bureau": bureau, "p1": p1, "p2": p2, "p3": p3, "p4": p4}


def test_leaderboard_ranks_by_best_score_then_time(ctx):
    world = competition()
    exam, bureau, p1, p4 = world["exam"], world["bureau"], world["p1"], world["p4"]

    board = exam_stats.leaderboard(exam, viewer_id=p1.id)
    assert [(e.rank, e.name, e.score, e.seconds) for e in board.entries] == [
        (1, "三号", 3.0, 900), (2, "二号", 3.0, 1200), (3, "四号", 2.0, 300), (4, "一号", 2.0, 600)]
    assert board.total == 4 and board.viewer.rank == 4 and board.viewer.org_name == "甲企业"
    keys = [exam_rules.leaderboard_key(e.score, e.seconds) for e in board.entries]  # the one rule, in domain
    assert keys == sorted(keys) and [e.rank for e in board.entries] == exam_rules.shared_ranks(keys)
    # a short board still finds the viewer's own place
    short = exam_stats.leaderboard(exam, limit=2, viewer_id=p1.id)
    assert [e.name for e in short.entries] == ["三号", "二号"] and short.viewer.rank == 4
    # 执法局 with its sub-unit 一科
    local = exam_stats.leaderboard(exam, bureau.id, viewer_id=p4.id)
    assert [(e.rank, e.name) for e in local.entries] == [(1, "三号"), (2, "四号")] and local.viewer.rank == 2
    # organisations by the average of their people's best scores
    orgs = exam_stats.org_leaderboard(exam)
    assert [(o.rank, o.name, o.participants, o.average) for o in orgs] == [
        (1, "一科", 1, 3.0), (2, "甲企业", 2, 2.5), (3, "执法局", 1, 2.0)]


def test_the_stats_page_is_for_exam_managers(world, client, auth):
    exam = world["exam"]
    auth.login("cand-a")
    assert client.get(f"/manage/exams/{exam.id}/stats").status_code == 403
    assert client.get(f"/manage/exams/{exam.id}/stats.xlsx").status_code == 403
    auth.logout()
    auth.login("manager")
    page = client.get(f"/manage/exams/{exam.id}/stats")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "s-000" in html and "甲企业" in html and 'data-bar="100.0"' in html and "table-warning" in html
    assert "js/exam_stats.js" in html and "<script>" not in html
    assert client.get(f"/manage/exams/{exam.id}/stats?org={world['section'].id}").status_code == 200
    assert client.get(f"/manage/exams/{exam.id}/stats?org=999999").status_code == 404
    assert client.get(f"/manage/exams/{exam.id + 1000}/stats").status_code == 404
    fresh = factories.exam(sections=[Section("单选题", "single", 3, 1)], pass_score=2)  # nobody has started
    assert client.get(f"/manage/exams/{fresh.id}/stats").status_code == 200
    assert client.get(f"/manage/exams/{fresh.id}/stats.xlsx").status_code == 200


def test_the_spreadsheet_has_its_tables_and_headers(world, client, auth, app):
    from openpyxl import load_workbook

    auth.login("manager")
    response = client.get(f"/manage/exams/{world['exam'].id}/stats.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    with app.test_request_context():  # the default locale, as the manager's request had
        org_headers = [str(h) for h in export.ORG_HEADERS]
        question_headers = [str(h) for h in export.QUESTION_HEADERS]
    orgs, questions = book.worksheets[0], book.worksheets[1]
    assert [c.value for c in orgs[1]] == org_headers
    assert [c.value for c in questions[1]] == question_headers
    assert [r[0] for r in orgs.iter_rows(min_row=2, values_only=True)][:3] == ["执法局", "一科", "甲企业"]
    facility = {r[1]: r[7] for r in questions.iter_rows(min_row=2, values_only=True)}
    assert facility == {"s-000": 75.0, "s-001": 50.0, "s-002": 50.0}


def test_leaderboard_only_for_competitions_and_their_candidates(world, client, auth):
    exam = world["exam"]
    auth.login("cand-a")
    assert client.get(f"/exams/{exam.id}/leaderboard").status_code == 404  # not a competition
    exam.is_competition = True
    db.session.commit()
    page = client.get(f"/exams/{exam.id}/leaderboard")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'aria-current="true"' in html and "cand-a" in html
    assert client.get(f"/exams/{exam.id}/leaderboard?view=orgs").status_code == 200
    assert client.get(f"/exams/{exam.id}/leaderboard?org={world['bureau'].id}").status_code == 200
    assert client.get(f"/exams/{exam.id + 1000}/leaderboard").status_code == 404
    auth.logout()
    outsider = factories.user("outsider", factories.unit("其他单位"), Role.CIVIL_SERVANT)
    assert outsider.id
    auth.login("outsider")
    assert client.get(f"/exams/{exam.id}/leaderboard").status_code == 404
    auth.logout()
    auth.login("manager")
    assert client.get(f"/exams/{exam.id}/leaderboard").status_code == 200


def test_the_spreadsheet_holds_names_as_text_never_formulas(world, client, auth):
    """Issue 15 item 10: organisation names and the exam title starting with = or @ stay text."""
    from tests.domain.test_safe_cells import assert_xlsx_holds_as_text

    world["exam"].title = '=HYPERLINK("http://x","y")'
    world["firm"].name = "@SUM(A1)"
    db.session.commit()
    auth.login("manager")
    data = client.get(f"/manage/exams/{world['exam'].id}/stats.xlsx").data
    assert_xlsx_holds_as_text(data, '=HYPERLINK("http://x","y")', "@SUM(A1)")


def test_below_the_minimum_sample_the_page_and_the_api_say_so_instead_of_flags_and_alpha(world, client, auth, app,
                                                                                         monkeypatch):
    """EDUAPP_STATS_MIN_ATTEMPTS (30 by default): four attempts flag nothing and give no alpha."""
    monkeypatch.setitem(app.config, "STATS_MIN_ATTEMPTS", 30)
    exam = world["exam"]
    report = exam_stats.report(exam)
    assert report.flagged == [] and report.stats.alpha is None and not report.stats.sample_ok
    assert [q.stats.facility for q in report.questions] == [75.0, 50.0, 50.0]  # the figures themselves stay
    auth.login("manager")
    html = client.get(f"/manage/exams/{exam.id}/stats").get_data(as_text=True)
    assert "样本不足" in html and "基于 4 次作答" in html and "至少需要 30 次" in html
    assert "table-warning" not in html and "badge text-bg-warning" not in html
    manager = db.session.execute(select(User).where(User.username == "manager")).scalar_one()
    token, _ = api_tokens.issue(manager, 1)
    body = client.get(f"/api/v1/exams/{exam.id}/statistics", headers={"Authorization": f"Bearer {token}"}).json
    assert body["summary"]["alpha"] is None and body["summary"]["sample_ok"] is False
    assert body["summary"]["min_attempts"] == 30 and body["summary"]["attempts"] == 4
    assert all(item["flags"] == [] and item["sample_ok"] is False for item in body["items"])
    # at the minimum, flags and alpha are back
    monkeypatch.setitem(app.config, "STATS_MIN_ATTEMPTS", 4)
    html = client.get(f"/manage/exams/{exam.id}/stats").get_data(as_text=True)
    assert 'text-bg-warning me-1">区分度不足' in html and "样本不足" not in html
