"""History sentences for accounts, sign-in and two-factor, organisations, study points, exams,
questions, laws, trainings and reminders. See eduapp.domain.history."""

from __future__ import annotations

from eduapp.domain.history_cases import Ctx, tally
from eduapp.domain.history_text import Many, Msg, changes, count, day, named, plain, roles, with_note
from eduapp.domain.problems import N_


def _simple(msgid: str):
    """A sentence with the actor only."""
    def rule(c: Ctx) -> Msg:
        return Msg(msgid, {"actor": c.actor})
    return rule


def _about_user(msgid: str):
    """A sentence naming the actor and the account it is about (by the summary's username, else the id)."""
    def rule(c: Ctx) -> Msg:
        who = plain(c.get("username")) if c.get("username") else named(c.name_of, "user", c.object_id)
        return Msg(msgid, {"actor": c.actor, "user": who})
    return rule


# --- accounts, sign-in, two-factor -------------------------------------------------------------------------

def _user_create(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s created the account %(user)s (%(organisation)s; roles: %(roles)s)"),
               {"actor": c.actor, "user": plain(c.get("username")), "organisation": plain(c.get("organisation")),
                "roles": roles(c.get("roles"))})


def _user_update(c: Ctx) -> Msg:
    if "demo" in c.s:
        return Msg(N_("%(actor)s reset demo accounts"), {"actor": c.actor})
    return Msg(N_("%(actor)s changed the account %(user)s: %(changes)s"),
               {"actor": c.actor, "user": named(c.name_of, "user", c.object_id), "changes": changes(c.s, c.name_of)})


LOGIN_FAILURES = {"bad_credentials": N_("wrong username or password"), "inactive": N_("the account is deactivated"),
                  "captcha": N_("wrong verification code")}


def _login_failed(c: Ctx) -> Msg:
    reason = c.get("reason")
    return Msg(N_("Failed sign-in as %(user)s (%(reason)s)"),
               {"user": plain(c.get("username")),
                "reason": Msg(LOGIN_FAILURES[reason]) if reason in LOGIN_FAILURES else plain(reason)})


def _2fa_failed(c: Ctx) -> Msg:
    return Msg(N_("Wrong two-factor code for %(user)s"), {"user": plain(c.get("username"))})


def _2fa_recovery(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s signed in with a recovery code (%(left)s left)"),
               {"actor": c.actor, "left": plain(c.get("left"))})


def _roster(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s imported a staff roster for %(organisation)s: %(n)s accounts created"),
               {"actor": c.actor, "organisation": named(c.name_of, "organisation", c.object_id),
                "n": count(c.get("created"))})


def _organisation(msgid: str):
    def rule(c: Ctx) -> Msg:
        return Msg(msgid, {"actor": c.actor, "organisation": named(c.name_of, "organisation", c.object_id),
                           "changes": changes(c.s, c.name_of)})
    return rule


# --- points, trainings, reminders -----------------------------------------------------------------------------

def _points_adjust(c: Ctx) -> Msg:
    return with_note(Msg(N_("%(actor)s adjusted the points of %(owner)s by %(points)s"),
                         {"actor": c.actor, "owner": named(c.name_of, "points_account", c.get("account")),
                          "points": plain(c.get("points"))}), c.get("reason"))


def _points_reverse(c: Ctx) -> Msg:
    return with_note(Msg(N_("%(actor)s reversed an entry of %(points)s points of %(owner)s"),
                         {"actor": c.actor, "owner": named(c.name_of, "points_account", c.get("account")),
                          "points": plain(c.get("amount"))}), c.get("reason"))


RULE_KIND_NAMES = {"exam_pass": N_("passing an exam"), "practice": N_("practice"), "study_time": N_("study time"),
                   "training": N_("training"), "competition_1": N_("competition, first place"),
                   "competition_2": N_("competition, second place"), "competition_3": N_("competition, third place"),
                   "pool_person_cap": N_("cap per person on the enterprise pool")}


