"""The enterprise contact's API: the staff roster (list, filter, add, edit, deactivate) with the roster
page's checks, and who passed which exam; another enterprise's people are not found."""

import pytest
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, User
from tests import factories
from tests.conftest import PASSWORD

NEW_PATHS = {"/api/v1/enterprise/staff", "/api/v1/enterprise/staff/{user_id}", "/api/v1/enterprise/progress"}


@pytest.fixture
def ids(ctx):
    ids = factories.two_enterprises()
    a = db.session.get(User, ids["staff_a"]).organisation
    ids["staff_a2"] = factories.user("lisi", a, Role.ENTERPRISE_STAFF, full_name="李四", phone="13800000001").id
    return ids


def _token(client, username="contact-a"):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _fields(response):
    assert response.status_code == 422, (response.status_code, response.json)
    assert response.json["error"]["code"] == "invalid"
    return response.json["error"]["fields"]


def test_every_new_path_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths) >= NEW_PATHS
    assert {"get", "patch"} <= set(paths["/api/v1/enterprise/staff/{user_id}"])


def test_the_roster_lists_my_enterprise_only(client, ids):
    headers = _token(client)
    roster = client.get("/api/v1/enterprise/staff", headers=headers).json
    assert roster["total"] == 3 and roster["page"] == 1 and roster["per_page"] == 20
    assert {p["username"] for p in roster["items"]} == {"contact-a", "staff-a", "lisi"}
    lisi = next(p for p in roster["items"] if p["username"] == "lisi")
    # 个人信息保护法 §6: the list masks the phone; the person's own record (their edit) has it in full
    assert (lisi["full_name"], lisi["phone"], lisi["role"], lisi["active"]) == ("李四", "138****0001",
                                                                                "enterprise_staff", True)
    one = client.get(f"/api/v1/enterprise/staff/{lisi['id']}", headers=headers).json
    assert one["phone"] == "13800000001"

    find = lambda **q: client.get("/api/v1/enterprise/staff", query_string=q, headers=headers).json  # noqa: E731
    assert [p["username"] for p in find(q="李")["items"]] == ["lisi"]
    assert [p["username"] for p in find(q="0000001")["items"]] == ["lisi"]
    assert find(q="%")["total"] == 0  # a wildcard is a plain character
    assert find(q="staff-b")["total"] == 0  # another enterprise's
    page = find(per_page=2, page=2)
    assert (page["total"], len(page["items"]), page["page"]) == (3, 1, 2)

    assert "per_page" in _fields(client.get("/api/v1/enterprise/staff", query_string={"per_page": 500},
                                            headers=headers))
    assert "page" in _fields(client.get("/api/v1/enterprise/staff", query_string={"page": -1}, headers=headers))
    assert "q" in _fields(client.get("/api/v1/enterprise/staff", query_string={"q": "x\x00"}, headers=headers))


def test_add_a_staff_member(client, ids):
    headers = _token(client)
    created = client.post("/api/v1/enterprise/staff", headers=headers,
                          json={"username": "wangwu", "full_name": "王五", "phone": "138-0000-0002"})
    assert created.status_code == 201, created.json
    person = created.json
    assert (person["username"], person["role"], person["phone"], person["must_change_password"]) == (
        "wangwu", "enterprise_staff", "13800000002", True)
    assert len(person["initial_password"]) >= 10  # generated, shown once
    user = db.session.get(User, person["id"])
    assert user.organisation_id == ids["org_a"]
    assert db.session.execute(select(AuditRecord).where(AuditRecord.action == "user.create",
                                                        AuditRecord.object_id == str(user.id))).first()

    chosen = client.post("/api/v1/enterprise/staff", headers=headers,
                         json={"username": "zhaoliu", "full_name": "赵六", "role": "enterprise_contact",
                               "password": "a-long-enough-password", "email": "z@example.com"}).json
    assert chosen["initial_password"] is None and chosen["role"] == "enterprise_contact"
    # the initial password must be changed before the account's token serves anything else
    first = client.post("/api/v1/auth/token", json={"username": "zhaoliu", "password": "a-long-enough-password"})
    assert first.status_code == 201 and first.json["password_change_required"] is True
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {first.json['token']}"}).json["error"][
        "code"] == "password_change_required"


def test_adding_names_every_bad_field_and_changes_nothing(client, ids):
    headers = _token(client)
    before = db.session.execute(select(User.id)).all()
    post = lambda body: client.post("/api/v1/enterprise/staff", json=body, headers=headers)  # noqa: E731
    assert set(_fields(post({}))) == {"username", "full_name"}
    bad = _fields(post({"username": "staff-a", "full_name": "x", "phone": "123", "email": "nope", "password": "short"}))
    assert set(bad) == {"username", "phone", "email", "password"}
    assert set(_fields(post({"username": "ok-name", "full_name": "x", "role": "sysadmin"}))) == {"role"}
    assert set(_fields(post({"username": "a b", "full_name": "   "}))) == {"username", "full_name"}
    assert set(_fields(post({"username": "ok-name", "full_name": "x", "admin": True}))) == {"admin"}
    assert set(_fields(post({"username": "ok-name", "full_name": "x\x00"}))) == {"full_name"}
    assert db.session.execute(select(User.id)).all() == before


