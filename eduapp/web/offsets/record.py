"""The 学法从轻审批表 of a decided application: what the page and the PDF both show, in words.

Every code is shown by its name (checks, steps, decisions, the outcome), amounts in yuan, points with
their unit, citations with their item. User text (names, comments, case numbers) is returned as it
was written: the page escapes it (Jinja) and the PDF escapes it (eduapp.web.offsets.pdf).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_datetime
from flask_babel import gettext as _

from eduapp.domain import offset_record as names
from eduapp.domain.offsets import STEPS, yuan


@dataclass(frozen=True)
class CheckRow:
    name: str
    passed: bool
    result: str  # 通过 | 未通过
    reason: str
    basis: str


@dataclass(frozen=True)
class StepRow:
    step: str  # 承办人 | 法制审核 | 负责人
    opinion: str  # 同意 | 不同意 | "" (not reached)
    comment: str
    signed_by: str
    date: str


@dataclass(frozen=True)
class Record:
    title: str
    subtitle: str
    authority: str
    facts: list[tuple[str, str]]
    check_headings: tuple[str, str, str, str]
    checks: list[CheckRow]
    step_headings: tuple[str, str, str, str, str, str]
    steps: list[StepRow]
    note: str


def _step_name(step: str) -> str:
    return {"officer": _("case officer"), "reviewer": _("legal review"), "approver": _("approver")}.get(
        step, names.STEP_NAMES.get(step, step))


def build(application, deciders: dict) -> Record:
    """``deciders``: step -> (user, OffsetDecision), as services.offsets.deciders gives them."""
    case, rule, vt = application.case, application.rule_set, application.case.violation_type
    evaluation = names.evaluation_for_record(
        application.evaluation, [(d.step, getattr(d, "evaluation", None)) for d in application.decisions])
    fine_before = evaluation.get("fine_before", application.fine_before)
    lighter = evaluation.get("max_offset", application.offset_fen)
    points = evaluation.get("points", application.points)
    fine_after = evaluation.get("fine_after", application.fine_after)
    outcome = {"approved": _("Approved"), "rejected": _("Rejected")}.get(application.status, "")
    facts = [
        (_("Case number"), case.case_number),
        (_("Party"), case.enterprise.name),
        (_("Violation"), f"{vt.code} {vt.name}"),
        (_("Penalty provision"), names.citation(vt.law, vt.article, vt.clause)),
        (_("Application filed on"), format_datetime(application.created_at, "yyyy-MM-dd")),
    ]
    if vt.fine_note:
        facts.append((_("Statutory fine"), vt.fine_note))
    facts += [
        (_("Rule set applied"), _("%(name)s (%(doc)s, version %(version)s)", name=rule.name, doc=rule.doc_number,
                                  version=rule.version)),
        (_("Issued by"), rule.authority),
        (_("Basis of the rule set"), "；".join(rule.legal_basis or ()) or "—"),
        (_("Proposed fine before leniency"), yuan(fine_before)),
        (_("Leniency amount"), yuan(lighter)),
        (_("Study points used"), _("%(n)s points", n=format(points, ","))),
        (_("Proposed fine after leniency"), yuan(fine_after)),
        (_("Outcome"), outcome),
    ]
    checks = [CheckRow(names.check_name(c.get("key", "")), bool(c.get("passed")),
                       _("passed") if c.get("passed") else _("failed"), c.get("reason", ""), c.get("basis", ""))
              for c in evaluation.get("checks", [])]
    steps = []
    for step in STEPS:
        user, decision = deciders.get(step, (None, None))
        if decision is None:
            steps.append(StepRow(_step_name(step), "", "", "", ""))
            continue
        steps.append(StepRow(
            _step_name(step), _("approved") if decision.decision == "approve" else _("rejected"),
            decision.comment or "", user.full_name if user is not None else "",
            format_datetime(decision.decided_at, "yyyy-MM-dd")))
    return Record(
        title=_("Leniency-for-study approval form"),
        subtitle=_("A lighter penalty within the statutory range in view of the party's study of the law"),
        authority=rule.authority,
        facts=facts,
        check_headings=(_("Item checked"), _("Check result"), _("Reason"), _("Legal basis")),
        checks=checks,
        step_headings=(_("Step"), _("Opinion"), _("Reasons given"), _("Signed by"), _("Date"), _("Signature")),
        steps=steps,
        note=_("This is the bureau's internal approval form. It is not the penalty decision (行政处罚决定书, "
               "行政处罚法 §59), which states the fine; study points are not a payment toward the fine."),
    )
