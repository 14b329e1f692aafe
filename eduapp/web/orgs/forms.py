from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from eduapp.domain import uscc
from eduapp.domain.problems import Problem
from eduapp.i18n import message


def _valid_uscc(form, field):
    try:
        field.data = uscc.validate(field.data or "")
    except uscc.USCCError as err:
        raise ValidationError(message(Problem(err.msgid, err.params)))


class EnterpriseForm(FlaskForm):
    name = StringField(_l("Enterprise name"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(
        _l("Unified social credit code"),
        validators=[DataRequired(), _valid_uscc],
        render_kw={"autocapitalize": "characters", "maxlength": 24},
    )
    legal_representative = StringField(_l("Legal representative"), validators=[Optional(), Length(max=100)])
    env_manager = StringField(_l("Environmental manager"), validators=[Optional(), Length(max=100)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)])
    permit_number = StringField(_l("Pollutant-discharge permit number"), validators=[Optional(), Length(max=64)])
    permit_expires_on = DateField(_l("Permit valid until"), validators=[Optional()])


class UnitForm(FlaskForm):
    name = StringField(_l("Unit name"), validators=[DataRequired(), Length(max=200)])
    parent_id = SelectField(_l("Parent unit"), coerce=int, validate_choice=True)
