"""Certificates of passed exams: the number, the verification code, and what the public check shows.

**Number.** ``ZS-<year>-<serial>``: 证书 (ZS), the year of issue in China time, and the certificate's
serial (its row id, at least six digits: ZS-2026-000123). Serials never repeat across years, so a
number is unique on its own and stays what it was issued as. Being sequential, a number is easy to
guess; the public verification address therefore uses the **code** instead: 16 characters drawn at
random (secrets) from 31 that cannot be misread (no 0/o, 1/l/i), about 79 bits.

**The public check** (《个人信息保护法》第六条, the minimum for the purpose) shows the holder's name masked
(eduapp.domain.masking.mask_name), the exam, the date of issue, the number and whether the certificate
is valid or annulled (with the date of the annulment); nothing else about the person (no organisation,
account, score, contact data or the reason for an annulment).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from eduapp.domain.masking import mask_name

PREFIX = "ZS"
CHINA = ZoneInfo("Asia/Shanghai")
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 16
VALID, ANNULLED = "valid", "annulled"


def china_date(moment: datetime) -> date:
    """The calendar day in China of an aware UTC moment (a certificate issued at 23:30 UTC is dated the next day)."""
    return moment.astimezone(CHINA).date()


def number(issued_at: datetime, serial: int) -> str:
    """ZS-2026-000123: the year of issue in China time and the serial, at least six digits."""
    if serial < 1:
        raise ValueError("a serial starts at 1")
    return f"{PREFIX}-{china_date(issued_at).year}-{serial:06d}"


def new_code(choice=secrets.choice) -> str:
    """A fresh random verification code (``choice`` injectable for tests)."""
    return "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_code(text: str) -> bool:
    """Whether ``text`` could be a code at all (a lookup of anything else is answered 404 at once)."""
    return len(text) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in text)


def status(annulled_at: datetime | None) -> str:
    return VALID if annulled_at is None else ANNULLED


@dataclass(frozen=True)
class PublicView:
    """Everything the public verification page and GET /api/v1/certificates/<code> may show."""

    holder: str  # masked
    exam: str
    issued_on: date
    number: str
    status: str  # valid | annulled
    annulled_on: date | None


def public_view(holder_name: str, exam_title: str, issued_at: datetime, certificate_number: str,
                annulled_at: datetime | None) -> PublicView:
    return PublicView(
        holder=mask_name(holder_name), exam=exam_title, issued_on=china_date(issued_at), number=certificate_number,
        status=status(annulled_at), annulled_on=china_date(annulled_at) if annulled_at is not None else None,
    )


MAX_REASON = 500


def reason_problems(reason: str | None) -> list:
    """An annulment needs its reason (kept with the certificate and in the audit trail), at most 500 characters."""
    from eduapp.domain import problems

    return problems.reason_problems(reason, problems.N_("Give the reason for annulling the certificate."), MAX_REASON)
