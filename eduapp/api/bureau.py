"""The bureau staff's endpoints of API v1: question bank, exam management, penalty cases, offset review
and rule sets, the reminder delivery log (modules bureau_*.py)."""

from __future__ import annotations

from flask_smorest import Api


def register(api: Api) -> None:
    from eduapp.api import (
        bureau_case_deadlines,
        bureau_case_import,
        bureau_cases,
        bureau_exams,
        bureau_non_penalty,
        bureau_offsets,
        bureau_question_coverage,
        bureau_questions,
        bureau_reminders,
    )
    from eduapp.extensions import csrf

    for module in (bureau_questions, bureau_question_coverage, bureau_exams, bureau_cases, bureau_case_import,
                   bureau_offsets, bureau_reminders, bureau_case_deadlines, bureau_non_penalty):
        # Cookie-authenticated writes are checked by api.auth.init_auth; bearer ones need no token.
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
