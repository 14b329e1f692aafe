from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from eduapp.domain.case_register import MAX_CASE_NUMBER, MAX_DESCRIPTION
from eduapp.domain.cases import parse_yuan
from eduapp.domain.fines import MAX_OCCURRENCES
from eduapp.domain.problems import N_, Problem
from eduapp.i18n import message


class Yuan:
    """An amount in yuan with at most two decimals; the field's ``fen`` holds it in fen."""

    def __call__(self, form, field):
        field.fen = None
        text = (field.data or "").strip()
        if not text:
            return
        field.fen = parse_yuan(text)
        if field.fen is None:
            raise ValidationError(
                message(
                    Problem(
                        N_("“%(value)s” is not an amount in yuan with at most two decimals (e.g. 12345.67)."),
                        {"value": text},
                    )
                )
            )


class CaseForm(FlaskForm):
    case_number = StringField(
        _l("Case number"), validators=[DataRequired(), Length(max=MAX_CASE_NUMBER)], render_kw={"maxlength": 64}
    )
    enterprise = StringField(
        _l("Enterprise (name or unified social credit code)"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"list": "enterprise-names", "autocomplete": "off"},
    )
    violation_type_id = SelectField(_l("Violation type"), coerce=int, validate_choice=True)
    description = TextAreaField(
        _l("Summary of the facts"), validators=[Optional(), Length(max=MAX_DESCRIPTION)], render_kw={"rows": 4}
    )
    harm_level = SelectField(_l("Harm"), validate_choice=True)
    corrected = BooleanField(_l("Corrected"))
    correction_due_on = DateField(_l("Correction deadline"), validators=[Optional()])
    discovered_on = DateField(_l("Discovered on"), validators=[Optional()])
    opened_on = DateField(_l("Filed on"), validators=[DataRequired()])
    proposed_fine = StringField(
        _l("Proposed fine (yuan)"),
        validators=[DataRequired(), Yuan()],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    officer_id = SelectField(_l("Case officer"), coerce=int, validate_choice=True)
    handling_unit_id = SelectField(_l("Handling unit"), coerce=int, validate_choice=True, default=0)
    # fines set as multiples or per occurrence (issue 14 item 3)
    fine_basis = StringField(
        _l("Fine basis (yuan)"),
        validators=[Yuan()],
        description=_l(
            "For a fine set as a multiple: the amount it multiplies (货值金额, 所需处置费用, 建设项目总投资额)."
        ),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    occurrences = IntegerField(
        _l("Number of occurrences"),
        validators=[Optional(), NumberRange(min=1, max=MAX_OCCURRENCES)],
        description=_l("For a fine per occurrence (每次)."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    # service and payment (行政处罚法 §61, §67; 行政强制法 §45)
    served_on = DateField(_l("Decision served on"), validators=[Optional()])
    late_fee_notified = BooleanField(_l("The decision told the party of the late fee"))

    def validate_enterprise(self, field):
        from eduapp.models import ENTERPRISE
        from eduapp.services import orgs

        org = orgs.find(field.data or "")
        self.enterprise_org = org if org is not None and org.kind == ENTERPRISE else None
        if self.enterprise_org is None:
            raise ValidationError(
                message(Problem(N_("No enterprise is named or coded “%(value)s”."), {"value": field.data}))
            )

    def validate_violation_type_id(self, field):
        if not field.data:
            raise ValidationError(message(Problem(N_("Choose a violation type."))))


class StatusForm(FlaskForm):
    to = SelectField(_l("New status"), validate_choice=True)
    on = DateField(_l("Date"), validators=[DataRequired()])
    final_fine = StringField(
        _l("Fine decided (yuan)"),
        validators=[Yuan()],
        description=_l("Only for the penalty decision."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    served_on = DateField(_l("Decision served on"), validators=[Optional()],
                          description=_l("The day the party received the decision; it may be recorded later."))
    late_fee_notified = BooleanField(_l("The decision told the party of the late fee"))


class ExtensionForm(FlaskForm):
    """An extension of the decision deadline (行政处罚法 §60), approved by a head."""

    new_due_on = DateField(_l("New deadline"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    approved_by = SelectField(_l("Approved by (head)"), coerce=int, validate_choice=True)
    approved_on = DateField(_l("Approved on"), validators=[Optional()])
