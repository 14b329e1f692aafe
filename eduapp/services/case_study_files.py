"""Importing and exporting case studies as YAML (docs/case-studies.md), like question files: every
problem names its file and line, a dry run writes nothing, and a file with any problem writes nothing.

A case study is matched by its id: a new id is added (as a draft), a known one with other content is
updated (only while it is a draft: one under review or published is reported, not changed), the same
content is unchanged. ``source_case`` links the case study to a case of that number when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from eduapp.domain import case_studies as rules
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import CaseStudy, PenaltyCase, User
from eduapp.services import audit, case_studies


@dataclass
class Report:
    added: list[tuple[str, int | None, str]] = field(default_factory=list)  # (id, line, title)
    updated: list[tuple[str, int | None, str]] = field(default_factory=list)
    unchanged: list[tuple[str, int | None, str]] = field(default_factory=list)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (file, problem)
    written: bool = False

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "rejected": len(self.problems)}


def _case_id(number: str | None) -> int | None:
    if not number:
        return None
    return db.session.execute(select(PenaltyCase.id).where(PenaltyCase.case_number == number)).scalar_one_or_none()


def import_files(files: list[tuple[str, bytes]], actor: User | None = None, dry_run: bool = False) -> Report:
    report = Report()
    planned: list[tuple[rules.Draft, CaseStudy | None]] = []
    taken: set[str] = set()
    known = list(db.session.execute(select(CaseStudy.uid)).scalars())
    for name, data in files:
        drafts, problems = rules.parse(data)
        report.problems += [(name, p) for p in problems]
        for draft in drafts:
            if draft.uid is None:  # a new case study without an id gets the next free one
                draft.uid = rules.next_uid(known + sorted(taken))
            found = case_studies.unknown_questions(draft.question_uids, draft.line)
            existing = case_studies.by_uid(draft.uid) if draft.uid else None
            if existing is not None and existing.status not in rules.EDITABLE and \
                    case_studies.as_draft(existing) != _comparable(draft, existing):
                found.append(Problem(N_("The case study “%(value)s” is in review or published: return it to draft "
                                        "before importing changes."), {"value": draft.uid}, "id", draft.line))
            if draft.uid in taken:
                found.append(Problem(N_("The id “%(value)s” is used twice in this file."), {"value": draft.uid}, "id",
                                     draft.line))
            taken.add(draft.uid)
            report.problems += [(name, p) for p in found]
            bucket = (report.added if existing is None else report.updated
                      if case_studies.as_draft(existing) != _comparable(draft, existing) else report.unchanged)
            bucket.append((draft.uid, draft.line, draft.title))
            if existing is None or bucket is report.updated:
                planned.append((draft, existing))
    if report.problems or dry_run or not (report.added or report.updated):
        return report
    try:
        for draft, existing in planned:
            if existing is None:
                case = db.session.get(PenaltyCase, _case_id(draft.source_case_number) or 0)
                case_studies.create(actor, draft, case, commit=False)
            else:
                case_studies.update(actor, existing, draft, commit=False)
        audit.record("case_studies.import", actor=actor, obj_type="case_studies", obj_id=None,
                     summary={"added": len(report.added), "updated": len(report.updated),
                              "unchanged": len(report.unchanged)})
        db.session.commit()
    except InputError as err:  # a clash found only while writing: nothing is kept
        db.session.rollback()
        report.problems += [(files[0][0], p) for p in err.problems]
        return report
    report.written = True
    return report


def _comparable(draft: rules.Draft, existing: CaseStudy) -> rules.Draft:
    """The imported draft as as_draft would give it once saved (the stored source case kept)."""
    source = existing.source_case.case_number if existing.source_case else None
    return rules.Draft(title=draft.title, facts=draft.facts, decision=draft.decision, lesson=draft.lesson,
                       articles=draft.articles, question_uids=list(dict.fromkeys(draft.question_uids)),
                       uid=draft.uid, source_case_number=source, enterprise=draft.enterprise)


def export(status: str | None = None) -> tuple[str, int]:
    """The YAML of every case study (or those of one status), by id; and how many."""
    studies = sorted(case_studies.listing(status), key=lambda s: s.uid)
    return rules.dump([case_studies.as_draft(s) for s in studies]), len(studies)
