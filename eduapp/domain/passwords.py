"""Password policy (OWASP ASVS 2.1): length over composition rules, no username, no common words."""

from __future__ import annotations

from eduapp.domain.problems import N_, Problem

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
    return problems
