"""The mobile app's whole journey through the API: an account with a first password signs in, is told
to change it and can do nothing else until it has (then a normal token works); the law library (browse,
search, an article with the published questions citing it); a competition's leaderboard."""

import pytest
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Question
from eduapp.services import laws
from eduapp.services.question_import import import_files
from tests import factories
from tests.conftest import PASSWORD, AuthActions, csrf_token
from tests.test_exam_stats import competition as exam_stats_competition
from tests.test_laws import AIR, NOISE

NEW = "a-brand-new-passphrase"
AIR_LAW = "中华人民共和国大气污染防治法"


def _sign_in(client, username, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password, **extra})


def _bearer(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _error(response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()["error"]["code"]


# --- a first password ---------------------------------------------------------------------------------


@pytest.fixture
def newcomer(ctx):
    return factories.user("newcomer", factories.enterprise("甲企业", 1), must_change_password=True)


def test_a_first_password_signs_in_for_the_password_change_only(client, newcomer):
    answer = _sign_in(client, "newcomer")
    assert answer.get_json()["password_change_required"] is True
    bearer = _bearer(answer)
    for path in ("/api/v1/me", "/api/v1/me/exams", "/api/v1/laws", "/api/v1/me/inbox"):
        refused = client.get(path, headers=bearer)
        assert _error(refused, 403) == "password_change_required", path
        assert "/api/v1/me/password" in refused.get_json()["error"]["message"]
    assert _error(client.put("/api/v1/me/reminder-preferences", json={"email": True, "sms": False}, headers=bearer),
                  403) == "password_change_required"


def test_the_password_is_changed_through_the_api_then_a_normal_token_works(client, newcomer):
    bearer = _bearer(_sign_in(client, "newcomer"))
    response = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW},
                           headers=bearer)
    assert response.status_code == 204
    # every token of the account ended, this one too; the first password no longer signs in
    assert _error(client.post("/api/v1/me/password", json={"current_password": NEW, "new_password": NEW + "x"},
                              headers=bearer), 401) == "unauthorized"
    assert _error(_sign_in(client, "newcomer"), 401) == "unauthorized"
    answer = _sign_in(client, "newcomer", NEW)
    assert answer.get_json()["password_change_required"] is False
    me = client.get("/api/v1/me", headers=_bearer(answer))
    assert me.status_code == 200 and me.get_json()["username"] == "newcomer"


def test_the_password_rules_are_the_web_forms_and_errors_name_the_field(client, newcomer):
    bearer = _bearer(_sign_in(client, "newcomer"))

    def change(current, new):
        response = client.post("/api/v1/me/password", json={"current_password": current, "new_password": new},
                               headers=bearer)
        assert _error(response, 422) == "invalid"
        return response.get_json()["error"]["fields"]

    fields = change("not-my-password", "short")
    assert set(fields) == {"current_password", "new_password"}
    assert "当前密码不正确" in fields["current_password"] and "10" in fields["new_password"]
    assert "常用" in change(PASSWORD, "password123")["new_password"] or "容易" in change(PASSWORD,
                                                                                      "password123")["new_password"]
    assert set(change(PASSWORD, "newcomer-passphrase")) == {"new_password"}  # holds the username
    assert set(change(PASSWORD, PASSWORD)) == {"new_password"}  # unchanged
    assert set(_error_fields(client.post("/api/v1/me/password", json={"new_password": NEW}, headers=bearer))) == {
        "current_password"}
    # nothing changed: the first password still signs in, still for the change only
    assert _sign_in(client, "newcomer").get_json()["password_change_required"] is True


def _error_fields(response) -> dict:
    assert _error(response, 422) == "invalid"
    return response.get_json()["error"]["fields"]


def test_an_ordinary_account_changes_its_password_too(client, ctx):
    factories.user("alice", factories.enterprise("甲企业", 1))
    answer = _sign_in(client, "alice")
    assert answer.get_json()["password_change_required"] is False
    bearer = _bearer(answer)
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW},
                       headers=bearer).status_code == 204
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW}).status_code \
        == 401


def test_the_browser_session_of_a_first_password_gets_the_same_answer(app, client, newcomer):
    AuthActions(client).login("newcomer")
    assert _error(client.get("/api/v1/me"), 403) == "password_change_required"
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert client.post("/api/v1/me/password", json=body).status_code == 400  # a cookie write needs the CSRF header
    token = csrf_token(client, "/account/password")
    assert client.post("/api/v1/me/password", json=body, headers={"X-CSRFToken": token}).status_code == 204
    assert client.get("/api/v1/me").status_code == 200  # this session goes on, now with the API open


