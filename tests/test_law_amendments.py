"""Amendments and repeals flowing into the question bank (docs/laws.md “Amendments and repeals”): a new
version of the 野生动物保护法 imported over the 2018 one keeps it, moves the citations of renumbered
articles (the question's history says so), flags the questions citing changed articles (out of new papers
until an editor reviews them), and attempts already taken keep what they showed; a repeal retires a
statute's questions from new papers on its date, not before."""

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from eduapp.cli.laws import laws_group
from eduapp.domain.blueprint import Section
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, Law, LawAmendment, Question, QuestionVersion
from eduapp.services import attempts, exams, law_amendments, laws, practice, shown_versions
from eduapp.services.question_import import import_files
from tests import factories

HISTORY = Path(__file__).resolve().parents[2] / "shared" / "laws-history"
TITLE = "中华人民共和国野生动物保护法"
pytestmark = pytest.mark.skipif(not HISTORY.is_dir(), reason="../shared/laws-history is absent")

# Test questions on the 2018 text (their stems need not be exam-worthy): each cites one article whose
# fate in 2022 was read by hand (tests/domain/test_law_amendments.py).
BANK = f"""law: {TITLE}
questions:
  - id: wl-0001
    type: single
    stem: 广告禁令——为出售、购买、利用野生动物发布广告是否被禁止？
    options: [禁止, 允许]
    answer: A
    article: 第三十一条
  - id: wl-0002
    type: single
    stem: 猎捕者应当按照特许猎捕证、狩猎证规定的种类、数量、地点、工具、方法和期限进行猎捕吗？
    options: [应当, 不必]
    answer: A
    article: 第二十三条
  - id: wl-0003
    type: single
    stem: 野生动物资源属于谁所有？
    options: [国家, 集体]
    answer: A
    article: 第三条
  - id: wl-0004
    type: single
    stem: 禁止生产、经营使用国家重点保护野生动物及其制品制作的食品吗？
    options: [禁止, 允许]
    answer: A
    article: 第三十条
"""


def _folder(tmp_path: Path, *years: int) -> Path:
    folder = tmp_path / "laws"
    folder.mkdir(exist_ok=True)
    for year in years:
        shutil.copy(HISTORY / f"wildlife-protection-law-{year}.md", folder)
    return folder


def _uids(now: datetime) -> set[str]:
    by_id = dict(db.session.execute(select(Question.id, Question.uid)).all())
    return {by_id[c.question_id] for c in exams.candidates(now)}


def _question(uid: str) -> Question:
    db.session.expire_all()
    return db.session.execute(select(Question).where(Question.uid == uid)).scalar_one()


@pytest.fixture
def wildlife(ctx, tmp_path):
    laws.import_dir(_folder(tmp_path, 2018))
    report = import_files([("wildlife.yaml", BANK.encode())])
    assert report.written and not report.rejected, report.rejected
    return tmp_path


NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


def test_the_import_of_the_2022_version_reports_the_counts_as_json(wildlife, runner):
    result = runner.invoke(laws_group, ["import", str(_folder(wildlife, 2022))])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.splitlines()[-1])
    assert {k: last[k] for k in ("articles_unchanged", "articles_renumbered", "articles_changed",
                                  "articles_added", "articles_removed", "questions_flagged", "citations_moved")} == {
        "articles_unchanged": 4, "articles_renumbered": 3, "articles_changed": 51, "articles_added": 6,
        "articles_removed": 0,
        "questions_flagged": 2,  # wl-0002 (§23 changed), wl-0004 (§30 changed, now §31)
        "citations_moved": 2}  # wl-0001 (§31 → §32, renumbered), wl-0004 (§30 → §31)
    assert last["amended"] == 1 and f"amended {TITLE} (64 articles)" in result.output.splitlines()
    # both versions are kept; the 2018 one points to the 2022 one; the library lists the one in force
    old, new = db.session.execute(select(Law).where(Law.title == TITLE).order_by(Law.id)).scalars().all()
    assert (old.slug, new.slug, old.superseded_by_id, new.superseded_by_id) == (
        "wildlife-protection-law-2018", "wildlife-protection-law-2022", new.id, None)
    assert [item.law.slug for item in laws.list_laws()] == ["wildlife-protection-law-2022"]
    assert laws.article_for(TITLE, "第六十四条").law_id == new.id
    # importing the same files again changes nothing
    again = runner.invoke(laws_group, ["import", str(_folder(wildlife, 2018, 2022))])
    assert json.loads(again.output.splitlines()[-1])["unchanged"] == 2
    assert db.session.execute(select(LawAmendment)).scalars().all().__len__() == 1


