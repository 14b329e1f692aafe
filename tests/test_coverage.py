"""The coverage map (issue 17 items 3 and 4) over a small fixture bank: a catalogue code whose article
loses a published question shows up as uncovered in the service, the editor page and
``eduapp questions coverage``; draws and facility come from exam papers and practice answers."""

import json
from urllib.parse import unquote

from sqlalchemy import select

from eduapp.domain.blueprint import Section
from eduapp.domain.catalogue import parse_catalogue
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Question
from eduapp.services import attempts, cases, laws, practice, question_bank
from eduapp.services.coverage import coverage_map
from eduapp.services.question_import import import_files
from tests import factories
from tests.test_laws import AIR as AIR_TEXT

AIR = "中华人民共和国大气污染防治法"
# Two published questions on 《大气污染防治法》第九十八条 (catalogue code AIR-98, obstructing inspection),
# one on 第九十九条 (AIR-99-1 to AIR-99-3), one on an article no code cites, one draft on 第九十九条.
BANK = f"""law: {AIR}
questions:
  - id: cov-0001
    type: single
    stem: 拒不接受生态环境主管部门监督检查的，可以处多少罚款？
    options: [二万元以上二十万元以下, 一千元以下]
    answer: A
    article: 第九十八条
  - id: cov-0002
    type: true_false
    stem: 接受监督检查时弄虚作假的，应当受到处罚。
    answer: true
    article: 第九十八条
  - id: cov-0003
    type: true_false
    stem: 未依法取得排污许可证排放大气污染物的，可以责令停产整治。
    answer: true
    article: 第九十九条
  - id: cov-0004
    type: true_false
    stem: 企业事业单位应当防止、减少大气污染。
    answer: true
    article: 第七条
  - id: cov-0005
    type: true_false
    stem: 草稿题不计入覆盖。
    answer: true
    article: 第九十九条
    status: draft
"""


def _bank():
    report = import_files([("cov.yaml", BANK.encode())])
    assert report.written and not report.rejected, report.rejected


def _question(uid):
    return db.session.execute(select(Question).where(Question.uid == uid)).scalar_one()


def _codes(found):
    return {u.code: u.questions for u in found.uncovered}


def _cli(runner, *args):
    result = runner.invoke(args=["questions", "coverage", *args])
    return result, json.loads(result.output.strip().splitlines()[-1])


def test_retiring_a_question_uncovers_its_catalogue_article(ctx, runner):
    _bank()
    found = coverage_map()  # no catalogue loaded: the packaged eduapp/data/violations.yaml
    assert "AIR-98" not in _codes(found)
    assert _codes(found)["AIR-99-1"] == 1 and _codes(found)["AIR-99-3"] == 1  # the draft does not count
    assert found.questions_published == 4
    result, summary = _cli(runner)
    assert result.exit_code == 0, result.output
    assert "AIR-98" not in {u["code"] for u in summary["uncovered"]}
    assert {"code": "AIR-99-1", "law": AIR, "article": "第九十九条", "questions": 1} in summary["uncovered"]
    assert summary["questions_published"] == 4
    assert "第九十八条  questions 2" in result.output

    question_bank.set_status(None, [_question("cov-0002")], "retired")

    assert _codes(coverage_map())["AIR-98"] == 1
    result, summary = _cli(runner)
    assert result.exit_code == 0
    assert {"code": "AIR-98", "law": AIR, "article": "第九十八条", "questions": 1} in summary["uncovered"]
    assert summary["articles_covered"] == found.articles_covered - 1
    assert "uncovered AIR-98" in result.output
    result, _ = _cli(runner, "--fail-under")
    assert result.exit_code == 1


def test_fail_under_passes_when_the_loaded_catalogue_is_covered(ctx, runner):
    _bank()
    records, problems = parse_catalogue({"violations": [
        {"code": "AIR-98", "name": "拒不接受监督检查", "law": AIR, "article": "第九十八条",
         "fine_min": 2000000, "fine_max": 20000000, "fine_note": "处二万元以上二十万元以下的罚款"},
        {"code": "AIR-99-1", "name": "无证排放", "law": AIR, "article": "第九十九条", "clause": "第（一）项",
         "fine_min": 10000000, "fine_max": 100000000, "fine_note": "并处十万元以上一百万元以下的罚款", "active": False},
    ]})
    assert not problems
    cases.load_catalogue(records)
    # the database's catalogue is used; its retired code AIR-99-1 needs no questions
    result, summary = _cli(runner, "--fail-under")
    assert result.exit_code == 0, result.output
    assert summary["uncovered"] == [] and summary["articles_covered"] == 1 == summary["catalogue_articles"]
    result, summary = _cli(runner, "--fail-under", "--min-questions", "3")
    assert result.exit_code == 1
    assert summary["uncovered"] == [{"code": "AIR-98", "law": AIR, "article": "第九十八条", "questions": 2}]


