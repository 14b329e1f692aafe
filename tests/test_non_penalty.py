"""不予处罚 (行政处罚法 §33): the published 免罚清单 and its versions, the case page and the enterprise's
preview answering §33 before any offset, the officer's decision not to penalise (record, audit, status),
bad input named by field, and the dashboard's count."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from eduapp.domain import offsets as offset_rules
from eduapp.domain.non_penalty import FIRST_FINDING, MANDATORY_FINDING, Entry
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, NonPenaltyDecision, NonPenaltyList, PenaltyCase, ViolationType
from eduapp.services import awards, non_penalty, non_penalty_lists, offsets, points, rule_sets
from tests import factories
from tests.conftest import PASSWORD

DECIDED_ON = date(2026, 10, 8)

# The cases here carry dates of autumn 2026, which the forms refuse as later than today before then: the
# clock runs from a morning after them (10:00 in China), whatever day the suite runs on.
AFTER_THE_CASES = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(AFTER_THE_CASES, tick=True):
        yield


def _list(**changes):
    values = {"name": "生态环境轻微违法行为免罚清单", "doc_number": "示环规〔2026〕5号", "authority": "示范市生态环境局",
              "effective_from": date(2026, 1, 1), "effective_to": None, "status": "active",
              "legal_basis": ["《中华人民共和国行政处罚法》第三十三条第一款"],
              "entries": [Entry("AIR-100-2", "minor"), Entry("AIR-100-2", "first")]}
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
    }
    listed = ViolationType(code="AIR-100-2", name="未按照规定开展自行监测", law="中华人民共和国大气污染防治法",
                           article="第一百条", clause="第（二）项", fine_min=2_000_000, fine_max=20_000_000)
    other_type = ViolationType(code="AIR-99-1", name="未依法取得排污许可证排放大气污染物",
                               law="中华人民共和国大气污染防治法", article="第九十九条", clause="第（一）项",
                               fine_min=10_000_000, fine_max=100_000_000)
    db.session.add_all([listed, other_type])
    db.session.flush()

    def case(n, vt, harm, fine=5_000_000, enterprise=org):
        row = PenaltyCase(case_number=f"示环罚〔2026〕{n}号", enterprise_id=enterprise.id, violation_type_id=vt.id,
                          status="investigating", harm_level=harm, corrected=True, opened_on=date(2026, 9, n),
                          proposed_fine=fine)
        db.session.add(row)
        return row

    # The first-violation case is the enterprise's first AIR-100-2 (the no-harm one is opened later).
    cases = {"no_harm": case(5, listed, "none"), "first": case(2, listed, "minor"),
             "offset": case(3, other_type, "minor", 20_000_000)}
    db.session.commit()
    rule_sets.save(None, None, {
        "name": "学法积分抵扣罚款规则", "doc_number": "示环规〔2026〕3号", "authority": "示范市生态环境局",
        "effective_from": date(2026, 1, 1), "effective_to": None, "status": "active", "legal_basis": [],
        "eligible_codes": ["AIR-99-1", "AIR-100-2"], "excluded_codes": [],
        "conditions": offset_rules.Conditions(key_roles=(), cooling_days=365), "maths": offset_rules.Maths(),
        "procedure": {}})
    lst = non_penalty_lists.save(people["reviewer"], None, _list())
    awards.award(points.pool_account(org), 30_000, "test:pool", "测试积分")
    return {"org": org, "cases": cases, "list": lst, **people}


def _token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


def _actions(obj_type):
    return [r.action for r in db.session.execute(
        select(AuditRecord).where(AuditRecord.object_type == obj_type).order_by(AuditRecord.id)).scalars()]


# --- the enterprise's preview: §33 first ------------------------------------------------------------------


def test_a_no_harm_corrected_case_is_offered_not_penalised_not_an_offset(world, client, auth):
    case = world["cases"]["no_harm"]
    with pytest.raises(InputError) as refused:
        offsets.apply(world["contact"], case)
    assert refused.value.problems[0].field == "case_id"
    assert MANDATORY_FINDING in refused.value.problems[0].params["reason"]

    auth.login("contact-a")
    page = client.get(f"/offsets/cases/{case.id}").get_data(as_text=True)
    assert MANDATORY_FINDING in page and f"/offsets/cases/{case.id}/apply" not in page  # no apply button
    listing = client.get("/offsets/").get_data(as_text=True)
    assert MANDATORY_FINDING in listing
    response = auth.post(f"/offsets/cases/{case.id}/apply", {}, form_page=f"/offsets/cases/{case.id}",
                         follow_redirects=True)
    assert MANDATORY_FINDING in response.get_data(as_text=True)

    headers = _token(client, "contact-a")
    preview = client.get(f"/api/v1/cases/{case.id}/offset-preview", headers=headers).json
    assert preview["no_penalty"]["applies"] is True and preview["no_penalty"]["mandatory"] is True
    assert preview["no_penalty"]["ground"] == "minor_no_harm"
    assert preview["no_penalty"]["finding"] == MANDATORY_FINDING
    assert "示环规〔2026〕5号" in preview["no_penalty"]["basis"]
    assert (preview["eligible"], preview["max_offset"], preview["fine_after"]) == (False, None, None)  # no amount
    applied = client.post("/api/v1/offset-applications", json={"case_id": case.id, "undertaking": True},
                          headers=headers)
    assert applied.status_code == 422 and MANDATORY_FINDING in applied.json["error"]["fields"]["case_id"]


def test_a_listed_first_violation_with_minor_harm_may_go_unpunished(world, client):
    case = world["cases"]["first"]
    preview = client.get(f"/api/v1/cases/{case.id}/offset-preview", headers=_token(client, "contact-a")).json
    assert preview["no_penalty"]["applies"] is True and preview["no_penalty"]["mandatory"] is False
    assert preview["no_penalty"]["finding"] == FIRST_FINDING and preview["eligible"] is False


def test_an_unlisted_case_still_gets_its_offset_and_the_answer_says_why(world, client):
    case = world["cases"]["offset"]
    preview = client.get(f"/api/v1/cases/{case.id}/offset-preview", headers=_token(client, "contact-a")).json
    assert preview["no_penalty"]["applies"] is False and preview["no_penalty"]["finding"] == ""
    assert preview["eligible"] is True and preview["max_offset"] > 0
    assert all("第三十三条" not in c["basis"] for c in preview["checks"])
    assert any("第三十二条、第三十四条" in c["basis"] for c in preview["checks"])


# --- the officer's decision ---------------------------------------------------------------------------


def test_the_case_page_says_so_and_the_officer_closes_the_case_as_not_penalised(world, client, auth):
    case = world["cases"]["no_harm"]
    auth.login("officer")
    url = f"/cases/{case.id}"
    page = client.get(url).get_data(as_text=True)
    assert MANDATORY_FINDING in page and "non-penalty-form" in page
    assert 'value="not_penalised"' not in page.split("non-penalty-form")[1]  # not in the generic status form

    bad = auth.post(f"{url}/not-penalised", {"ground": "minor_no_harm", "reason": "", "education": "",
                                             "decided_on": "2026-10-08"}, form_page=url)
    assert bad.status_code == 400 and bad.get_data(as_text=True).count("is-invalid") >= 2  # reason, education
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).status == "investigating"

    ok = auth.post(f"{url}/not-penalised", {"ground": "minor_no_harm", "reason": "自行监测数据缺失一日，已补测",
                                            "legal_basis": "", "education": "当场宣讲大气污染防治法第二十四条",
                                            "decided_on": "2026-10-08"}, form_page=url)
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/cases/{case.id}/not-penalised")
    db.session.expire_all()
    decided = db.session.get(PenaltyCase, case.id)
    assert (decided.status, decided.decided_on, decided.final_fine) == ("not_penalised", DECIDED_ON, None)
    decision = non_penalty.decision_for(case.id)
    assert (decision.ground, decision.legal_basis, decision.list_id) == (
        "minor_no_harm", "《中华人民共和国行政处罚法》第三十三条第一款", world["list"].id)
    assert decision.assessment["finding"] == MANDATORY_FINDING and decision.decided_by_id == world["officer"].id
    assert _actions("non_penalty_decision") == ["non_penalty.decide"]
    assert "penalty_case.status" in _actions("penalty_case")

    record = client.get(f"{url}/not-penalised").get_data(as_text=True)
    assert "不予行政处罚决定记录" in record and "当场宣讲大气污染防治法第二十四条" in record
    assert "示环规〔2026〕5号" in record and "第三十三条第三款" in record
    auth.logout()
    auth.login("contact-a")  # the party reads its own decision
    assert client.get(f"{url}/not-penalised").status_code == 200
    auth.logout()
    auth.login("contact-b")
    assert client.get(f"{url}/not-penalised").status_code == 404


def test_the_decision_through_the_api_with_bad_input_named_by_field(world, client):
    headers = _token(client, "officer")
    case = world["cases"]["first"]
    url = f"/api/v1/cases/{case.id}/not-penalised"
    assert client.get(url, headers=headers).status_code == 404
    good = {"ground": "first_violation", "reason": "初次违法，已改正", "education": "约谈教育",
            "decided_on": "2026-10-08"}
    missing = client.post(url, json={"reason": "x"}, headers=headers)
    assert missing.status_code == 422 and {"ground", "education", "decided_on"} <= set(missing.json["error"]["fields"])
    future = client.post(url, json={**good, "decided_on": "2999-01-01"}, headers=headers)
    assert future.status_code == 422 and "decided_on" in future.json["error"]["fields"]
    early = client.post(url, json={**good, "decided_on": "2026-08-01"}, headers=headers)
    assert early.status_code == 422 and "decided_on" in early.json["error"]["fields"]
    wrong = client.post(url, json={**good, "ground": "minor_no_harm"}, headers=headers)  # the case records harm
    assert wrong.status_code == 422 and "ground" in wrong.json["error"]["fields"]
    unlisted = client.post(f"/api/v1/cases/{world['cases']['offset'].id}/not-penalised", json=good, headers=headers)
    assert unlisted.status_code == 422 and "ground" in unlisted.json["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).status == "investigating"
    assert db.session.execute(select(NonPenaltyDecision)).first() is None
    generic = client.post(f"/api/v1/cases/{case.id}/status", json={"status": "not_penalised",
                                                                    "date": "2026-10-08"}, headers=headers)
    assert generic.status_code == 409

    created = client.post(url, json=good, headers=headers)
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["case_status"], body["ground"], body["assessment"]["finding"]) == (
        "not_penalised", "first_violation", FIRST_FINDING)
    assert body["list"] == "生态环境轻微违法行为免罚清单（示环规〔2026〕5号）第1版"
    assert client.post(url, json=good, headers=headers).status_code == 409
    assert client.get(url, headers=_token(client, "reviewer")).json["id"] == body["id"]
    assert client.post(url, json=good, headers=_token(client, "reviewer")).status_code == 403


# --- the list's versions --------------------------------------------------------------------------------


def test_list_versions_draft_in_place_active_makes_a_new_version_and_retires_the_old(world):
    v1 = world["list"]
    v2 = non_penalty_lists.save(world["reviewer"], v1, _list(effective_from=date(2026, 7, 1),
                                                            entries=[Entry("AIR-100-2", "first", 12)]))
    db.session.refresh(v1)
    assert (v2.code, v2.version, v2.status) == (v1.code, 2, "active")
    assert (v1.status, v1.effective_to) == ("retired", date(2026, 6, 30))
    draft = non_penalty_lists.save(world["reviewer"], v2, _list(status="draft"))
    edited = non_penalty_lists.save(world["reviewer"], draft, _list(status="draft", name="修订稿"))
    assert (edited.id, edited.version, edited.name) == (draft.id, 3, "修订稿")
    assert _actions("non_penalty_list") == ["non_penalty_list.create", "non_penalty_list.new_version",
                                            "non_penalty_list.new_version", "non_penalty_list.update"]
    assert [r.version for r in non_penalty_lists.in_force(date(2026, 11, 1))] == [2]
    # Under v2 AIR-100-2 is a 首违不罚 entry only: the no-harm case (not the enterprise's first AIR-100-2)
    # is no longer covered by the list, and whether it is "minor" is the officer's judgement.
    answer = non_penalty.assess(world["cases"]["no_harm"], date(2026, 11, 1)).answer
    assert (answer.applies, answer.mandatory, answer.officer_review) == (False, False, True)
    assert "不属初次违法" in answer.reason
    first = non_penalty.assess(world["cases"]["first"], date(2026, 11, 1)).answer
    assert (first.applies, first.mandatory, first.list_label) == (True, False, "生态环境轻微违法行为免罚清单（示环规〔2026〕5号）第2版")


@pytest.mark.parametrize(("changes", "field"), [
    ({"entries": []}, "entries"),
    ({"entries": [Entry("NOPE-1", "minor")]}, "entries"),
    ({"entries": [Entry("AIR-100-2", "sometimes")]}, "entries"),
    ({"doc_number": " "}, "doc_number"),
    ({"effective_to": date(2025, 1, 1)}, "effective_to"),
    ({"status": "published"}, "status"),
])
def test_bad_list_input_names_the_field_and_changes_nothing(world, changes, field):
    with pytest.raises(InputError) as error:
        non_penalty_lists.save(world["reviewer"], None, _list(**changes))
    assert field in {p.field for p in error.value.problems}
    db.session.rollback()
    assert db.session.execute(select(NonPenaltyList)).scalars().all() == [world["list"]]


def test_list_pages_for_reviewers_and_the_published_list_for_enterprises(world, client, auth):
    auth.login("reviewer")
    assert "示环规〔2026〕5号" in client.get("/offsets/non-penalty-lists").get_data(as_text=True)
    url = f"/offsets/non-penalty-lists/{world['list'].id}/edit"
    form = {"name": "清单", "doc_number": "示环规〔2026〕9号", "authority": "示范市生态环境局",
            "effective_from": "2026-08-01", "status": "active", "legal_basis": "",
            "entries": "AIR-100-2, minor\nAIR-100-2, first, 12, 一年内首次"}
    bad = auth.post(url, {**form, "entries": "AIR-100-2, first, twelve"}, form_page=url)
    assert bad.status_code == 400
    ok = auth.post(url, form, form_page=url)
    assert ok.status_code == 302
    assert [r.version for r in non_penalty_lists.all_versions()] == [2, 1]
    auth.logout()
    auth.login("contact-a")
    assert client.get("/offsets/non-penalty-lists").status_code == 403
    page = client.get("/offsets/non-penalty-list").get_data(as_text=True)
    assert "示环规〔2026〕9号" in page and "AIR-100-2" in page and "一年内首次" in page
    published = client.get("/api/v1/non-penalty-lists/published", headers=_token(client, "contact-a"))
    assert published.status_code == 200 and [r["doc_number"] for r in published.json] == ["示环规〔2026〕9号"]


def test_list_api_versions_and_bad_input(world, client):
    headers = _token(client, "reviewer")
    body = {"name": "首违不罚清单", "doc_number": "示环规〔2026〕7号", "authority": "示范市生态环境局",
            "effective_from": "2026-02-01", "status": "draft",
            "entries": [{"violation_code": "AIR-99-1", "kind": "first", "lookback_months": 12}]}
    created = client.post("/api/v1/non-penalty-lists", json=body, headers=headers)
    assert created.status_code == 201 and created.json["version"] == 1
    bad = client.post("/api/v1/non-penalty-lists", json={**body, "entries": [{"violation_code": "X", "kind": "minor"}]},
                      headers=headers)
    assert bad.status_code == 422 and "entries" in bad.json["error"]["fields"]
    active = client.put(f"/api/v1/non-penalty-lists/{created.json['id']}", json={**body, "status": "active"},
                        headers=headers)
    assert active.status_code == 200 and active.json["id"] == created.json["id"]  # a draft changes in place
    again = client.put(f"/api/v1/non-penalty-lists/{created.json['id']}", json={**body, "status": "active"},
                       headers=headers)
    assert again.json["version"] == 2 and again.json["id"] != created.json["id"]
    listing = client.get("/api/v1/non-penalty-lists?status=retired", headers=headers).json
    assert [r["id"] for r in listing["items"]] == [created.json["id"]]
    assert client.get("/api/v1/non-penalty-lists", headers=_token(client, "contact-a")).status_code == 403


# --- the dashboard ------------------------------------------------------------------------------------------


def test_the_dashboard_counts_cases_decided_not_penalised_in_the_period(world, client):
    from eduapp.domain import periods
    from eduapp.services import cases, dashboard

    officer = world["officer"]
    no_harm, first = world["cases"]["no_harm"], world["cases"]["first"]
    non_penalty.decide(officer, no_harm, non_penalty.DecisionValues(
        ground="minor_no_harm", reason="轻微", education="教育", decided_on=DECIDED_ON), today=date(2026, 11, 1))
    non_penalty.decide(officer, first, non_penalty.DecisionValues(
        ground="first_violation", reason="首违", education="教育", decided_on=date(2026, 10, 9)),
        today=date(2026, 11, 1))
    cases.change_status(officer, first, "closed", date(2026, 10, 20), today=date(2026, 11, 1))  # still counted
    # A case at not_penalised without a record (e.g. from a register): counted as "unrecorded".
    cases.change_status(officer, world["cases"]["offset"], "not_penalised", date(2026, 10, 10),
                        today=date(2026, 11, 1))
    figures = dashboard.build(periods.year(2026)).cases
    assert figures.not_penalised_decided == 3
    assert figures.not_penalised_by_ground == {"minor_no_harm": 1, "first_violation": 1, "unrecorded": 1}
    assert dashboard.build(periods.Period(date(2026, 10, 9), date(2026, 10, 31))).cases.not_penalised_decided == 2
    assert dashboard.build(periods.year(2025)).cases.not_penalised_decided == 0
    body = client.get("/api/v1/dashboard?from=2026-01-01&to=2026-12-31", headers=_token(client, "officer")).json
    assert body["cases"]["not_penalised_decided"] == 3
    assert body["cases"]["not_penalised_by_ground"]["first_violation"] == 1


def test_the_demo_publishes_a_list_and_has_a_case_it_covers(runner, ctx):
    from eduapp.demo import non_penalty as demo_non_penalty

    assert runner.invoke(args=["demo", "--password", "demo-password-1"]).exit_code == 0
    published = db.session.execute(select(NonPenaltyList)).scalars().all()
    assert [(r.doc_number, r.status) for r in published] == [(demo_non_penalty.DEMO_LIST_DOC, "active")]
    case = db.session.execute(
        select(PenaltyCase).where(PenaltyCase.case_number == demo_non_penalty.DEMO_CASE)).unique().scalar_one()
    answer = non_penalty.assess(case, case.opened_on).answer
    assert (answer.applies, answer.finding) == (True, MANDATORY_FINDING)
    # the demo's qualifying offset case is not on the list
    offset_case = db.session.execute(
        select(PenaltyCase).where(PenaltyCase.case_number == "示环罚〔2026〕101号")).unique().scalar_one()
    assert non_penalty.assess(offset_case, offset_case.opened_on).answer.applies is False


def test_art33_a_case_that_comes_under_the_mandatory_ground_while_pending_is_not_approved(world):
    """The party was told of the intended penalty (§44), so the 首违不罚 finding no longer blocks 从轻 and
    the enterprise applies; the officer then finds no harm at all: §33 ¶1 says the case is not to be
    penalised, so no step may approve a lighter penalty (rejecting still works)."""
    from eduapp.services.offsets import OffsetError

    case = world["cases"]["first"]
    case.status, case.notified_on = "notified", case.opened_on + timedelta(days=1)
    db.session.commit()
    application = offsets.apply(world["contact"], case, undertaking=True)
    case.harm_level = "none"
    db.session.commit()
    with pytest.raises(OffsetError) as refused:
        offsets.decide(world["officer"], application, "approve", "同意")
    assert refused.value.code == "not_penalised" and MANDATORY_FINDING in refused.value.params["reason"]
    db.session.refresh(application)
    assert application.status == "pending_officer"
    offsets.decide(world["officer"], application, "reject", "符合不予处罚条件，应依法不予处罚")
    assert application.status == "rejected"
