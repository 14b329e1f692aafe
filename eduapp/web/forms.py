"""Forms shared by several areas."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Form, SelectChoice, ValidationError

from eduapp.domain.upload_types import TABLE_TYPES, type_problem
from eduapp.i18n import message
from eduapp.web.form_messages import CatalogMeta


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the option objects WTForms 3.3+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]


class FileTypes:
    """A file field's validator: a file of another type is refused with its type and the accepted ones."""

    def __init__(self, accepted: tuple[str, ...]) -> None:
        self.accepted = accepted

    def __call__(self, form, field) -> None:
        upload = field.data
        if upload is not None and hasattr(upload, "filename"):
            problem = type_problem(upload.filename, self.accepted)
            if problem is not None:
                raise ValidationError(message(problem))


class UploadForm(FlaskForm):
    file = FileField(
        _l("File (.xlsx or .csv)"),
        validators=[FileRequired(_l("Choose a file to upload.")), FileTypes(TABLE_TYPES)],
    )


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons: carries the CSRF token."""


class SubForm(Form):
    """A plain form nested in a FlaskForm (FormField, FieldList rows): WTForms' messages from our catalog."""

    Meta = CatalogMeta
