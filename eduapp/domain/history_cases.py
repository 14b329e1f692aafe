"""History sentences for penalty cases, fine offsets (学法减罚), non-penalty decisions and the versioned
documents behind them (rule sets, non-penalty lists). See eduapp.domain.history."""

from __future__ import annotations

from dataclasses import dataclass

from eduapp.domain.history_text import (
    Msg,
    NameOf,
    changes,
    count,
    day,
    money,
    named,
    note,
    plain,
    status_name,
    with_note,
    yes_no,
)
from eduapp.domain.problems import N_


@dataclass(frozen=True)
class Ctx:
    """One audit record as the sentence rules read it: the summary, the actor's display name (text or
    a Msg), the object's id and the name lookup."""

    s: dict
    actor: object
    object_id: str | None
    name_of: NameOf

    def get(self, key: str, default: object = None) -> object:
        return self.s.get(key, default)


def _case_create(c: Ctx) -> Msg:
    how = {"import": N_("%(actor)s filed the case (from the case register)"),
           "api": N_("%(actor)s filed the case (through the API)")}
    return Msg(how.get(c.get("source"), N_("%(actor)s filed the case")), {"actor": c.actor})


def _case_update(c: Ctx) -> Msg:
    diff = c.get("changes")
    if not diff:
        return Msg(N_("%(actor)s saved the case without changes"), {"actor": c.actor})
    how = {"import": N_("%(actor)s changed %(changes)s (from the case register)"),
           "api": N_("%(actor)s changed %(changes)s (through the API)")}
    return Msg(how.get(c.get("source"), N_("%(actor)s changed %(changes)s")),
               {"actor": c.actor, "changes": changes(diff, c.name_of)})


def _case_status(c: Ctx) -> Msg:
    sentence = Msg(N_("%(actor)s moved the case from “%(from)s” to “%(to)s” on %(on)s"),
                   {"actor": c.actor, "from": status_name(c.get("from")), "to": status_name(c.get("to")),
                    "on": day(c.get("on"))})
    moved = c.get("changes") if isinstance(c.get("changes"), dict) else {}
    if moved.get("final_fine") is not None:
        sentence = Msg(N_("%(sentence)s, fine decided %(fine)s"),
                       {"sentence": sentence, "fine": money(moved["final_fine"])})
    return with_note(sentence, c.get("comment"))


def _deadline_extend(c: Ctx) -> Msg:
    return with_note(Msg(N_("%(actor)s extended the decision deadline from %(from)s to %(to)s, approved by "
                            "%(approver)s on %(approved_on)s"),
                         {"actor": c.actor, "from": day(c.get("from")), "to": day(c.get("to")),
                          "approver": named(c.name_of, "username", c.get("approved_by")),
                          "approved_on": day(c.get("approved_on"))}), c.get("reason"))


def tally(msgid: str):
    """An import's sentence: the actor and how many were added, updated and left unchanged."""
    def rule(c: Ctx) -> Msg:
        return Msg(msgid, {"actor": c.actor, **{k: count(c.get(k)) for k in ("added", "updated", "unchanged")}})
    return rule


def _demo_case(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s set the demo case's correction deadline to %(on)s"),
               {"actor": c.actor, "on": day(c.get("correction_due_on"))})


# --- offsets ------------------------------------------------------------------------------------------------

STEP_NAMES = {"officer": N_("the case officer's review"), "reviewer": N_("the legal review"),
              "approver": N_("the approval")}


def _step(value: object) -> object:
    return Msg(STEP_NAMES[value]) if value in STEP_NAMES else plain(value)


def _offset_apply(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s applied for a lighter penalty with study points (case %(case)s, %(points)s points, "
                  "at most %(amount)s off)"),
               {"actor": c.actor, "case": plain(c.get("case")), "points": plain(c.get("points")),
                "amount": money(c.get("offset_fen"))})


def _offset_approve(c: Ctx) -> Msg:
    return with_note(Msg(N_("%(actor)s passed %(step)s"), {"actor": c.actor, "step": _step(c.get("step"))}),
                     c.get("comment"))


def _offset_reject(c: Ctx) -> Msg:
    return with_note(Msg(N_("%(actor)s turned the application down at %(step)s"),
                         {"actor": c.actor, "step": _step(c.get("step"))}), c.get("comment"))


