"""What a candidate is shown of a question version (type, stem, options, number of blanks), kept in
memory by version id.

Versions are never changed or deleted (docs/question-bank.md): an edit adds a new version. So what a
version shows can be read once per process and reused by every start and re-read of a paper, which on
exam day is thousands a minute for the same few hundred versions. The cache only ever grows with the
versions that are shown, and is emptied when it passes MAX_ENTRIES. A database restored from a backup
reuses version ids with other content: restart the web processes after a restore (the test suite
empties it with the database, ``forget``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from eduapp.domain.questions import blanks_shown
from eduapp.extensions import db
from eduapp.models import QuestionVersion

MAX_ENTRIES = 20_000  # about 1 KB each


@dataclass(frozen=True)
class Shown:
    qtype: str
    stem: str
    options: tuple[str, ...]
    blanks: int


_SHOWN: dict[int, Shown] = {}
_READ = select(QuestionVersion.id, QuestionVersion.qtype, QuestionVersion.stem, QuestionVersion.options).where(
    QuestionVersion.id.in_(bindparam("ids", expanding=True)))


def shown(version_ids) -> dict[int, Shown]:
    """What each of ``version_ids`` shows; those not yet in memory are read in one statement."""
    out: dict[int, Shown] = {}
    missing = []
    for version_id in set(version_ids):
        entry = _SHOWN.get(version_id)
        if entry is None:
            missing.append(version_id)
        else:
            out[version_id] = entry
    if missing:
        if len(_SHOWN) + len(missing) > MAX_ENTRIES:
            _SHOWN.clear()
        for version_id, qtype, stem, options in db.session.execute(_READ, {"ids": sorted(missing)}):
            entry = Shown(qtype, stem, tuple(options or ()), blanks_shown(qtype, stem))
            _SHOWN[version_id] = out[version_id] = entry
    return out


def forget() -> None:
    """Empty the cache (the test suite, whenever it empties the database)."""
    _SHOWN.clear()
