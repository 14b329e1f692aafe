"""Accounts: creation by an administrator or an enterprise contact, roles, passwords, sign-in."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from eduapp.domain.passwords import password_problems
from eduapp.domain.people import email_problem, normalise_phone, phone_problem, username_problem
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Role, role_conflicts
from eduapp.domain.roster import StaffRecord
from eduapp.domain.typed_input import fold_width
from eduapp.extensions import db
from eduapp.models import Organisation, User, UserRole, utcnow
from eduapp.models.user import new_session_token
from eduapp.services import audit
from eduapp.services.passwords import hash_password, needs_rehash, verify_password


def generate_password(length: int = 12) -> str:
    alphabet = string.ascii_letters.replace("l", "").replace("I", "").replace("O", "") + "23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _taken(username: str) -> Problem:
    return Problem(N_("The username “%(value)s” is taken."), {"value": username}, "username")


def find_by_username(username: str) -> User | None:
    """Case and width do not matter: ｚｈａｎｇ３ finds zhang3."""
    return db.session.execute(
        select(User).where(func.lower(User.username) == fold_width(username).strip().lower())
    ).scalar_one_or_none()


def _check_account_fields(
    username: str | None, email: str, phone: str, roles: Iterable[Role], org: Organisation
) -> list[Problem]:
    problems: list[Problem] = []
    if username is not None:
        if (p := username_problem(username)) is not None:
            problems.append(p)
        elif find_by_username(username) is not None:
            problems.append(_taken(username))
    for p in (email_problem(email or ""), phone_problem(phone or "")):
        if p is not None:
            problems.append(p)
    roles = list(roles)
    if not roles:
        problems.append(Problem(N_("Choose at least one role."), {}, "roles"))
    for role in role_conflicts(roles, org.kind):
        problems.append(
            Problem(
                N_("The role %(role)s does not fit an account of %(org)s."),
                {"role": role.value, "org": org.name},
                "roles",
            )
        )
    return problems


def create_user(
    actor: User | None,
    *,
    username: str,
    full_name: str,
    organisation: Organisation,
    roles: Iterable[Role],
    password: str,
    email: str = "",
    phone: str = "",
    must_change_password: bool = False,
    ip: str | None = None,
    commit: bool = True,
) -> User:
    roles = sorted({Role(r) for r in roles}, key=lambda r: r.value)
    username = fold_width(username).strip()  # typed full-width (ｚｈａｎｇ３): the ASCII name
    problems = _check_account_fields(username, email, phone, roles, organisation)
    problems += password_problems(password, username, current_app.config["PASSWORD_MIN_LENGTH"])
    if not full_name.strip():
        problems.append(Problem(N_("This field is required."), {}, "full_name"))
    if problems:
        raise InputError(problems)
    user = User(
        username=username,
        full_name=full_name.strip(),
        email=email or None,
        phone=normalise_phone(phone) if phone else None,
        password_hash=hash_password(password),
        organisation=organisation,
        must_change_password=must_change_password,
        role_rows=[UserRole(role=r.value) for r in roles],
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same username, saved by a request that committed after our check
        db.session.rollback()
        raise InputError([_taken(username)]) from None
    audit.record(
        "user.create",
        actor=actor,
        obj_type="user",
        obj_id=user.id,
        summary={"username": username, "organisation": organisation.name, "roles": [r.value for r in roles]},
        ip=ip,
    )
    if commit:
        db.session.commit()
    return user


def snapshot(user: User) -> dict:
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "organisation": user.organisation.name,
        "roles": sorted(r.value for r in user.roles),
        "active": user.active,
    }


def update_user(
    actor: User,
    user: User,
    *,
    full_name: str,
    email: str = "",
    phone: str = "",
    roles: Iterable[Role] | None = None,
    organisation: Organisation | None = None,
    ip: str | None = None,
) -> User:
    organisation = organisation or user.organisation
    new_roles = sorted({Role(r) for r in roles}, key=lambda r: r.value) if roles is not None else sorted(user.roles)
    problems = _check_account_fields(None, email, phone, new_roles, organisation)
    if not full_name.strip():
        problems.append(Problem(N_("This field is required."), {}, "full_name"))
    if problems:
        raise InputError(problems)
    before = snapshot(user)
    user.full_name = full_name.strip()
    user.email = email or None
    user.phone = normalise_phone(phone) if phone else None
    user.organisation = organisation
    if {r.value for r in new_roles} != {r.role for r in user.role_rows}:
        user.role_rows = [UserRole(role=r.value) for r in new_roles]
    diff = audit.changes(before, snapshot(user))
    if diff:
        audit.record("user.update", actor=actor, obj_type="user", obj_id=user.id, summary=diff, ip=ip)
    db.session.commit()
    from eduapp.services import api_tokens

    api_tokens.forget_user(user.id)  # this process's cached token checks hold the old roles
    return user


def set_active(actor: User, user: User, active: bool, ip: str | None = None) -> None:
    if user.id == actor.id and not active:
        raise InputError([Problem(N_("You cannot deactivate your own account."))])
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_token = new_session_token()
        _end_access(user, None)
    audit.record(
        "user.activate" if active else "user.deactivate",
        actor=actor,
        obj_type="user",
        obj_id=user.id,
        summary={"username": user.username},
        ip=ip,
    )
    db.session.commit()


def _end_access(user: User, keep_sid: str | None) -> None:
    """Revoke ``user``'s API tokens and sessions but the one ``keep_sid`` names (the caller commits)."""
    from eduapp.services import api_tokens, sessions

    api_tokens.revoke_all(user)
    sessions.revoke_others(user, keep_sid)


