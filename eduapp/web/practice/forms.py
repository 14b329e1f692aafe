"""The answer form of practice. The answer itself arrives as the repeated ``response`` field, whose
inputs depend on the question's type; the page renders them and domain/practice.py reads them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField

# What users read for the fields a problem may name.
FIELD_LABELS = {
    "response": _l("Answer"),
    "question_id": _l("Question"),
    "kind": _l("Practise by"),
    "value": _l("Selection"),
}

TF_LABELS = {True: _l("True"), False: _l("False")}


class AnswerForm(FlaskForm):
    """Carries the CSRF token, the question shown (and its version) and, in a round, where the round is."""

    question_id = HiddenField()
    version_id = HiddenField()
    kind = HiddenField()
    value = HiddenField()
    round = HiddenField()
