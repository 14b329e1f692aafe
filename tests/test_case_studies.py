"""Typical cases (以案释法) end to end: a draft from a decided case (names masked, the enterprise kept, the
article linked to the law library), four eyes on publishing, learners reading (study time) and practising
the attached questions, the 工作台 and 每日一练, import and export (docs/case-studies.md)."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from sqlalchemy import func, select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, CaseStudy, PenaltyCase, ViolationType
from eduapp.services import case_studies, case_study_files, laws, practice, study
from tests import factories
from tests.test_laws import AIR, _write
from tests.test_question_bank_citations import LAWS_DIR

ENTERPRISE = "示范化工有限公司"
ARTICLE_URL = "/laws/air-pollution-law/" + quote("第九十九条")
NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def world(ctx, tmp_path):
    laws.import_dir(_write(tmp_path / "laws", {"air-pollution-law.md": AIR}))
    bureau = factories.unit("生态环境局")
    firm = factories.enterprise(ENTERPRISE, 3, legal_representative="陈明", env_manager="周环保")
    people = {
        "author": factories.user("editor1", bureau, Role.QUESTION_EDITOR, full_name="编辑甲"),
        "reviewer": factories.user("editor2", bureau, Role.QUESTION_EDITOR, full_name="编辑乙"),
        "officer": factories.user("officer", bureau, Role.CASE_OFFICER, full_name="赵承办"),
        "staff": factories.user("staff", firm, Role.ENTERPRISE_STAFF, full_name="孙立"),
    }
    vt = ViolationType(code="AIR-99-2", name="超标排放大气污染物", law="中华人民共和国大气污染防治法",
                       article="第九十九条", fine_min=10_000_000, fine_max=100_000_000)
    db.session.add(vt)
    db.session.flush()
    case = PenaltyCase(case_number="示环罚〔2026〕7号", enterprise_id=firm.id, violation_type_id=vt.id,
                       status="decided", opened_on=date(2026, 1, 5), decided_on=date(2026, 3, 2),
                       proposed_fine=20_000_000, final_fine=15_000_000, officer_id=people["officer"].id,
                       description="执法人员检查发现，法定代表人陈明授意员工孙立关停在线监测设备，赵承办现场取证。")
    open_case = PenaltyCase(case_number="示环罚〔2026〕8号", enterprise_id=firm.id, violation_type_id=vt.id,
                            status="investigating", opened_on=date(2026, 2, 5), proposed_fine=20_000_000)
    db.session.add_all([case, open_case])
    db.session.commit()
    factories.bank(per_type=3)
    return {**people, "case": case, "open_case": open_case, "firm": firm}


def _published(world, questions=("s-000", "t-001")) -> CaseStudy:
    study = case_studies.create_from_case(world["author"], world["case"], now=NOW)
    draft = case_studies.as_draft(study)
    draft.lesson, draft.question_uids = "企业必须如实监测，不得干扰在线监测设备。", list(questions)
    case_studies.update(world["author"], study, draft, now=NOW)
    case_studies.act(world["author"], study, "submit", now=NOW)
    case_studies.act(world["reviewer"], study, "publish", now=NOW)
    return study


def test_a_draft_from_a_decided_case_masks_people_keeps_the_enterprise_and_links_the_article(world, client, auth):
    auth.login("editor1")
    page = client.get("/case-studies/manage").get_data(as_text=True)
    assert "示环罚〔2026〕7号" in page and "示环罚〔2026〕8号" not in page  # only decided cases are offered
    made = auth.post("/case-studies/manage/from-case", {"case_id": world["case"].id}, form_page="/case-studies/manage")
    assert made.status_code == 302
    study = db.session.execute(select(CaseStudy)).scalar_one()
    assert study.facts == "执法人员检查发现，法定代表人陈某授意员工孙某关停在线监测设备，赵某现场取证。"
    assert study.enterprise == ENTERPRISE and ENTERPRISE in study.title and ENTERPRISE in study.decision
    assert "150,000元" in study.decision and study.status == "draft" and study.author_id == world["author"].id
    preview = client.get(f"/case-studies/manage/{study.id}/preview").get_data(as_text=True)
    assert ARTICLE_URL in preview and "陈明" not in preview and "孙立" not in preview
    # an open case makes no case study; nothing written
    refused = auth.post("/case-studies/manage/from-case", {"case_id": world["open_case"].id},
                        form_page="/case-studies/manage")
    assert refused.status_code == 400 and "只能根据已作出处罚决定的案件" in refused.get_data(as_text=True)
    for bogus in ("", "abc", "99999", "1" * 30):
        answer = auth.post("/case-studies/manage/from-case", {"case_id": bogus}, form_page="/case-studies/manage")
        assert answer.status_code == 400 and "已决定案件：请选择案件。" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CaseStudy.id))) == 1


def test_the_author_cannot_publish_another_editor_does(world, client, auth):
    study = case_studies.create_from_case(world["author"], world["case"], now=NOW)
    auth.login("editor1")
    form = f"/case-studies/manage/{study.id}"
    assert auth.post(f"{form}/publish", form_page=form).status_code == 400  # a draft is not reviewed yet
    assert auth.post(f"{form}/submit", form_page=form).status_code == 302
    refused = auth.post(f"{form}/publish", form_page=form)
    assert refused.status_code == 400 and "须由作者以外的另一名编辑审核发布" in refused.get_data(as_text=True)
    db.session.refresh(study)
    assert study.status == "in_review" and study.published_at is None
    auth.logout()
    auth.login("editor2")
    assert auth.post(f"{form}/publish", form_page=form).status_code == 302
    db.session.refresh(study)
    assert study.status == "published" and study.reviewer_id == world["reviewer"].id
    # published: not editable until returned to draft
    edited = auth.post(form, {"title": "改", "facts": "改"}, form_page=form)
    assert edited.status_code == 400
    actions = db.session.execute(select(AuditRecord.action).where(AuditRecord.object_type == "case_study")
                                 .order_by(AuditRecord.id)).scalars().all()
    assert actions == ["case_study.create", "case_study.submit", "case_study.publish"]


def test_bad_fields_name_the_field_and_change_nothing(world, client, auth):
    auth.login("editor1")
    answer = auth.post("/case-studies/manage/new", {"title": "案例", "facts": "事实", "articles": "大气法九十九",
                                                    "questions": "nope-0001"}, form_page="/case-studies/manage/new")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "大气法九十九" in page and "nope-0001" in page
    assert db.session.scalar(select(func.count(CaseStudy.id))) == 0


def test_learners_read_published_ones_as_study_time_and_practise_their_questions(world, client, auth):
    study = _published(world)
    draft = case_studies.create(world["author"], case_studies.as_draft(study).__class__(title="未发布", facts="事实"))
    with time_machine.travel(NOW, tick=False) as traveller:  # signed in and reading at NOW, a minute on
        auth.login("staff")
        listing = client.get("/case-studies/").get_data(as_text=True)
        assert study.title in listing and "未发布" not in listing
        assert client.get(f"/case-studies/{draft.id}").status_code == 404
        page = client.get(f"/case-studies/{study.id}").get_data(as_text=True)
        assert 'id="study-clock"' in page and "/points/study/heartbeat" in page  # the law library's study clock
        assert ARTICLE_URL in page and "陈明" not in page
        auth.post("/points/study/heartbeat", form_page=f"/case-studies/{study.id}")
        traveller.shift(timedelta(minutes=1))
        beat = auth.post("/points/study/heartbeat", form_page=f"/case-studies/{study.id}").json
        assert beat["seconds"] == 60 and study_seconds(world) == 60
        # practise the attached questions: a round over exactly those two
        assert f"/practice/question?kind=case&amp;value={study.id}" in page
        first = client.get(f"/practice/question?kind=case&value={study.id}", follow_redirects=True)
        text = first.get_data(as_text=True)
        assert first.status_code == 200 and ("单选题第0题" in text or "判断题第1题" in text)
        step = practice.step(world["staff"], practice.rules.Scope("case", str(study.id)), practice.new_round(world["staff"]))
        assert step.progress.total == 2
        assert client.get("/practice/question?kind=case&value=abc").status_code == 400


def study_seconds(world) -> int:
    return study.seconds_on(world["staff"].id, date(2026, 3, 16))


def test_the_workbench_and_the_daily_set_draw_from_published_case_studies(world, client, auth, monkeypatch):
    monkeypatch.setattr(practice, "utcnow", lambda: NOW)
    before = practice.daily(world["staff"], NOW).question_ids
    study = _published(world, questions=("m-002",))
    today = practice.daily(world["staff"], NOW)
    m002 = case_studies.question_ids(study)[0]
    assert today.question_ids[0] == m002 and len(today.question_ids) == len(before)
    assert practice.daily(world["staff"], NOW).question_ids == today.question_ids  # the same all day
    auth.login("staff")
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="case-study"' in home and study.title in home
    case_studies.act(world["author"], study, "retire")
    assert 'data-testid="case-study"' not in client.get("/").get_data(as_text=True)
    assert practice.daily(world["staff"], NOW).question_ids == before


def test_import_export_round_trip_and_a_bad_file_names_the_line(world, client, auth, tmp_path, runner):
    study = _published(world)
    text, count = case_study_files.export()
    assert count == 1 and "cs-0001" in text and "source_case: 示环罚〔2026〕7号" in text
    # the same file again: unchanged; under another id it is added as a draft, linked to the case
    assert case_study_files.import_files([("all.yaml", text.encode())]).counts()["unchanged"] == 1
    again = case_study_files.import_files([("all.yaml", text.replace("cs-0001", "cs-0002").encode())])
    assert again.written and again.counts()["added"] == 1
    copy = case_studies.by_uid("cs-0002")
    assert case_studies.as_draft(copy).facts == study.facts and copy.status == "draft"
    assert copy.source_case_id == world["case"].id and copy.question_uids == study.question_uids
    # the CLI writes and reads the same format
    out = tmp_path / "out.yaml"
    assert runner.invoke(args=["casestudies", "export", str(out)]).exit_code == 0
    bad = out.read_text(encoding="utf-8").replace("- air", "- nope").replace("questions:\n", "questions:\n  - xx-0009\n")
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    result = runner.invoke(args=["casestudies", "import", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1 and "bad.yaml:1:" in result.output and "xx-0009" in result.output
    # the upload: a preview naming the line, then the import
    auth.login("editor1")
    upload = "- id: cs-0003\n  title: 新案例\n  facts: 事实\n- id: cs-0004\n  title: ''\n  facts: 事实\n"
    answer = auth.post("/case-studies/manage/import", {"file": (_bytes(upload), "new.yaml")},
                       form_page="/case-studies/manage/import", content_type="multipart/form-data")
    assert answer.status_code == 400 and "new.yaml:4:" in answer.get_data(as_text=True)
    good = upload.replace("''", "另一个")
    preview = auth.post("/case-studies/manage/import", {"file": (_bytes(good), "new.yaml")},
                        form_page="/case-studies/manage/import", content_type="multipart/form-data")
    assert preview.status_code == 200 and case_studies.by_uid("cs-0003") is None  # a dry run first
    done = auth.post("/case-studies/manage/import", {"content": good, "name": "new.yaml"},
                     form_page="/case-studies/manage/import")
    assert done.status_code == 302 and case_studies.by_uid("cs-0004").title == "另一个"
    exported = client.get("/case-studies/manage/export")
    assert exported.status_code == 200 and "cs-0004" in exported.get_data(as_text=True)


def _bytes(text: str):
    import io

    return io.BytesIO(text.encode())


def test_learners_and_editors_see_only_their_pages(world, client, auth):
    auth.login("staff")
    assert client.get("/case-studies/manage").status_code == 403
    auth.logout()
    auth.login("editor1")
    assert client.get("/case-studies/").status_code == 403  # editors preview from the editor pages


@pytest.mark.skipif(not LAWS_DIR.is_dir(), reason="the shared statutes (../shared/laws) are absent")
def test_the_demo_publishes_two_case_studies_with_their_questions_and_articles(runner, ctx):
    from tests.test_question_import import BANK

    assert runner.invoke(args=["questions", "import", str(BANK)]).exit_code == 0
    laws.import_dir(LAWS_DIR)
    assert runner.invoke(args=["demo"]).exit_code == 0
    shown = case_studies.published()
    assert sorted(s.uid for s in shown) == ["cs-0001", "cs-0002"]
    for one in shown:
        assert len(case_studies.questions_of(one)) == 2 and one.reviewer_id is not None
        assert all(found is not None for _, found in case_studies.linked_articles(one))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and len(case_studies.published()) == 2
