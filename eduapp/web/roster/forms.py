from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from eduapp.domain.roles import Role
from eduapp.web.forms import choices

STAFF_ROLE_CHOICES = choices(
    [
        (Role.ENTERPRISE_STAFF.value, _l("Enterprise staff")),
        (Role.ENTERPRISE_CONTACT.value, _l("Enterprise contact")),
    ]
)


class StaffForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=64)], render_kw={"autocapitalize": "none"}
    )
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=20)], render_kw={"inputmode": "tel"})
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)], render_kw={"inputmode": "email"})
    role = SelectField(_l("Role"), choices=STAFF_ROLE_CHOICES, default=Role.ENTERPRISE_STAFF.value)
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), Length(max=128)],
        description=_l("Leave empty to generate one. The person must change it at first sign-in."),
        render_kw={"autocomplete": "new-password"},
    )


class StaffEditForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=20)], render_kw={"inputmode": "tel"})
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)], render_kw={"inputmode": "email"})
    role = SelectField(_l("Role"), choices=STAFF_ROLE_CHOICES)
