"""The leaderboard order of a competition (domain.exam_rules), as a table."""

from __future__ import annotations

import pytest

from eduapp.domain import exam_rules as rules


@pytest.mark.parametrize(("attempts", "order", "ranks"), [
    # (name, score, seconds): by score, then the time it took; equal keys share a rank
    ([("a", 80, 600), ("b", 90, 900), ("c", 90, 300)], ["c", "b", "a"], [1, 2, 3]),
    ([("a", 90, 600), ("b", 90, 600), ("c", 70, 100)], ["a", "b", "c"], [1, 1, 3]),
    ([("a", 0, 10), ("b", 0, 5)], ["b", "a"], [1, 2]),
    ([], [], []),
])
def test_candidates_rank_by_score_then_time(attempts, order, ranks):
    board = sorted(attempts, key=lambda a: (rules.leaderboard_key(a[1], a[2]), a[0]))
    assert [a[0] for a in board] == order
    assert rules.shared_ranks([rules.leaderboard_key(a[1], a[2]) for a in board]) == ranks


@pytest.mark.parametrize(("orgs", "order", "ranks"), [
    # (name, participants, average): by average; more participants, then the name, order a tie
    ([("甲", 2, 2.5), ("乙", 1, 3.0), ("丙", 1, 2.0)], ["乙", "甲", "丙"], [1, 2, 3]),
    ([("甲", 1, 3.0), ("乙", 3, 3.0), ("丙", 1, 1.0)], ["乙", "甲", "丙"], [1, 1, 3]),
    ([("b", 1, 3.0), ("a", 1, 3.0)], ["a", "b"], [1, 1]),
])
def test_organisations_rank_by_average(orgs, order, ranks):
    board = sorted(orgs, key=lambda o: rules.org_leaderboard_key(o[2], o[1], o[0]))
    assert [o[0] for o in board] == order
    assert rules.shared_ranks([o[2] for o in board]) == ranks