def test_a_role_with_two_factor_changes_the_first_password_before_enrolling(app, client, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_ROLES", frozenset({"case_officer"}))
    factories.user("officer", factories.unit("执法支队"), Role.CASE_OFFICER, must_change_password=True)
    bearer = _bearer(_sign_in(client, "officer"))
    assert _error(client.get("/api/v1/me", headers=bearer), 403) == "password_change_required"
    assert client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW},
                       headers=bearer).status_code == 204
    # then, as in the browser, enrolment comes first
    assert _error(_sign_in(client, "officer", NEW), 403) == "two_factor_enrolment_required"


# --- the law library ----------------------------------------------------------------------------------

CITING = f"""law: {AIR_LAW}
questions:
  - id: air-1
    type: single
    stem: 未依法取得排污许可证排放大气污染物的，罚款幅度是多少？
    options: [十万元以上一百万元以下, 一万元以下]
    answer: A
    article: 第九十九条
  - id: air-2
    type: true_false
    stem: 超标排放大气污染物应当受到处罚。
    answer: true
    article: 第九十九条
  - id: air-3
    type: true_false
    stem: 本法自2016年1月1日起施行。
    answer: true
    article: 第一百条
"""


@pytest.fixture
def library(ctx, tmp_path):
    for name, text in (("air-pollution-law.md", AIR), ("noise-pollution-law.md", NOISE)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    laws.import_dir(tmp_path)
    report = import_files([("air.yaml", CITING.encode())])
    assert report.written and not report.rejected, report.rejected
    retired = db.session.execute(select(Question).where(Question.uid == "air-2")).scalar_one()
    retired.status = "retired"  # no longer published: not listed under its article
    db.session.commit()
    factories.user("reader", factories.enterprise("甲企业", 1))
    return {law.title: law.id for law in (laws.law_by_slug("air-pollution-law"), laws.law_by_slug("noise-pollution-law"))}


def test_browsing_the_statutes(client, library):
    bearer = _bearer(_sign_in(client, "reader"))
    listing = client.get("/api/v1/laws", headers=bearer).get_json()
    assert [(s["title"], s["level"], s["level_label"], s["articles"]) for s in listing] == [
        ("中华人民共和国噪声污染防治法", "law", "法律", 2), (AIR_LAW, "law", "法律", 4)]  # by title, as the page
    assert listing[1]["version"] == "2018-10-26 修正"
    statute = client.get(f"/api/v1/laws/{library[AIR_LAW]}", headers=bearer).get_json()
    assert [(a["key"], a["label"], a["chapter"]) for a in statute["article_list"]] == [
        ("1", "第一条", "第一章 总则"), ("2", "第二条", "第一章 总则"), ("99", "第九十九条", "第七章 法律责任"),
        ("100", "第一百条", "第七章 法律责任")]
    assert statute["article_list"][2]["section"] == "第一节 一般规定"
    assert "1987年9月5日" in statute["history"] and statute["articles"] == 4
    assert _error(client.get("/api/v1/laws/999999", headers=bearer), 404) == "not_found"
    assert _error(client.get("/api/v1/laws"), 401) == "unauthorized"


def test_searching_the_library_as_the_page_does(client, library):
    bearer = _bearer(_sign_in(client, "reader"))
    found = client.get("/api/v1/laws/search", query_string={"q": "排污许可证  大气"}, headers=bearer).get_json()
    assert found["terms"] == ["排污许可证", "大气"] and found["total"] == 1
    hit = found["items"][0]
    assert (hit["law"]["title"], hit["key"], hit["label"]) == (AIR_LAW, "99", "第九十九条")
    assert hit["snippet"]["match"] == "排污许可证" and "未依法取得" in hit["snippet"]["before"]
    assert found["laws"] == []
    by_title = client.get("/api/v1/laws/search", query_string={"q": "噪声污染防治法"}, headers=bearer).get_json()
    assert [law["title"] for law in by_title["laws"]] == ["中华人民共和国噪声污染防治法"]
    pages = [client.get("/api/v1/laws/search", query_string={"q": "公众健康", "per_page": 1, "page": n},
                        headers=bearer).get_json() for n in (1, 2)]
    assert [(p["total"], len(p["items"])) for p in pages] == [(2, 1), (2, 1)]
    assert {p["items"][0]["law"]["title"] for p in pages} == {AIR_LAW, "中华人民共和国噪声污染防治法"}
    empty = client.get("/api/v1/laws/search", headers=bearer).get_json()
    assert (empty["total"], empty["items"], empty["terms"]) == (0, [], [])
    assert "q" in _error_fields(client.get("/api/v1/laws/search", query_string={"q": "a\x00b"}, headers=bearer))


def test_an_article_with_the_published_questions_citing_it(client, library):
    bearer = _bearer(_sign_in(client, "reader"))
    law_id = library[AIR_LAW]
    article = client.get(f"/api/v1/laws/{law_id}/articles/99", headers=bearer).get_json()
    assert (article["label"], article["number"], article["previous"], article["next"]) == ("第九十九条", 99, "2", "100")
    assert article["text"].startswith("违反本法规定") and "（二）超过大气污染物排放标准" in article["text"]
    assert article["law"] == {"id": law_id, "title": AIR_LAW}
    # the retired air-2 is left out; as on the article page, the stem without options or key
    assert [(q["qtype"], q["stem"]) for q in article["questions"]] == [
        ("single", "未依法取得排污许可证排放大气污染物的，罚款幅度是多少？")]
    assert set(article["questions"][0]) == {"id", "qtype", "stem"}
    by_label = client.get(f"/api/v1/laws/{law_id}/articles/第一条", headers=bearer).get_json()
    assert (by_label["key"], by_label["previous"], by_label["questions"]) == ("1", None, [])
    for missing in ("98", "99-1", "099", "第九十八条", "abc"):
        assert _error(client.get(f"/api/v1/laws/{law_id}/articles/{missing}", headers=bearer), 404) == "not_found"
    assert client.get(f"/api/v1/laws/{library['中华人民共和国噪声污染防治法']}/articles/99", headers=bearer).status_code \
        == 404


# --- a competition's leaderboard ----------------------------------------------------------------------


@pytest.fixture
def competition(ctx):
    """tests/test_exam_stats.py's: 三号 and 二号 score 3 (三号 faster), 四号 and 一号 score 2 (四号 faster)."""
    return exam_stats_competition()


def test_the_leaderboard_of_a_competition(client, competition):
    exam = competition["exam"]
    bearer = _bearer(_sign_in(client, "cand-p1"))
    board = client.get(f"/api/v1/exams/{exam.id}/leaderboard", headers=bearer).get_json()
    assert [(e["rank"], e["name"], e["score"], e["seconds"], e["me"]) for e in board["entries"]] == [
        (1, "三号", 3.0, 900, False), (2, "二号", 3.0, 1200, False), (3, "四号", 2.0, 300, False),
        (4, "一号", 2.0, 600, True)]
    assert board["total"] == 4 and board["mine"]["rank"] == 4 and board["mine"]["organisation"] == "甲企业"
    assert board["organisation"] is None and board["exam_title"] == exam.title
    local = client.get(f"/api/v1/exams/{exam.id}/leaderboard", query_string={"org": competition["bureau"].id},
                       headers=bearer).get_json()
    assert [(e["rank"], e["name"]) for e in local["entries"]] == [(1, "三号"), (2, "四号")]
    assert local["organisation"] == "执法局" and local["mine"] is None
    orgs = client.get(f"/api/v1/exams/{exam.id}/leaderboard/organisations", headers=bearer).get_json()
    assert [(o["rank"], o["name"], o["participants"], o["average"], o["mine"]) for o in orgs] == [
        (1, "一科", 1, 3.0, False), (2, "甲企业", 2, 2.5, True), (3, "执法局", 1, 2.0, False)]
    assert _error(client.get(f"/api/v1/exams/{exam.id}/leaderboard", query_string={"org": 999999},
                             headers=bearer), 404) == "not_found"
    assert "org" in _error_fields(client.get(f"/api/v1/exams/{exam.id}/leaderboard", query_string={"org": "x"},
                                             headers=bearer))


def test_the_leaderboard_is_for_competitions_and_their_candidates(client, competition):
    exam = competition["exam"]
    factories.user("outsider", factories.unit("其他单位"), Role.CIVIL_SERVANT)
    factories.user("manager", factories.unit("管理处"), Role.EXAM_MANAGER)
    outsider = _bearer(_sign_in(client, "outsider"))
    for path in (f"/api/v1/exams/{exam.id}/leaderboard", f"/api/v1/exams/{exam.id}/leaderboard/organisations"):
        assert _error(client.get(path, headers=outsider), 404) == "not_found"
    manager = client.get(f"/api/v1/exams/{exam.id}/leaderboard", headers=_bearer(_sign_in(client, "manager")))
    assert manager.status_code == 200 and manager.get_json()["total"] == 4 and manager.get_json()["mine"] is None
    exam.is_competition = False
    db.session.commit()
    candidate = _bearer(_sign_in(client, "cand-p1"))
    assert _error(client.get(f"/api/v1/exams/{exam.id}/leaderboard", headers=candidate), 404) == "not_found"


def test_the_journey_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/me/password", "/api/v1/laws", "/api/v1/laws/search", "/api/v1/laws/{law_id}",
            "/api/v1/laws/{law_id}/articles/{key}", "/api/v1/exams/{exam_id}/leaderboard",
            "/api/v1/exams/{exam_id}/leaderboard/organisations"} <= set(doc["paths"])
    token = doc["paths"]["/api/v1/auth/token"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert "password_change_required" in doc["components"]["schemas"][token["$ref"].rsplit("/", 1)[1]]["properties"]
    assert "422" in doc["paths"]["/api/v1/me/password"]["post"]["responses"]