def _offset_withdraw(c: Ctx) -> Msg:
    return Msg(N_("%(actor)s withdrew the application for a lighter penalty"), {"actor": c.actor})


def _offset_reevaluate(c: Ctx) -> Msg:
    if c.get("eligible"):
        return Msg(N_("%(actor)s changed the case; the offset application was re-assessed: still eligible, "
                      "fine after the offset %(fine)s"), {"actor": c.actor, "fine": money(c.get("fine_after"))})
    return Msg(N_("%(actor)s changed the case; the offset application was re-assessed: no longer eligible"),
               {"actor": c.actor})


def _offset_case_closed(c: Ctx) -> Msg:
    return Msg(N_("The offset application ended when the case moved to “%(status)s”; %(points)s reserved "
                  "points were released"),
               {"status": status_name(c.get("case_status")), "points": plain(c.get("points_released") or 0)})


def _collective_discussion(c: Ctx) -> Msg:
    return with_note(Msg(N_("%(actor)s recorded the collective discussion held on %(on)s"),
                         {"actor": c.actor, "on": day(c.get("held_on"))}), c.get("conclusion"))


# --- non-penalty decisions and versioned documents ----------------------------------------------------------

GROUND_NAMES = {"minor_no_harm": N_("minor, corrected in time, no harmful consequence"),
                "first_violation": N_("first violation, slight harm, corrected in time"),
                "no_fault": N_("no subjective fault proven")}


def _non_penalty(c: Ctx) -> Msg:
    ground = c.get("ground")
    return Msg(N_("%(actor)s decided not to penalise (case %(case)s, %(on)s): %(ground)s, %(basis)s"),
               {"actor": c.actor, "case": plain(c.get("case")), "on": day(c.get("decided_on")),
                "ground": Msg(GROUND_NAMES[ground]) if ground in GROUND_NAMES else plain(ground),
                "basis": note(c.get("legal_basis"))})


_VERSION_VERBS = {
    "rule_set": {"create": N_("%(actor)s created the offset rule set %(code)s v%(version)s (in force from %(on)s)"),
                 "new_version": N_("%(actor)s issued version %(version)s of the offset rule set %(code)s "
                                   "(in force from %(on)s)"),
                 "update": N_("%(actor)s edited the offset rule set %(code)s v%(version)s (in force from %(on)s)")},
    "non_penalty_list": {
        "create": N_("%(actor)s created the non-penalty list %(code)s v%(version)s (in force from %(on)s)"),
        "new_version": N_("%(actor)s issued version %(version)s of the non-penalty list %(code)s "
                          "(in force from %(on)s)"),
        "update": N_("%(actor)s edited the non-penalty list %(code)s v%(version)s (in force from %(on)s)")},
}


def _versioned(kind: str, done: str):
    def rule(c: Ctx) -> Msg:
        return Msg(_VERSION_VERBS[kind][done], {"actor": c.actor, "code": plain(c.get("code")),
                                                "version": plain(c.get("version")),
                                                "on": day(c.get("effective_from"))})
    return rule


RULES = {
    "penalty_case.create": _case_create,
    "penalty_case.update": _case_update,
    "penalty_case.status": _case_status,
    "penalty_case.deadline_extend": _deadline_extend,
    "penalty_cases.import": tally(N_("%(actor)s imported the case register: %(added)s added, %(updated)s updated, "
                                     "%(unchanged)s unchanged")),
    "violation_types.load": tally(N_("%(actor)s loaded the violation catalogue: %(added)s added, %(updated)s "
                                     "updated, %(unchanged)s unchanged")),
    "case.update": _demo_case,
    "offset.apply": _offset_apply,
    "offset.approve": _offset_approve,
    "offset.reject": _offset_reject,
    "offset.withdraw": _offset_withdraw,
    "offset.reevaluate": _offset_reevaluate,
    "offset.case_closed": _offset_case_closed,
    "offset.collective_discussion": _collective_discussion,
    "non_penalty.decide": _non_penalty,
    **{f"{kind}.{done}": _versioned(kind, done) for kind in _VERSION_VERBS for done in _VERSION_VERBS[kind]},
}

__all__ = ["RULES", "Ctx", "tally", "yes_no"]
