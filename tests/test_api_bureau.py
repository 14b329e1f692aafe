"""The bureau staff's API v1: question bank, exam management and statistics, penalty cases and the case
register import, rule sets, the offset review list and the reminder delivery log. Each endpoint's
happy path, a bad input naming its field (or its file row), permissions, and the OpenAPI document."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Delivery, OffsetApplication, PenaltyCase, Question, Reminder, RuleSet, User
from eduapp.services import api_tokens, attempts, cases
from tests import factories

NEW_PATHS = {
    "/api/v1/questions", "/api/v1/questions/{question_id}", "/api/v1/questions/import", "/api/v1/questions/export",
    "/api/v1/exams/manage", "/api/v1/exams/{exam_id}/statistics",
    "/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/status", "/api/v1/cases/import",
    "/api/v1/violation-types", "/api/v1/rule-sets", "/api/v1/rule-sets/{rule_set_id}", "/api/v1/offset-applications",
    "/api/v1/reminders/log", "/api/v1/reminders/deliveries", "/api/v1/reminders/deliveries/{delivery_id}/resend",
}
CASE_HEADERS = "案件编号,企业名称或统一社会信用代码,违法类型编码,立案日期,拟罚款金额（元）,危害程度\n"


@pytest.fixture
def world(ctx):
    bureau = factories.unit("示范市生态环境局")
    org = factories.enterprise("甲企业", 1)
    people = {
        "editor": factories.user("editor", bureau, Role.QUESTION_EDITOR),
        "manager": factories.user("manager", bureau, Role.EXAM_MANAGER),
        "officer": factories.user("officer", bureau, Role.CASE_OFFICER),
        "reviewer": factories.user("reviewer", bureau, Role.LEGAL_REVIEWER),
        "approver": factories.user("approver", bureau, Role.APPROVER),
        "admin": factories.user("admin", bureau, Role.SYSADMIN),
        "contact": factories.user("contact", org, Role.ENTERPRISE_CONTACT, email="contact@example.com"),
        "staff": factories.user("staff", org, Role.ENTERPRISE_STAFF),
    }
    cases.load_catalogue()
    return {"org": org, "bureau": bureau, **people}


def bearer(user: User) -> dict:
    token, _ = api_tokens.issue(user, 1)
    return {"Authorization": f"Bearer {token}"}


def _case(org, number="示环罚〔2026〕1号", **changes) -> PenaltyCase:
    fields = {"case_number": number, "enterprise_id": org.id, "violation_type_id": cases.violation_by_code("AIR-99-2").id,
              "opened_on": date(2026, 3, 2), "proposed_fine": 15_000_000, **changes}
    return cases.save_case(None, fields).case


def _upload(name: str, text: str | bytes, **form) -> dict:
    data = text.encode() if isinstance(text, str) else text
    return {"file": (io.BytesIO(data), name), **{k: str(v).lower() for k, v in form.items()}}


# --- the document and permissions ----------------------------------------------------------------------


def test_every_new_path_is_in_the_openapi_document_with_its_errors(client):
    doc = client.get("/api/v1/openapi.json").json
    assert set(doc["paths"]) >= NEW_PATHS
    for path in NEW_PATHS:
        for method, operation in doc["paths"][path].items():
            if method == "parameters" or (path == "/api/v1/offset-applications" and method == "post"):
                continue
            responses = operation["responses"]
            assert {"401", "403", "422"} <= set(responses), (method, path)
            assert responses["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    upload = doc["paths"]["/api/v1/cases/import"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_enterprise_accounts_and_learners_get_403_on_every_bureau_operation(client, world):
    doc = client.get("/api/v1/openapi.json").json
    checked = 0
    for who in ("contact", "staff"):
        headers = bearer(world[who])
        for path in NEW_PATHS:
            url = path.replace("{question_id}", "1").replace("{exam_id}", "1").replace("{case_id}", "1") \
                .replace("{rule_set_id}", "1").replace("{delivery_id}", "1")
            for method in doc["paths"][path]:
                if method == "parameters" or (path == "/api/v1/offset-applications" and method == "post"):
                    continue
                response = client.open(url, method=method.upper(), headers=headers, json={})
                assert response.status_code == 403, (who, method, url, response.status_code)
                assert response.json["error"]["code"] == "forbidden"
                checked += 1
    assert checked >= 40
    # and without a token: 401
    assert client.get("/api/v1/cases").json["error"]["code"] == "unauthorized"


def test_each_bureau_role_reaches_only_its_own_endpoints(client, world):
    editor, officer = bearer(world["editor"]), bearer(world["officer"])
    assert client.get("/api/v1/questions", headers=editor).status_code == 200
    assert client.get("/api/v1/cases", headers=editor).status_code == 403
    assert client.get("/api/v1/cases", headers=officer).status_code == 200
    assert client.get("/api/v1/questions", headers=officer).status_code == 403
    assert client.get("/api/v1/rule-sets", headers=officer).status_code == 403  # rule sets: reviewers, approvers
    assert client.get("/api/v1/reminders/log", headers=officer).status_code == 403  # system administrators
    assert client.get("/api/v1/exams/manage", headers=officer).status_code == 403


# --- questions ---------------------------------------------------------------------------------------


def test_question_list_filters_and_detail(client, world):
    factories.bank(per_type=2)
    headers = bearer(world["editor"])
    page = client.get("/api/v1/questions?per_page=3", headers=headers).json
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (8, 1, 3, 3)
    singles = client.get("/api/v1/questions?type=single&status=published", headers=headers).json
    assert singles["total"] == 2 and {q["qtype"] for q in singles["items"]} == {"single"}
    assert client.get("/api/v1/questions?q=判断题第1题", headers=headers).json["total"] == 1
    assert client.get("/api/v1/questions?law=中华人民共和国行政处罚法", headers=headers).json["total"] == 8
    first = singles["items"][0]
    detail = client.get(f"/api/v1/questions/{first['id']}", headers=headers).json
    assert detail["uid"] == first["uid"] and detail["answer"] == [1] and detail["versions"][0]["number"] == 1

    bad = client.get("/api/v1/questions?type=essay&per_page=500", headers=headers)
    assert bad.status_code == 422 and {"type", "per_page"} <= set(bad.json["error"]["fields"])
    assert client.get("/api/v1/questions/999999", headers=headers).status_code == 404


BAD_YAML = """law: 中华人民共和国行政处罚法
questions:
  - id: ok-001
    type: true_false
    stem: 行政处罚应当以事实为依据。
    answer: true
  - id: bad-001
    type: single
    stem: 缺少答案的题目
    options: [甲, 乙]