def test_an_older_version_after_the_newer_is_refused(ctx, tmp_path):
    laws.import_dir(_folder(tmp_path, 2022))
    older = tmp_path / "older"
    older.mkdir()
    shutil.copy(HISTORY / "wildlife-protection-law-2018.md", older)
    with pytest.raises(Exception) as caught:
        laws.import_dir(older)
    assert "wildlife-protection-law-2022.md" in str(caught.value.problems[0].params)


def test_both_versions_in_one_import_make_an_amendment(ctx, tmp_path):
    summary = laws.import_dir(_folder(tmp_path, 2018, 2022))
    assert summary.added == ["wildlife-protection-law-2018"] and summary.amended == ["wildlife-protection-law-2022"]
    assert law_amendments.total(summary.amendments)["articles_renumbered"] == 3


def test_a_renumbered_citation_moves_and_the_history_says_so(wildlife, auth, client):
    before = _question("wl-0001").current
    laws.import_dir(_folder(wildlife, 2022))
    question = _question("wl-0001")
    assert question.current.article == "第三十二条" and question.current.number == 2
    assert question.current.stem == before.stem and question.review_reason is None
    assert question.current.note["moved_from"] == "第三十一条"
    record = db.session.execute(select(AuditRecord).where(AuditRecord.action == "question.citation_moved",
                                                          AuditRecord.object_id == "wl-0001")).scalar_one()
    assert json.loads(record.summary)["to"] == "第三十二条"
    # unchanged article: the question is untouched
    assert _question("wl-0003").current.number == 1 and _question("wl-0003").review_reason is None
    # the editor sees it on the question's page, in the versions list, and the citation links to 2022
    factories.user("editor", factories.unit("法制科"), Role.QUESTION_EDITOR)
    auth.login("editor")
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "第三十一条" in page and "第三十二条" in page
    assert "/laws/wildlife-protection-law-2022/" in page


def test_flagged_questions_leave_new_papers_until_reviewed(wildlife, auth, client):
    assert {"wl-0002", "wl-0004"} <= _uids(NOW)
    laws.import_dir(_folder(wildlife, 2022))
    assert _question("wl-0002").review_reason == "changed"
    assert _uids(NOW) == {"wl-0001", "wl-0003"}
    practised = {item.question_id for item in practice.pool(now=NOW)}  # practice leaves them out too
    assert practised == {_question("wl-0001").id, _question("wl-0003").id}
    amendment = db.session.execute(select(LawAmendment)).scalar_one()
    factories.user("editor", factories.unit("法制科"), Role.QUESTION_EDITOR)
    auth.login("editor")
    page = client.get(f"/laws/amendments/{amendment.id}/review").get_data(as_text=True)
    assert "wl-0002" in page and "wl-0004" in page and "wl-0001" not in page
    assert "严格按照特许猎捕证" in page  # the 2022 text of §23 beside the 2018 one
    question_id = _question("wl-0002").id
    assert f'href="/questions/{question_id}"' in page
    response = auth.post(f"/laws/amendments/{amendment.id}/questions/{question_id}/review",
                         form_page=f"/laws/amendments/{amendment.id}/review", follow_redirects=True)
    assert response.status_code == 200
    after = response.get_data(as_text=True)
    assert "试题 wl-0002 已复核" in after and f'href="/questions/{question_id}"' not in after  # no longer waiting
    assert _uids(NOW) == {"wl-0001", "wl-0002", "wl-0003"}
    assert db.session.execute(select(AuditRecord).where(AuditRecord.action == "question.reviewed")).scalar_one()
    # reviewing again changes nothing and says so
    again = auth.post(f"/laws/amendments/{amendment.id}/questions/{question_id}/review",
                      form_page=f"/laws/amendments/{amendment.id}/review", follow_redirects=True)
    assert again.status_code == 200 and "试题 wl-0002 无需复核" in again.get_data(as_text=True)
    assert len(db.session.execute(select(AuditRecord).where(AuditRecord.action == "question.reviewed")).all()) == 1


def test_attempts_taken_keep_what_they_showed(wildlife):
    org = factories.enterprise("甲企业", 1)
    learner = factories.user("staff", org, Role.ENTERPRISE_STAFF)
    exam = factories.exam(sections=[Section("单选题", "single", 4, 1)], pass_score=2)
    attempt = attempts.start(learner, exam)
    version_ids = sorted(item.question_version_id for item in attempt.items)
    cited = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.article)
                                    .where(QuestionVersion.id.in_(version_ids))).all())
    stems = {v: s.stem for v, s in shown_versions.shown(version_ids).items()}
    laws.import_dir(_folder(wildlife, 2022))
    db.session.expire_all()
    attempt = db.session.get(type(attempt), attempt.id)
    assert sorted(item.question_version_id for item in attempt.items) == version_ids
    assert sorted(cited.values()) == ["第三十一条", "第三十条", "第三条", "第二十三条"]  # as when taken
    assert dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.article)
                                   .where(QuestionVersion.id.in_(version_ids))).all()) == cited
    shown_versions.forget()
    assert {v: s.stem for v, s in shown_versions.shown(version_ids).items()} == stems
    # while the bank has moved on: wl-0001 now cites 第三十二条 in a new version
    assert _question("wl-0001").current_version_id not in version_ids


