"""Forms of the points pages: earning rules, adjustments, reversals, trainings and attendance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from eduapp.domain import points as rules
from eduapp.domain.trainings import KIND_LABELS, KINDS, OTHER
from eduapp.web.forms import choices

RULE_LABELS = {
    rules.EXAM_PASS: _l("Passing an exam (first pass only)"),
    rules.PRACTICE: _l("Practice: each right answer"),
    rules.STUDY_TIME: _l("Study time: each 30 minutes"),
    rules.TRAINING: _l("Training attended"),
    rules.COMPETITION_1: _l("Competition: first place"),
    rules.COMPETITION_2: _l("Competition: second place"),
    rules.COMPETITION_3: _l("Competition: third place"),
    rules.POOL_PERSON_CAP: _l("Most one person adds to the enterprise pool"),
}
RULE_NOTES = {
    rules.EXAM_PASS: _l("Each exam sets its own points for the first pass; this rule sets how long they stay valid."),
    rules.TRAINING: _l("The default for new trainings; each training keeps its own points."),
    rules.POOL_PERSON_CAP: _l("Enterprise staff's points also go to their enterprise's pool, up to this many per "
                              "person in any period of this many days. Civil servants' points stay personal."),
}
ENTRY_KIND_LABELS = {
    rules.AWARD: _l("Award"),
    rules.RESERVE: _l("Reserved"),
    rules.POST: _l("Spent"),
    rules.VOID: _l("Returned"),
    rules.RELEASE: _l("Returned (not needed)"),
    rules.EXPIRE: _l("Expired"),
    rules.ADJUST: _l("Adjustment"),
    rules.REVERSE: _l("Reversal"),
}
FIELD_LABELS = {"points": _l("Points"), "daily_cap": _l("Daily cap"), "period_days": _l("Period (days)"),
                "valid_months": _l("Valid for (months)")}


def rule_fields(kind: str) -> tuple[str, ...]:
    if kind == rules.POOL_PERSON_CAP:
        return ("points", "period_days")
    if kind in rules.DAILY_CAPPED:
        return ("points", "daily_cap", "valid_months")
    return ("points", "valid_months")


def rules_form(table: dict[str, rules.Rule]) -> FlaskForm:
    """One form with a group of fields per rule, named ``<kind>-<field>`` (the names the domain's
    problems use)."""

    class RulesForm(FlaskForm):
        pass

    for kind in rules.RULE_KINDS:
        for name in rule_fields(kind):
            required = name != "daily_cap"
            validators = [InputRequired(_l("Enter a whole number."))] if required else [Optional()]
            description = _l("Empty: no cap.") if name == "daily_cap" else None
            setattr(RulesForm, f"{kind}-{name}", IntegerField(FIELD_LABELS[name], validators=validators,
                                                               description=description))
    return RulesForm(data={f"{kind}-{name}": getattr(rule, name) for kind, rule in table.items()
                           for name in rule_fields(kind)})


def rule_values(form: FlaskForm) -> dict[str, dict[str, int | None]]:
    return {kind: {name: form[f"{kind}-{name}"].data for name in rule_fields(kind)} for kind in rules.RULE_KINDS}


class AdjustForm(FlaskForm):
    owner_kind = SelectField(_l("Account of"), choices=choices([("person", _l("A person (username)")),
                                                                ("enterprise", _l("An enterprise's pool"))]))
    account = StringField(_l("Username, or the enterprise's name or credit code"),
                          validators=[DataRequired(_l("Say whose account to adjust.")), Length(max=200)],
                          render_kw={"autocapitalize": "none"})
    points = IntegerField(_l("Points (negative to take away)"),
                          validators=[InputRequired(_l("Enter a whole number."))])
    valid_months = IntegerField(_l("Added points stay valid for (months)"), default=12,
                                validators=[InputRequired(_l("Enter a whole number."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason: it is kept in the ledger and "
                                                                     "the audit trail.")), Length(max=500)])


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason: it is kept in the ledger and "
                                                                     "the audit trail.")), Length(max=500)])


class TrainingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the training's title.")), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices((k, _l(KIND_LABELS[k])) for k in KINDS), default=OTHER)
    held_on = DateField(_l("Held on"), validators=[InputRequired(_l("Give the day the training was held."))])
    at = TimeField(_l("Starts at"), validators=[Optional()],
                   description=_l("Learners can register and cancel until then (without a time: until the day "
                                  "begins)."))
    points = IntegerField(_l("Points for attending"), validators=[InputRequired(_l("Enter a whole number."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Capacity"), validators=[Optional()],
                            description=_l("The most people who may register; empty for no limit."))


class AttendanceForm(FlaskForm):
    usernames = TextAreaField(_l("Usernames of those who attended"),
                              validators=[DataRequired(_l("Give at least one username.")), Length(max=20000)],
                              description=_l("One per line, or separated by commas or spaces."),
                              render_kw={"rows": 5, "autocapitalize": "none"})
