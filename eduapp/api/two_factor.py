"""The second factor of POST /api/v1/auth/token (issue 15, item 3): an enrolled account sends the code of
its authenticator app (or a recovery code) as ``otp``; an account that must enrol gets no token before."""

from __future__ import annotations

from eduapp.api.errors import problem_error
from eduapp.domain.problems import N_, Problem
from eduapp.models import User


def check_code(user: User, otp: str | None, ip: str | None, enrolment: bool = True) -> None:
    """Raise the API's 401 ``otp_required``/``otp_invalid`` or 403 ``two_factor_enrolment_required``
    (``enrolment=False``: not yet, for an account that must first change its password)."""
    from eduapp.services import two_factor

    if two_factor.enrolled(user):
        if not otp:
            raise problem_error(Problem(N_("This account signs in with two factors: send the code your "
                                           "authenticator app shows as otp.")), 401, "otp_required")
        if not two_factor.verify(user, otp, ip):
            raise problem_error(Problem(N_("The code is not correct. Type the six digits your app shows now, or "
                                           "a recovery code.")), 401, "otp_invalid")
    elif enrolment and two_factor.required(user):
        raise problem_error(Problem(N_("This account must set up two-factor sign-in in the browser before it "
                                       "can have an API token.")), 403, "two_factor_enrolment_required")