def test_removed_articles_flag_their_questions(ctx, tmp_path):
    folder = tmp_path / "laws"
    folder.mkdir()
    law = ("# 某某保护条例\n\n2020年1月1日 国务院公布\n\n<!-- INFO END -->\n\n"
           "第一条 为了保护某某，制定本条例。\n\n第二条 禁止在保护区内采集某某。\n\n第三条 本条例自公布之日起施行。\n")
    (folder / "some-regulation.md").write_text(law, encoding="utf-8")
    laws.import_dir(folder)
    import_files([("q.yaml", "law: 某某保护条例\nquestions:\n  - id: sr-0001\n    type: true_false\n"
                             "    stem: 保护区内可以采集某某。\n    answer: false\n    article: 第二条\n".encode())])
    (folder / "some-regulation.md").write_text(
        law.replace("2020年1月1日 国务院公布", "2020年1月1日 国务院公布\n\n2024年5月1日 国务院修订")
        .replace("第二条 禁止在保护区内采集某某。\n\n第三条", "第二条"), encoding="utf-8")
    summary = laws.import_dir(folder)
    assert summary.amended == ["some-regulation"]
    totals = law_amendments.total(summary.amendments)
    assert (totals["articles_removed"], totals["articles_renumbered"], totals["questions_flagged"]) == (1, 1, 1)
    assert _question("sr-0001").review_reason == "removed"
    # the earlier version keeps its text at a dated address; the file's address shows the version in force
    assert laws.law_by_slug("some-regulation-2020-01-01").superseded_by_id == laws.law_by_slug("some-regulation").id


def test_a_repeal_retires_the_questions_on_its_date_not_before(wildlife, runner):
    result = runner.invoke(laws_group, ["repeal", TITLE, "--on", "2027-03-02"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[-1]) == {"title": TITLE, "repealed_on": "2027-03-02",
                                                          "questions_retired": 4}
    day_before = datetime(2027, 3, 1, 15, 59, tzinfo=UTC)  # 23:59 on 1 March in China
    on_the_day = day_before + timedelta(minutes=1)  # 00:00 on 2 March in China
    assert _uids(day_before) == {"wl-0001", "wl-0002", "wl-0003", "wl-0004"}
    assert _uids(on_the_day) == set()
    assert len(practice.pool(now=day_before)) == 4 and practice.pool(now=on_the_day) == []
    assert _uids(date(2027, 3, 2)) == set()
    record = db.session.execute(select(AuditRecord).where(AuditRecord.action == "laws.repeal")).scalar_one()
    assert json.loads(record.summary)["on"] == "2027-03-02"


@pytest.mark.parametrize(("args", "message"), [
    (["repeal", TITLE, "--on", "2027-02-30"], "--on"),
    (["repeal", "不存在的法", "--on", "2027-03-02"], "不存在的法"),
])
def test_a_bad_repeal_changes_nothing(wildlife, runner, args, message):
    result = runner.invoke(laws_group, args)
    assert result.exit_code != 0 and message in result.output
    assert db.session.execute(select(Law.repealed_on).where(Law.title == TITLE)).scalar_one() is None


def test_learners_read_what_changed_with_both_texts_as_study(wildlife, auth, client):
    laws.import_dir(_folder(wildlife, 2022))
    amendment = db.session.execute(select(LawAmendment)).scalar_one()
    factories.user("staff", factories.enterprise("甲企业", 1), Role.ENTERPRISE_STAFF)
    auth.login("staff")
    listing = client.get("/laws/amendments/").get_data(as_text=True)
    assert TITLE in listing and f"/laws/amendments/{amendment.id}" in listing
    page = client.get(f"/laws/amendments/{amendment.id}").get_data(as_text=True)
    assert "持枪猎捕的，应当依法取得公安机关核发的持枪证。" in page  # §23, both versions
    assert "严格按照特许猎捕证" in page and "及其衍生物" in page and "部分及衍生物" in page
    assert 'id="study-clock"' in page  # time on it counts as study time
    assert "Changed" not in page and "Before" not in page  # Chinese page
    assert client.get(f"/laws/amendments/{amendment.id}/review").status_code == 403
    assert client.get("/laws/amendments/999").status_code == 404
