"""Forms of the case-study pages: the steps of a case study, the case to start from, the upload."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from eduapp.domain import case_studies as rules
from eduapp.web.forms import FileTypes


class CaseStudyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the case study a title.")),
                                                Length(max=rules.MAX_TITLE)])
    enterprise = StringField(_l("Enterprise (as the published penalty decision names it)"),
                             validators=[Optional(), Length(max=200)])
    facts = TextAreaField(_l("Facts"), validators=[DataRequired(_l("Describe the facts of the case.")),
                                                  Length(max=rules.MAX_TEXT)], render_kw={"rows": 6})
    articles = TextAreaField(
        _l("Articles violated and the penalty article"), validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
        description=_l("One a line: 《中华人民共和国大气污染防治法》第四十八条; mark the penalty article (处罚)."))
    decision = TextAreaField(_l("Penalty decision"), validators=[Optional(), Length(max=rules.MAX_TEXT)],
                             render_kw={"rows": 4})
    lesson = TextAreaField(_l("Lesson (以案释法)"), validators=[Optional(), Length(max=rules.MAX_TEXT)],
                           render_kw={"rows": 4})
    questions = StringField(
        _l("Questions to practise (ids)"), validators=[Optional(), Length(max=2000)],
        description=_l("Question ids of the bank, separated by commas or spaces: air-0001, air-0002"))


class FromCaseForm(FlaskForm):
    case_id = SelectField(_l("Decided case"), choices=[], validate_choice=False)  # checked by the view


class ImportCaseStudiesForm(FlaskForm):
    file = FileField(_l("Case study file (.yaml)"), validators=[FileRequired(_l("Choose a file to upload.")),
                                                               FileTypes((".yaml", ".yml"))])


class ConfirmImportForm(FlaskForm):
    content = HiddenField()
    name = HiddenField()
