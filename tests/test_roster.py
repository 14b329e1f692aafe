import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import User
from tests import factories
from tests.conftest import csrf_token

HEADER = "用户名,姓名,手机号,邮箱,角色,初始密码\n"


def _contact():
    org = factories.enterprise("甲企业", 1)
    factories.user("contact-a", org, Role.ENTERPRISE_CONTACT)
    return org


def _upload(client, filename: str, data: bytes):
    token = csrf_token(client, "/roster/import")
    return client.post(
        "/roster/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _count_users() -> int:
    return db.session.execute(select(func.count(User.id))).scalar_one()


def test_import_csv_creates_accounts_with_generated_passwords(client, auth, ctx):
    org = _contact()
    auth.login("contact-a")
    csv = HEADER + "wang01,王一,13800000001,wang@example.com,员工,\nli02,李二,,,企业管理员,a-long-passphrase\n"
    response = _upload(client, "staff.csv", csv.encode("utf-8"))
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text
    assert "已创建 2 个账号" in text
    wang = db.session.execute(select(User).where(User.username == "wang01")).scalar_one()
    assert wang.organisation_id == org.id and wang.roles == {Role.ENTERPRISE_STAFF}
    assert wang.must_change_password
    li = db.session.execute(select(User).where(User.username == "li02")).scalar_one()
    assert li.roles == {Role.ENTERPRISE_CONTACT}


def test_import_errors_name_row_and_field_and_write_nothing(client, auth, ctx):
    _contact()
    auth.login("contact-a")
    before = _count_users()
    csv = HEADER + (
        "ok01,好人,13800000001,,,\nbad02,坏号码,12345,,,\n,没账号,,,,\nok01,重复,,,,\nrole05,角色错,,,经理,\n"
    )
    response = _upload(client, "staff.csv", csv.encode("utf-8"))
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "没有导入任何数据" in text
    assert "第 3 行，“手机号”" in text
    assert "第 4 行，“用户名”" in text
    assert "第 5 行，“用户名”" in text and "第 2 行" in text
    assert "第 6 行，“角色”" in text
    assert _count_users() == before


def test_import_clash_with_existing_account_names_the_row(client, auth, ctx):
    org = _contact()
    factories.user("taken", org)
    auth.login("contact-a")
    before = _count_users()
    response = _upload(client, "staff.csv", (HEADER + "fresh,新人,,,,\ntaken,重名,,,,\n").encode("utf-8"))
    assert response.status_code == 400
    assert "第 3 行，“用户名”" in response.get_data(as_text=True)
    assert _count_users() == before  # "fresh" was not created either


def test_import_xlsx_and_gbk_csv(client, auth, ctx):
    _contact()
    auth.login("contact-a")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "用户名", "手机号"])  # columns in any order
    sheet.append(["赵三", "zhao03", 13900000003])  # a phone number typed as a number
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _upload(client, "staff.xlsx", buffer.getvalue()).status_code == 200
    assert _upload(client, "gbk.csv", (HEADER + "qian04,钱四,,,,\n").encode("gb18030")).status_code == 200
    names = set(db.session.execute(select(User.full_name)).scalars())
    assert {"赵三", "钱四"} <= names


def test_import_rejects_bad_files_clearly(client, auth, ctx):
    _contact()
    auth.login("contact-a")
    response = _upload(client, "staff.xlsx", b"this is not a workbook")
    assert response.status_code == 400 and "Excel" in response.get_data(as_text=True)
    response = _upload(client, "staff.csv", "姓名,手机号\n张三,13800000000\n".encode())
    assert response.status_code == 400 and "缺少“用户名”列" in response.get_data(as_text=True)
    response = _upload(client, "staff.pdf", b"%PDF")
    assert response.status_code == 400
    response = _upload(client, "staff.csv", HEADER.encode())
    assert response.status_code == 400 and "没有数据行" in response.get_data(as_text=True)


def test_template_downloads_read_back(client, auth, ctx):
    _contact()
    auth.login("contact-a")
    xlsx = client.get("/roster/template.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]] == ["用户名", "姓名", "手机号", "邮箱", "角色", "初始密码"]
    csv = client.get("/roster/template.csv")
    assert csv.data.decode("utf-8-sig").startswith("用户名,姓名,手机号")


def test_contact_adds_edits_and_deactivates_staff(client, auth, ctx):
    org = _contact()
    auth.login("contact-a")
    response = auth.post(
        "/roster/new",
        {
            "username": "new01",
            "full_name": "新员工",
            "phone": "138 0000 0009",
            "email": "",
            "role": "enterprise_staff",
            "password": "",
        },
        form_page="/roster/new",
    )
    assert response.status_code == 302
    member = db.session.execute(select(User).where(User.username == "new01")).scalar_one()
    assert member.organisation_id == org.id and member.phone == "13800000009"
    response = auth.post(
        f"/roster/{member.id}/edit",
        {"full_name": "新员工改", "phone": "", "email": "", "role": "enterprise_staff"},
        form_page=f"/roster/{member.id}/edit",
    )
    assert response.status_code == 302
    response = auth.post(f"/roster/{member.id}/active", {"active": "0"}, form_page="/roster/")
    assert response.status_code == 302
    db.session.expire_all()
    member = db.session.get(User, member.id)
    assert member.full_name == "新员工改" and not member.active


def test_contact_cannot_give_bureau_roles(client, auth, ctx):
    _contact()
    auth.login("contact-a")
    response = auth.post(
        "/roster/new", {"username": "sneaky", "full_name": "越权", "role": "sysadmin"}, form_page="/roster/new"
    )
    assert response.status_code == 400
    assert db.session.execute(select(User).where(User.username == "sneaky")).scalar_one_or_none() is None


def test_staff_cannot_manage_the_roster(client, auth, ctx):
    org = _contact()
    factories.user("plain", org)
    auth.login("plain")
    assert client.get("/roster/").status_code == 403


def test_pipl_art6_the_roster_list_masks_phones_and_the_edit_form_shows_them_in_full(client, auth, ctx):
    """个人信息保护法 §6 (minimum necessary): the list shows 138****0009; the contact editing that person
    sees the full number."""
    org = factories.enterprise("甲企业", 1)
    factories.user("contact-a", org, Role.ENTERPRISE_CONTACT)
    member = factories.user("zhao09", org, Role.ENTERPRISE_STAFF, phone="13800000009")
    auth.login("contact-a")
    listed = client.get("/roster/").get_data(as_text=True)
    assert "138****0009" in listed and "13800000009" not in listed
    assert "13800000009" in client.get(f"/roster/{member.id}/edit").get_data(as_text=True)
    assert "138****0009" in client.get("/roster/?q=13800000009").get_data(as_text=True)  # still found by number