def test_edit_and_deactivate_a_staff_member(client, ids):
    headers = _token(client)
    url = f"/api/v1/enterprise/staff/{ids['staff_a2']}"
    assert client.get(url, headers=headers).json["full_name"] == "李四"

    edited = client.patch(url, json={"full_name": "李四四", "email": "li@example.com", "role": "enterprise_contact"},
                          headers=headers)
    assert edited.status_code == 200, edited.json
    assert (edited.json["full_name"], edited.json["email"], edited.json["phone"], edited.json["role"]) == (
        "李四四", "li@example.com", "13800000001", "enterprise_contact")  # the phone was not sent: kept
    assert client.patch(url, json={"phone": None}, headers=headers).json["phone"] is None

    staff_token = _token(client, "lisi")
    assert client.get("/api/v1/me", headers=staff_token).status_code == 200
    off = client.patch(url, json={"active": False}, headers=headers)
    assert off.status_code == 200 and off.json["active"] is False
    assert client.get("/api/v1/me", headers=staff_token).status_code == 401  # their token no longer works
    listed = client.get("/api/v1/enterprise/staff", query_string={"active": "false"}, headers=headers).json
    assert [p["username"] for p in listed["items"]] == ["lisi"]
    assert client.patch(url, json={"active": True}, headers=headers).json["active"] is True


def test_editing_names_the_bad_field_and_changes_nothing(client, ids):
    headers = _token(client)
    url = f"/api/v1/enterprise/staff/{ids['staff_a2']}"
    assert set(_fields(client.patch(url, json={"full_name": "新名字", "phone": "12345"}, headers=headers))) == {"phone"}
    assert set(_fields(client.patch(url, json={"active": "no"}, headers=headers))) == {"active"}
    assert set(_fields(client.patch(url, json={"username": "renamed"}, headers=headers))) == {"username"}
    assert client.get(url, headers=headers).json["full_name"] == "李四"
    own = _fields(client.patch(f"/api/v1/enterprise/staff/{ids['contact_a']}", json={"active": False,
                                                                                     "full_name": "改名"},
                               headers=headers))
    assert set(own) == {"active"}
    me = client.get(f"/api/v1/enterprise/staff/{ids['contact_a']}", headers=headers).json
    assert me["active"] is True and me["full_name"] == "contact-a"


def test_another_enterprise_s_people_are_not_found(client, ids):
    headers = _token(client)
    for person in ("staff_b", "contact_b"):
        url = f"/api/v1/enterprise/staff/{ids[person]}"
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
        assert client.patch(url, json={"active": False}, headers=headers).status_code == 404
    assert db.session.get(User, ids["staff_b"]).active is True
    assert client.get("/api/v1/enterprise/staff/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/enterprise/staff/99999999999", headers=headers).status_code == 404


def test_the_roster_is_for_enterprise_contacts(client, ids):
    staff = _token(client, "staff-a")
    for path in ("/api/v1/enterprise/staff", "/api/v1/enterprise/progress", f"/api/v1/enterprise/staff/{ids['staff_a']}"):
        response = client.get(path, headers=staff)
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden", path
    assert client.post("/api/v1/enterprise/staff", json={"username": "x-y-z", "full_name": "x"},
                       headers=staff).status_code == 403
    assert client.get("/api/v1/enterprise/staff").status_code == 401


def test_who_passed_what(client, ids):
    from eduapp.domain.exam_rules import AudienceEntry
    from eduapp.services import attempts

    factories.bank()
    exam = factories.exam(audience=[AudienceEntry("role", "enterprise_staff")])
    for username, passes in (("staff-a", True), ("lisi", False), ("staff-b", True)):
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        attempt = attempts.start(user, exam)
        if passes:
            right = {"single": 1, "multiple": [0, 2, 3], "true_false": True, "fill_blank": ["十五"]}
            for item in attempt.items:
                attempts.save_answer(attempt, item.id, right[item.version.qtype], 1)
        attempts.submit(attempt)

    progress = client.get("/api/v1/enterprise/progress", headers=_token(client)).json
    by_name = {p["username"]: p["passed"] for p in progress["items"]}
    assert set(by_name) == {"contact-a", "staff-a", "lisi"} and progress["total"] == 3
    [passed] = by_name["staff-a"]
    assert (passed["exam_id"], passed["exam_title"], passed["best_score"]) == (exam.id, "年度学法考试", 20.0)
    assert passed["first_passed_at"] and by_name["lisi"] == [] and by_name["contact-a"] == []
    only = client.get("/api/v1/enterprise/progress", query_string={"q": "staff-a"}, headers=_token(client)).json
    assert [p["username"] for p in only["items"]] == ["staff-a"]
