"""不予行政处罚 (行政处罚法 §33) for a case: the §33 ¶1 answer the case page and the enterprise's preview
show before any offset, and the case officer's decision not to penalise (its own record, audited), which
moves the case to ``not_penalised`` through eduapp.services.cases.change_status (the one path for
status moves). The product never decides 不予处罚 by itself: the answer informs, the officer decides."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from eduapp.domain import cases as case_rules
from eduapp.domain import non_penalty as rules
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import NonPenaltyDecision, PenaltyCase, User, utcnow
from eduapp.services import audit, non_penalty_lists

OBJECT_TYPE = "non_penalty_decision"
MAX_TEXT = 2000


@dataclass(frozen=True)
class Assessment:
    answer: rules.Answer
    list_id: int | None  # the list version the answer used


def _facts(case: PenaltyCase) -> rules.Facts:
    from eduapp.services import cases

    prior = cases.prior_cases(case.enterprise_id, case.opened_on + timedelta(days=1), exclude_case_id=case.id)
    return rules.Facts(violation_code=case.violation_type.code, status=case.status, harm_level=case.harm_level,
                       corrected=case.corrected, opened_on=case.opened_on,
                       prior_cases=tuple((p.violation_code, p.opened_on) for p in prior))


def assess(case: PenaltyCase, today: date | None = None) -> Assessment:
    """The §33 ¶1 answer for the case today (Asia/Shanghai)."""
    from eduapp.services.cases import local_today

    today = today or local_today()
    row = non_penalty_lists.for_code(case.violation_type.code, today)
    lst = non_penalty_lists.to_domain(row) if row is not None else None
    return Assessment(rules.assess(_facts(case), lst, today), row.id if row is not None else None)


def refusal(case: PenaltyCase, now: datetime | None = None) -> Problem | None:
    """Why no offset may be applied for: §33 ¶1 applies (named field case_id); None otherwise."""
    from eduapp.services.cases import LOCAL

    reason = rules.refusal(assess(case, (now or utcnow()).astimezone(LOCAL).date()).answer)
    if reason is None:
        return None
    return Problem(N_("No offset is offered: %(reason)s"), {"reason": reason}, "case_id")


def decision_for(case_id: int) -> NonPenaltyDecision | None:
    return db.session.execute(
        select(NonPenaltyDecision).where(NonPenaltyDecision.case_id == case_id)).unique().scalar_one_or_none()


@dataclass
class DecisionValues:
    ground: str = ""
    reason: str = ""
    legal_basis: str = ""  # empty: the ground's article
    education: str = ""
    decided_on: date | None = None
    problems: list[Problem] = field(default_factory=list)


def _check(case: PenaltyCase, values: DecisionValues, assessment: Assessment) -> list[Problem]:
    problems = []

    def add(msgid: str, fld: str, **params):
        problems.append(Problem(msgid, params, fld))

    if case_rules.NOT_PENALISED not in case_rules.allowed_transitions(case.status):
        add(N_("Only a case before its penalty decision can be closed as not penalised."), "case_id")
    if decision_for(case.id) is not None:
        add(N_("This case already has a decision not to penalise."), "case_id")
    if values.ground not in rules.GROUNDS:
        add(N_("Choose the ground: minor_no_harm, first_violation or no_fault."), "ground")
    elif values.ground == rules.GROUND_MINOR and (case.harm_level != "none" or not case.corrected):
        add(N_("The case records harm or no correction: §33 ¶1 requires no harmful consequence and correction in "
               "time. Correct the case first if its record is wrong."), "ground")
    elif values.ground == rules.GROUND_FIRST:
        listed = assessment.answer.conditions and assessment.answer.conditions[0].key == "listed_first"
        if not listed:
            add(N_("首违不罚 applies only to the violation types on the published list in force."), "ground")
        elif case.harm_level not in ("none", "minor") or not case.corrected:
            add(N_("首违不罚 requires minor harm at most and correction in time; the case records otherwise."),
                "ground")
    for name in ("reason", "education"):
        text = getattr(values, name).strip()
        if not text:
            add(N_("This field is required."), name)
        elif len(text) > MAX_TEXT:
            add(N_("At most %(max)s characters."), name, max=MAX_TEXT)
    if len(values.legal_basis.strip()) > 500:
        add(N_("At most %(max)s characters."), "legal_basis", max=500)
    if values.decided_on is None:
        add(N_("This field is required."), "decided_on")
    return problems


def decide(actor: User | None, case: PenaltyCase, values: DecisionValues, *, ip: str | None = None,
           today: date | None = None) -> NonPenaltyDecision:
    """Record the officer's decision not to penalise and move the case to not_penalised, in one
    transaction (the status move is cases.change_status, which commits it). Raises InputError naming
    the field: case_id, ground, reason, legal_basis, education, decided_on."""
    from eduapp.services import cases

    assessment = assess(case, today)
    problems = [*values.problems, *_check(case, values, assessment)]
    if problems:
        db.session.rollback()
        raise InputError(problems)
    basis = values.legal_basis.strip() or rules.default_basis(values.ground)
    decision = NonPenaltyDecision(
        case_id=case.id, ground=values.ground, reason=values.reason.strip(), legal_basis=basis,
        education=values.education.strip(), list_id=assessment.list_id, assessment=assessment.answer.as_dict(),
        decided_on=values.decided_on, decided_by_id=actor.id if actor else None,
    )
    db.session.add(decision)
    db.session.flush()
    audit.record("non_penalty.decide", actor=actor, obj_type=OBJECT_TYPE, obj_id=decision.id,
                 summary={"case": case.case_number, "ground": values.ground, "legal_basis": basis,
                          "decided_on": values.decided_on.isoformat(), "list_id": assessment.list_id,
                          "suggested": assessment.answer.ground}, ip=ip)
    try:
        cases.change_status(actor, case, case_rules.NOT_PENALISED, values.decided_on,
                            comment=f"不予行政处罚：{rules.GROUND_NAMES[values.ground]}（{basis}）", ip=ip, today=today)
    except InputError as error:  # change_status rolled the decision back with the move
        raise InputError([Problem(p.msgid, p.params, "decided_on" if p.field == "on" else
                                  ("case_id" if p.field == "to" else p.field)) for p in error.problems]) from None
    return db.session.get(NonPenaltyDecision, decision.id)
