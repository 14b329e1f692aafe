from sqlalchemy import func, select

from eduapp import demo as demo_service
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, Organisation, User
from tests import factories


def _counts():
    return {
        model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Organisation, User, AuditRecord)
    }


def test_users_create(runner, ctx):
    factories.unit("生态环境局")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "admin1",
            "--role",
            "sysadmin",
            "--password",
            "a-long-passphrase",
            "--org",
            "生态环境局",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.username == "admin1")).scalar_one()
    assert user.roles == {Role.SYSADMIN}


def test_users_create_on_an_empty_database_makes_the_bureau(runner, ctx):
    result = runner.invoke(args=["users", "create", "first", "--role", "sysadmin", "--password", "a-long-passphrase"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.username == "first")).scalar_one()
    assert user.organisation.name == "生态环境局"


def test_users_create_refuses_bad_input(runner, ctx):
    org = factories.enterprise("甲企业", 1)
    bad_role = runner.invoke(args=["users", "create", "x1", "--role", "king", "--password", "a-long-passphrase"])
    assert bad_role.exit_code != 0 and "king" in bad_role.output
    weak = runner.invoke(args=["users", "create", "x2", "--role", "sysadmin", "--password", "short"])
    assert weak.exit_code == 1 and "password" in weak.output
    wrong_kind = runner.invoke(
        args=["users", "create", "x3", "--role", "sysadmin", "--password", "a-long-passphrase", "--org", org.uscc]
    )
    assert wrong_kind.exit_code == 1 and "roles" in wrong_kind.output
    no_org = runner.invoke(
        args=["users", "create", "x4", "--role", "sysadmin", "--password", "a-long-passphrase", "--org", "不存在"]
    )
    assert no_org.exit_code != 0
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_orgs_import_adds_then_changes_nothing(runner, ctx, tmp_path):
    from eduapp.domain.uscc import make_code

    path = tmp_path / "enterprises.csv"
    path.write_text(
        "企业名称,统一社会信用代码,法定代表人,排污许可证有效期至\n"
        f"一号公司,{make_code('91', '320100', 'MA1AAA01')},张三,2027/6/30\n"
        f"二号公司,{make_code('91', '320100', 'MA1AAA02')},李四,\n",
        encoding="utf-8",
    )
    first = runner.invoke(args=["orgs", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "added 2" in first.output
    before = _counts()
    second = runner.invoke(args=["orgs", "import", str(path)])
    assert "added 0, updated 0, unchanged 2" in second.output
    assert _counts() == before
    org = db.session.execute(select(Organisation).where(Organisation.name == "一号公司")).scalar_one()
    assert org.permit_expires_on.isoformat() == "2027-06-30"


def test_orgs_import_errors_name_row_and_column(runner, ctx, tmp_path):
    from eduapp.domain.uscc import make_code

    path = tmp_path / "enterprises.csv"
    path.write_text(
        "企业名称,统一社会信用代码,排污许可证有效期至\n"
        f"一号公司,{make_code('91', '320100', 'MA1AAA01')},\n"
        "二号公司,914403001922038217,\n"
        f"三号公司,{make_code('91', '320100', 'MA1AAA03')},明年\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["orgs", "import", str(path)])
    assert result.exit_code == 1
    assert "row 3 [统一社会信用代码]" in result.output
    assert "row 4 [排污许可证有效期至]" in result.output
    assert db.session.execute(select(func.count(Organisation.id))).scalar_one() == 0


def test_demo_is_idempotent_and_lists_accounts(runner, ctx):
    first = runner.invoke(args=["demo", "--password", "demo-password-1"])
    assert first.exit_code == 0, first.output
    for username in ("demo-contact", "demo-officer", "demo-reviewer", "demo-approver", "demo-admin"):
        assert username in first.output
    before = _counts()
    hashes = dict(db.session.execute(select(User.username, User.password_hash)).all())
    second = runner.invoke(args=["demo", "--password", "demo-password-1"])
    assert "0 created, 0 updated" in second.output
    assert _counts() == before
    assert dict(db.session.execute(select(User.username, User.password_hash)).all()) == hashes


def test_demo_has_every_role_three_enterprises_and_a_unit_tree(runner, ctx):
    runner.invoke(args=["demo"])
    users = db.session.execute(select(User)).scalars().all()
    held = {role for u in users for role in u.roles}
    assert held == set(Role)
    enterprises = db.session.execute(select(Organisation).where(Organisation.kind == "enterprise")).scalars().all()
    assert len(enterprises) == 3
    for org in enterprises:
        staff = [u for u in users if u.organisation_id == org.id]
        assert any(Role.ENTERPRISE_CONTACT in u.roles for u in staff)
        assert any(Role.ENTERPRISE_STAFF in u.roles for u in staff)
    bureau = db.session.execute(select(Organisation).where(Organisation.name == demo_service.BUREAU)).scalar_one()
    assert any(child.children for child in bureau.children)  # at least two levels below the bureau


def test_demo_exams_need_the_bank_and_open_for_every_learner(client, runner, auth, ctx):
    from eduapp.models import Exam

    first = runner.invoke(args=["demo"])
    assert "note:" in first.output and "question_bank" in first.output  # said, not silently skipped
    assert db.session.execute(select(func.count(Exam.id))).scalar_one() == 0
    from tests.test_question_import import BANK

    assert runner.invoke(args=["questions", "import", str(BANK)]).exit_code == 0
    runner.invoke(args=["demo"])
    exams = db.session.execute(select(Exam).order_by(Exam.id)).scalars().all()
    assert [(e.is_competition, sum(s["count"] for s in e.sections), e.pass_score) for e in exams] == [
        (False, 20, 60), (True, 20, 60), (False, 10, 60),  # the third: the weekly quiz closing in two days
        (False, 20, 60), (False, 20, 60)]  # two closed exams of the dashboard's history (eduapp/demo/history.py)
    again = runner.invoke(args=["demo"])
    assert "0 created, 0 updated" in again.output
    auth.login("demo-staff", demo_service.DEFAULT_PASSWORD)
    page = client.get("/exams/").get_data(as_text=True)
    assert exams[0].title in page and exams[1].title in page


def test_demo_offsets_one_eligible_at_a_time(runner, ctx):
    """The demo enterprise has two eligible cases and one that is not, and points for one offset only."""
    from eduapp.models import PenaltyCase
    from eduapp.services import accounts, offsets
    from tests.test_question_import import BANK

    assert runner.invoke(args=["questions", "import", str(BANK)]).exit_code == 0
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    cases = db.session.execute(select(PenaltyCase).where(PenaltyCase.case_number.in_(
        [number for number, *_ in demo_service.DEMO_CASES])).order_by(PenaltyCase.case_number)).unique().scalars().all()
    previews = [offsets.preview(c).evaluation for c in cases]
    assert [p.eligible for p in previews] == [True, True, False]
    assert {c.key for c in previews[2].failed()} == {"harm_level", "corrected"}
    contact = accounts.find_by_username("demo-contact")
    offsets.apply(contact, cases[0])
    after = offsets.preview(cases[1]).evaluation
    assert not after.eligible and "points_minimum" in {c.key for c in after.failed()}
    again = runner.invoke(args=["demo"])
    assert "0 created, 0 updated" in again.output


def test_demo_accounts_sign_in(client, runner, auth, ctx):
    runner.invoke(args=["demo"])
    response = auth.login("demo-contact", demo_service.DEFAULT_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/roster/").status_code == 200


def test_db_upgrade_command_is_there(runner):
    result = runner.invoke(args=["db", "--help"])
    assert result.exit_code == 0 and "upgrade" in result.output


def test_demo_shows_every_path_of_a_case(runner, ctx):
    """Issue 14's demo: a case that qualifies for 从轻, one §33 covers (不予处罚: no offset), one that is
    not eligible, and one near its 90-day decision deadline (§60), on the day the demo is loaded."""
    from datetime import UTC, date, datetime

    import time_machine

    from eduapp.demo.non_penalty import DEMO_CASE
    from eduapp.demo.reminders import DEADLINE_CASE
    from eduapp.models import PenaltyCase
    from eduapp.services import case_deadlines, non_penalty, offsets
    from tests.test_question_import import BANK

    assert runner.invoke(args=["questions", "import", str(BANK)]).exit_code == 0
    today, now = date(2026, 6, 15), datetime(2026, 6, 15, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
    with time_machine.travel(now, tick=False):  # the demo writes "now" in many places: all on that day
        demo_service.load(demo_service.DEFAULT_PASSWORD, today=today)
    by_number = {c.case_number: c for c in db.session.execute(select(PenaltyCase)).unique().scalars()}
    qualifying = offsets.preview(by_number["示环罚〔2026〕101号"], now).evaluation
    assert qualifying.eligible and qualifying.fine_after < qualifying.fine_before
    assert not offsets.preview(by_number["示环罚〔2026〕103号"], now).evaluation.eligible
    covered = non_penalty.assess(by_number[DEMO_CASE], today).answer
    assert covered.applies and covered.mandatory and non_penalty.refusal(by_number[DEMO_CASE], now) is not None
    near = case_deadlines.deadline_on(by_number[DEADLINE_CASE[0]], today)
    assert near.running and 0 < near.days_left <= 15
