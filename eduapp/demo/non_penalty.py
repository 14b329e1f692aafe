"""Demo data for 不予处罚 (行政处罚法 §33): the bureau's published 免罚清单 and an open case of 示范化工 that it
covers (no harm, corrected), so the case page and the enterprise's preview show "符合不予处罚条件" and the
demo case officer can close it as not penalised. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from eduapp.domain.non_penalty import Entry
from eduapp.extensions import db
from eduapp.models import NonPenaltyList, PenaltyCase
from eduapp.services import accounts, cases, non_penalty_lists, orgs

DEMO_LIST_DOC = "示环规〔2026〕2号"
DEMO_CASE = "示环罚〔2026〕110号"
# (code, kind, look-back months, conditions): codes none of the demo's offset cases use
ENTRIES = [
    ("SOLID-112-1", "minor", 24, "危险废物识别标志缺失或不规范，责令改正期限内设置完毕"),
    ("SOLID-102-1", "minor", 24, "未及时公开固体废物污染环境防治信息，责令改正期限内公开"),
    ("EIA-31-K3", "minor", 24, "未备案环境影响登记表，责令改正期限内补办备案"),
    ("PERMIT-43", "minor", 24, "未依照规定填报排污登记表，责令改正期限内补填"),
    ("PERMIT-37-1", "first", 24, "二年内首次，环境管理台账记录不完整且未造成危害后果或危害后果轻微"),
    ("PERMIT-36-7", "first", 24, "二年内首次，排污信息公开不完整"),
    ("CONSTR-23-K2", "first", 24, "二年内首次，验收报告未按时公开"),
]


def load(result, today: date, enterprise_name: str, authority: str) -> None:
    if db.session.execute(select(NonPenaltyList.id).where(NonPenaltyList.doc_number == DEMO_LIST_DOC)).first():
        result.unchanged += 1
    else:
        non_penalty_lists.save(None, None, {
            "name": "示范市生态环境轻微违法行为不予行政处罚和首违不罚清单", "doc_number": DEMO_LIST_DOC,
            "authority": authority, "effective_from": date(2026, 1, 1), "effective_to": None, "status": "active",
            "legal_basis": ["《中华人民共和国行政处罚法》第三十三条第一款"],
            "entries": [Entry(code, kind, months, conditions=text) for code, kind, months, text in ENTRIES],
        })
        result.created += 1
    enterprise = orgs.by_name(enterprise_name)
    vt = cases.violation_by_code("SOLID-112-1")
    if enterprise is None or vt is None:
        return
    if db.session.execute(select(PenaltyCase.id).where(PenaltyCase.case_number == DEMO_CASE)).first():
        result.unchanged += 1
        return
    officer = accounts.find_by_username("demo-officer")
    cases.save_case(None, {
        "case_number": DEMO_CASE, "enterprise_id": enterprise.id, "violation_type_id": vt.id,
        "description": "示范数据：危险废物贮存间未设置识别标志，现场责令改正后已设置", "status": "investigating",
        "harm_level": "none", "corrected": True, "discovered_on": today - timedelta(days=12),
        "opened_on": today - timedelta(days=10), "proposed_fine": vt.fine_min or 0,
        "officer_id": officer.id if officer else None,
    }, today=today)
    result.created += 1
