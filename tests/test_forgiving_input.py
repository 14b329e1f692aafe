"""Forgiving input and output Chinese users expect (issue 16, item 4), through the pages: lists and
codes typed full-width or separated by 、/，, phones with +86, search by part of a question id, scores
without ".0", 部分正确, the pool's reservation as one line, "N 分", days in Asia/Shanghai, refused
uploads naming the accepted types."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt, AttemptItem, User
from eduapp.services import awards, offset_common, points, reservations, trainings
from tests import factories
from tests.conftest import csrf_token

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


def _post_file(client, page: str, filename: str, data: bytes, **fields):
    token = csrf_token(client, page)
    return client.post(page, data={"csrf_token": token, "file": (io.BytesIO(data), filename), **fields},
                       content_type="multipart/form-data")


# --- typed lists, codes and phone numbers ----------------------------------------------------------------


def test_a_phone_typed_with_0086_and_full_width_digits_is_stored_as_11_digits(client, auth, ctx):
    firm = factories.enterprise("甲企业", 1)
    factories.user("contact-a", firm, Role.ENTERPRISE_CONTACT)
    auth.login("contact-a")
    form = {"username": "ｗａｎｇ５", "full_name": "王五", "phone": "0086 １３８-0000-0009", "email": "",
            "role": "enterprise_staff", "password": ""}
    response = auth.post("/roster/new", form, form_page="/roster/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    member = db.session.execute(select(User).where(User.full_name == "王五")).scalar_one()
    assert member.phone == "13800000009"
    bad = auth.post("/roster/new", {**form, "username": "zhao6", "phone": "+852 9123 4567"}, form_page="/roster/new")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "请填写 11 位中国大陆手机号码" in text
    assert db.session.execute(select(User).where(User.username == "zhao6")).scalar_one_or_none() is None


def test_the_roster_search_finds_a_phone_typed_with_spaces_and_plus_86(client, auth, ctx):
    firm = factories.enterprise("甲企业", 1)
    factories.user("contact-a", firm, Role.ENTERPRISE_CONTACT)
    factories.user("li4", firm, Role.ENTERPRISE_STAFF, full_name="李四", phone="13900001111")
    factories.user("zhang3", firm, Role.ENTERPRISE_STAFF, full_name="张三", phone="13700002222")
    auth.login("contact-a")
    for typed in ("+86 139 0000", "139-0000-1111", "ｌｉ４"):
        page = client.get("/roster/", query_string={"q": typed}).get_data(as_text=True)
        assert "李四" in page and "张三" not in page, typed


def test_an_enterprise_is_found_by_its_credit_code_typed_full_width(client, auth, ctx):
    factories.user("reviewer", factories.unit("生态环境局"), Role.LEGAL_REVIEWER)
    first, second = factories.enterprise("甲企业", 1), factories.enterprise("乙企业", 2)
    auth.login("reviewer")
    typed = first.uscc[-8:].translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})  # ＭＡ１Ｔ…
    page = client.get("/orgs/", query_string={"q": typed}).get_data(as_text=True)
    assert first.name in page and second.name not in page


def test_attendance_names_separated_by_dunhao_and_full_width_commas(client, auth, ctx):
    bureau = factories.unit("生态环境局")
    admin = factories.user("admin-a", bureau, Role.SYSADMIN)
    firm = factories.enterprise("甲企业", 1)
    names = ("staff-a", "staff-b", "staff-c")
    for name in names:
        factories.user(name, firm, Role.ENTERPRISE_STAFF)
    training = trainings.create_training(admin, "集中学法", date(2026, 3, 1), 3)
    auth.login("admin-a")
    page = f"/points/trainings/{training.id}"
    response = auth.post(page, {"usernames": "ｓｔａｆｆ－ａ、staff-b，staff-c"}, form_page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert [user.username for user, _ in trainings.attendees(training)] == list(names)


# --- question bank: search by part of the id, refused file types ----------------------------------------


def test_the_question_bank_finds_questions_by_part_of_their_id(client, auth, ctx):
    factories.user("editor1", factories.unit("生态环境局"), Role.QUESTION_EDITOR)
    factories.bank(per_type=2)
    auth.login("editor1")
    page = client.get("/questions/", query_string={"q": "Ｓ－００"}).get_data(as_text=True)
    assert ">s-000<" in page and ">s-001<" in page and ">m-000<" not in page
    assert ">m-001<" in client.get("/questions/", query_string={"q": "m-001"}).get_data(as_text=True)


def test_a_question_file_of_another_type_is_refused_naming_the_accepted_types(client, auth, ctx):
    factories.user("editor1", factories.unit("生态环境局"), Role.QUESTION_EDITOR)
    auth.login("editor1")
    response = _post_file(client, "/questions/import", "题库.pdf", b"%PDF-1.4", fmt="auto")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "不支持的文件类型 .pdf；可上传：.xlsx、.docx、.csv、.xml、.gift、.txt、.yaml、.yml。" in text


@pytest.mark.parametrize(("page", "role", "org"), [
    ("/roster/import", Role.ENTERPRISE_CONTACT, "enterprise"),
    ("/cases/import", Role.CASE_OFFICER, "unit"),
])
def test_a_sheet_of_another_type_is_refused_naming_xlsx_and_csv(client, auth, ctx, page, role, org):
    owner = factories.enterprise("甲企业", 1) if org == "enterprise" else factories.unit("生态环境局")
    factories.user("someone", owner, role)
    auth.login("someone")
    response = _post_file(client, page, "名单.docx", b"PK\x03\x04")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "不支持的文件类型 .docx；可上传：.xlsx、.csv。" in text


# --- scores, 部分正确 ------------------------------------------------------------------------------------


def test_a_result_shows_whole_scores_without_point_zero_and_a_half_mark_as_partly_right(client, auth, ctx):
    factories.bank()
    firm = factories.enterprise("甲企业", 1)
    factories.user("staff-a", firm, Role.ENTERPRISE_STAFF)
    exam = factories.exam()
    auth.login("staff-a")
    auth.post(f"/exams/{exam.id}/start", {}, form_page="/exams/")
    attempt = db.session.execute(select(Attempt)).scalar_one()
    items = db.session.execute(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
                               .order_by(AttemptItem.position)).scalars().all()
    multiple = next(i for i in items if i.version.qtype == "multiple")
    right_ids = [str(i) for i in multiple.version.answer]
    token = csrf_token(client, f"/exams/attempts/{attempt.id}?q={multiple.position}")
    client.post(f"/exams/attempts/{attempt.id}?q={multiple.position}",
                data={"csrf_token": token, f"q{multiple.id}": right_ids[:1], "go": str(multiple.position)})
    auth.post(f"/exams/attempts/{attempt.id}/submit", {}, form_page=f"/exams/attempts/{attempt.id}/submit")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.score == 150  # half of the 3 points of a multiple choice with one of its right options
    result = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    full = attempt.max_score // 100
    assert f'1.5 <span class="fs-5 text-muted">/ {full}</span>' in result and f"{full}.0" not in result
    assert result.count("部分正确") == 1 and "0.0" not in result


# --- points: the reservation in one line, "N 分" ---------------------------------------------------------


def test_the_pool_reservation_from_several_lots_shows_as_one_line(client, auth, ctx):
    firm = factories.enterprise("甲企业", 1)
    factories.user("contact-a", firm, Role.ENTERPRISE_CONTACT)
    pool = points.pool_account(firm)
    for n, amount in enumerate((5, 10, 20)):
        awards.award(pool, amount, f"seed:{n}", "seed", now=NOW)
    reservations.reserve(pool, 30, "offset_application:1", now=NOW)  # 5 + 10 + 15 of the three lots
    auth.login("contact-a")
    page = client.get("/points/").get_data(as_text=True)
    assert page.count('text-danger">-') == 1 and 'text-danger">-30<' in page  # not -5, -10 and -15


def test_a_reminder_about_3_points_says_3_fen(app):
    from flask_babel import force_locale, gettext

    from eduapp.domain import reminders

    template = reminders.TEMPLATES[reminders.POINTS_EXPIRING]
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        text = gettext(template.body, points=3, owner="甲企业", day="2026-03-31")
    assert "3 分学法积分" in text


# --- days in Asia/Shanghai ---------------------------------------------------------------------------------


def test_a_new_rule_set_starts_on_the_day_it_is_in_china(client, auth, ctx, monkeypatch):
    factories.user("reviewer", factories.unit("生态环境局"), Role.LEGAL_REVIEWER)
    auth.login("reviewer")
    late = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 1 March in London, 01:30 on 2 March in Beijing
    monkeypatch.setattr(offset_common, "utcnow", lambda: late)  # the offsets service's clock only: sessions keep theirs
    page = client.get("/offsets/rules/new").get_data(as_text=True)
    assert 'value="2026-03-02"' in page
