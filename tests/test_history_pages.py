"""Readable history on the pages: the case page and the audit log show sentences (yuan, translated
fields, full names), the raw record only behind “详情” for those who may read the audit trail, and a
command-line change names the operator it ran as (docs/cases.md “History”, docs/security.md §8)."""

import json
from datetime import date

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from eduapp.cli import cli
from eduapp.cli.cases import cases_group
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, PenaltyCase, User
from eduapp.services import cases
from tests import factories

HEADER = "案件编号,企业名称或统一社会信用代码,违法类型编码,立案日期,状态,危害程度,是否已改正,拟罚款金额（元）,案情简述"
ROW = "示环罚〔2026〕9号,甲企业,AIR-99-2,2026-03-02,调查,轻微,是,50000,锅炉颗粒物超标排放"


@pytest.fixture
def world(ctx):
    ids = factories.two_enterprises()
    cases.load_catalogue()
    bureau = factories.unit("生态环境局")
    ids["officer"] = factories.user("zhangcb", bureau, Role.CASE_OFFICER, full_name="张承办").id
    ids["admin"] = factories.user("root", bureau, Role.SYSADMIN, full_name="赵管理").id
    ids["both"] = factories.user("boss", bureau, Role.CASE_OFFICER, Role.SYSADMIN, full_name="刘局长").id
    gone = factories.user("gone", bureau, Role.CASE_OFFICER, full_name="钱离职")
    gone.active = False
    db.session.commit()
    ids["gone"] = gone.id
    return ids


def _edited_case(ids) -> PenaltyCase:
    officer = db.session.get(User, ids["officer"])
    values = {"case_number": "示环罚〔2026〕1号", "enterprise_id": ids["org_a"],
              "violation_type_id": cases.violation_by_code("AIR-99-2").id, "opened_on": date(2026, 3, 2),
              "proposed_fine": 5_000_000}
    case = cases.save_case(officer, values).case
    cases.save_case(officer, {"proposed_fine": 4_000_000, "harm_level": "general"}, case)
    return case


def _history(client, case_id: int) -> str:
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    return page[page.index("审计日志") if "审计日志" in page else page.index("Audit trail"):]


def test_the_case_officer_reads_sentences_with_yuan_not_fen_or_json(client, auth, world):
    case = _edited_case(world)
    auth.login("zhangcb")
    history = _history(client, case.id)
    assert "张承办 登记立案" in history
    assert "张承办 将危害程度由 危害后果轻微 改为 危害后果一般；拟罚款由 ¥50,000.00 改为 ¥40,000.00" in history
    assert "5000000" not in history and "4000000" not in history
    assert "penalty_case.update" not in history and "&#34;changes&#34;" not in history and '"changes"' not in history
    assert "<details" not in history  # no raw record for a case officer


def test_the_history_reads_in_english_when_chosen(client, auth, world):
    case = _edited_case(world)
    auth.login("zhangcb")
    client.get("/lang/en")
    history = _history(client, case.id)
    assert "张承办 changed harm from Minor harm to General harm; proposed fine from ¥50,000.00 to ¥40,000.00" in history


def test_an_administrator_opens_the_raw_record_behind_details(client, auth, world):
    case = _edited_case(world)
    auth.login("boss")  # a case officer who is also the system administrator
    history = _history(client, case.id)
    assert "张承办（zhangcb） 将危害程度由 危害后果轻微 改为 危害后果一般；拟罚款由 ¥50,000.00 改为 ¥40,000.00" in history
    assert "<details" in history and "详情" in history and "penalty_case.update" in history
    assert "5000000" in history  # the raw summary, inside the toggle


def test_the_audit_log_shows_sentences_and_details_to_the_administrator_only(client, auth, world):
    _edited_case(world)
    auth.login("root")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "张承办（zhangcb） 将危害程度由 危害后果轻微 改为 危害后果一般；拟罚款由 ¥50,000.00 改为 ¥40,000.00" in page
    assert "赵管理（root） 登录了系统" in page
    assert page.count("<details") >= 3 and "penalty_case.update" in page
    auth.logout()
    auth.login("zhangcb")
    assert client.get("/admin/audit").status_code == 403


def _register(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8")
    return str(path)


def _records(action: str) -> list[AuditRecord]:
    return list(db.session.execute(select(AuditRecord).where(AuditRecord.action == action)
                                   .order_by(AuditRecord.id)).scalars())


def test_a_cli_import_with_the_operator_names_that_account(runner, client, auth, world, tmp_path, monkeypatch):
    monkeypatch.setenv("EDUAPP_OPERATOR", "zhangcb")
    result = runner.invoke(cases_group, ["import", _register(tmp_path)])
    assert result.exit_code == 0, result.output
    (created,) = _records("penalty_case.create")
    (batch,) = _records("penalty_cases.import")
    for record in (created, batch):
        assert (record.actor_id, record.actor) == (world["officer"], "zhangcb")
        assert json.loads(record.summary)["via"] == "cli"
    auth.login("zhangcb")
    assert "张承办（命令行） 通过案件台账导入登记立案" in _history(client, int(created.object_id))


def test_the_as_option_of_the_eduapp_command_names_the_operator(app, ctx, world, tmp_path, monkeypatch):
    monkeypatch.delenv("EDUAPP_OPERATOR", raising=False)
    result = CliRunner().invoke(cli, ["--as", "boss", "cases", "import", _register(tmp_path)],
                                obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert [(r.actor_id, r.actor) for r in _records("penalty_cases.import")] == [(world["both"], "boss")]


def test_without_an_operator_the_record_says_command_line_not_system(runner, client, auth, world, tmp_path,
                                                                       monkeypatch):
    monkeypatch.delenv("EDUAPP_OPERATOR", raising=False)
    result = runner.invoke(cases_group, ["import", _register(tmp_path)])
    assert result.exit_code == 0, result.output
    (created,) = _records("penalty_case.create")
    assert (created.actor_id, created.actor) == (None, "cli") and json.loads(created.summary)["via"] == "cli"
    auth.login("zhangcb")
    history = _history(client, int(created.object_id))
    assert "命令行（未指明操作员） 通过案件台账导入登记立案" in history and "system" not in history


@pytest.mark.parametrize("name", ["nobody", "gone"])  # unknown; deactivated
def test_an_operator_who_is_no_active_account_stops_the_command(runner, world, tmp_path, monkeypatch, name):
    monkeypatch.setenv("EDUAPP_OPERATOR", name)
    result = runner.invoke(cases_group, ["import", _register(tmp_path)])
    assert result.exit_code == 2 and name in result.output and "EDUAPP_OPERATOR" in result.output
    db.session.rollback()
    assert _records("penalty_case.create") == []  # nothing imported
    assert db.session.execute(select(PenaltyCase)).first() is None
