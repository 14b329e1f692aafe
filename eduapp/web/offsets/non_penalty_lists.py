"""The 免罚清单 pages: legal reviewers and approvers keep its versions (as they keep the offset rule
sets), and every signed-in user reads the lists in force (the published list)."""

from __future__ import annotations

import re

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from eduapp.domain import non_penalty as rules
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.i18n import attach_problems
from eduapp.security import require, signed_in
from eduapp.services import non_penalty_lists as lists
from eduapp.services.cases import local_today
from eduapp.web.helpers import flash_ok, whole_number
from eduapp.web.offsets import bp
from eduapp.web.offsets.forms import RuleSetForm

EDITORS = (Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)


class NonPenaltyListForm(FlaskForm):
    # The identity of a published document, as the rule set form has it.
    name, doc_number, authority = RuleSetForm.name, RuleSetForm.doc_number, RuleSetForm.authority
    effective_from, effective_to = RuleSetForm.effective_from, RuleSetForm.effective_to
    status, legal_basis = RuleSetForm.status, RuleSetForm.legal_basis
    entries = TextAreaField(
        _l("Entries (one per line: code, kind, look-back months, conditions)"),
        validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 8},
        description=_l("kind: minor (轻微违法不予处罚) or first (首违不罚); e.g. AIR-100-2, first, 24, 一年内首次"))

    def fill(self, row) -> None:
        for name in ("name", "doc_number", "authority", "effective_from", "effective_to", "status"):
            getattr(self, name).data = getattr(row, name)
        self.legal_basis.data = "\n".join(row.legal_basis or ())
        self.entries.data = "\n".join(
            ", ".join(str(v) for v in (e["violation_code"], e["kind"], e.get("lookback_months", 24),
                                       e.get("conditions") or "") if v != "")
            for e in row.entries or ())


def parse_entries(text: str) -> tuple[list[rules.Entry], list[Problem]]:
    """One entry a line: code, kind[, look-back months[, conditions]] (commas, Chinese or not)."""
    entries, problems = [], []
    for n, line in enumerate((t.strip() for t in (text or "").splitlines()), 1):
        if not line:
            continue
        parts = [p.strip() for p in re.split(r"[,，]", line, maxsplit=3)]
        months = parts[2] if len(parts) > 2 and parts[2] else "24"
        if len(parts) < 2 or whole_number(months, 9999) is None:
            problems.append(Problem(N_("Line %(n)s: write code, kind, look-back months, conditions."), {"n": n},
                                    "entries"))
            continue
        entries.append(rules.Entry(violation_code=parts[0], kind=parts[1], lookback_months=int(months),
                                   conditions=parts[3] if len(parts) > 3 else ""))
    return entries, problems


def _edit(existing):
    form = NonPenaltyListForm()
    if existing is not None and request.method == "GET":
        form.fill(existing)
    elif request.method == "GET":
        form.effective_from.data = local_today()
    status = 200
    if form.validate_on_submit():
        entries, problems = parse_entries(form.entries.data)
        values = {"name": form.name.data.strip(), "doc_number": form.doc_number.data.strip(),
                  "authority": form.authority.data.strip(), "effective_from": form.effective_from.data,
                  "effective_to": form.effective_to.data, "status": form.status.data,
                  "legal_basis": [t.strip() for t in (form.legal_basis.data or "").splitlines() if t.strip()],
                  "entries": entries}
        try:
            if problems:
                raise InputError(problems)
            saved = lists.save(current_user, existing, values)
        except InputError as error:
            attach_problems(form, error.problems)
            status = 400
        else:
            flash_ok(_("List saved as version %(n)s.", n=saved.version))
            return redirect(url_for("offsets.non_penalty_lists"))
    elif form.is_submitted():
        status = 400
    return render_template("offsets/non_penalty_list_form.html", form=form, existing=existing), status


@bp.route("/non-penalty-lists")
@require(*EDITORS)
def non_penalty_lists():
    return render_template("offsets/non_penalty_lists.html", rows=lists.all_versions())


@bp.route("/non-penalty-lists/new", methods=["GET", "POST"])
@require(*EDITORS)
def non_penalty_list_new():
    return _edit(None)


@bp.route("/non-penalty-lists/<id:list_id>/edit", methods=["GET", "POST"])
@require(*EDITORS)
def non_penalty_list_edit(list_id: int):
    existing = lists.get(list_id)
    if existing is None:
        abort(404)
    return _edit(existing)


@bp.route("/non-penalty-list")
@signed_in
def non_penalty_published():
    """The lists in force today, for enterprises and everyone signed in."""
    return render_template("offsets/non_penalty_published.html", rows=lists.in_force(local_today()),
                           kind_name=rules.ENTRY_KIND_NAMES)
