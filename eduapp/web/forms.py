"""Forms shared by several areas."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class UploadForm(FlaskForm):
    file = FileField(
        _l("File (.xlsx or .csv)"),
        validators=[FileRequired(_l("Choose a file to upload.")),
                    FileAllowed(["xlsx", "csv"], _l("Upload a .xlsx or .csv file."))],
    )


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons: carries the CSRF token."""
