import random
import statistics

import pytest

from eduapp.domain.item_stats import (
    NOT_DISCRIMINATING,
    TOO_EASY,
    TOO_HARD,
    Moments,
    exam_stats,
    histogram,
    item_stats,
    moments,
)

# Four attempts at a paper of three one-point questions, worked out by hand:
#            q1 q2 q3  total
#   A         1  1  1   3
#   B         1  1  0   2
#   C         1  0  0   1
#   D         0  0  1   1
PAPERS = {"A": (1, 1, 1), "B": (1, 1, 0), "C": (1, 0, 0), "D": (0, 0, 1)}


def _rows(papers):
    for marks in papers.values():
        total = sum(marks)
        for q, x in enumerate(marks, start=1):
            yield (f"q{q}", x, 1, total)


def test_a_small_example_computed_by_hand():
    m = moments(_rows(PAPERS))
    q1, q2, q3 = (item_stats(k, m[k]) for k in ("q1", "q2", "q3"))
    # facility: mean mark as a share of the maximum
    assert (q1.facility, q2.facility, q3.facility) == (75.0, 50.0, 50.0)
    # discrimination: r(x, rest of test). q1: rest = 2,1,0,1 against x = 1,1,1,0: covariance 0
    assert q1.discrimination == 0.0
    # q2: x = 1,1,0,0, rest = 2,1,1,1: r = 0.5 / sqrt(1 * 0.75) = 0.57735
    assert q2.discrimination == 57.74
    # q3: x = 1,0,0,1, rest = 2,2,1,0: r = -0.5 / sqrt(1 * 2.75) = -0.30151
    assert q3.discrimination == -30.15
    assert q1.flags == (NOT_DISCRIMINATING,) and q2.flags == () and q3.flags == (NOT_DISCRIMINATING,)
    # alpha = 3/2 * (1 - (0.25 + 1/3 + 1/3) / var(3,2,1,1) = 0.91667) = 0
    test = exam_stats([3, 2, 1, 1], [m["q1"], m["q2"], m["q3"]])
    assert (test.attempts, test.mean, test.median, test.alpha) == (4, 1.75, 1.5, 0.0)


def test_against_the_textbook_formulas_on_random_data():
    rng = random.Random(3)
    papers = {i: tuple(rng.choice((0, 0.5, 1)) if q else rng.random() < 0.7 for q in range(6)) for i in range(300)}
    papers = {k: tuple(float(x) for x in v) for k, v in papers.items()}
    m = moments(_rows(papers))
    totals = [sum(v) for v in papers.values()]
    for q in range(6):
        xs = [v[q] for v in papers.values()]
        rest = [t - x for t, x in zip(totals, xs, strict=True)]
        stats = item_stats(f"q{q + 1}", m[f"q{q + 1}"])
        assert stats.facility == pytest.approx(100 * statistics.fmean(xs), abs=0.01)
        assert stats.discrimination == pytest.approx(100 * statistics.correlation(xs, rest), abs=0.01)
    k = 6
    slot_vars = [statistics.variance([v[q] for v in papers.values()]) for q in range(k)]
    alpha = 100 * k / (k - 1) * (1 - sum(slot_vars) / statistics.variance(totals))
    result = exam_stats(totals, [m[f"q{q + 1}"] for q in range(k)])
    assert result.alpha == pytest.approx(alpha, abs=0.01)
    assert result.sd == pytest.approx(statistics.stdev(totals), abs=0.01)


def test_flags_and_edge_cases():
    easy = Moments(n=10, sum_x=10, sum_x2=10, sum_t=50, sum_t2=260, sum_xt=50, max_mark=1)
    assert TOO_EASY in item_stats("e", easy).flags and item_stats("e", easy).discrimination is None
    hard = Moments(n=10, sum_x=1, sum_x2=1, sum_t=50, sum_t2=260, sum_xt=9, max_mark=1)
    assert TOO_HARD in item_stats("h", hard).flags
    assert item_stats("none", Moments(0, 0, 0, 0, 0, 0, 1)).facility is None
    assert exam_stats([], []).mean is None
    assert exam_stats([5], [Moments(1, 5, 25, 5, 25, 25, 5)]).alpha is None


def test_histogram():
    bands = histogram([0, 10, 59.9, 60, 100, 100], 100, bins=10)
    assert [count for _, _, count in bands] == [1, 1, 0, 0, 0, 1, 1, 0, 0, 2]
    assert bands[0][:2] == (0, 10) and bands[-1][:2] == (90, 100)


# --- the minimum sample (EDUAPP_STATS_MIN_ATTEMPTS, issue 16 item 4) -------------------------------------


def _everyone_right(n: int) -> Moments:
    """n attempts at a one-point item that everyone got right (F = 100: too easy, given enough attempts)."""
    return moments(("q", 1, 1, 1 + i % 2) for i in range(n))["q"]


@pytest.mark.parametrize(("attempts", "minimum", "flagged"), [
    (29, 30, False),  # below the minimum: no 过易 from 29 attempts
    (30, 30, True),  # from the minimum on: 过易
    (2, 1, True),
])
def test_an_item_is_flagged_only_from_the_minimum_number_of_attempts(attempts, minimum, flagged):
    stats = item_stats("q", _everyone_right(attempts), minimum)
    assert stats.attempts == attempts and stats.facility == 100.0  # the figure itself is always given
    assert stats.sample_ok is flagged
    assert (TOO_EASY in stats.flags) is flagged


def test_a_hard_item_below_the_minimum_is_not_flagged_too_hard():
    none_right = moments(("q", 0, 1, i % 2) for i in range(10))["q"]
    assert item_stats("q", none_right, 10).flags[:1] == (TOO_HARD,)
    assert item_stats("q", none_right, 11).flags == ()


def test_alpha_only_from_the_minimum_number_of_attempts():
    per_item = moments(_rows(PAPERS))
    slots = [per_item["q1"], per_item["q2"], per_item["q3"]]
    totals = [sum(marks) for marks in PAPERS.values()]
    enough = exam_stats(totals, slots, min_attempts=4)
    assert enough.sample_ok and enough.alpha is not None and enough.attempts == 4
    few = exam_stats(totals, slots, min_attempts=5)
    assert not few.sample_ok and few.alpha is None and few.min_attempts == 5
    assert (few.mean, few.median) == (enough.mean, enough.median)  # the other figures stay
