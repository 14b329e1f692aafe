"""Two-factor sign-in for bureau staff: TOTP (RFC 6238) enrolled by a QR code the app draws itself, ten
single-use recovery codes (stored as SHA-256), and an administrator's reset (audited). Issue 15, item 3.

``EDUAPP_2FA_ROLES`` names the roles that must use it; anyone who has enrolled is asked for a code at every
sign-in, whatever their roles.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from flask import current_app
from sqlalchemy import delete, select, update

from eduapp.domain.digits import is_digits
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import RecoveryCode, TwoFactor, User, utcnow
from eduapp.models.user import new_session_token
from eduapp.services import audit

ISSUER = "eduapp"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
STEP = 30


def required(user: User) -> bool:
    """Whether ``user`` holds a role that EDUAPP_2FA_ROLES names."""
    return bool({r.value for r in user.roles} & current_app.config["TWO_FACTOR_ROLES"])


def record(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def enrolled(user: User) -> bool:
    found = record(user)
    return found is not None and found.confirmed_at is not None


def begin(user: User) -> TwoFactor:
    """The user's unconfirmed secret, made now if there is none (enrolment shows it as a QR code)."""
    found = record(user)
    if found is None:
        found = TwoFactor(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(found)
        db.session.commit()
    return found


def provisioning_uri(user: User, found: TwoFactor) -> str:
    return pyotp.TOTP(found.secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def _normalise(code: str | None) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _totp_step(found: TwoFactor, code: str, now: datetime) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is ``code`` and that has not
    been used yet, else None."""
    if len(code) != 6 or not is_digits(code):
        return None
    totp = pyotp.TOTP(found.secret)
    current = int(now.timestamp()) // STEP
    for step in (current - 1, current, current + 1):
        if (found.last_step is None or step > found.last_step) and hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def confirm(user: User, code: str | None, ip: str | None = None, now: datetime | None = None) -> list[str]:
    """Finish enrolment with a code from the user's app; returns the ten recovery codes (shown once)."""
    found = record(user)
    step = None if found is None or found.confirmed_at else _totp_step(found, _normalise(code), now or utcnow())
    if step is None:
        raise InputError([Problem(N_("The code is not correct. Type the six digits your app shows now."), {},
                                  "code")])
    found.confirmed_at, found.last_step = now or utcnow(), step
    codes = _new_recovery_codes(user)
    audit.record("user.2fa_enrol", actor=user, obj_type="user", obj_id=user.id, ip=ip)
    db.session.commit()
    return codes


def verify(user: User, code: str | None, ip: str | None = None, now: datetime | None = None) -> bool:
    """Whether ``code`` is a valid, unused TOTP code or recovery code of ``user`` (a recovery code is
    used up); every failure and every recovery code used is audited."""
    found = record(user)
    value = _normalise(code)
    ok = False
    if found is not None and found.confirmed_at is not None and value:
        step = _totp_step(found, value, now or utcnow())
        if step is not None:
            found.last_step = step
            ok = True
        else:
            used = db.session.execute(
                update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(value),
                                           RecoveryCode.used_at.is_(None))
                .values(used_at=now or utcnow())
            ).rowcount
            if used:
                audit.record("auth.2fa_recovery_code", actor=user, obj_type="user", obj_id=user.id, ip=ip,
                             summary={"left": recovery_codes_left(user)})
                ok = True
    if not ok:
        audit.record("auth.2fa_failed", actor=None, obj_type="user", obj_id=user.id,
                     summary={"username": user.username}, ip=ip)
    db.session.commit()
    return ok


def recovery_codes_left(user: User) -> int:
    return len(db.session.execute(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all())


def reset(actor: User, user: User, ip: str | None = None) -> None:
    """An administrator removes ``user``'s second factor (a lost phone): the user enrols again at the next
    sign-in; their sessions and API tokens end. Audited with who did it."""
    from eduapp.services import api_tokens, sessions

    had = record(user) is not None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    user.session_token = new_session_token()
    api_tokens.revoke_all(user)
    sessions.revoke_others(user, None, reason=sessions.ENDED)
    audit.record("user.2fa_reset", actor=actor, obj_type="user", obj_id=user.id, ip=ip,
                 summary={"username": user.username, "was_enrolled": had})
    db.session.commit()
