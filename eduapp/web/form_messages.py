"""WTForms' and Flask-WTF's built-in messages ("This field is required.", "Not a valid integer value.",
"Number must be between 1 and 200.") answered from our own catalog, not from the catalog WTForms ships
(its Chinese has gaps and mistakes: "Number must be at least" as 数值必须大于, no translation for the date
ranges).

Every form gets them: a FlaskForm asks Flask-WTF, which looks for the request's ``wtforms_translations``
first (set by ``install`` before each request); a plain WTForms form (the rows of a FieldList or
FormField) derives from ``eduapp.web.forms.SubForm``, whose Meta answers from the catalog.
tests/test_form_messages.py checks both, and that every message of WTForms' template is listed here.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_translations
from wtforms.meta import DefaultMeta

from eduapp.domain.problems import N_


def ngettext(singular: str, plural: str, n: int = 2) -> tuple[str, str]:
    """Marks a pair for `make extract-messages` (pybabel reads ``ngettext`` calls): nothing is translated here."""
    return singular, plural


MESSAGES = (
    # wtforms.validators
    N_("Invalid field name '%s'."),
    N_("Field must be equal to %(other_name)s."),
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
    ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid IP address."),
    N_("Invalid Mac address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    # wtforms.csrf (Flask-WTF's own CSRF check answers with the CSRFError page, eduapp.web.errors)
    N_("Invalid CSRF Token."),
    N_("CSRF token missing."),
    N_("CSRF failed."),
    N_("CSRF token expired."),
    # wtforms.fields: values that cannot be read as the field's type
    N_("Invalid Choice: could not coerce."),
    N_("Choices cannot be None."),
    N_("Not a valid choice."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    ngettext("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field."),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid week value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    # flask_wtf.file
    N_("File does not have an approved extension."),
    N_("File does not have an approved extension: {extensions}"),
)


class CatalogTranslations:
    """The gettext interface WTForms and Flask-WTF call, answered by the request's catalog (Flask-Babel)."""

    def gettext(self, string: str) -> str:
        return get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)

    ugettext, ungettext = gettext, ngettext  # the names Flask-WTF calls


CATALOG = CatalogTranslations()


class CatalogMeta(DefaultMeta):
    def get_translations(self, form):
        return CATALOG


def install(app: Flask) -> None:
    @app.before_request
    def wtforms_from_our_catalog() -> None:
        request.wtforms_translations = CATALOG  # flask_wtf.i18n looks here before loading WTForms' catalog
