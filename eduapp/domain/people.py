"""Field rules for accounts, shared by forms, roster imports and the CLI."""

from __future__ import annotations

import re

from eduapp.domain.problems import N_, Problem

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{2,63}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"[\s\-]", "", phone)
    return digits[3:] if digits.startswith("+86") else digits


def username_problem(username: str) -> Problem | None:
    if not USERNAME_RE.match(username):
        return Problem(N_("3 to 64 letters, digits, “.”, “_” or “-”, starting with a letter or digit."), {}, "username")
    return None


def phone_problem(phone: str) -> Problem | None:
    if phone and not MOBILE_RE.match(normalise_phone(phone)):
        return Problem(N_("Enter an 11-digit mainland mobile number."), {}, "phone")
    return None


def email_problem(email: str) -> Problem | None:
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        return Problem(N_("Enter a valid e-mail address."), {}, "email")
    return None
