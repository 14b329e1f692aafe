from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional

from eduapp.domain.roles import Role
from eduapp.web.forms import choices
from eduapp.web.labels import ROLE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


ROLE_CHOICES = choices((role.value, ROLE_LABELS[role]) for role in Role)  # lazy labels, translated on render


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=64)], render_kw={"autocapitalize": "none"}
    )
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    roles = MultiCheckboxField(
        _l("Roles"), choices=ROLE_CHOICES, validators=[DataRequired(_l("Choose at least one role."))]
    )
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=20)])
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), Length(max=128)],
        description=_l("Leave empty to generate one. The person must change it at first sign-in."),
        render_kw={"autocomplete": "new-password"},
    )
