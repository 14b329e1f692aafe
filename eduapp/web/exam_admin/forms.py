"""The exam form: settings, the blueprint's sections, the audience and per-candidate overrides."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eduapp.web.admin.forms import MultiCheckboxField
from eduapp.web.forms import SubForm, choices

SECTION_ROWS = 6

QTYPE_CHOICES = [("", _l("(unused)")), ("single", _l("Single choice")), ("multiple", _l("Multiple choice")),
                 ("true_false", _l("True / false")), ("fill_blank", _l("Fill in the blank"))]


class SectionForm(SubForm):
    title = StringField(_l("Section title"), validators=[Optional(), Length(max=100)])
    qtype = SelectField(_l("Question type"), choices=choices(QTYPE_CHOICES), default="")
    count = IntegerField(_l("Questions"), validators=[Optional(), NumberRange(min=1, max=200)])
    points = IntegerField(_l("Points each"), validators=[Optional(), NumberRange(min=1, max=100)])
    difficulty_min = IntegerField(_l("Difficulty from"), default=1, validators=[Optional(), NumberRange(min=1, max=5)])
    difficulty_max = IntegerField(_l("to"), default=5, validators=[Optional(), NumberRange(min=1, max=5)])
    categories = StringField(_l("Categories"), validators=[Optional(), Length(max=500)])
    laws = StringField(_l("Laws"), validators=[Optional(), Length(max=500)])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=300)])


class ExamForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    is_competition = BooleanField(_l("Knowledge competition (with a leaderboard)"))
    status = SelectField(_l("Status"), choices=choices([("draft", _l("Draft (not shown to candidates)")),
                                                        ("published", _l("Published"))]), default="draft")
    open_at = DateTimeLocalField(_l("Opens (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired(_l("Give the opening time."))])
    close_at = DateTimeLocalField(_l("Closes (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                  validators=[InputRequired(_l("Give the closing time."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[InputRequired(), NumberRange(min=1, max=1440)])
    attempts_allowed = IntegerField(_l("Attempts allowed"), default=1, validators=[InputRequired(), NumberRange(1, 20)])
    grading_method = SelectField(_l("The attempt that counts"),
                                 choices=choices([("highest", _l("The highest")), ("last", _l("The last"))]))
    pass_score = IntegerField(_l("Pass score (points)"), default=60, validators=[InputRequired(), NumberRange(min=1)])
    shuffle_questions = BooleanField(_l("Shuffle the questions for each candidate"), default=True)
    shuffle_options = BooleanField(_l("Shuffle the options for each candidate"), default=True)
    navigation = SelectField(_l("Navigation"), choices=choices([
        ("free", _l("Free: candidates move back and forth")),
        ("sequential", _l("Sequential: no going back"))]))
    review_policy = SelectField(_l("After submitting, candidates see"), choices=choices([
        ("after_submit", _l("Score, right answers and explanations at once")),
        ("after_close", _l("The score at once; answers and explanations after the exam closes")),
        ("score_only", _l("Only the score"))]))
    mc_rule = SelectField(_l("Multiple choice marking"), choices=choices([
        ("partial_half", _l("All right: full marks; some right, none wrong: half; any wrong: 0")),
        ("proportional", _l("Some right, none wrong: in proportion; any wrong: 0")),
        ("all_or_nothing", _l("Full marks only when exactly right"))]))
    points_on_pass = IntegerField(_l("Study points for the first pass"), default=0,
                                  validators=[InputRequired(), NumberRange(min=0, max=1000)])
    certificate = BooleanField(_l("Certificate on passing"))
    sections = FieldList(FormField(SectionForm), min_entries=SECTION_ROWS, max_entries=20)
    audience_roles = MultiCheckboxField(_l("Roles"), choices=[])
    audience_orgs = SelectMultipleField(_l("Organisations (with their sub-units)"), choices=[], coerce=str)
    audience_users = TextAreaField(_l("People (user names, one per line)"), validators=[Optional(), Length(max=20000)])
    overrides = TextAreaField(_l("Extra time or attempts (one per line: user name, extra minutes, extra attempts)"),
                              validators=[Optional(), Length(max=20000)])


class AnnulForm(FlaskForm):
    reason = TextAreaField(_l("Reason (what the candidate did, and how it was established)"),
                           validators=[DataRequired(message=_l("Give the reason for annulling this attempt.")),
                                       Length(max=500)])


class CertificateAnnulForm(FlaskForm):
    reason = TextAreaField(_l("Reason for annulling the certificate"),
                           validators=[DataRequired(message=_l("Give the reason for annulling the certificate.")),
                                       Length(max=500)])