def _points_rules(c: Ctx) -> Msg:
    kinds = tuple(Msg(N_("%(kind)s: %(changes)s"),
                      {"kind": Msg(RULE_KIND_NAMES[kind]) if kind in RULE_KIND_NAMES else plain(kind),
                       "changes": changes(diff, c.name_of)})
                  for kind, diff in c.s.items())
    return Msg(N_("%(actor)s changed the earning rules: %(changes)s"),
               {"actor": c.actor, "changes": Many(kinds) if kinds else changes({}, c.name_of)})


def _training(c: Ctx) -> Msg:
    if "demo" in c.s:
        return Msg(N_("%(actor)s added a demo training"), {"actor": c.actor})
    return Msg(N_("%(actor)s added the training “%(title)s” on %(on)s (%(points)s points)"),
               {"actor": c.actor, "title": plain(c.get("title")), "on": day(c.get("held_on")),
                "points": plain(c.get("points"))})


def _attendance(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s recorded %(n)s attendees of a training (%(points)s points each)"),
               {"actor": c.actor, "n": count(c.get("added")), "points": plain(c.get("points"))})


def _competition(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s awarded the placings of the competition %(exam)s (%(n)s people)"),
               {"actor": c.actor, "exam": named(c.name_of, "exam", c.object_id), "n": count(c.get("awarded"))})


def _training_registration(msgid: str):
    def rule(c: Ctx) -> Msg:
        return Msg(msgid, {"actor": c.actor, "title": plain(c.get("title"))})
    return rule


def _reminder_preferences(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s set reminders by e-mail: %(email)s, by SMS: %(sms)s"),
               {"actor": c.actor, "email": plain(bool(c.get("email"))), "sms": plain(bool(c.get("sms")))})


def _reminder_resend(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s queued reminder #%(id)s to be sent again"), {"actor": c.actor, "id": c.object_id or ""})


# --- exams, questions, laws -------------------------------------------------------------------------------------

def _attempt_start(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s started attempt %(number)s of the exam %(exam)s (due %(due)s)"),
               {"actor": c.actor, "number": plain(c.get("number")), "exam": named(c.name_of, "exam", c.get("exam")),
                "due": day(c.get("deadline"))})


def _attempt_submit(c: Ctx) -> Msg:
    msgid = (N_("The exam %(exam)s was handed in at its deadline: %(score)s of %(max)s")
             if c.get("by") == "deadline" else N_("%(actor)s handed in the exam %(exam)s: %(score)s of %(max)s"))
    return Msg(msgid, {"actor": c.actor, "exam": named(c.name_of, "exam", c.get("exam")),
                       "score": plain(c.get("score")), "max": plain(c.get("max_score"))})


def _attempt_annul(c: Ctx) -> Msg:
    return with_note(Msg(N_("%(actor)s annulled an attempt of %(user)s at the exam %(exam)s"),
                         {"actor": c.actor, "user": named(c.name_of, "user", c.get("user")),
                          "exam": named(c.name_of, "exam", c.get("exam"))}), c.get("reason"))


def _certificate_annul(c: Ctx) -> Msg:
    return with_note(Msg(N_("%(actor)s annulled the certificate %(number)s of %(user)s (exam %(exam)s)"),
                         {"actor": c.actor, "number": c.get("number") or "",
                          "user": named(c.name_of, "user", c.get("user")),
                          "exam": named(c.name_of, "exam", c.get("exam"))}), c.get("reason"))


def _exam(msgid: str):
    def rule(c: Ctx) -> Msg:
        return Msg(msgid, {"actor": c.actor, "exam": named(c.name_of, "exam", c.object_id),
                           "changes": changes(c.s, c.name_of)})
    return rule


def _question_status(msgid: str):
    def rule(c: Ctx) -> Msg:
        return Msg(msgid, {"actor": c.actor, "n": count(c.get("uids"))})
    return rule


def _questions_import(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s imported questions: %(added)s added, %(updated)s updated"),
               {"actor": c.actor, "added": count(c.get("added")), "updated": count(c.get("updated"))})


def _law_amend(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s imported a new version of %(title)s: %(changed)s articles changed, %(added)s added, "
                  "%(removed)s removed, %(renumbered)s renumbered; %(flagged)s questions flagged for review, "
                  "%(moved)s citations moved"),
               {"actor": c.actor, "title": plain(c.get("title")), "changed": count(c.get("articles_changed")),
                "added": count(c.get("articles_added")), "removed": count(c.get("articles_removed")),
                "renumbered": count(c.get("articles_renumbered")), "flagged": count(c.get("questions_flagged")),
                "moved": count(c.get("citations_moved"))})


