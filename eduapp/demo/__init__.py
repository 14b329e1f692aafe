"""Demo data (``eduapp demo``, ``make run``): a bureau with its units, three enterprises, an account for
every role, exams, cases, reminders, half a year of history, trainings, a 免罚清单 and typical cases.

Idempotent: a second run with the same password finds everything as it left it and writes nothing.

``load`` is the one entry. The modules of the package build on ``base`` (its constants and
``DemoResult``) and never on each other or on this package, so there is no cycle inside:

    base          organisations, accounts, the demo exams, the offset rule and its cases
    reminders     one reminder of every kind due
    history       half a year of past activity for the dashboard
    trainings     upcoming trainings of each kind to register for
    non_penalty   the 免罚清单 and a case it covers
    case_studies  two published typical cases (以案释法) with questions attached
"""

from __future__ import annotations

from datetime import date

from eduapp.demo import base, case_studies, history, non_penalty, reminders, trainings
from eduapp.demo.base import BUREAU, DEFAULT_PASSWORD, DEMO_CASES, DEMO_ENTERPRISE, DemoResult
from eduapp.domain.practice import china_day
from eduapp.models import utcnow

__all__ = ["BUREAU", "DEFAULT_PASSWORD", "DEMO_CASES", "DemoResult", "load"]


def load(password: str, today: date | None = None) -> DemoResult:
    today = today or china_day(utcnow())
    result = base.load_base(password, today)
    reminders.load(result, today)
    history.load(result, today)  # half a year of past activity for the dashboard
    trainings.load(result, today)  # upcoming trainings of each kind to register for
    non_penalty.load(result, today, DEMO_ENTERPRISE, BUREAU)  # the 免罚清单 and a case it covers (§33)
    case_studies.load(result)  # two published typical cases (以案释法) with questions attached
    return result