"""


def test_question_import_dry_run_then_a_rejected_line_writes_nothing(client, world):
    headers = bearer(world["editor"])
    dry = client.post("/api/v1/questions/import", headers=headers, data=_upload("bank.yaml", BAD_YAML, dry_run=True))
    assert dry.status_code == 200, dry.json
    assert dry.json["dry_run"] is True and dry.json["written"] is False
    assert dry.json["counts"]["added"] == 1 and dry.json["counts"]["rejected"] == 1
    [rejected] = dry.json["rejected"]
    assert rejected["file"] == "bank.yaml" and rejected["line"] == 7 and rejected["reason"]

    real = client.post("/api/v1/questions/import", headers=headers, data=_upload("bank.yaml", BAD_YAML))
    assert real.status_code == 422 and real.json["error"]["code"] == "invalid_file"
    assert real.json["error"]["rows"][0]["row"] == 7 and real.json["error"]["rows"][0]["file"] == "bank.yaml"
    assert db.session.execute(select(func.count()).select_from(Question)).scalar_one() == 0

    skipped = client.post("/api/v1/questions/import", headers=headers,
                          data=_upload("bank.yaml", BAD_YAML, skip_invalid=True))
    assert skipped.status_code == 200 and skipped.json["written"] is True
    assert [i["id"] for i in skipped.json["added"]] == ["ok-001"]
    again = client.post("/api/v1/questions/import", headers=headers, data=_upload("bank.yaml", BAD_YAML.split("  - id: bad")[0]))
    assert again.json["counts"]["unchanged"] == 1 and again.json["written"] is False


def test_question_import_bad_input_names_the_field(client, world):
    headers = bearer(world["editor"])
    missing = client.post("/api/v1/questions/import", headers=headers, data={"dry_run": "true"})
    assert missing.status_code == 422 and "file" in missing.json["error"]["fields"]
    bad_format = client.post("/api/v1/questions/import", headers=headers, data=_upload("a.yaml", "x", format="word"))
    assert bad_format.status_code == 422 and "format" in bad_format.json["error"]["fields"]
    unknown = client.post("/api/v1/questions/import", headers=headers, data=_upload("notes.doc", "hello"))
    assert unknown.status_code == 422 and unknown.json["error"]["rows"][0]["field"] == "file"
    as_json = client.post("/api/v1/questions/import", headers=headers, json={"file": "x"})
    assert as_json.status_code == 422 and "file" in as_json.json["error"]["fields"]
    not_a_flag = client.post("/api/v1/questions/import", headers=headers, data=_upload("a.yaml", "x", dry_run="yes"))
    assert not_a_flag.status_code == 422 and "dry_run" in not_a_flag.json["error"]["fields"]
    extra = client.post("/api/v1/questions/import", headers=headers, data=_upload("a.yaml", "x", colour="red"))
    assert extra.status_code == 422 and "colour" in extra.json["error"]["fields"]


@pytest.mark.parametrize("fmt", ["auto", "yaml", "gift", "aiken", "moodle-xml", "csv", "xlsx"])
def test_question_import_of_a_damaged_file_is_a_422_naming_the_file(client, world, fmt):
    headers = bearer(world["editor"])
    for name, data in (("q.bin.txt", bytes(range(256)) * 4), ("q.xml", b"<quiz><question"), ("q.xlsx", b"PK\x03\x04"),
                       ("q.csv", "题型,题干\n单选题,\x00\n".encode())):
        response = client.post("/api/v1/questions/import", headers=headers, data=_upload(name, data, format=fmt))
        assert response.status_code in (200, 422), (fmt, name, response.status_code)
        if response.status_code == 422:
            assert response.json["error"]["rows"] or response.json["error"]["fields"], (fmt, name)
        else:
            assert response.json["written"] is False
    assert db.session.execute(select(func.count()).select_from(Question)).scalar_one() == 0


def test_question_export_in_each_format(client, world):
    factories.bank(per_type=1)
    headers = bearer(world["editor"])
    csv_file = client.get("/api/v1/questions/export?format=csv&type=single", headers=headers)
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    assert "单选题第0题" in csv_file.get_data(as_text=True) and "多选题" not in csv_file.get_data(as_text=True)
    aiken = client.get("/api/v1/questions/export?format=aiken", headers=headers)
    assert aiken.status_code == 200 and int(aiken.headers["X-Eduapp-Left-Out"]) >= 1  # fill-in cannot be Aiken
    xlsx = client.get("/api/v1/questions/export?format=xlsx", headers=headers)
    assert xlsx.data[:2] == b"PK"
    bad = client.get("/api/v1/questions/export?format=pdf", headers=headers)
    assert bad.status_code == 422 and "format" in bad.json["error"]["fields"]


# --- exams -------------------------------------------------------------------------------------------


def test_exam_list_and_statistics(client, world):
    factories.bank()
    exam = factories.exam(title="年度学法考试")
    factories.exam(title="草稿考试", status="draft")
    attempt = attempts.start(world["staff"], exam)
    attempts.submit(attempt)
    headers = bearer(world["manager"])

    page = client.get("/api/v1/exams/manage", headers=headers).json
    assert page["total"] == 2
    listed = {e["title"]: e for e in page["items"]}
    assert listed["年度学法考试"]["attempts"] == 1 and listed["年度学法考试"]["state"] == "open"
    assert listed["年度学法考试"]["max_score"] == 20
    drafts = client.get("/api/v1/exams/manage?status=draft", headers=headers).json
    assert [e["title"] for e in drafts["items"]] == ["草稿考试"]
    assert client.get("/api/v1/exams/manage?state=closed", headers=headers).json["total"] == 0

    stats = client.get(f"/api/v1/exams/{exam.id}/statistics", headers=headers)
    assert stats.status_code == 200, stats.json
    body = stats.json
    assert body["total"]["finished"] == 1 and body["summary"]["attempts"] == 1
    assert body["max_score"] == 20 and len(body["histogram"]) == 10 and sum(b["count"] for b in body["histogram"]) == 1
    assert {o["name"] for o in body["organisations"]} >= {"甲企业"}
    assert len(body["items"]) == 10 and all(item["positions"] for item in body["items"])
    org = client.get(f"/api/v1/exams/{exam.id}/statistics?org_id={world['org'].id}", headers=headers).json
    assert org["organisation"]["name"] == "甲企业" and org["total"]["finished"] == 1

    bad = client.get(f"/api/v1/exams/{exam.id}/statistics?org_id=999999", headers=headers)
    assert bad.status_code == 404 and "org_id" in bad.json["error"]["fields"]
    assert client.get("/api/v1/exams/manage?state=soon", headers=headers).json["error"]["fields"].keys() == {"state"}
    assert client.get("/api/v1/exams/999999/statistics", headers=headers).status_code == 404


# --- cases -------------------------------------------------------------------------------------------


def test_create_read_update_and_move_a_case(client, world):
    headers = bearer(world["officer"])
    created = client.post("/api/v1/cases", headers=headers, json={
        "case_number": "示环罚〔2026〕7号", "enterprise": world["org"].uscc, "violation_code": "AIR-99-2",
        "opened_on": "2026-03-02", "proposed_fine": 5_000_000, "officer": "officer"})
    assert created.status_code == 201, created.json
    case = created.json
    assert (case["status"], case["enterprise"]["name"], case["officer"]["username"]) == ("filed", "甲企业", "officer")
    assert case["warnings"][0]["field"] == "proposed_fine"  # below the statutory minimum: saved, with a warning
    assert case["next_statuses"] == ["investigating", "not_penalised", "transferred"]

    url = f"/api/v1/cases/{case['id']}"
    assert client.get(url, headers=headers).json["case_number"] == "示环罚〔2026〕7号"
    assert client.get(url, headers=bearer(world["reviewer"])).status_code == 200  # reviewers read cases

    patched = client.patch(url, headers=headers, json={"proposed_fine": 15_000_000, "corrected": True,
                                                       "description": "超标排放"})
    assert patched.status_code == 200 and patched.json["changed"] and patched.json["warnings"] == []
    assert (patched.json["proposed_fine"], patched.json["corrected"]) == (15_000_000, True)

    moved = client.post(f"{url}/status", headers=headers, json={"status": "investigating", "date": "2026-03-03"})
    assert moved.status_code == 200 and moved.json["status"] == "investigating"
    wrong = client.post(f"{url}/status", headers=headers, json={"status": "paid", "date": "2026-03-04"})
    assert wrong.status_code == 409 and wrong.json["error"]["code"] == "invalid_transition"
    assert "status" in wrong.json["error"]["fields"]
    early = client.post(f"{url}/status", headers=headers, json={"status": "notified", "date": "2026-03-01"})
    assert early.status_code == 422 and "date" in early.json["error"]["fields"]
    assert db.session.get(PenaltyCase, case["id"]).status == "investigating"


def test_case_bad_input_names_the_field_and_changes_nothing(client, world):
    headers = bearer(world["officer"])
    existing = _case(world["org"])
    missing = client.post("/api/v1/cases", headers=headers, json={"enterprise_id": world["org"].id})
    assert missing.status_code == 422
    assert {"case_number", "opened_on", "proposed_fine"} <= set(missing.json["error"]["fields"])
    unknown = client.post("/api/v1/cases", headers=headers, json={
        "case_number": "X-1", "enterprise": "没有这家企业", "violation_code": "NOPE-1", "opened_on": "2026-03-02",
        "proposed_fine": 100})
    assert unknown.status_code == 422 and {"enterprise", "violation_code"} <= set(unknown.json["error"]["fields"])
    taken = client.post("/api/v1/cases", headers=headers, json={
        "case_number": existing.case_number, "enterprise_id": world["org"].id, "violation_code": "AIR-99-2",
        "opened_on": "2026-03-02", "proposed_fine": 15_000_000})
    assert taken.status_code == 422 and "case_number" in taken.json["error"]["fields"]
    both = client.post("/api/v1/cases", headers=headers, json={
        "case_number": "X-2", "enterprise_id": world["org"].id, "enterprise": "甲企业", "violation_code": "AIR-99-2",
        "opened_on": "2026-03-02", "proposed_fine": 1})
    assert both.status_code == 422 and "enterprise" in both.json["error"]["fields"]
    future = client.patch(f"/api/v1/cases/{existing.id}", headers=headers, json={"opened_on": "2999-01-01"})
    assert future.status_code == 422 and "opened_on" in future.json["error"]["fields"]
    nul = client.patch(f"/api/v1/cases/{existing.id}", headers=headers, json={"description": "a\x00b"})
    assert nul.status_code == 422 and "description" in nul.json["error"]["fields"]
    status = client.patch(f"/api/v1/cases/{existing.id}", headers=headers, json={"status": "closed"})
    assert status.status_code == 422 and "status" in status.json["error"]["fields"]  # moves go through /status
    assert db.session.execute(select(func.count()).select_from(PenaltyCase)).scalar_one() == 1
    db.session.refresh(existing)
    assert existing.opened_on == date(2026, 3, 2) and existing.description == ""
    assert client.get("/api/v1/cases/999999", headers=headers).status_code == 404


def test_case_list_filters(client, world):
    other = factories.enterprise("乙企业", 2)
    _case(world["org"], "A-1")
    _case(world["org"], "A-2", opened_on=date(2026, 4, 10), violation_type_id=cases.violation_by_code("AIR-99-3").id,
          proposed_fine=10_000_000)
    _case(other, "B-1", opened_on=date(2026, 5, 1))
    headers = bearer(world["officer"])

    def numbers(query: str) -> list[str]:
        response = client.get(f"/api/v1/cases{query}", headers=headers)
        assert response.status_code == 200, response.json
        return [c["case_number"] for c in response.json["items"]]

    assert numbers("") == ["B-1", "A-2", "A-1"]
    assert numbers(f"?enterprise_id={other.id}") == ["B-1"]
    assert numbers("?violation_code=AIR-99-3") == ["A-2"]
    assert numbers("?violation_code=NONE-1") == []
    assert numbers("?opened_from=2026-04-01&opened_to=2026-04-30") == ["A-2"]
    assert numbers("?status=filed&q=乙企业") == ["B-1"]
    assert client.get("/api/v1/cases?per_page=2", headers=headers).json["total"] == 3
    bad = client.get("/api/v1/cases?opened_from=2026-05-01&opened_to=2026-04-01&status=open", headers=headers)
    assert bad.status_code == 422 and "status" in bad.json["error"]["fields"]
    backwards = client.get("/api/v1/cases?opened_from=2026-05-01&opened_to=2026-04-01", headers=headers)
    assert backwards.status_code == 422 and "opened_to" in backwards.json["error"]["fields"]


def test_case_import_reports_a_bad_row_and_writes_nothing(client, world):
    headers = bearer(world["officer"])
    good = "R-1,甲企业,AIR-99-2,2026-03-02,150000.00,轻微\n"
    bad = "R-2,甲企业,AIR-00-0,2026-03-02,150000.00,轻微\n"
    response = client.post("/api/v1/cases/import", headers=headers, data=_upload("cases.csv", CASE_HEADERS + good + bad))
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid_file"
    [row] = response.json["error"]["rows"]
    assert (row["row"], row["field"], row["column"]) == (3, "violation_code", "违法类型编码")
    assert db.session.execute(select(func.count()).select_from(PenaltyCase)).scalar_one() == 0

    dry = client.post("/api/v1/cases/import", headers=headers, data=_upload("cases.csv", CASE_HEADERS + good,
                                                                             dry_run=True))
    assert dry.status_code == 200 and dry.json["added"] == ["R-1"] and dry.json["written"] is False
    assert db.session.execute(select(func.count()).select_from(PenaltyCase)).scalar_one() == 0
    real = client.post("/api/v1/cases/import", headers=headers, data=_upload("cases.csv", CASE_HEADERS + good))
    assert real.status_code == 200 and real.json["written"] is True
    assert client.get("/api/v1/cases", headers=headers).json["items"][0]["case_number"] == "R-1"
    again = client.post("/api/v1/cases/import", headers=headers, data=_upload("cases.csv", CASE_HEADERS + good))
    assert again.json["unchanged"] == ["R-1"] and again.json["written"] is False

    for name, data in (("cases.pdf", "x"), ("cases.xlsx", b"not a workbook"), ("cases.csv", b"a,b\x00,c\n")):
        broken = client.post("/api/v1/cases/import", headers=headers, data=_upload(name, data))
        assert broken.status_code == 422 and broken.json["error"]["rows"], name


def test_violation_types(client, world):
    types = client.get("/api/v1/violation-types?active=true", headers=bearer(world["officer"]))
    assert types.status_code == 200
    air = next(t for t in types.json if t["code"] == "AIR-99-2")
    assert (air["article"], air["fine_min"], air["fine_max"]) == ("第九十九条", 10_000_000, 100_000_000)


# --- rule sets and offset applications ---------------------------------------------------------------


RULE = {"name": "学法积分抵扣罚款规则", "doc_number": "示环规〔2026〕3号", "authority": "示范市生态环境局",
        "effective_from": "2026-01-01", "status": "active", "legal_basis": ["《中华人民共和国行政处罚法》第六条"],
        "eligible_codes": ["AIR-99-2"], "conditions": {"key_roles": [], "max_harm": "minor"},
        "maths": {"cap_percent": 20}, "procedure": {"officer": 5, "reviewer": 5, "approver": 3}}


def test_rule_sets_create_read_and_a_new_version_on_edit(client, world):
    headers = bearer(world["reviewer"])
    created = client.post("/api/v1/rule-sets", headers=headers, json=RULE)
    assert created.status_code == 201, created.json
    rule = created.json
    assert (rule["version"], rule["status"], rule["conditions"]["lookback_months"]) == (1, "active", 24)
    assert rule["maths"]["cap_percent"] == 20 and rule["conditions"]["key_roles"] == []
    assert client.get(f"/api/v1/rule-sets/{rule['id']}", headers=headers).json["code"] == rule["code"]

    edited = client.put(f"/api/v1/rule-sets/{rule['id']}", headers=bearer(world["approver"]),
                        json={**RULE, "effective_from": "2026-07-01", "maths": {"cap_percent": 30}})
    assert edited.status_code == 200, edited.json
    assert edited.json["id"] != rule["id"] and edited.json["version"] == 2 and edited.json["code"] == rule["code"]
    listed = client.get("/api/v1/rule-sets", headers=headers).json
    assert [(r["version"], r["status"]) for r in listed["items"]] == [(2, "active"), (1, "retired")]
    assert client.get("/api/v1/rule-sets?status=active", headers=headers).json["total"] == 1

    bad = client.post("/api/v1/rule-sets", headers=headers,
                      json={**RULE, "eligible_codes": [], "conditions": {"max_harm": "catastrophic"}})
    assert bad.status_code == 422 and {"eligible_codes", "conditions"} <= set(bad.json["error"]["fields"])
    not_bool = client.post("/api/v1/rule-sets", headers=headers, json={**RULE, "maths": {"round_down_to_yuan": 0}})
    assert not_bool.status_code == 422 and "maths" in not_bool.json["error"]["fields"]
    backwards = client.post("/api/v1/rule-sets", headers=headers, json={**RULE, "effective_to": "2025-01-01"})
    assert backwards.status_code == 422 and "effective_to" in backwards.json["error"]["fields"]
    assert db.session.execute(select(func.count()).select_from(RuleSet)).scalar_one() == 2
    assert client.put("/api/v1/rule-sets/999999", headers=headers, json=RULE).status_code == 404


def test_offset_applications_for_reviewers(client, world):
    from eduapp.domain import offsets as offset_rules
    from eduapp.services import rule_sets

    rule = rule_sets.save(None, None, {
        "name": "规则", "doc_number": "文号", "authority": "局", "effective_from": date(2026, 1, 1),
        "effective_to": None, "status": "active", "legal_basis": [], "eligible_codes": ["AIR-99-2"],
        "excluded_codes": [], "conditions": offset_rules.Conditions(), "maths": offset_rules.Maths(), "procedure": {}})
    for n, status in ((1, "pending_officer"), (2, "pending_reviewer"), (3, "approved")):
        case = _case(world["org"], f"C-{n}")
        db.session.add(OffsetApplication(
            case_id=case.id, enterprise_id=world["org"].id, rule_set_id=rule.id, applicant_id=world["contact"].id,
            status=status, evaluation={}, points=10, offset_fen=1000, fine_before=15_000_000, fine_after=14_999_000))
    db.session.commit()

    officer = bearer(world["officer"])
    queue = client.get("/api/v1/offset-applications?queue=true", headers=officer).json
    assert [(a["case_number"], a["step"], a["may_decide"]) for a in queue["items"]] == [("C-1", "officer", True)]
    everything = client.get("/api/v1/offset-applications", headers=officer).json
    assert everything["total"] == 3 and everything["items"][0]["enterprise_name"] == "甲企业"
    reviewer = client.get("/api/v1/offset-applications?queue=true", headers=bearer(world["reviewer"])).json
    assert [a["case_number"] for a in reviewer["items"]] == ["C-2"]
    approved = client.get(f"/api/v1/offset-applications?status=approved&enterprise_id={world['org'].id}",
                          headers=officer).json
    assert [a["case_number"] for a in approved["items"]] == ["C-3"]
    bad = client.get("/api/v1/offset-applications?status=maybe&queue=1", headers=officer)
    assert bad.status_code == 422 and {"status", "queue"} <= set(bad.json["error"]["fields"])


# --- the reminder delivery log -----------------------------------------------------------------------


def _deliveries(world) -> dict[str, Delivery]:
    reminder = Reminder(kind="exam_closing", object_type="exam", object_id=1, recipient_id=world["contact"].id,
                        occasion="7d", link="/exams/", params={"title": "年度学法考试", "close": "2026-03-09 18:00"})
    db.session.add(reminder)
    db.session.flush()
    found = {}
    for channel, status in (("inbox", "sent"), ("email", "failed"), ("sms", "sent")):
        found[channel] = Delivery(reminder_id=reminder.id, channel=channel, status=status, attempts=1,
                                  last_error="550 mailbox unavailable" if status == "failed" else None)
        db.session.add(found[channel])
    db.session.commit()
    return found


def test_reminder_log_counts_deliveries_and_resend(client, world):
    found = _deliveries(world)
    headers = bearer(world["admin"])
    log = client.get("/api/v1/reminders/log", headers=headers)
    assert log.status_code == 200, log.json
    assert log.json["total"] == 3 and log.json["by_status"] == {"sent": 2, "failed": 1}
    assert log.json["by_channel"] == {"inbox": 1, "email": 1, "sms": 1} and log.json["by_kind"] == {"exam_closing": 3}
    assert client.get("/api/v1/reminders/log?from=2001-01-01&to=2001-12-31", headers=headers).json["total"] == 0
    bad = client.get("/api/v1/reminders/log?from=2026-05-01&to=2026-04-01", headers=headers)
    assert bad.status_code == 422 and "to" in bad.json["error"]["fields"]
    assert client.get("/api/v1/reminders/log?from=yesterday", headers=headers).json["error"]["fields"].keys() == {"from"}

    failed = client.get("/api/v1/reminders/deliveries?status=failed", headers=headers).json
    assert failed["total"] == 1
    [item] = failed["items"]
    assert (item["channel"], item["last_error"], item["recipient"]["username"]) == ("email", "550 mailbox unavailable",
                                                                                   "contact")
    resent = client.post(f"/api/v1/reminders/deliveries/{found['email'].id}/resend", headers=headers)
    assert resent.status_code == 200, resent.json
    # In-process tasks (the embedded default) send it at once through the console backend; with a
    # broker (the PostgreSQL + Redis pass) it waits queued for a worker.
    eager = client.application.extensions["celery"].conf.task_always_eager
    assert resent.json["status"] == ("sent" if eager else "queued")
    again = client.post(f"/api/v1/reminders/deliveries/{found['email'].id}/resend", headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "not_resendable"
    assert client.post(f"/api/v1/reminders/deliveries/{found['inbox'].id}/resend", headers=headers).status_code == 404
    assert client.post("/api/v1/reminders/deliveries/999999/resend", headers=headers).status_code == 404


def test_question_exports_hold_formula_like_text_as_text(client, world):
    """Issue 15 item 10: a stem or option starting with =, +, -, @ reads back as text, never a formula."""
    from eduapp.services.question_import import import_files
    from tests.domain.test_safe_cells import assert_xlsx_holds_as_text

    text = """law: 中华人民共和国行政处罚法
