"""What an offset rule set may and may not do under 行政处罚法 (2021), as pure functions.

A rule set is the bureau's published discretion benchmark (§34): a normative document. It can
guide 从轻 (a lighter fine WITHIN the statutory range) but cannot create a ground for 减轻 (a fine
below the statutory minimum): §32 lists the grounds, study is none of them, and only a 法律、法规 or
规章 can add one (§32(五)). So:

- ``allow_below_minimum`` counts only when the rule set names a provision of a 法律、法规 or 规章
  that authorises 减轻 and records its level (``reduction_authorised``); otherwise the floor is the
  statutory minimum;
- an application under such a rule set needs a recorded 集体讨论 before approval (§57 ¶2);
- ``cap_percent`` is at most CAP_PERCENT_MAX (50): above half of the proposed fine, the points
  rather than the facts would set the penalty, against §5 ¶2 (过罚相当);
- approval never sets a fine above the case's current proposed fine (§45 ¶2).
"""

from __future__ import annotations

import re
from dataclasses import replace

from eduapp.domain.problems import N_, Problem

LAW = "《中华人民共和国行政处罚法》"
CAP_PERCENT_MAX = 50
# The levels of legislation that may create a ground for 减轻 (§32(五): 法律、法规、规章).
LEVELS = {
    "law": "法律",
    "administrative_regulation": "行政法规",
    "local_regulation": "地方性法规",
    "departmental_rule": "部门规章",
    "local_government_rule": "地方政府规章",
}
# A provision: a titled instrument (《…》) and an article (第…条).
_PROVISION = re.compile(r"《[^》]+》.*第[零〇一二三四五六七八九十百千0-9]+条")


def names_provision(text: str) -> bool:
    """Whether ``text`` names a provision: an instrument in 《》 and an article number."""
    return bool(_PROVISION.search(text or ""))


def reduction_authorised(maths) -> bool:
    """减轻 below the statutory minimum is authorised only by a named provision of a 法律、法规 or 规章
    with its level recorded (§32(五)); the rule set's own say-so (a normative document) is not enough."""
    return bool(maths.allow_below_minimum and maths.below_minimum_level in LEVELS
                and names_provision(maths.below_minimum_basis))


def effective_maths(maths):
    """The maths a rule set may lawfully apply: the floor stays the statutory minimum unless 减轻 is
    authorised, and the cap is bounded (for rows saved before these limits existed)."""
    return replace(maths, allow_below_minimum=reduction_authorised(maths),
                   cap_percent=max(0, min(maths.cap_percent, CAP_PERCENT_MAX)))


def maths_problems(maths) -> list[Problem]:
    """Problems with a rule set's maths under these limits, each naming its field."""
    problems = []
    if maths.cap_percent > CAP_PERCENT_MAX:
        problems.append(Problem(N_("At most %(max)s per cent: above it the points, not the facts, would set the "
                                   "fine (行政处罚法 §5)."), {"max": CAP_PERCENT_MAX}, "cap_percent"))
    if maths.allow_below_minimum:
        if maths.below_minimum_level not in LEVELS:
            problems.append(Problem(N_("Going below the statutory minimum (减轻) needs the level of the law, "
                                       "regulation or rule that allows it (行政处罚法 §32(五))."), {},
                                    "below_minimum_level"))
        if not names_provision(maths.below_minimum_basis):
            problems.append(Problem(N_("Name the provision that allows going below the statutory minimum, e.g. "
                                       "《某某条例》第十条 (行政处罚法 §32(五)); a normative document cannot."), {},
                                    "below_minimum_basis"))
    elif maths.below_minimum_level and maths.below_minimum_level not in LEVELS:
        problems.append(Problem(N_("Choose a level from the list."), {}, "below_minimum_level"))
    return problems


def needs_collective_discussion(maths) -> bool:
    """An offset under a rule set that may go below the statutory minimum is a 减轻 decision: it needs
    the head's 集体讨论 (§57 ¶2) recorded before approval."""
    return reduction_authorised(maths)


def collective_discussion_check(maths, recorded: bool) -> tuple[bool, str, str]:
    """(passed, reason, basis) of the 集体讨论 requirement for approval."""
    basis = f"{LAW}第五十七条第二款"
    if not needs_collective_discussion(maths):
        return True, "本规则不适用减轻处罚，无需集体讨论。", basis
    if recorded:
        return True, "已记录行政机关负责人集体讨论。", basis
    return False, ("本规则依据" + maths.below_minimum_basis + "可减轻处罚：批准前须记录行政机关负责人集体讨论"
                   "（日期、参加人员、结论）。"), basis


def within_reservation(offset: int, points: int, reserved: int, fen_per_point: int,
                       round_down_to_yuan: bool) -> tuple[int, int]:
    """(offset in fen, points) no larger than what the reservation holds: the enterprise agreed to
    ``reserved`` points when it applied, and never more is taken."""
    if points <= reserved:
        return offset, points
    offset = reserved * fen_per_point
    if round_down_to_yuan:
        offset -= offset % 100
    return offset, min(reserved, -(-offset // fen_per_point))


def approved_fine(fine_now: int, offset: int) -> int:
    """The fine approval writes: the case's CURRENT proposed fine less the offset, never more than the
    current proposed fine (行政处罚法 §45 ¶2: no heavier penalty because of 陈述、申辩) and never below zero."""
    return max(0, min(fine_now, fine_now - offset))
