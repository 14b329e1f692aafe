from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.domain.roles import Permission, Role, permissions_of
from eduapp.models.base import Base, utcnow
from eduapp.models.org import Organisation

# The roles a bearer request's token check read with the user's row (eduapp.services.api_tokens), kept on
# the instance so that the request needs no UserRole instances: used until role_rows itself is loaded, and
# dropped when the instance is expired (a commit, a refresh), after which role_rows is read again.
ROLES_READ = "_roles_read"


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Rotated on password change and deactivation: every other session of the user ends.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def roles(self) -> frozenset[Role]:
        state = self.__dict__
        if ROLES_READ in state and "role_rows" not in state:
            return state[ROLES_READ]
        return frozenset(Role(r.role) for r in self.role_rows)

    def can(self, permission: Permission) -> bool:
        return permission in permissions_of(self.roles)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


@event.listens_for(User, "expire")
def _forget_roles_read(target: User, attrs) -> None:
    if attrs is None or "role_rows" in attrs:
        target.__dict__.pop(ROLES_READ, None)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
