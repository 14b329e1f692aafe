"""Exam and item statistics, as Moodle's quiz statistics report defines them.

Over the attempts that count (one per candidate), with x a question's mark in an attempt, X the
attempt's total, and a question's marks running from 0 to its maximum:

- facility index F = 100 · mean(x) / max(x): how easy the question was;
- discrimination index D = 100 · r(x, X − x): the correlation between the question's mark and the
  rest of the test (Moodle's definition), so a question does not correlate with itself;
- coefficient of internal consistency (Cronbach's alpha) over the paper's k slots:
  α = k/(k−1) · (1 − Σ Var(slot) / Var(X)).

Everything is computed from sums (n, Σx, Σx², ΣX, ΣX², ΣxX), which a database aggregates in one
pass over millions of rows; ``moments`` builds them from rows for small data and for tests.
Flags (Moodle's rules of thumb): F below 20 is too hard (过难), above 90 too easy (过易), and D below
20 does not tell good candidates from weak ones (below 0 it favours the weak).

A handful of attempts says little: a question two candidates got right is not "too easy". Flags and
alpha are given only from a minimum number of attempts (``min_attempts``; the app's setting
EDUAPP_STATS_MIN_ATTEMPTS, 30 by default); below it ``sample_ok`` is false and a page says the sample
is too small. Every figure carries the number of attempts it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

TOO_HARD, TOO_EASY, NOT_DISCRIMINATING = "too_hard", "too_easy", "not_discriminating"
HARD_BELOW, EASY_ABOVE, DISCRIMINATION_BELOW = 20.0, 90.0, 20.0
MIN_ATTEMPTS = 30  # the default of EDUAPP_STATS_MIN_ATTEMPTS


@dataclass(frozen=True)
class Moments:
    """Sums over the attempts that contain an item: its mark x and the attempt's total X."""

    n: int
    sum_x: float
    sum_x2: float
    sum_t: float
    sum_t2: float
    sum_xt: float
    max_mark: float

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.sum_x + other.sum_x, self.sum_x2 + other.sum_x2,
                       self.sum_t + other.sum_t, self.sum_t2 + other.sum_t2, self.sum_xt + other.sum_xt,
                       max(self.max_mark, other.max_mark))


@dataclass(frozen=True)
class ItemStats:
    key: Hashable
    attempts: int
    facility: float | None  # 0-100
    sd: float | None  # of x as % of its maximum
    discrimination: float | None  # -100..100
    flags: tuple[str, ...]  # none while the sample is too small
    sample_ok: bool = True  # attempts >= the minimum the flags need


def moments(rows: Iterable[tuple[Hashable, float, float, float]]) -> dict[Hashable, Moments]:
    """rows: (item key, item mark x, item maximum, attempt total X)."""
    acc: dict[Hashable, list[float]] = {}
    for key, x, maximum, t in rows:
        a = acc.setdefault(key, [0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        a[0] += 1
        a[1] += x
        a[2] += x * x
        a[3] += t
        a[4] += t * t
        a[5] += x * t
        a[6] = max(a[6], maximum)
    return {k: Moments(int(a[0]), *a[1:]) for k, a in acc.items()}


def _variance(n: int, s: float, s2: float) -> float:
    """Sample variance from sums (0 when n < 2)."""
    if n < 2:
        return 0.0
    return max((s2 - s * s / n) / (n - 1), 0.0)


def item_stats(key: Hashable, m: Moments, min_attempts: int = 1) -> ItemStats:
    """The figures of one item; flagged only when it rests on at least ``min_attempts`` attempts."""
    sample_ok = m.n >= min_attempts
    if m.n == 0 or m.max_mark <= 0:
        return ItemStats(key, m.n, None, None, None, (), sample_ok)
    facility = 100 * (m.sum_x / m.n) / m.max_mark
    sd = 100 * math.sqrt(_variance(m.n, m.sum_x, m.sum_x2)) / m.max_mark if m.n > 1 else None
    # rest of the test: R = X - x
    sum_r = m.sum_t - m.sum_x
    sum_r2 = m.sum_t2 - 2 * m.sum_xt + m.sum_x2
    sum_xr = m.sum_xt - m.sum_x2
    var_x = _variance(m.n, m.sum_x, m.sum_x2)
    var_r = _variance(m.n, sum_r, sum_r2)
    discrimination = None
    if m.n > 1 and var_x > 0 and var_r > 0:
        cov = (sum_xr - m.sum_x * sum_r / m.n) / (m.n - 1)
        discrimination = 100 * cov / math.sqrt(var_x * var_r)
    flags = []
    if sample_ok and facility < HARD_BELOW:
        flags.append(TOO_HARD)
    elif sample_ok and facility > EASY_ABOVE:
        flags.append(TOO_EASY)
    if sample_ok and discrimination is not None and discrimination < DISCRIMINATION_BELOW:
        flags.append(NOT_DISCRIMINATING)
    return ItemStats(key, m.n, round(facility, 2), None if sd is None else round(sd, 2),
                     None if discrimination is None else round(discrimination, 2), tuple(flags), sample_ok)


@dataclass(frozen=True)
class ExamStats:
    attempts: int
    mean: float | None
    median: float | None
    sd: float | None
    alpha: float | None  # Cronbach's alpha as a percentage (Moodle's CIC); None when undefined or sample too small
    min_attempts: int = 1
    sample_ok: bool = True  # attempts >= min_attempts: alpha is given


def cronbach_alpha(slot_variances: Sequence[float], total_variance: float) -> float | None:
    k = len(slot_variances)
    if k < 2 or total_variance <= 0:
        return None
    return 100 * k / (k - 1) * (1 - sum(slot_variances) / total_variance)


def exam_stats(totals: Sequence[float], slot_moments: Sequence[Moments], min_attempts: int = 1) -> ExamStats:
    """``totals``: each counting attempt's total; ``slot_moments``: one per slot of the paper. Alpha
    only from ``min_attempts`` attempts."""
    n = len(totals)
    sample_ok = n >= min_attempts
    if n == 0:
        return ExamStats(0, None, None, None, None, min_attempts, sample_ok)
    ordered = sorted(totals)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    s, s2 = sum(totals), sum(t * t for t in totals)
    var_t = _variance(n, s, s2)
    alpha = cronbach_alpha([_variance(m.n, m.sum_x, m.sum_x2) for m in slot_moments], var_t) if sample_ok else None
    return ExamStats(n, round(s / n, 2), median, round(math.sqrt(var_t), 2) if n > 1 else None,
                     None if alpha is None else round(alpha, 2), min_attempts, sample_ok)


def histogram(scores: Iterable[float], maximum: float, bins: int = 10) -> list[tuple[float, float, int]]:
    """(from, to, count) in ``bins`` equal bands of 0..maximum; the top band includes the maximum."""
    if maximum <= 0:
        return []
    counts = [0] * bins
    for score in scores:
        band = min(int(score / maximum * bins), bins - 1) if score > 0 else 0
        counts[band] += 1
    width = maximum / bins
    return [(round(i * width, 2), round((i + 1) * width, 2), counts[i]) for i in range(bins)]
