"""Readable history: an audit record (action code + summary JSON) as a sentence in the reader's
language, e.g. “张承办 将拟罚款由 ¥50,000.00 改为 ¥40,000.00”.

``describe(action, summary, actor)`` returns a Msg (message id + parameters, nested) that the web helper
eduapp.web.history translates with gettext; nothing here knows the language. The rules per action live
in history_cases (cases, offsets, non-penalty, rule sets) and history_accounts (accounts, sign-in, points,
exams, questions, laws, trainings, reminders). Money is shown in yuan, timestamps in China time, field
names translated; an action without a rule still reads as a sentence (actor + the action's family),
never as raw JSON. The raw record stays in the audit trail (行政处罚法 §47; docs/security.md §8)."""

from __future__ import annotations

import json

from eduapp.domain.history_accounts import RULES as ACCOUNT_RULES
from eduapp.domain.history_case_studies import RULES as CASE_STUDY_RULES
from eduapp.domain.history_cases import RULES as CASE_RULES
from eduapp.domain.history_cases import Ctx
from eduapp.domain.history_text import Many, Msg, NameOf, no_names
from eduapp.domain.problems import N_

RULES = {**CASE_RULES, **ACCOUNT_RULES, **CASE_STUDY_RULES}

SYSTEM = "system"  # the actor column of a record no person caused (a deadline, a periodic task)
CLI_UNNAMED = "cli"  # the actor column of a command-line record made without an operator
VIA_CLI = "cli"  # summary["via"] of every record made from the command line

# The family of an action (its code up to the first dot), for actions without a sentence of their own.
FAMILIES = {
    "penalty_case": N_("a change to a penalty case"),
    "penalty_cases": N_("a case register import"),
    "case": N_("a change to a penalty case"),
    "offset": N_("a step of a fine offset application"),
    "non_penalty": N_("a non-penalty decision"),
    "non_penalty_list": N_("a change to a non-penalty list"),
    "rule_set": N_("a change to an offset rule set"),
    "violation_types": N_("a change to the violation catalogue"),
    "user": N_("a change to an account"),
    "auth": N_("a sign-in event"),
    "roster": N_("a staff roster import"),
    "organisation": N_("a change to an organisation"),
    "points": N_("a change to study points"),
    "training": N_("a training registration"),
    "reminder": N_("a reminder setting"),
    "attempt": N_("an exam attempt"),
    "exam": N_("a change to an exam"),
    "question": N_("a change to the question bank"),
    "questions": N_("a question bank import"),
    "laws": N_("a change to the law library"),
    "case_study": N_("a change to a case study"),
    "case_studies": N_("a case study import"),
}


def parse_summary(text: str | None) -> dict:
    """The stored summary as a dict (anything else, or unreadable JSON, as an empty one)."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def actor_name(username: str | None, full_name: str | None, *, known: bool, via_cli: bool = False,
               with_username: bool = False) -> object:
    """Who did it: the full name (“张承办”, with the username for administrators: “张承办（zhangcb）”),
    “(command line)” after it when it ran from the command line; a command-line record without an
    operator and a record no person caused say so instead of a username."""
    if not known:
        if via_cli or username == CLI_UNNAMED:
            return Msg(N_("the command line (no operator named)"))
        if not username or username == SYSTEM:
            return Msg(N_("the system"))
        return username
    name = full_name or username or ""
    shown: object = name
    if with_username and username and username != name:
        shown = Msg(N_("%(name)s (%(username)s)"), {"name": name, "username": username})
    if via_cli:
        shown = Msg(N_("%(name)s (command line)"), {"name": shown})
    return shown


def describe(action: str, summary: dict, actor: object, object_id: str | None = None,
             name_of: NameOf = no_names) -> Msg:
    """The sentence for one audit record; ``actor`` is what actor_name gave."""
    rule = RULES.get(action)
    if rule is not None:
        try:
            return rule(Ctx(summary if isinstance(summary, dict) else {}, actor, object_id, name_of))
        except (AttributeError, KeyError, TypeError, ValueError):  # a summary of an older shape
            pass
    return fallback(action, actor)


def fallback(action: str, actor: object) -> Msg:
    family = (action or "").split(".", 1)[0]
    what = Msg(FAMILIES[family]) if family in FAMILIES else Msg(N_("an action (%(code)s)"), {"code": action})
    return Msg(N_("%(actor)s recorded %(action)s"), {"actor": actor, "action": what})


__all__ = ["CLI_UNNAMED", "RULES", "SYSTEM", "VIA_CLI", "Many", "Msg", "actor_name", "describe", "fallback",
           "parse_summary"]
