from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.domain.uscc import make_code
from eduapp.extensions import db
from eduapp.models import Organisation
from tests import factories


def _admin():
    bureau = factories.unit("生态环境局")
    factories.user("root", bureau, Role.SYSADMIN)
    return bureau


def _enterprise_form(**overrides):
    data = {
        "name": "新企业",
        "uscc": make_code("91", "320100", "MA1NEW01"),
        "legal_representative": "王五",
        "env_manager": "",
        "industry": "",
        "district": "",
        "permit_number": "",
        "permit_expires_on": "2027-01-31",
    }
    data.update(overrides)
    return data


def test_admin_registers_an_enterprise(client, auth, ctx):
    _admin()
    auth.login("root")
    response = auth.post("/orgs/enterprises/new", _enterprise_form(), form_page="/orgs/enterprises/new")
    assert response.status_code == 302
    org = db.session.execute(select(Organisation).where(Organisation.name == "新企业")).scalar_one()
    assert org.kind == "enterprise" and org.permit_expires_on.isoformat() == "2027-01-31"


def test_bad_credit_code_is_named_and_nothing_saved(client, auth, ctx):
    _admin()
    auth.login("root")
    response = auth.post(
        "/orgs/enterprises/new", _enterprise_form(uscc="914403001922038217"), form_page="/orgs/enterprises/new"
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "校验位" in text and 'id="uscc"' in text and "is-invalid" in text
    assert db.session.execute(select(Organisation).where(Organisation.name == "新企业")).scalar_one_or_none() is None


def test_duplicate_credit_code_is_refused(client, auth, ctx):
    _admin()
    existing = factories.enterprise("老企业", 5)
    auth.login("root")
    response = auth.post(
        "/orgs/enterprises/new", _enterprise_form(uscc=existing.uscc), form_page="/orgs/enterprises/new"
    )
    assert response.status_code == 400
    assert "老企业" in response.get_data(as_text=True)


def test_bad_date_is_a_field_error_not_a_crash(client, auth, ctx):
    _admin()
    auth.login("root")
    response = auth.post(
        "/orgs/enterprises/new", _enterprise_form(permit_expires_on="明年"), form_page="/orgs/enterprises/new"
    )
    assert response.status_code == 400


def test_unit_tree_refuses_a_cycle(client, auth, ctx):
    bureau = _admin()
    child = factories.unit("执法支队", bureau)
    grandchild = factories.unit("一大队", child)
    auth.login("root")
    response = auth.post(
        f"/orgs/{bureau.id}/edit",
        {"name": "生态环境局", "parent_id": str(grandchild.id)},
        form_page=f"/orgs/{bureau.id}/edit",
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Organisation, bureau.id).parent_id is None


def test_units_page_shows_the_tree(client, auth, ctx):
    bureau = _admin()
    child = factories.unit("执法支队", bureau)
    factories.unit("一大队", child)
    auth.login("root")
    text = client.get("/orgs/units").get_data(as_text=True)
    assert text.index("生态环境局") < text.index("执法支队") < text.index("一大队")


def test_enterprise_search(client, auth, ctx):
    _admin()
    factories.enterprise("甲化工", 1, district="东区")
    factories.enterprise("乙印染", 2, district="西区")
    auth.login("root")
    text = client.get("/orgs/?q=西区").get_data(as_text=True)
    assert "乙印染" in text and "甲化工" not in text


def test_user_roles_must_fit_the_organisation(client, auth, ctx):
    _admin()
    org = factories.enterprise("甲企业", 1)
    auth.login("root")
    response = auth.post(
        "/admin/users/new",
        {
            "username": "mixed",
            "full_name": "混合",
            "organisation_id": str(org.id),
            "roles": ["sysadmin"],
            "email": "",
            "phone": "",
            "password": "",
        },
        form_page="/admin/users/new",
    )
    assert response.status_code == 400
    response = auth.post(
        "/admin/users/new",
        {
            "username": "fine",
            "full_name": "正常",
            "organisation_id": str(org.id),
            "roles": ["enterprise_contact"],
            "email": "",
            "phone": "",
            "password": "",
        },
        form_page="/admin/users/new",
    )
    assert response.status_code == 302
