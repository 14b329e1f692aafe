"""The offset workflow: preview, apply (reserve), three steps with four eyes, post or void, the
decision record, rule set versions, and the API."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eduapp.domain import offsets as rules
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import OffsetApplication, PenaltyCase, RuleSet, ViolationType, utcnow
from eduapp.services import awards, offsets, points, rule_sets
from eduapp.services.offsets import OffsetError
from tests import factories
from tests.conftest import PASSWORD


def _rule(**changes):
    values = {
        "name": "学法积分抵扣罚款规则", "doc_number": "示环规〔2026〕3号", "authority": "示范市生态环境局",
        "effective_from": date(2026, 1, 1), "effective_to": None, "status": "active",
        "legal_basis": ["《中华人民共和国行政处罚法》第六条、第三十三条"], "eligible_codes": ["AIR-99-1"],
        "excluded_codes": [], "conditions": rules.Conditions(key_roles=(), cooling_days=365),
        "maths": rules.Maths(cap_percent=20), "procedure": {"officer": 5, "reviewer": 5, "approver": 3},
    }
    values.update(changes)
    return values


@pytest.fixture
def world(ctx):
    org = factories.enterprise("甲企业", 1)
    other = factories.enterprise("乙企业", 2)
    bureau = factories.unit("示范市生态环境局")
    people = {
        "contact": factories.user("contact-a", org, Role.ENTERPRISE_CONTACT),
        "contact_b": factories.user("contact-b", other, Role.ENTERPRISE_CONTACT),
        "officer": factories.user("officer", bureau, Role.CASE_OFFICER),
        "reviewer": factories.user("reviewer", bureau, Role.LEGAL_REVIEWER),
        "approver": factories.user("approver", bureau, Role.APPROVER),
        "both": factories.user("both", bureau, Role.LEGAL_REVIEWER, Role.APPROVER),
    }
    vt = ViolationType(code="AIR-99-1", name="未依法取得排污许可证排放大气污染物", law="中华人民共和国大气污染防治法",
                       article="第九十九条", clause="第（一）项", fine_min=10_000_000, fine_max=100_000_000)
    db.session.add(vt)
    db.session.flush()
    cases = []
    for n, enterprise in ((1, org), (2, org), (3, other)):
        case = PenaltyCase(case_number=f"示环罚〔2026〕{n}号", enterprise_id=enterprise.id, violation_type_id=vt.id,
                           status="notified", harm_level="minor", corrected=True,
                           # opened a month ago: well within its 90-day deadline (§60), which caps step deadlines
                           opened_on=offsets.today_local() - timedelta(days=30 - n),
                           proposed_fine=20_000_000)
        db.session.add(case)
        cases.append(case)
    db.session.commit()
    rule_sets.save(None, None, _rule())
    awards.award(points.pool_account(org), 30_000, "test:pool", "测试积分")
    return {"org": org, "other": other, "cases": cases, **people}


def test_preview_apply_and_three_steps_post_the_points_and_reduce_the_fine(world):
    case = world["cases"][0]
    preview = offsets.preview(case)
    assert preview.evaluation.eligible and preview.evaluation.max_offset == 3_000_000
    application = offsets.apply(world["contact"], case)
    pool = points.pool_account(world["org"])
    assert (application.status, application.points) == ("pending_officer", 30_000)
    assert points.balance(pool).available == 0 and points.balance(pool).reserved == 30_000
    assert application.step_deadline is not None

    for step, who in (("officer", "officer"), ("reviewer", "reviewer"), ("approver", "approver")):
        application = offsets.decide(world[who], application, "approve", f"{step} 同意")
    assert application.status == "approved"
    assert points.balance(pool).reserved == 0 and points.balance(pool).available == 0
    db.session.refresh(case)
    assert case.proposed_fine == 17_000_000
    assert [d.step for d in application.decisions] == ["officer", "reviewer", "approver"]


def test_four_eyes(world):
    application = offsets.apply(world["contact"], world["cases"][0])
    with pytest.raises(OffsetError) as error:
        offsets.decide(world["reviewer"], application, "approve")  # not this step's role
    assert error.value.status == 403
    offsets.decide(world["officer"], application, "approve")
    offsets.decide(world["both"], application, "approve")  # legal review by "both"
    with pytest.raises(OffsetError) as error:
        offsets.decide(world["both"], application, "approve")  # …who may not also approve
    assert error.value.code == "four_eyes"
    assert application.status == "pending_approver"
    assert offsets.queue_for(world["both"]) == [] and offsets.queue_for(world["approver"]) == [application]


def test_reject_needs_a_reason_and_voids_the_points(world):
    application = offsets.apply(world["contact"], world["cases"][0])
    with pytest.raises(InputError) as error:
        offsets.decide(world["officer"], application, "reject", "  ")
    assert error.value.problems[0].field == "comment"
    offsets.decide(world["officer"], application, "reject", "证据不足")
    assert application.status == "rejected"
    assert points.balance(points.pool_account(world["org"])).available == 30_000


def test_withdraw_releases_the_points_and_an_overdue_step_escalates_and_stays_open(world):
    from eduapp.models import Reminder

    pool = points.pool_account(world["org"])
    application = offsets.apply(world["contact"], world["cases"][0])
    offsets.withdraw(world["contact"], application)
    assert application.status == "withdrawn" and points.balance(pool).available == 30_000
    again = offsets.apply(world["contact"], world["cases"][0])
    assert offsets.expire_overdue(now=utcnow() + timedelta(days=4)) == 0
    assert offsets.expire_overdue(now=utcnow() + timedelta(days=6)) == 1
    assert offsets.expire_overdue(now=utcnow() + timedelta(days=7)) == 1  # still open, reminded once
    db.session.refresh(again)
    assert again.status == "pending_officer" and points.balance(pool).reserved == 30_000
    sent = db.session.execute(select(Reminder).where(Reminder.kind == "offset_overdue")).scalars().all()
    # the officer's step is late: the case officer, and the approvers (the applicant is never told to decide)
    assert {r.recipient_id for r in sent} == {world["officer"].id, world["approver"].id, world["both"].id}
    from eduapp.services import reminder_sending

    subject, text = reminder_sending.render(sent[0], "zh_Hans_CN")
    assert "超期" in subject and "积分保持冻结" in text
    offsets.decide(world["officer"], again, "approve", "同意")  # the late step can still be decided
    assert again.status == "pending_reviewer"


def test_one_open_application_per_case_and_points_for_one_offset_only(world):
    offsets.apply(world["contact"], world["cases"][0])
    with pytest.raises(OffsetError) as error:
        offsets.apply(world["contact"], world["cases"][0])
    assert error.value.code == "already_applied"
    # the pool is spent: the second case is no longer eligible, and says why
    with pytest.raises(InputError) as error:
        offsets.apply(world["contact"], world["cases"][1])
    assert "积分" in error.value.problems[0].params["reasons"]


def test_an_ineligible_case_says_why_and_changes_nothing(world):
    case = world["cases"][0]
    case.status = "decided"
    db.session.commit()
    with pytest.raises(InputError) as error:
        offsets.apply(world["contact"], case)
    assert "处罚决定" in error.value.problems[0].params["reasons"]
    assert db.session.execute(select(OffsetApplication)).first() is None


def test_another_enterprise_cannot_reach_the_case(world):
    assert offsets.case_for(world["contact_b"], world["cases"][0].id) is None
    with pytest.raises(OffsetError) as error:
        offsets.apply(world["contact_b"], world["cases"][0])
    assert error.value.status == 404


def test_editing_an_active_rule_set_makes_a_new_version_and_applications_keep_theirs(world):
    application = offsets.apply(world["contact"], world["cases"][0])
    first = db.session.execute(select(RuleSet)).scalar_one()
    second = rule_sets.save(None, first, _rule(effective_from=date(2026, 6, 1), maths=rules.Maths(cap_percent=10)))
    assert (second.code, second.version, first.version) == (first.code, 2, 1)
    db.session.refresh(first)
    assert first.status == "retired" and first.effective_to == date(2026, 5, 31)
    assert application.rule_set_id == first.id
    assert rule_sets.active_for("AIR-99-1", date(2026, 11, 25)).id == second.id
    with pytest.raises(InputError) as error:
        rule_sets.save(None, None, _rule(eligible_codes=[], doc_number=" "))
    assert {p.field for p in error.value.problems} == {"eligible_codes", "doc_number"}


def test_the_decision_record_page_and_pdf(client, auth, world):
    application = offsets.apply(world["contact"], world["cases"][0])
    for who in ("officer", "reviewer", "approver"):
        offsets.decide(world[who], application, "approve", "同意")
    auth.login("contact-a")
    page = client.get(f"/offsets/applications/{application.id}/record").get_data(as_text=True)
    assert "示环罚〔2026〕1号" in page and "示环规〔2026〕3号" in page and "¥30,000.00" in page
    pdf = client.get(f"/offsets/applications/{application.id}/record.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    auth.logout()
    auth.login("contact-b")
    assert client.get(f"/offsets/applications/{application.id}/record").status_code == 404


def test_the_pages_of_the_contact_and_the_reviewers(client, auth, world):
    auth.login("contact-a")
    page = client.get("/offsets/").get_data(as_text=True)
    assert "示环罚〔2026〕1号" in page and "示环罚〔2026〕3号" not in page
    case_id = world["cases"][0].id
    assert "第五十七条" in client.get(f"/offsets/cases/{case_id}").get_data(as_text=True)
    page = client.get(f"/offsets/cases/{case_id}").get_data(as_text=True)
    assert "本企业承诺" in page and "30000" in page.replace(",", "")  # what applying reserves, and the undertaking
    refused = auth.post(f"/offsets/cases/{case_id}/apply", {}, form_page=f"/offsets/cases/{case_id}")
    assert refused.status_code == 400 and db.session.execute(select(OffsetApplication)).first() is None
    response = auth.post(f"/offsets/cases/{case_id}/apply", {"undertaking": "y"}, form_page=f"/offsets/cases/{case_id}")
    assert response.status_code == 302
    application = db.session.execute(select(OffsetApplication)).scalar_one()
    auth.logout()
    auth.login("officer")
    assert "示环罚〔2026〕1号" in client.get("/offsets/review").get_data(as_text=True)
    url = f"/offsets/applications/{application.id}"
    bad = auth.post(url, {"decision": "reject", "comment": ""}, form_page=url)
    assert bad.status_code == 400
    ok = auth.post(url, {"decision": "approve", "comment": "同意"}, form_page=url)
    assert ok.status_code == 302
    db.session.refresh(application)
    assert application.status == "pending_reviewer"


def test_the_case_page_history_tells_the_offset_steps_as_sentences(client, auth, world):
    case = world["cases"][0]
    application = offsets.apply(world["contact"], case)
    offsets.decide(world["officer"], application, "approve", "同意")
    offsets.decide(world["reviewer"], application, "reject", "积分来源存疑")
    auth.login("officer")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "contact-a 申请依学法情况从轻处罚（案件 示环罚〔2026〕1号，使用 30000 分学法积分，从轻幅度至多 ¥30,000.00）" in page
    assert "officer 通过了承办人审核：同意" in page
    assert "reviewer 在法制审核环节驳回了申请：积分来源存疑" in page and "offset.apply" not in page


def test_the_api(client, world):
    def token(username):
        response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        return {"Authorization": f"Bearer {response.json['token']}"}

    contact = token("contact-a")
    cases = client.get("/api/v1/enterprise/cases", headers=contact).json
    assert [c["case_number"] for c in cases] == ["示环罚〔2026〕2号", "示环罚〔2026〕1号"]
    case_id = world["cases"][0].id
    preview = client.get(f"/api/v1/cases/{case_id}/offset-preview", headers=contact).json
    assert preview["eligible"] and preview["max_offset"] == 3_000_000 and preview["points"] == 30_000
    assert client.get(f"/api/v1/cases/{world['cases'][2].id}/offset-preview", headers=contact).status_code == 404
    assert "承诺" in preview["undertaking"]
    refused = client.post("/api/v1/offset-applications", json={"case_id": case_id}, headers=contact)
    assert refused.status_code == 422 and "undertaking" in refused.json["error"]["fields"]
    refused = client.post("/api/v1/offset-applications", json={"case_id": case_id, "undertaking": False},
                          headers=contact)
    assert refused.status_code == 422 and "undertaking" in refused.json["error"]["fields"]
    created = client.post("/api/v1/offset-applications", json={"case_id": case_id, "undertaking": True},
                          headers=contact)
    assert created.status_code == 201 and created.json["undertaking"].startswith("本企业承诺") and created.json["status"] == "pending_officer"
    application_id = created.json["id"]
    bad = client.post("/api/v1/offset-applications", json={"case_id": "x"}, headers=contact)
    assert bad.status_code == 422 and "case_id" in bad.json["error"]["fields"]

    officer = token("officer")
    decided = client.post(f"/api/v1/offset-applications/{application_id}/decisions",
                          json={"decision": "approve", "comment": "同意"}, headers=officer)
    assert decided.status_code == 200 and decided.json["status"] == "pending_reviewer"
    again = client.post(f"/api/v1/offset-applications/{application_id}/decisions",
                        json={"decision": "approve"}, headers=officer)
    assert again.status_code == 403 and again.json["error"]["code"] == "forbidden"
    assert client.post(f"/api/v1/offset-applications/{application_id}/decisions", json={"decision": "maybe"},
                       headers=token("reviewer")).status_code == 422
    withdrawn = client.post(f"/api/v1/offset-applications/{application_id}/withdraw", headers=contact)
    assert withdrawn.json["status"] == "withdrawn"
    assert client.get(f"/api/v1/offset-applications/{application_id}", headers=token("contact-b")).status_code == 404
    assert db.session.execute(select(PenaltyCase.proposed_fine).where(PenaltyCase.id == case_id)).scalar() == 20_000_000


@pytest.mark.postgres
def test_concurrent_approvals_of_one_step_post_once(app, world):
    """Two approvers deciding the last step at the same moment: one decision, one posting."""
    import threading

    from eduapp.models import OffsetDecision, PointsEntry, User

    application = offsets.apply(world["contact"], world["cases"][0])
    offsets.decide(world["officer"], application, "approve")
    offsets.decide(world["reviewer"], application, "approve")
    application_id = application.id
    approvers = [world["approver"].id, world["both"].id]
    db.session.commit()
    outcomes, errors = [], []
    barrier = threading.Barrier(2)

    def approve(user_id):
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                found = db.session.get(OffsetApplication, application_id)
                barrier.wait()
                try:
                    offsets.decide(user, found, "approve", "同意")
                    outcomes.append("decided")
                except OffsetError as error:
                    outcomes.append(error.code)
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(uid,)) for uid in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["decided", "finished"]
    db.session.expire_all()
    decisions = db.session.execute(select(OffsetDecision).where(OffsetDecision.step == "approver")).scalars().all()
    assert len(decisions) == 1
    posts = db.session.execute(select(PointsEntry).where(PointsEntry.kind == "post")).scalars().all()
    assert len(posts) == 1


def test_the_report_counts_enterprises_cases_and_the_total(client, auth, world):
    import io

    from openpyxl import load_workbook

    application = offsets.apply(world["contact"], world["cases"][0])
    for who in ("officer", "reviewer", "approver"):
        offsets.decide(world[who], application, "approve", "同意")
    auth.login("approver")
    page = client.get("/offsets/report").get_data(as_text=True)
    assert "¥30,000.00" in page and "示环罚〔2026〕1号" in page
    book = load_workbook(io.BytesIO(client.get("/offsets/report.xlsx").data))
    points_sheet, offsets_sheet = book.worksheets
    rows = {r[0]: r[1:] for r in points_sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["甲企业"] == (30_000, 30_000, 0)  # issued to the pool, then spent on the offset
    cells = [r for r in offsets_sheet.iter_rows(values_only=True)]
    assert [r[1] for r in cells[-3:]] == [1, 1, 30000.0]  # enterprises, cases, total offset in yuan
    assert any(r[:4] == ("甲企业", "示环罚〔2026〕1号", 30000.0, 30_000) for r in cells)
    assert client.get("/offsets/report?from=2026-12-01&to=2026-01-01").status_code == 400
    auth.logout()
    auth.login("contact-a")
    assert client.get("/offsets/report").status_code == 403


def test_an_earlier_case_of_the_same_type_makes_a_later_one_not_a_first_violation(world):
    first, second, _ = world["cases"]  # both AIR-99-1, the first opened a day before the second
    assert "first_violation" not in {c.key for c in offsets.preview(first).evaluation.failed()}
    failed = {c.key: c for c in offsets.preview(second).evaluation.failed()}
    assert "first_violation" in failed and first.opened_on.isoformat() in failed["first_violation"].reason


def test_art60_a_review_step_never_runs_past_the_cases_decision_deadline(world):
    from eduapp.domain.points import end_of_day
    from eduapp.services import case_deadlines

    case = world["cases"][0]
    now = utcnow()
    case.opened_on = offsets.today_local(now) - timedelta(days=88)  # its 90-day deadline is in 2 days
    db.session.commit()
    deadline = offsets.today_local(now) + timedelta(days=2)
    application = offsets.apply(world["contact"], case, now=now)  # the officer's step would have 5 days
    assert application.step_deadline == end_of_day(deadline)
    offsets.decide(world["officer"], application, "approve", "同意", now=now)
    assert application.step_deadline == end_of_day(deadline)  # the reviewer's 5 days are capped too
    case_deadlines.extend(world["approver"], case, new_due_on=deadline + timedelta(days=30), reason="补充调查",
                          approved_by_id=world["approver"].id, approved_on=offsets.today_local(now),
                          today=offsets.today_local(now))
    offsets.decide(world["reviewer"], application, "approve", "同意", now=now)
    assert application.step_deadline == now + timedelta(days=3)  # extended: the approver's 3 days fit


def test_the_report_workbook_holds_names_as_text_never_formulas(client, auth, world):
    """Issue 15 item 10: an enterprise named =HYPERLINK(…) is text in /offsets/report.xlsx, not a live formula."""
    import io

    from openpyxl import load_workbook

    from tests.domain.test_safe_cells import assert_xlsx_holds_as_text

    world["org"].name = '=HYPERLINK("http://x","y")'
    world["cases"][0].case_number = "+1+1"
    db.session.commit()
    application = offsets.apply(world["contact"], world["cases"][0])
    for who in ("officer", "reviewer", "approver"):
        offsets.decide(world[who], application, "approve", "同意")
    auth.login("approver")
    data = client.get("/offsets/report.xlsx").data
    assert_xlsx_holds_as_text(data, '=HYPERLINK("http://x","y")', "+1+1")
    offsets_sheet = load_workbook(io.BytesIO(data)).worksheets[1]
    assert ('=HYPERLINK("http://x","y")', "+1+1", 30000.0, 30_000) in list(offsets_sheet.iter_rows(values_only=True))
