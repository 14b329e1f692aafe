"""The ledger as people read it: one line per thing that happened.

Reserving points for an offset application takes them from several lots (soonest-expiring first),
and the ledger keeps one entry per lot, so that every lot can be given back exactly. A reader sees
one event, "30 points reserved": :func:`lines` joins the entries of one reservation written
together (the same kind, reservation and moment) into one line whose amount is their sum. Posting,
voiding and releasing a reservation are joined the same way. Other entries stay one line each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LedgerLine:
    id: int  # the first entry's id (links and actions use it)
    kind: str
    amount: int
    reason: str
    created_at: datetime
    expires_at: datetime | None
    entry_ids: tuple[int, ...]


def lines(entries: Iterable) -> list[LedgerLine]:
    """``entries`` (objects with id, kind, amount, reason, created_at, expires_at, reservation_id) in
    ledger order; neighbouring entries of one reservation's step become one line."""
    out: list[LedgerLine] = []
    last_key = None
    for entry in entries:
        key = None
        if entry.reservation_id is not None:
            key = (entry.kind, entry.reservation_id, entry.created_at)
        if key is not None and key == last_key:
            line = out[-1]
            out[-1] = LedgerLine(line.id, line.kind, line.amount + entry.amount, line.reason, line.created_at,
                                 line.expires_at, (*line.entry_ids, entry.id))
        else:
            out.append(LedgerLine(entry.id, entry.kind, entry.amount, entry.reason, entry.created_at,
                                  entry.expires_at, (entry.id,)))
        last_key = key
    return out
