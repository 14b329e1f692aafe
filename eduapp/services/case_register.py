"""Importing a case register (``eduapp cases import``, the import page, the API's case import): each
row's enterprise, violation type, officer and handling unit resolved against the database, then saved
through eduapp.services.cases.save_case, all or nothing; and the register's template file.

The file's rows are parsed and checked on their own by eduapp.domain.case_register."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from eduapp.domain.case_register import EXAMPLE, HEADERS, CaseRecord
from eduapp.domain.cases import DATE_FIELDS
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.domain.tabular import template_bytes as build_template
from eduapp.extensions import db
from eduapp.models import ENTERPRISE, User
from eduapp.services import audit, cases, handling_units
from eduapp.services import orgs as org_service


@dataclass
class ImportSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # with their rows
    written: bool = False


def _resolve(record: CaseRecord, cache: dict) -> tuple[dict, list[Problem]]:
    """The record's enterprise, violation type and officer as ids; problems name the column."""
    found: list[Problem] = []
    key = ("org", record.enterprise)
    if key not in cache:
        cache[key] = org_service.find(record.enterprise)
    org = cache[key]
    if org is None or org.kind != ENTERPRISE:
        found.append(
            Problem(N_("No enterprise is named or coded “%(value)s”."), {"value": record.enterprise}, "enterprise")
        )
    key = ("vt", record.violation_code)
    if key not in cache:
        cache[key] = cases.violation_by_code(record.violation_code)
    vt = cache[key]
    if vt is None:
        found.append(
            Problem(
                N_("No violation type has the code “%(value)s” (see the catalogue)."),
                {"value": record.violation_code},
                "violation_code",
            )
        )
    officer_id = None
    if record.officer:
        key = ("user", record.officer)
        if key not in cache:
            cache[key] = db.session.execute(select(User).where(User.username == record.officer)).scalar_one_or_none()
        officer = cache[key]
        if officer is None or not officer.can(Permission.CASES_HANDLE):
            found.append(
                Problem(N_("No case officer has the username “%(value)s”."), {"value": record.officer}, "officer")
            )
        else:
            officer_id = officer.id
    unit_id = handling_units.from_column(record.handling_unit, cache, found)
    values = {
        "case_number": record.case_number,
        "enterprise_id": org.id if org is not None else None,
        "violation_type_id": vt.id if vt is not None else None,
        "description": record.description,
        "status": record.status,
        "harm_level": record.harm_level,
        "corrected": record.corrected,
        "opened_on": record.opened_on,
        "proposed_fine": record.proposed_fine,
        "final_fine": record.final_fine,
        **{name: getattr(record, name) for name in DATE_FIELDS},
    }
    if officer_id is not None:
        values["officer_id"] = officer_id  # an empty column keeps the case's officer
    if unit_id is not None:
        values["handling_unit_id"] = unit_id  # an empty column keeps the case's unit, or takes the officer's
    if record.has_correction_due:
        values["correction_due_on"] = record.correction_due_on  # a file without the column keeps it
    if record.has_fine_basis:
        values["fine_basis_fen"] = record.fine_basis_fen
    if record.has_occurrences:
        values["occurrences"] = record.occurrences
    if record.has_served_on:
        values["served_on"] = record.served_on
    if record.late_fee_notified is not None:
        values["late_fee_notified"] = record.late_fee_notified
    return values, found


# Problems of save_case name model fields; the file names columns.
_COLUMN_OF = {"enterprise_id": "enterprise", "violation_type_id": "violation_code", "officer_id": "officer",
              "fine_basis_fen": "fine_basis", "handling_unit_id": "handling_unit"}


def import_cases(
    actor: User | None, records: list[CaseRecord], *, dry_run: bool = False, today: date | None = None
) -> ImportSummary:
    """Add or update cases by case number, all or nothing: any problem names its row and column and
    nothing is written. A case whose row matches it is left alone, so importing the same file twice
    changes nothing. ``dry_run`` reports what would change and writes nothing."""
    summary = ImportSummary()
    problems: list[Problem] = []
    cache: dict = {}
    try:
        for record in records:
            values, found = _resolve(record, cache)
            if found:
                problems.extend(Problem(p.msgid, p.params, p.field, record.row) for p in found)
                continue
            existing = cases.case_by_number(record.case_number)
            if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
                summary.unchanged.append(record.case_number)
                continue
            try:
                result = cases.save_case(actor, values, existing, commit=False, today=today, source="import")
            except InputError as err:
                problems.extend(
                    Problem(p.msgid, p.params, _COLUMN_OF.get(p.field, p.field), record.row) for p in err.problems
                )
                continue
            summary.warnings.extend(
                Problem(p.msgid, p.params, _COLUMN_OF.get(p.field, p.field), record.row) for p in result.warnings
            )
            (summary.updated if existing is not None else summary.added).append(record.case_number)
        if problems:
            raise InputError(problems)
        if dry_run or not (summary.added or summary.updated):
            db.session.rollback()
            return summary
        audit.record(
            "penalty_cases.import",
            actor=actor,
            obj_type=cases.OBJECT_TYPE,
            summary={"added": len(summary.added), "updated": len(summary.updated), "unchanged": len(summary.unchanged)},
        )
        db.session.commit()
        summary.written = True
    except Exception:
        db.session.rollback()
        raise
    return summary


def template_bytes(fmt: str = "xlsx") -> bytes:
    """The case register template: the Chinese headers and one example row."""
    return build_template(HEADERS, EXAMPLE, fmt)
