"""Rules of the 工作台 (the home page after sign-in), as pure functions.

Study streak (连续学习天数): the number of consecutive days in China (Asia/Shanghai) with study
activity, counted back from today. A day counts when the person read the law library (a study-day
row with time on it), answered any practice or 每日一练 question, or started or finished an exam
attempt on it. A day without activity ends the streak, except today itself: until today is over, a
streak that reached yesterday is still running (it shows yesterday's count, and today's activity
adds one). The count looks back at most ``STREAK_WINDOW`` days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

STREAK_WINDOW = 366  # days looked back: a streak longer than a year shows as 366
SOON_DAYS = 30  # points expiring within this many days are "soon" (as the balance's expiring_30d)
OPENING_SOON_DAYS = 7  # exams opening within this many days are listed for exam managers


def study_streak(active_days: Iterable[date], today: date) -> int:
    """Consecutive active days ending today (or yesterday, while today has no activity yet)."""
    days = {d for d in active_days if d <= today}
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days and count < STREAK_WINDOW:
        count += 1
        day -= timedelta(days=1)
    return count


def streak_since(today: date) -> date:
    """The first day the streak looks at (queries need activity from here on only)."""
    return today - timedelta(days=STREAK_WINDOW)


def attempts_left(allowed: int, used: int) -> int:
    return max(allowed - used, 0)


def oldest_first(items: Iterable, key) -> list:
    """To-do items oldest (earliest date) first; items without a date last, in their given order."""
    items = list(items)
    dated = sorted((i for i in items if key(i) is not None), key=key)
    return dated + [i for i in items if key(i) is None]