def test_draws_count_exam_papers_and_practice_and_facility_the_right_answers(ctx, runner):
    _bank()
    staff = factories.user("staff1", factories.enterprise("甲企业", 1))
    exam = factories.exam(sections=[Section("单选题", "single", 1, 2)], pass_score=1)
    attempt = attempts.start(staff, exam)  # draws cov-0001, the only published single choice
    attempts.save_answer(attempt, attempt.items[0].id, 1, seq=1)  # option B: wrong
    attempts.submit(attempt)  # a practice answer with source exam: counted for facility, not as a draw
    q1 = _question("cov-0001")
    practice.answer(staff, str(q1.id), str(q1.current_version_id), ["A"])
    practice.answer(staff, str(q1.id), str(q1.current_version_id), ["A"])
    q2 = _question("cov-0002")
    practice.answer(staff, str(q2.id), str(q2.current_version_id), ["false"])

    found = coverage_map()
    row = next(r for law in found.laws if law.law == AIR for r in law.articles if r.article == "第九十八条")
    assert (row.questions, row.drawn, row.answers, row.right) == (2, 4, 4, 2)
    assert row.facility == 50.0 and row.flag is None  # 4 answers are below the minimum sample
    assert row.codes == ("AIR-98",)
    result, _ = _cli(runner)
    assert "第九十八条  questions 2  drawn 4  facility 50% of 4 answers, small sample  [AIR-98]" in result.output
    assert "第七条  questions 1  drawn 0  no answers" in result.output


def test_editors_see_the_uncovered_articles_first_with_a_prefilled_new_question(client, auth, ctx):
    _bank()
    laws.import_files([("air-pollution-law.md", AIR_TEXT.encode())])  # holds 第九十九条, not 第九十八条
    factories.user("editor1", factories.unit("生态环境局"), Role.QUESTION_EDITOR)
    factories.user("staff1", factories.enterprise("甲企业", 1))
    auth.login("staff1")
    assert client.get("/questions/coverage").status_code == 403
    auth.logout()
    auth.login("editor1")
    assert "/questions/coverage" in client.get("/questions/").get_data(as_text=True)
    text = client.get("/questions/coverage").get_data(as_text=True)
    uncovered = text.split('id="uncovered-h"')[1].split("</section>")[0]
    assert "AIR-99-1" in uncovered and "AIR-98" not in uncovered
    assert "/questions/new?law=" in uncovered
    assert "/laws/air-pollution-law/第九十九条" in unquote(uncovered)  # the article in the law library
    assert client.get("/laws/air-pollution-law/第九十九条").status_code == 200
    new = client.get(f"/questions/new?law={AIR}&article=第九十九条").get_data(as_text=True)
    assert f'value="{AIR}"' in new and 'value="第九十九条"' in new
    long = client.get("/questions/new?law=" + "法" * 500 + "&article=<b>x</b>")
    assert long.status_code == 200 and 'value="' + "法" * 100 + '"' in long.get_data(as_text=True)
    assert "<b>x</b>" not in long.get_data(as_text=True)

    question_bank.set_status(None, [_question("cov-0001")], "retired")
    text = client.get("/questions/coverage").get_data(as_text=True)
    assert "AIR-98" in text.split('id="uncovered-h"')[1].split("</section>")[0]


def test_the_api_gives_editors_the_map_and_names_a_bad_minimum(client, ctx):
    from tests.test_api_bureau import bearer

    _bank()
    editor = factories.user("editor1", factories.unit("生态环境局"), Role.QUESTION_EDITOR)
    staff = factories.user("staff1", factories.enterprise("甲企业", 1))
    assert client.get("/api/v1/questions/coverage", headers=bearer(staff)).status_code == 403
    response = client.get("/api/v1/questions/coverage", headers=bearer(editor))
    assert response.status_code == 200
    data = response.get_json()
    assert data["questions_published"] == 4 and data["min_questions"] == 2
    assert "AIR-98" not in {u["code"] for u in data["uncovered"]}
    air = next(law for law in data["laws"] if law["law"] == AIR)
    a98 = next(a for a in air["articles"] if a["article"] == "第九十八条")
    assert (a98["questions"], a98["codes"], a98["covered"], a98["facility"], a98["flag"]) == (
        2, ["AIR-98"], True, None, None)
    data = client.get("/api/v1/questions/coverage?min_questions=3", headers=bearer(editor)).get_json()
    assert {"code": "AIR-98", "law": AIR, "article": "第九十八条", "questions": 2} in data["uncovered"]
    for bad in ("0", "abc", "101"):
        response = client.get(f"/api/v1/questions/coverage?min_questions={bad}", headers=bearer(editor))
        assert response.status_code == 422 and "min_questions" in response.get_json()["error"]["fields"]
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "min_questions" in str(paths["/api/v1/questions/coverage"])