def _law_repeal(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s recorded the repeal of %(title)s on %(on)s (%(n)s questions leave new papers)"),
               {"actor": c.actor, "title": plain(c.get("title")), "on": day(c.get("on")),
                "n": count(c.get("questions"))})


def _citation_moved(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s moved the citation of %(law)s from %(old)s to %(new)s: the amendment renumbered the "
                  "article (version %(version)s)"),
               {"actor": c.actor, "law": plain(c.get("law")), "old": plain(c.get("from")), "new": plain(c.get("to")),
                "version": count(c.get("version"))})


REVIEW_REASONS = {"changed": N_("the cited article was amended"), "removed": N_("the cited article was removed")}


def _question_reviewed(c: Ctx) -> Msg:
    reason = c.get("reason")
    return Msg(N_("%(actor)s reviewed the question (%(reason)s); it may be drawn again"),
               {"actor": c.actor,
                "reason": Msg(REVIEW_REASONS[reason]) if reason in REVIEW_REASONS else plain(reason)})


RULES = {
    "user.create": _user_create,
    "user.update": _user_update,
    "user.activate": _about_user(N_("%(actor)s activated the account %(user)s")),
    "user.deactivate": _about_user(N_("%(actor)s deactivated the account %(user)s")),
    "user.password_change": _simple(N_("%(actor)s changed their password")),
    "user.password_reset": _about_user(N_("%(actor)s reset the password of %(user)s")),
    "user.2fa_enrol": _simple(N_("%(actor)s turned on two-factor authentication")),
    "user.2fa_reset": _about_user(N_("%(actor)s reset the two-factor authentication of %(user)s")),
    "auth.login": _simple(N_("%(actor)s signed in")),
    "auth.logout": _simple(N_("%(actor)s signed out")),
    "auth.login_failed": _login_failed,
    "auth.2fa_failed": _2fa_failed,
    "auth.2fa_recovery_code": _2fa_recovery,
    "roster.import": _roster,
    "organisation.create": _organisation(N_("%(actor)s added the organisation %(organisation)s")),
    "organisation.update": _organisation(N_("%(actor)s changed the organisation %(organisation)s: %(changes)s")),
    "points.adjust": _points_adjust,
    "points.reverse": _points_reverse,
    "points.rules": _points_rules,
    "points.training": _training,
    "points.attendance": _attendance,
    "points.competition": _competition,
    "training.register": _training_registration(N_("%(actor)s registered for the training “%(title)s”")),
    "training.unregister": _training_registration(N_("%(actor)s cancelled the registration for the training "
                                                     "“%(title)s”")),
    "reminder.preferences": _reminder_preferences,
    "reminder.resend": _reminder_resend,
    "attempt.start": _attempt_start,
    "attempt.submit": _attempt_submit,
    "attempt.annul": _attempt_annul,
    "certificate.annul": _certificate_annul,
    "exam.create": _exam(N_("%(actor)s created the exam %(exam)s")),
    "exam.update": _exam(N_("%(actor)s changed the settings of the exam %(exam)s: %(changes)s")),
    "question.create": _simple(N_("%(actor)s added a question")),
    "question.edit": _simple(N_("%(actor)s edited a question")),
    "question.draft": _question_status(N_("%(actor)s returned %(n)s questions to draft")),
    "question.published": _question_status(N_("%(actor)s published %(n)s questions")),
    "question.retired": _question_status(N_("%(actor)s retired %(n)s questions")),
    "questions.import": _questions_import,
    "laws.amend": _law_amend,
    "laws.repeal": _law_repeal,
    "question.citation_moved": _citation_moved,
    "question.reviewed": _question_reviewed,
    "laws.import": tally(N_("%(actor)s imported the law library: %(added)s added, %(updated)s updated, "
                            "%(unchanged)s unchanged")),
}
