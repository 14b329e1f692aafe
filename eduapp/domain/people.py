"""Field rules for accounts, shared by forms, roster imports and the CLI."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from eduapp.domain.problems import N_, Problem
from eduapp.domain.typed_input import mobile_digits, mobile_problem

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{2,63}$")


def normalise_phone(phone: str) -> str:
    """The 11 digits of a typed mainland mobile number (typed_input.mobile_digits)."""
    return mobile_digits(phone)


def username_problem(username: str) -> Problem | None:
    if not USERNAME_RE.match(username):
        return Problem(N_("3 to 64 letters, digits, “.”, “_” or “-”, starting with a letter or digit."), {}, "username")
    return None


def phone_problem(phone: str) -> Problem | None:
    return mobile_problem(phone, "phone")


def email_problem(email: str) -> Problem | None:
    """An e-mail address as email-validator reads it, syntax only (no DNS: the check must not depend on
    the network): a domain with a dot that is not a special-use name (RFC 6761: .local, .test, localhost
    are refused), an internationalised domain (sent as punycode), and an ASCII local part only, as the
    mail channel sends (channels/mail.checked_address: few SMTP servers accept SMTPUTF8; better refused
    here than failing at every reminder). Empty: no address, no problem."""
    if not email:
        return None
    try:
        validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return Problem(N_("Enter a valid e-mail address."), {}, "email")
    return None
