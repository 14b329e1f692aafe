"""Field rules for accounts, shared by forms, roster imports and the CLI."""

from __future__ import annotations

import re

from eduapp.domain.problems import N_, Problem
from eduapp.domain.typed_input import mobile_digits, mobile_problem

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        return Problem(N_("Enter a valid e-mail address."), {}, "email")
    return None
