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
    the network): a domain with a dot, not a special-use one (example.test, hbj.local are refused);
    internationalised domains and local parts pass. Empty: no address, no problem."""
    if not email:
        return None
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return Problem(N_("Enter a valid e-mail address."), {}, "email")
    return None
