"""Forms shared by several areas."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import Form, SelectChoice

from eduapp.web.form_messages import CatalogMeta


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the option objects WTForms 3.3+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]


class UploadForm(FlaskForm):
    file = FileField(
        _l("File (.xlsx or .csv)"),
        validators=[
            FileRequired(_l("Choose a file to upload.")),
            FileAllowed(["xlsx", "csv"], _l("Upload a .xlsx or .csv file.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons: carries the CSRF token."""


class SubForm(Form):
    """A plain form nested in a FlaskForm (FormField, FieldList rows): WTForms' messages from our catalog."""

    Meta = CatalogMeta
