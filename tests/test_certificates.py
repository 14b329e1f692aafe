"""My results and certificates (issue 16, item 2): a certificate is issued once when a passing attempt
of an exam that gives one finishes, with a unique number and a QR code of the public check; the public
check shows the holder's name masked and nothing else personal; an exam manager annuls (audited)."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import delete, func, select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt, AuditRecord, Certificate
from eduapp.services import attempts, certificates, misconduct
from tests import factories
from tests.conftest import PASSWORD

NUMBER = re.compile(r"^ZS-\d{4}-\d{6,}$")

# The rate limits count in windows of a minute: their tests run frozen in the middle of one.
MID_MINUTE = datetime(2026, 3, 16, 2, 0, 30, tzinfo=UTC)


def _right(item):
    return {"single": 1, "multiple": [0, 2, 3], "true_false": True, "fill_blank": ["15"]}[item.version.qtype]


def _take(user, exam, right=True):
    attempt = attempts.start(user, exam)
    if right:
        for item in attempt.items:
            attempts.save_answer(attempt, item.id, _right(item), seq=1)
    attempts.submit(attempt)
    return attempt


@pytest.fixture
def world(ctx):
    factories.bank()
    firm = factories.enterprise("甲企业", 1)
    staff = factories.user("staff-a", firm, Role.ENTERPRISE_STAFF, full_name="张三丰", email="zsf@example.com",
                           phone="13812341234")
    other = factories.user("staff-b", firm, Role.ENTERPRISE_STAFF, full_name="李四")
    manager = factories.user("manager", factories.unit("考试中心"), Role.EXAM_MANAGER)
    return {"staff": staff, "other": other, "manager": manager, "exam": factories.exam()}


def _certs():
    return db.session.execute(select(Certificate).order_by(Certificate.id)).scalars().all()


def test_a_pass_issues_one_certificate_with_a_number_and_a_code(world):
    attempt = _take(world["staff"], world["exam"])
    [cert] = _certs()
    assert cert.attempt_id == attempt.id and cert.user_id == world["staff"].id
    assert NUMBER.match(cert.number) and cert.number.endswith(f"-{cert.id:06d}")
    assert len(cert.code) == 16
    attempts.submit(attempt)  # a second submit issues nothing more
    assert len(_certs()) == 1
    submit = db.session.execute(select(AuditRecord).where(AuditRecord.action == "attempt.submit")).scalar_one()
    assert json.loads(submit.summary)["certificate"] == cert.number


def test_no_certificate_on_a_fail_or_from_an_exam_without_certificates(world):
    _take(world["staff"], world["exam"], right=False)
    plain = factories.exam(title="无证书考试", certificate=False)
    _take(world["other"], plain)
    assert _certs() == []


def test_numbers_and_codes_are_unique(world):
    _take(world["staff"], world["exam"])
    _take(world["other"], world["exam"])
    _take(world["staff"], world["exam"])  # a second passing attempt has its own certificate
    found = _certs()
    assert len(found) == 3
    assert len({c.number for c in found}) == 3 and len({c.code for c in found}) == 3


def test_my_results_list_every_attempt_newest_first_with_links(client, auth, world):
    first = _take(world["staff"], world["exam"], right=False)
    second = _take(world["staff"], world["exam"])
    cert = certificates.for_attempt(second.id)
    auth.login("staff-a")
    assert "我的成绩与证书" in client.get("/exams/").get_data(as_text=True)
    page = client.get("/exams/results").get_data(as_text=True)
    assert page.index(f'data-attempt="{second.id}"') < page.index(f'data-attempt="{first.id}"')
    assert f"/exams/attempts/{first.id}/result" in page and f"/exams/attempts/{second.id}/result" in page
    assert f"/exams/attempts/{second.id}/certificate" in page and f"/exams/attempts/{first.id}/certificate" not in page
    assert cert.number in page and "不合格" in page and "合格" in page
    printable = client.get(f"/exams/attempts/{second.id}/certificate").get_data(as_text=True)
    assert cert.number in printable and "<svg" in printable and f"/certificates/verify/{cert.code}" in printable
    assert client.get(f"/exams/attempts/{first.id}/certificate").status_code == 404
    # another learner reaches neither
    auth.logout()
    auth.login("staff-b")
    assert client.get(f"/exams/attempts/{second.id}/certificate").status_code == 404
    assert cert.number not in client.get("/exams/results").get_data(as_text=True)


def test_my_results_are_paginated(client, auth, world):
    exam = factories.exam(title="多次考试", attempts_allowed=20)
    for _ in range(20):
        _take(world["staff"], exam, right=False)
    _take(world["staff"], world["exam"], right=False)
    auth.login("staff-a")
    first = client.get("/exams/results").get_data(as_text=True)
    second = client.get("/exams/results?page=2").get_data(as_text=True)
    assert first.count("data-attempt=") == 20 and second.count("data-attempt=") == 1
    assert "1 / 2" in first
    assert client.get("/exams/results?page=abc").status_code == 200


def test_the_public_check_shows_the_masked_name_and_no_other_personal_data(client, world):
    attempt = _take(world["staff"], world["exam"])
    cert = certificates.for_attempt(attempt.id)
    response = client.get(f"/certificates/verify/{cert.code}")  # not signed in
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "张*丰" in page and cert.number in page and "年度学法考试" in page and "有效" in page
    for private in ("张三丰", "staff-a", "甲企业", "zsf@example.com", "13812341234", "20.0"):
        assert private not in page
    unknown = client.get("/certificates/verify/23456789abcdefgh")
    assert unknown.status_code == 404 and "没有与此验证码对应的证书" in unknown.get_data(as_text=True)
    assert client.get("/certificates/verify/<script>").status_code == 404
    assert client.get(f"/certificates/verify/{cert.number}").status_code == 404  # the guessable number is no key


def test_the_public_check_is_rate_limited_per_address(own_app, world):
    # a sliding window of a minute: the fourth try at hh:mm:59.9 would fall in the next window
    with time_machine.travel(MID_MINUTE, tick=False):
        app = own_app(EDUAPP_CERTIFICATE_RATE_LIMIT="3 per minute")
        client = app.test_client()
        statuses = [client.get("/certificates/verify/23456789abcdefgh").status_code for _ in range(4)]
        assert statuses == [404, 404, 404, 429]
        assert client.get("/api/v1/certificates/23456789abcdefgh").status_code == 429  # one budget for both


def test_an_exam_manager_annuls_a_certificate_with_a_reason(client, auth, world):
    attempt = _take(world["staff"], world["exam"])
    cert = certificates.for_attempt(attempt.id)
    exam_id = world["exam"].id
    path = f"/manage/exams/{exam_id}/certificates/{cert.id}/annul"
    form_page = f"/manage/exams/{exam_id}/attempts"
    auth.login("staff-a")
    assert client.get(form_page).status_code == 403
    auth.logout()
    auth.login("manager")
    assert cert.number in client.get(form_page).get_data(as_text=True)
    refused = auth.post(path, {"reason": "  "}, form_page=form_page, follow_redirects=True)
    assert "请填写作废证书的原因" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).annulled_at is None
    done = auth.post(path, {"reason": "证书信息有误"}, form_page=form_page, follow_redirects=True)
    assert f"证书 {cert.number} 已作废" in done.get_data(as_text=True)
    db.session.expire_all()
    annulled = db.session.get(Certificate, cert.id)
    assert annulled.annulled_at is not None and annulled.annul_reason == "证书信息有误"
    record = db.session.execute(select(AuditRecord).where(AuditRecord.action == "certificate.annul")).scalar_one()
    assert record.object_id == str(cert.id) and json.loads(record.summary)["reason"] == "证书信息有误"
    again = auth.post(path, {"reason": "再次"}, form_page=form_page, follow_redirects=True)
    assert "此证书已作废" in again.get_data(as_text=True)
    assert auth.post(f"/manage/exams/{exam_id}/certificates/999999/annul", {"reason": "x"},
                     form_page=form_page).status_code == 404
    # the holder's page and the public check say so
    public = client.get(f"/certificates/verify/{cert.code}").get_data(as_text=True)
    assert "已作废" in public and "证书信息有误" not in public
    auth.logout()
    auth.login("staff-a")
    own = client.get(f"/exams/attempts/{attempt.id}/certificate").get_data(as_text=True)
    assert "已作废" in own and "证书信息有误" in own


def test_annulling_the_attempt_for_misconduct_annuls_its_certificate(world):
    attempt = _take(world["staff"], world["exam"])
    misconduct.annul(world["exam"].id, attempt.id, world["manager"], "代考")
    cert = certificates.for_attempt(attempt.id)
    assert cert.annulled_at is not None and cert.annul_reason == "代考"
    assert certificates.public_view(cert.code).status == "annulled"


def test_a_certificate_is_issued_lazily_when_the_exam_got_certificates_later(client, auth, world):
    plain = factories.exam(title="后设证书", certificate=False)
    attempt = _take(world["staff"], plain)
    assert _certs() == []
    plain.certificate = True
    db.session.commit()
    auth.login("staff-a")
    page = client.get(f"/exams/attempts/{attempt.id}/certificate")
    assert page.status_code == 200
    [cert] = _certs()
    assert cert.issued_at == attempt.submitted_at and cert.number in page.get_data(as_text=True)


def test_the_migration_numbers_earlier_passes_in_submission_order(world):
    from importlib import import_module

    issue_existing = import_module("migrations.versions.0016_certificates").issue_existing
    late = _take(world["staff"], world["exam"])
    early = _take(world["other"], world["exam"])
    _take(world["staff"], world["exam"], right=False)
    db.session.execute(Attempt.__table__.update().where(Attempt.id == early.id)
                       .values(submitted_at=datetime(2025, 12, 31, 20, 0, tzinfo=UTC)))
    db.session.execute(Attempt.__table__.update().where(Attempt.id == late.id)
                       .values(submitted_at=datetime(2026, 1, 5, tzinfo=UTC)))
    db.session.execute(delete(Certificate))
    issue_existing(db.session.connection())
    db.session.commit()
    first, second = _certs()
    assert (first.attempt_id, second.attempt_id) == (early.id, late.id)
    assert first.number == f"ZS-2026-{first.id:06d}"  # 20:00 UTC on 31 December is 2026 in China
    assert second.number == f"ZS-2026-{second.id:06d}" and second.id > first.id


def _token(client, username="staff-a"):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_api_my_attempts_and_certificates_and_the_public_check(client, world):
    failed = _take(world["staff"], world["exam"], right=False)
    passed = _take(world["staff"], world["exam"])
    cert = certificates.for_attempt(passed.id)
    headers = _token(client)
    mine = client.get("/api/v1/me/attempts", headers=headers).json
    by_id = {a["id"]: a for a in mine["items"]}
    assert by_id[failed.id]["certificate"] is None and by_id[failed.id]["passed"] is False
    assert {"score", "passed", "annulled", "review", "exam_title"} <= set(by_id[passed.id])  # kept
    shown = by_id[passed.id]["certificate"]
    assert shown["number"] == cert.number and shown["status"] == "valid"
    assert shown["verify_url"].endswith(f"/certificates/verify/{cert.code}")
    listed = client.get("/api/v1/me/certificates", headers=headers).json
    assert listed["total"] == 1 and listed["items"][0]["number"] == cert.number
    assert set(listed["items"][0]) == {"id", "number", "attempt_id", "exam_id", "exam_title", "issued_at", "status",
                                       "annulled_at", "verify_url"}
    other = _token(client, "staff-b")
    assert client.get("/api/v1/me/certificates", headers=other).json["total"] == 0
    public = client.get(f"/api/v1/certificates/{cert.code}")  # no token
    assert public.status_code == 200
    assert public.json == {"number": cert.number, "holder": "张*丰", "exam": "年度学法考试",
                           "issued_on": public.json["issued_on"], "status": "valid", "annulled_on": None}
    missing = client.get("/api/v1/certificates/23456789abcdefgh")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    certificates.annul(world["exam"].id, cert.id, world["manager"], "错发",
                       now=cert.issued_at + timedelta(days=3))
    assert client.get(f"/api/v1/certificates/{cert.code}").json["status"] == "annulled"
    assert client.get("/api/v1/me/certificates", headers=headers).json["items"][0]["status"] == "annulled"
    count = db.session.execute(select(func.count()).select_from(Certificate)).scalar_one()
    assert count == 1
