"""Server-side records of signed-in browser sessions (issue 15, item 4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from eduapp.models.base import Base, utcnow


class UserSession(Base):
    """One browser sign-in. The signed cookie carries a random id; only its SHA-256 is stored. A revoked
    record (sign-out, ended from the sessions page, password change, idle timeout) lets nothing in."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(45))
    revoked_at: Mapped[datetime | None]
    # Why it ended: logout, ended, password, idle.
    revoked_reason: Mapped[str | None] = mapped_column(String(16))
