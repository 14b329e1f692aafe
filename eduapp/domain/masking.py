"""Masking personal contact data where a full value is not needed (《中华人民共和国个人信息保护法》第六条:
处理个人信息应当限于实现处理目的的最小范围; 第五十一条: 采取去标识化等安全技术措施). One helper for logs, lists and
messages: 138****1234 and a***@example.com are enough to recognise a value without spreading it."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# A mainland mobile number, alone or with +86 / 86 before it: never part of a longer run of digits.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def mask_phone(number: str | None) -> str:
    """138****1234 for a mobile number; a shorter or odd number keeps only its last two digits."""
    if not number:
        return ""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def mask_email(address: str | None) -> str:
    """a***@example.com: the first character of the local part, the domain in full."""
    if not address:
        return ""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def mask_contact(value: str | None) -> str:
    """An e-mail address or a phone number, whichever ``value`` is."""
    if not value:
        return ""
    return mask_email(value) if "@" in value else mask_phone(value)


def mask_in_text(text: str) -> str:
    """Every e-mail address and mainland mobile number inside free text (an error message, a log line)."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def mask_name(name: str | None) -> str:
    """张*, 张*丰, 欧**娜: a person's name with only its first and (from three characters) last character,
    enough for someone who knows the holder to recognise them (a public certificate check shows no more).
    Each word of a Latin name is masked alike (J*** S****); one character alone becomes *."""
    name = (name or "").strip()
    if not name:
        return ""
    if " " in name:
        return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
