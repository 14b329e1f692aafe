"""History sentences for typical cases (以案释法, eduapp.domain.case_studies). See eduapp.domain.history."""

from __future__ import annotations

from eduapp.domain.history_cases import Ctx, tally
from eduapp.domain.history_text import Msg, plain
from eduapp.domain.problems import N_


def _about(msgid: str):
    """A sentence naming the actor and the case study (by its title in the summary)."""
    def rule(c: Ctx) -> Msg:
        return Msg(msgid, {"actor": c.actor, "title": plain(c.get("title"))})
    return rule


def _create(c: Ctx) -> Msg:
    if c.get("case"):
        return Msg(N_("%(actor)s drafted the case study “%(title)s” from case %(case)s"),
                   {"actor": c.actor, "title": plain(c.get("title")), "case": plain(c.get("case"))})
    return Msg(N_("%(actor)s drafted the case study “%(title)s”"), {"actor": c.actor, "title": plain(c.get("title"))})


RULES = {
    "case_study.create": _create,
    "case_study.update": _about(N_("%(actor)s edited the case study “%(title)s”")),
    "case_study.submit": _about(N_("%(actor)s submitted the case study “%(title)s” for review")),
    "case_study.publish": _about(N_("%(actor)s reviewed and published the case study “%(title)s”")),
    "case_study.return": _about(N_("%(actor)s returned the case study “%(title)s” to draft")),
    "case_study.retire": _about(N_("%(actor)s retired the case study “%(title)s”")),
    "case_studies.import": tally(N_("%(actor)s imported case studies: %(added)s added, %(updated)s updated, "
                                    "%(unchanged)s unchanged")),
}
