"""Two-factor sign-in (TOTP) of bureau staff and their single-use recovery codes (issue 15, item 3)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from eduapp.models.base import Base, utcnow


class TwoFactor(Base):
    """A user's TOTP secret (RFC 6238, 30 s, 6 digits). Unconfirmed until the user has typed a code from
    their app; the last time step used is kept so a code is accepted only once."""

    __tablename__ = "user_two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None]


class RecoveryCode(Base):
    """One of the ten single-use codes given at enrolment; only its SHA-256 is stored."""

    __tablename__ = "two_factor_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
