"""Forms of the offsets area: a step's decision, and a rule set."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eduapp.domain import rule_limits
from eduapp.domain.typed_input import split_codes, split_list
from eduapp.web.admin.forms import MultiCheckboxField
from eduapp.web.forms import choices


class DiscussionForm(FlaskForm):
    held_on = DateField(_l("Held on"), validators=[Optional()])
    participants = TextAreaField(_l("Participants"), validators=[Optional(), Length(max=4000)])
    conclusion = TextAreaField(_l("Conclusion"), validators=[Optional(), Length(max=4000)])


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=choices([("approve", _l("Approve")), ("reject", _l("Reject"))]))
    comment = TextAreaField(_l("Comment (required when rejecting)"), validators=[Optional(), Length(max=2000)])


class ApplyForm(FlaskForm):
    undertaking = BooleanField(_l("I have read the undertaking above and accept it on behalf of the enterprise"))


HARM_CHOICES = [("none", _l("No harm")), ("minor", _l("Minor")), ("general", _l("General")),
                ("serious", _l("Serious"))]


class RuleSetForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    doc_number = StringField(_l("Document number (文号)"), validators=[DataRequired(), Length(max=100)])
    authority = StringField(_l("Issuing authority"), validators=[DataRequired(), Length(max=200)])
    effective_from = DateField(_l("In force from"), validators=[InputRequired()])
    effective_to = DateField(_l("In force until (empty: no end)"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices([("draft", _l("Draft")), ("active", _l("Active")),
                                                        ("retired", _l("Retired"))]))
    legal_basis = TextAreaField(_l("Legal basis (one per line)"), validators=[Optional(), Length(max=5000)])
    eligible_codes = TextAreaField(_l("Eligible violation codes"), validators=[DataRequired(), Length(max=5000)])
    excluded_codes = TextAreaField(_l("Excluded violation codes"), validators=[Optional(), Length(max=5000)])
    lookback_months = IntegerField(_l("First violation: no other case within (months)"), default=24,
                                   validators=[InputRequired(), NumberRange(0, 120)])
    first_violation_any_type = BooleanField(_l("Earlier cases of any violation type count (not only the same type)"))
    max_harm = SelectField(_l("Highest harm allowed"), choices=choices(HARM_CHOICES), default="minor")
    require_corrected = BooleanField(_l("The violation must be corrected"), default=True)
    exclude_fraud = BooleanField(_l("No fraud in earlier study"), default=True)
    cooling_days = IntegerField(_l("No offset granted to the enterprise within (days)"), default=365,
                                validators=[InputRequired(), NumberRange(0, 3650)])
    key_roles = MultiCheckboxField(_l("Who must have passed an exam"), default=["legal_representative", "env_manager"],
                                   choices=choices([("legal_representative", _l("Legal representative")),
                                                    ("env_manager", _l("Environmental manager"))]))
    study_topics = StringField(_l("The exam covers one of these laws or tags (empty: any exam)"),
                               validators=[Optional(), Length(max=1000)])
    study_pass_percent = IntegerField(_l("With at least (percent of full marks)"), default=60,
                                      validators=[InputRequired(), NumberRange(0, 100)])
    study_within_days = IntegerField(_l("Within the last (days)"), default=365,
                                     validators=[InputRequired(), NumberRange(1, 3650)])
    min_staff_share_percent = IntegerField(_l("Share of staff who passed an exam, at least (%)"), default=0,
                                           validators=[InputRequired(), NumberRange(0, 100)])
    fen_per_point = IntegerField(_l("Value of one point (fen)"), default=100,
                                 validators=[InputRequired(), NumberRange(1, 1_000_000)])
    cap_percent = IntegerField(_l("Cap (percent of the proposed fine, at most 50)"), default=20,
                               validators=[InputRequired(), NumberRange(0)])
    cap_per_case_yuan = IntegerField(_l("Cap per case (yuan, empty: none)"), validators=[Optional(), NumberRange(0)])
    cap_per_year_yuan = IntegerField(_l("Cap per enterprise and year (yuan, empty: none)"),
                                     validators=[Optional(), NumberRange(0)])
    min_points = IntegerField(_l("Fewest points to apply"), default=1, validators=[InputRequired(), NumberRange(0)])
    round_down_to_yuan = BooleanField(_l("Round the offset down to whole yuan"), default=True)
    allow_below_minimum = BooleanField(_l("Allow below the statutory minimum (减轻): only on a law, regulation or rule "
                                          "named below, never on this document alone"))
    below_minimum_basis = StringField(_l("Provision that allows going below the minimum, e.g. 《某某条例》第十条"),
                                      validators=[Optional(), Length(max=500)])
    below_minimum_level = SelectField(_l("Its level"), choices=choices([("", "—")] + [
        (k, v) for k, v in rule_limits.LEVELS.items()]), default="")
    officer_days = IntegerField(_l("Case officer: days to decide"), default=5, validators=[InputRequired(),
                                                                                       NumberRange(1, 60)])
    reviewer_days = IntegerField(_l("Legal reviewer: days to decide"), default=5, validators=[InputRequired(),
                                                                                          NumberRange(1, 60)])
    approver_days = IntegerField(_l("Approver: days to decide"), default=3, validators=[InputRequired(),
                                                                                    NumberRange(1, 60)])

    @staticmethod
    def split(text: str | None) -> list[str]:
        return split_list(text)

    @staticmethod
    def split_codes(text: str | None) -> list[str]:
        return split_codes(text)

    def fill(self, row) -> None:
        for name in ("name", "doc_number", "authority", "effective_from", "effective_to", "status"):
            getattr(self, name).data = getattr(row, name)
        self.legal_basis.data = "\n".join(row.legal_basis or ())
        self.eligible_codes.data = "、".join(row.eligible_codes or ())
        self.excluded_codes.data = "、".join(row.excluded_codes or ())
        c, m, p = row.conditions or {}, row.maths or {}, row.procedure or {}
        for name in ("lookback_months", "first_violation_any_type", "max_harm", "require_corrected", "exclude_fraud",
                     "cooling_days", "study_pass_percent", "study_within_days", "min_staff_share_percent"):
            if name in c:
                getattr(self, name).data = c[name]
        self.key_roles.data = list(c.get("key_roles", []))
        self.study_topics.data = "、".join(c.get("study_topics", []))
        for name in ("fen_per_point", "cap_percent", "min_points", "round_down_to_yuan", "allow_below_minimum",
                     "below_minimum_basis", "below_minimum_level"):
            if name in m:
                getattr(self, name).data = m[name]
        self.cap_per_case_yuan.data = None if m.get("cap_per_case_fen") is None else m["cap_per_case_fen"] // 100
        self.cap_per_year_yuan.data = (None if m.get("cap_per_enterprise_year_fen") is None
                                       else m["cap_per_enterprise_year_fen"] // 100)
        self.officer_days.data = p.get("officer", 5)
        self.reviewer_days.data = p.get("reviewer", 5)
        self.approver_days.data = p.get("approver", 3)
