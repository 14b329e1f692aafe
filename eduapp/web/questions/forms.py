from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from eduapp.domain.formats import registry
from eduapp.domain.upload_types import QUESTION_TYPES
from eduapp.web.forms import FileTypes, choices

TYPE_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "true_false": _l("True / false"),
    "fill_blank": _l("Fill in the blank"),
}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "retired": _l("Retired")}


class QuestionForm(FlaskForm):
    uid = StringField(
        _l("Id"),
        validators=[Optional(), Length(max=64)],
        description=_l("A stable id such as air-0101; left empty, one is made for you."),
    )
    qtype = SelectField(_l("Type"), choices=choices(TYPE_LABELS.items()))
    stem = TextAreaField(
        _l("Stem"),
        validators=[DataRequired()],
        render_kw={"rows": 4},
        description=_l("Markdown. Mark each blank of a fill-in question with ___ (three underscores)."),
    )
    options = TextAreaField(
        _l("Options"),
        render_kw={"rows": 5},
        description=_l("Choice questions: one option per line, 2 to 8 lines; lettered A, B, C… in this order."),
    )
    answer = StringField(
        _l("Answer"),
        validators=[DataRequired()],
        description=_l(
            "Letters (A or ACD); 正确 or 错误; for blanks, one answer per blank separated by ；, alternatives by |."
        ),
    )
    explanation = TextAreaField(_l("Explanation"), render_kw={"rows": 3})
    law = StringField(_l("Law"), validators=[Optional(), Length(max=100)], render_kw={"list": "laws"})
    article = StringField(
        _l("Article"), validators=[Optional(), Length(max=32)], render_kw={"placeholder": "第九十九条"}
    )
    difficulty = SelectField(_l("Difficulty"), choices=choices((str(i), str(i)) for i in range(1, 6)), default="3")
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=500)], description=_l("Separated by commas."))
    category = StringField(
        _l("Category"),
        validators=[Optional(), Length(max=300)],
        render_kw={"placeholder": "生态环境法律/大气污染防治法", "list": "categories"},
    )
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()), default="draft")


class ImportQuestionsForm(FlaskForm):
    file = FileField(_l("Question file"), validators=[FileRequired(_l("Choose a file to upload."))])
    fmt = SelectField(
        _l("Format"),
        choices=choices([("auto", _l("Recognise from the file"))] + [(f, f) for f in registry.FORMATS]),
        default="auto",
    )
    category = StringField(_l("Category for questions without one"), validators=[Optional(), Length(max=300)])
    skip_invalid = BooleanField(_l("Import the valid questions even when others are rejected"))

    def validate_file(self, field) -> None:
        """A file of a type no format reads is refused naming the types that are (a chosen format reads
        the file whatever its name)."""
        if self.fmt.data == "auto":
            FileTypes(QUESTION_TYPES)(self, field)