def change_password(user: User, current: str, new: str, ip: str | None = None, keep_sid: str | None = None) -> None:
    """Change ``user``'s password; their API tokens and every other session (all but ``keep_sid``) end."""
    problems: list[Problem] = []
    if not verify_password(user.password_hash, current):
        problems.append(Problem(N_("The current password is not correct."), {}, "current_password"))
    problems += [
        Problem(p.msgid, p.params, "new_password")
        for p in password_problems(new, user.username, current_app.config["PASSWORD_MIN_LENGTH"])
    ]
    if current == new:
        problems.append(Problem(N_("Choose a password different from the current one."), {}, "new_password"))
    if problems:
        raise InputError(problems)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.session_token = new_session_token()
    _end_access(user, keep_sid)
    audit.record("user.password_change", actor=user, obj_type="user", obj_id=user.id, ip=ip)
    db.session.commit()


def reset_password(actor: User, user: User, ip: str | None = None) -> str:
    """Give the user a new random password they must change at next sign-in; returns it once."""
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_token = new_session_token()
    _end_access(user, None)
    audit.record("user.password_reset", actor=actor, obj_type="user", obj_id=user.id, ip=ip)
    db.session.commit()
    return password


def authenticate(username: str, password: str, ip: str | None = None) -> User | None:
    """The user if the password matches an active account; every attempt is audited."""
    user = find_by_username(username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        audit.record(
            "auth.login_failed",
            actor=None,
            obj_type="user",
            obj_id=user.id if user else None,
            summary={"username": username[:64], "reason": "inactive" if ok and user else "bad_credentials"},
            ip=ip,
        )
        db.session.commit()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, obj_type="user", obj_id=user.id, ip=ip)
    db.session.commit()
    return user


def record_logout(user: User, ip: str | None = None) -> None:
    audit.record("auth.logout", actor=user, obj_type="user", obj_id=user.id, ip=ip)
    db.session.commit()


@dataclass(frozen=True)
class ImportedAccount:
    row: int
    username: str
    full_name: str
    generated_password: str | None


def import_staff(
    actor: User, organisation: Organisation, records: list[StaffRecord], ip: str | None = None
) -> list[ImportedAccount]:
    """Create every account of the file, or none: a clash with an existing username names its row."""
    problems = [
        Problem(N_("The username “%(value)s” is taken."), {"value": r.username}, "username", r.row)
        for r in records
        if find_by_username(r.username) is not None
    ]
    if problems:
        raise InputError(problems)
    created: list[ImportedAccount] = []
    try:
        for record in records:
            generated = None if record.password else generate_password()
            create_user(
                actor,
                username=record.username,
                full_name=record.full_name,
                organisation=organisation,
                roles=[record.role],
                password=record.password or generated,
                email=record.email or "",
                phone=record.phone or "",
                must_change_password=True,
                ip=ip,
                commit=False,
            )
            created.append(ImportedAccount(record.row, record.username, record.full_name, generated))
        audit.record(
            "roster.import",
            actor=actor,
            obj_type="organisation",
            obj_id=organisation.id,
            summary={"created": len(created)},
            ip=ip,
        )
        db.session.commit()
    except InputError as err:
        db.session.rollback()
        raise InputError([Problem(p.msgid, p.params, p.field, record.row) for p in err.problems])
    except Exception:
        db.session.rollback()
        raise
    return created
