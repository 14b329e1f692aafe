"""Certificates of passed exams (rules in eduapp.domain.certificates): issued in the transaction that
finishes a passing attempt of an exam with ``certificate`` set, listed for their holder, checked by
anyone through the random code, annulled by an exam manager (audited). An attempt annulled for
misconduct annuls its certificate with it (services.misconduct)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import func, select, update

from eduapp.domain import certificates as rules
from eduapp.domain.problems import N_, InputError
from eduapp.extensions import db
from eduapp.models import Attempt, Certificate, Exam, User, utcnow
from eduapp.services import audit
from eduapp.services.qr_codes import qr_svg as draw


class CertificateError(Exception):
    def __init__(self, code: str, msgid: str, status: int = 409):
        super().__init__(code)
        self.code, self.msgid, self.status = code, msgid, status


def issue(attempt: Attempt, now: datetime | None = None) -> Certificate | None:
    """The attempt's certificate, made now if the attempt passed an exam that gives one (no commit: the
    caller's transaction finishes the attempt). Issued once: a second call returns the first."""
    if not (attempt.passed and attempt.exam.certificate):
        return None
    found = for_attempt(attempt.id)
    if found is not None:
        return found
    now = now or utcnow()
    certificate = Certificate(attempt_id=attempt.id, exam_id=attempt.exam_id, user_id=attempt.user_id,
                              code=rules.new_code(), issued_at=now)
    db.session.add(certificate)
    db.session.flush()  # the id is the serial of the number
    certificate.number = rules.number(now, certificate.id)
    return certificate


def for_attempt(attempt_id: int) -> Certificate | None:
    return db.session.execute(select(Certificate).where(Certificate.attempt_id == attempt_id)).scalar_one_or_none()


def for_attempts(attempt_ids: list[int]) -> dict[int, Certificate]:
    """The certificates of these attempts, by attempt id (one query for a page of attempts)."""
    if not attempt_ids:
        return {}
    found = db.session.execute(select(Certificate).where(Certificate.attempt_id.in_(attempt_ids))).scalars()
    return {c.attempt_id: c for c in found}


def by_code(code: str) -> tuple[Certificate, User, Exam] | None:
    """The certificate a verification code names, with its holder and exam; None for anything else."""
    code = (code or "").strip().lower()
    if not rules.is_code(code):
        return None
    row = db.session.execute(
        select(Certificate, User, Exam).join(User, User.id == Certificate.user_id)
        .join(Exam, Exam.id == Certificate.exam_id).where(Certificate.code == code)
    ).first()
    return tuple(row) if row is not None else None


def public_view(code: str) -> rules.PublicView | None:
    found = by_code(code)
    if found is None:
        return None
    certificate, user, exam = found
    return rules.public_view(user.full_name, exam.title, certificate.issued_at, certificate.number,
                             certificate.annulled_at)


def my_attempts(user: User, page: int, per_page: int) -> tuple[list[tuple[Attempt, Certificate | None]], int]:
    """The user's attempts, the newest first (by start), each with its certificate if it has one."""
    from eduapp.services.api_queries import attempts_page

    found, total = attempts_page(user, page=page, per_page=per_page)
    certs = for_attempts([a.id for a in found])
    return [(a, certs.get(a.id)) for a in found], total


def of_user(user: User, page: int = 1, per_page: int = 20) -> tuple[list[tuple[Certificate, Exam]], int]:
    """The user's certificates, the newest first."""
    query = select(Certificate, Exam).join(Exam, Exam.id == Certificate.exam_id).where(Certificate.user_id == user.id)
    total = db.session.execute(select(func.count(Certificate.id)).where(Certificate.user_id == user.id)).scalar_one()
    rows = db.session.execute(query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return [tuple(r) for r in rows], total


def of_exam(exam_id: int) -> dict[int, Certificate]:
    """The exam's certificates, by attempt id (the exam managers' list of attempts)."""
    found = db.session.execute(select(Certificate).where(Certificate.exam_id == exam_id)).scalars()
    return {c.attempt_id: c for c in found}


def verify_url(certificate: Certificate) -> str:
    """The public check's address under EDUAPP_BASE_URL (as reminders' links), not the request's host:
    a certificate printed from the intranet or through a proxy points where anyone can reach it."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("certificates.verify", code=certificate.code)


def qr_svg(certificate: Certificate) -> str:
    """The QR code of the verification address, as inline SVG markup, drawn on this server."""
    svg = draw(verify_url(certificate)).decode("utf-8")
    return svg[svg.index("<svg"):]


def annul(exam_id: int, certificate_id: int, actor: User, reason: str, ip: str | None = None,
          now: datetime | None = None) -> Certificate:
    """Annul a valid certificate of the exam, with a reason; audited. An annulment is not undone."""
    problems = rules.reason_problems(reason)
    if problems:
        raise InputError(problems)
    now = now or utcnow()
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.exam_id != exam_id:
        raise CertificateError("not_found", N_("There is no such certificate."), 404)
    claimed = db.session.execute(
        update(Certificate).where(Certificate.id == certificate_id, Certificate.annulled_at.is_(None))
        .values(annulled_at=now, annulled_by_id=actor.id, annul_reason=reason.strip())
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise CertificateError("annulled", N_("This certificate is annulled already."))
    audit.record("certificate.annul", actor=actor, obj_type="certificate", obj_id=certificate_id, ip=ip,
                 summary={"exam": exam_id, "user": certificate.user_id, "number": certificate.number,
                          "reason": reason.strip()})
    db.session.commit()
    db.session.refresh(certificate)
    return certificate


def annul_with_attempt(attempt_id: int, actor: User, reason: str, now: datetime) -> None:
    """The attempt was annulled for misconduct: so is its certificate (no commit: the caller's transaction,
    whose audit record covers both)."""
    db.session.execute(
        update(Certificate).where(Certificate.attempt_id == attempt_id, Certificate.annulled_at.is_(None))
        .values(annulled_at=now, annulled_by_id=actor.id, annul_reason=reason.strip())
    )


def ensure(attempt: Attempt) -> Certificate | None:
    """The certificate of a passing attempt, issued now if it has none (the exam was given a certificate
    after the attempt passed); committed. An attempt that does not earn one has None."""
    if attempt.state != "finished" or not attempt.passed or not attempt.exam.certificate:
        return for_attempt(attempt.id)
    found = for_attempt(attempt.id)
    if found is None:
        found = issue(attempt, attempt.submitted_at)
        db.session.commit()
    return found
