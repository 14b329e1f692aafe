"""不予行政处罚 on the case page: the §33 ¶1 answer shown above the case's tools, the case officer's form
to close the case as not penalised (with its ground, reason, legal basis and the education given, §33
¶3), and the decision's record page. The generic status form does not offer not_penalised: that move
needs its record."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from eduapp.domain import cases as case_rules
from eduapp.domain import non_penalty as rules
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Permission
from eduapp.i18n import attach_problems
from eduapp.security import client_ip, require, signed_in
from eduapp.services import cases, non_penalty
from eduapp.web.cases import bp
from eduapp.web.cases.routes import _render_case
from eduapp.web.forms import choices
from eduapp.web.helpers import flash_ok

GROUND_LABELS = {rules.GROUND_MINOR: _l("Minor, corrected in time, no harmful consequence (§33 ¶1, shall not be "
                                        "penalised)"),
                 rules.GROUND_FIRST: _l("First violation, minor harm, corrected in time: 首违不罚 on the published "
                                        "list (§33 ¶1, may go unpunished)"),
                 rules.GROUND_NO_FAULT: _l("Evidence shows no subjective fault (§33 ¶2)")}


class NonPenaltyForm(FlaskForm):
    ground = SelectField(_l("Ground"), validate_choice=False)
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 3})
    legal_basis = StringField(_l("Legal basis"), validators=[Optional()],
                              description=_l("Empty: the article of the ground."))
    education = TextAreaField(_l("Education given to the party (§33 ¶3)"), render_kw={"rows": 2})
    decided_on = DateField(_l("Decided on"), validators=[Optional()])


def _form(case, form: NonPenaltyForm | None = None) -> NonPenaltyForm:
    form = form or NonPenaltyForm(formdata=None)
    form.ground.choices = choices([(k, GROUND_LABELS[k]) for k in rules.GROUNDS])
    if form.decided_on.data is None:
        form.decided_on.data = cases.local_today()
    return form


@bp.app_context_processor
def _panel():
    def non_penalty_panel(case) -> dict:
        """What the case page shows of §33: the answer (open cases), the decision, the officer's form."""
        decision = non_penalty.decision_for(case.id)
        answer = non_penalty.assess(case).answer if case_rules.is_open_for_offset(case.status) else None
        handler = current_user.can(Permission.CASES_HANDLE)
        may_decide = handler and decision is None and case_rules.NOT_PENALISED in case_rules.allowed_transitions(
            case.status)
        form = _form(case, getattr(g, "non_penalty_form", None)) if may_decide else None
        if form is not None and answer is not None and answer.ground and not form.ground.data:
            form.ground.data = answer.ground
        return {"answer": answer, "decision": decision, "form": form}

    def no_penalty_of(case) -> rules.Answer | None:
        """The §33 ¶1 answer of an open case (the enterprise's offset pages show it first)."""
        return non_penalty.assess(case).answer if case_rules.is_open_for_offset(case.status) else None

    return {"non_penalty_panel": non_penalty_panel, "no_penalty_of": no_penalty_of,
            "ground_label": lambda k: GROUND_LABELS.get(k, k)}


def _case_or_404(case_id: int):
    case = cases.get_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


@bp.route("/<id:case_id>/not-penalised", methods=["POST"])
@require(Permission.CASES_HANDLE)
def not_penalised(case_id: int):
    case = _case_or_404(case_id)
    form = _form(case, NonPenaltyForm())
    if form.validate_on_submit():
        values = non_penalty.DecisionValues(
            ground=form.ground.data or "", reason=form.reason.data or "", legal_basis=form.legal_basis.data or "",
            education=form.education.data or "", decided_on=form.decided_on.data)
        try:
            non_penalty.decide(current_user, case, values, ip=client_ip())
        except InputError as error:
            attach_problems(form, error.problems)
        else:
            flash_ok(_("The case is closed as not penalised; the decision is recorded."))
            return redirect(url_for("cases.non_penalty_record", case_id=case_id))
    g.non_penalty_form = form
    return _render_case(_case_or_404(case_id), None, 400)


@bp.route("/<id:case_id>/not-penalised")
@signed_in
def non_penalty_record(case_id: int):
    """The 不予行政处罚决定 record: bureau staff who see the case, and the enterprise's own contacts."""
    case = _case_or_404(case_id)
    decision = non_penalty.decision_for(case.id)
    if decision is None:
        abort(404)
    from eduapp.extensions import db
    from eduapp.models import User

    officer = db.session.get(User, decision.decided_by_id) if decision.decided_by_id else None
    return render_template("cases/non_penalty_record.html", case=case, decision=decision, officer=officer,
                           ground_name=rules.GROUND_NAMES.get(decision.ground, decision.ground))
