"""The bureau's report (eduapp/services/reports.py, /offsets/report): study points issued, spent and
expired by organisation in a period of Beijing days, the offsets granted in it, and its Excel file.
Every event here happens at a fixed moment, some of them either side of midnight in Beijing (16:00 UTC)
on the last day of June, which is where a report by UTC days would put them in the wrong month."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import PenaltyCase, ViolationType
from eduapp.services import awards, offsets, points, reports, rule_sets
from tests import factories
from tests.test_offsets import _rule

JUNE = (date(2026, 6, 1), date(2026, 6, 30))
JULY = (date(2026, 7, 1), date(2026, 7, 31))
SUMMER = (date(2026, 6, 1), date(2026, 7, 31))
BEIJING_MIDNIGHT = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)  # 2026-07-01 00:00 in Beijing
BEFORE = BEIJING_MIDNIGHT - timedelta(minutes=1)  # 23:59 on 30 June in Beijing (still June)
AFTER = BEIJING_MIDNIGHT + timedelta(minutes=30)  # 00:30 on 1 July in Beijing (already July)


def _case(enterprise, number: int, vt) -> PenaltyCase:
    case = PenaltyCase(case_number=f"示环罚〔2026〕{number}号", enterprise_id=enterprise.id, violation_type_id=vt.id,
                       status="notified", harm_level="minor", corrected=True, opened_on=date(2026, 6, 1),
                       proposed_fine=20_000_000)
    db.session.add(case)
    db.session.commit()
    return case


def _granted(world, case, approved_at: datetime):
    application = offsets.apply(world["contact_" + world["of"][case.id]], case, now=approved_at - timedelta(days=1))
    offsets.decide(world["officer"], application, "approve", "同意", now=approved_at - timedelta(hours=3))
    offsets.decide(world["reviewer"], application, "approve", "同意", now=approved_at - timedelta(hours=2))
    offsets.decide(world["approver"], application, "approve", "同意", now=approved_at)
    assert application.status == "approved"
    return application


@pytest.fixture
def world(ctx):
    a = factories.enterprise("甲企业", 1)
    b = factories.enterprise("乙企业", 2)
    bureau = factories.unit("示范市生态环境局")
    people = {
        "contact_a": factories.user("contact-a", a, Role.ENTERPRISE_CONTACT),
        "contact_b": factories.user("contact-b", b, Role.ENTERPRISE_CONTACT),
        "staff_a": factories.user("staff-a", a, Role.ENTERPRISE_STAFF),
        "staff_b": factories.user("staff-b", b, Role.ENTERPRISE_STAFF),
        "officer": factories.user("officer", bureau, Role.CASE_OFFICER),
        "reviewer": factories.user("reviewer", bureau, Role.LEGAL_REVIEWER),
        "approver": factories.user("approver", bureau, Role.APPROVER),
        "admin": factories.user("admin", bureau, Role.SYSADMIN),
    }
    vt = ViolationType(code="AIR-99-1", name="未依法取得排污许可证排放大气污染物", law="中华人民共和国大气污染防治法",
                       article="第九十九条", clause="第（一）项", fine_min=10_000_000, fine_max=100_000_000)
    db.session.add(vt)
    db.session.commit()
    rule_sets.save(None, None, _rule())
    june_first = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    # Issued in June: each pool's points, a person's points a minute before Beijing midnight, an
    # administrator's positive adjustment; in July (by Beijing time), a person's points at 00:30.
    awards.award(points.pool_account(a), 30_000, "test:pool-a", "测试积分", now=june_first)
    awards.award(points.pool_account(b), 20_000, "test:pool-b", "测试积分", now=june_first)
    awards.award(points.person_account(people["staff_a"]), 5, "test:june", "学法", now=BEFORE)
    awards.award(points.person_account(people["staff_a"]), 7, "test:july", "学法", now=AFTER)
    awards.adjust(points.person_account(people["staff_b"]), 4, "补录线下培训", people["admin"],
                  now=june_first + timedelta(days=3))
    # A negative adjustment issues nothing; three points issued and left to expire in June.
    awards.adjust(points.pool_account(b), -1, "重复录入", people["admin"],
                  now=june_first + timedelta(days=4))
    awards.award(points.person_account(people["staff_b"]), 3, "test:short", "短期积分", now=june_first,
                 expires_at=datetime(2026, 6, 20, tzinfo=UTC))
    assert awards.expire(now=datetime(2026, 6, 21, tzinfo=UTC)).points == 3
    case_a, case_b = _case(a, 1, vt), _case(b, 2, vt)
    world = {"a": a, "b": b, **people, "of": {case_a.id: "a", case_b.id: "b"}}
    # Offsets: 甲's approved at 23:00 on 30 June in Beijing, 乙's at 00:30 on 1 July.
    world["granted_a"] = _granted(world, case_a, BEIJING_MIDNIGHT - timedelta(hours=1))
    world["granted_b"] = _granted(world, case_b, AFTER)
    return world


def _rows(start, end) -> dict[str, tuple[int, int, int]]:
    return {r.organisation: (r.issued, r.spent, r.expired) for r in reports.points_by_organisation(start, end)}


def test_points_are_counted_in_the_beijing_day_they_happened(world):
    spent_a, spent_b = world["granted_a"].points, world["granted_b"].points
    assert spent_a > 0 and spent_b > 0
    assert _rows(*JUNE) == {"甲企业": (30_000 + 5, spent_a, 0), "乙企业": (20_000 + 4 + 3, 0, 3)}
    assert _rows(*JULY) == {"甲企业": (7, 0, 0), "乙企业": (0, spent_b, 0)}
    # The two months together are the sum of each.
    assert _rows(*SUMMER) == {"甲企业": (30_000 + 5 + 7, spent_a, 0), "乙企业": (20_000 + 4 + 3, spent_b, 3)}
    assert _rows(date(2026, 8, 1), date(2026, 8, 31)) == {}


def test_the_organisation_that_issued_most_comes_first(world):
    assert [r.organisation for r in reports.points_by_organisation(*SUMMER)] == ["甲企业", "乙企业"]


def test_offsets_granted_count_each_enterprise_and_case_once_and_total_the_rows(world):
    a, b = world["granted_a"], world["granted_b"]
    june = reports.offsets_granted(*JUNE)
    assert (june.enterprises, june.cases, june.total_fen, june.points) == (1, 1, a.offset_fen, a.points)
    assert june.rows == [("甲企业", "示环罚〔2026〕1号", a.offset_fen, a.points)]
    july = reports.offsets_granted(*JULY)
    assert july.rows == [("乙企业", "示环罚〔2026〕2号", b.offset_fen, b.points)]
    summer = reports.offsets_granted(*SUMMER)
    assert (summer.enterprises, summer.cases) == (2, 2)
    assert summer.total_fen == sum(row[2] for row in summer.rows) == a.offset_fen + b.offset_fen
    assert summer.points == sum(row[3] for row in summer.rows)


def test_a_rejected_offset_is_neither_granted_nor_spent(world):
    c = factories.enterprise("丙企业", 3)
    contact = factories.user("contact-c", c, Role.ENTERPRISE_CONTACT)
    awards.award(points.pool_account(c), 10_000, "test:pool-c", "测试积分", now=datetime(2026, 6, 1, tzinfo=UTC))
    vt = db.session.get(PenaltyCase, world["granted_a"].case_id).violation_type
    application = offsets.apply(contact, _case(c, 3, vt), now=datetime(2026, 6, 10, 2, 0, tzinfo=UTC))
    offsets.decide(world["officer"], application, "reject", "证据不足", now=datetime(2026, 6, 11, 2, 0, tzinfo=UTC))
    assert reports.offsets_granted(*JUNE).rows == [("甲企业", "示环罚〔2026〕1号", world["granted_a"].offset_fen,
                                                   world["granted_a"].points)]
    assert _rows(*JUNE)["丙企业"] == (10_000, 0, 0)


def test_the_excel_file_holds_the_same_figures_as_the_page(world):
    book = load_workbook(io.BytesIO(reports.export_xlsx(*SUMMER)))
    studied, granted = book.worksheets
    rows = [tuple(r) for r in studied.iter_rows(min_row=2, values_only=True)]
    assert rows == [(r.organisation, r.issued, r.spent, r.expired) for r in reports.points_by_organisation(*SUMMER)]
    summary = reports.offsets_granted(*SUMMER)
    lines = [tuple(r) for r in granted.iter_rows(min_row=2, values_only=True)]
    assert lines[:2] == [(e, n, fen / 100, p) for e, n, fen, p in summary.rows]
    totals = {line[0]: line[1] for line in lines[2:] if line and line[0]}
    assert list(totals.values()) == [2, 2, summary.total_fen / 100]
    assert summary.total_fen / 100 == sum(line[2] for line in lines[:2])


def test_a_preview_counts_the_pool_as_it_stood_at_its_moment_not_at_the_wall_clocks(world):
    """Points valid for 12 months from June 2026: a preview for 10 June 2026 counts them even when the
    wall clock is already in 2028 (it once counted the pool at the wall clock's moment: none left)."""
    import time_machine

    c = factories.enterprise("丙企业", 3)
    awards.award(points.pool_account(c), 10_000, "test:pool-c", "测试积分", now=datetime(2026, 6, 1, tzinfo=UTC))
    vt = db.session.get(PenaltyCase, world["granted_a"].case_id).violation_type
    case = _case(c, 3, vt)
    with time_machine.travel(datetime(2028, 1, 1, tzinfo=UTC), tick=False):
        preview = offsets.preview(case, now=datetime(2026, 6, 10, 2, 0, tzinfo=UTC))
    assert preview.evaluation.eligible and preview.evaluation.points == 10_000