questions:
  - id: hostile-1
    type: single
    stem: '=HYPERLINK("http://x","y")'
    options: ['+1+1', '-2', '@SUM(A1)']
    answer: A
"""
    assert import_files([("hostile.yaml", text.encode())]).written
    headers = bearer(world["editor"])
    xlsx = client.get("/api/v1/questions/export?format=xlsx", headers=headers)
    assert_xlsx_holds_as_text(xlsx.data, '=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)")
    exported = client.get("/api/v1/questions/export?format=csv", headers=headers).get_data(as_text=True)
    [row] = [r for r in csv.reader(io.StringIO(exported.lstrip("\ufeff"))) if r[0] == "hostile-1"]
    assert {"'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "-2", "'@SUM(A1)"} <= set(row)  # the apostrophe: OWASP


# --- forgiving input (issue 16, item 4) ------------------------------------------------------------------


def test_questions_are_found_by_part_of_their_id_typed_any_width(client, world):
    factories.bank(per_type=2)  # s-000, s-001, m-000, …
    headers = bearer(world["editor"])
    found = client.get("/api/v1/questions", query_string={"q": "001"}, headers=headers).json
    assert {q["uid"] for q in found["items"]} == {"s-001", "m-001", "t-001", "f-001"}
    wide = client.get("/api/v1/questions", query_string={"q": "Ｍ－００１"}, headers=headers).json
    assert [q["uid"] for q in wide["items"]] == ["m-001"]
    assert client.get("/api/v1/questions", query_string={"q": "9999"}, headers=headers).json["items"] == []


def test_a_question_file_of_another_type_is_refused_with_the_accepted_types(client, world):
    headers = bearer(world["editor"])
    response = client.post("/api/v1/questions/import", headers=headers, data=_upload("题库.pdf", b"%PDF-1.4"))
    assert response.status_code == 422
    text = str(response.json)
    assert "不支持的文件类型 .pdf" in text and ".xlsx、.docx、.csv、.xml、.gift、.txt、.yaml" in text
